"""Sharing the input topic's partitions between several processes: Kafka
consumer-group membership, held by one consumer per process that reads
nothing (its partitions stay paused) and only learns its assignment.

Why a group of its own ("<group>.members") next to the group whose offsets
the job commits: the readers commit as simple (memberless) consumers, which
Kafka accepts only for a group without members.

The process that runs the job works in *segments* (see pipeline/run.py):
`begin_segment()` returns the partitions to read (None while a rebalance is
under way), `end_segment()` says the segment and its commits are done. When
the group rebalances, the partitions are given up only after the running
segment has ended: `interrupt` is set so the readers stop at their next poll,
and the membership waits for end_segment() before it rejoins. So a partition
changes hands only after its in-flight bundle is committed, and no partition
is read by two live members at once; a member that dies (kill -9) is replaced
after the session timeout, and its partitions are read again from their last
commit (at least once).
"""
from __future__ import annotations

import logging
import threading
import time

_LOG = logging.getLogger(__name__)
# how long a rebalance waits for the running segment to end (it normally
# takes one poll and the bundle in flight)
_SEGMENT_END_WAIT_S = 60.0


class GroupMembership(threading.Thread):
    """This process as a member of `group`.members on `topic`; see the module docstring."""

    def __init__(self, bootstrap: str, topic: str, group: str, interrupt: threading.Event,
                 session_timeout_ms: int = 10000):
        super().__init__(name="group-membership", daemon=True)
        self.bootstrap, self.topic, self.group = bootstrap, topic, f"{group}.members"
        self.interrupt, self.session_timeout_ms = interrupt, session_timeout_ms
        self._lock = threading.Lock()
        self._assigned: list[int] | None = None  # None: not known yet, or a rebalance is under way
        self._changed = threading.Condition(self._lock)
        self._idle = threading.Event()  # no segment running
        self._idle.set()
        self._closed = threading.Event()
        self.generations = 0  # assignments received so far

    # --- the job's side
    def begin_segment(self, timeout: float) -> list[int] | None:
        """The partitions to read in the next segment (maybe none), or None
        if no assignment came within `timeout` seconds. The interrupt is
        cleared here, under the same lock a rebalance sets it with."""
        with self._changed:
            if self._assigned is None:
                self._changed.wait(timeout)
            if self._assigned is None:
                return None
            self.interrupt.clear()
            self._idle.clear()
            return list(self._assigned)

    def interrupting(self, event: threading.Event) -> None:
        """Set `event` on a rebalance from now on, instead of the one given
        when it was made (a membership started before the job's readers)."""
        with self._changed:
            self.interrupt = event

    def end_segment(self) -> None:
        self._idle.set()

    def wait_for_change(self, timeout: float) -> None:
        """Sleep until the assignment changes (or `timeout`): for a member with no partitions."""
        with self._changed:
            self._changed.wait(timeout)

    @property
    def assigned(self) -> list[int] | None:
        with self._lock:
            return None if self._assigned is None else list(self._assigned)

    def close(self) -> None:
        """Leave the group (the others rebalance at once) and stop."""
        self._closed.set()
        if self.is_alive():
            self.join(timeout=30)

    # --- the membership thread
    def run(self) -> None:
        """Hold the membership until close(); through broker outages too: a
        consumer that fails is replaced (after giving up the partitions, as
        on a rebalance), with one log line per outage."""
        failing_since = None
        tries = 0
        while not self._closed.is_set():
            try:
                self._member_until_closed()
                return
            except Exception as exc:  # noqa: BLE001 - a broker outage, or worse: retried, and said once
                if failing_since is None:
                    failing_since = time.monotonic()
                    _LOG.warning("group membership of %s lost (%s: %s); rejoining when the broker answers",
                                 self.group, type(exc).__name__, exc)
                self._revoked()  # whatever comes next, the partitions read so far may go to another member
                tries += 1
                self._closed.wait(min(5.0, 0.5 * tries))
        self._revoked()

    def _member_until_closed(self) -> None:
        from kafka import ConsumerRebalanceListener, KafkaConsumer

        membership = self

        class Listener(ConsumerRebalanceListener):
            def on_partitions_revoked(self, revoked):
                membership._revoked()

            def on_partitions_assigned(self, assigned):
                consumer.pause(*assigned)  # this consumer only learns its share; the readers read it
                membership._assigned_now(sorted(tp.partition for tp in assigned))

        consumer = KafkaConsumer(
            bootstrap_servers=self.bootstrap, group_id=self.group, enable_auto_commit=False,
            session_timeout_ms=self.session_timeout_ms, heartbeat_interval_ms=max(500, self.session_timeout_ms // 3),
            max_poll_interval_ms=max(int(_SEGMENT_END_WAIT_S * 2000), self.session_timeout_ms))
        try:
            consumer.subscribe([self.topic], listener=Listener())
            while not self._closed.is_set():
                consumer.poll(timeout_ms=200)
                consumer.pause(*consumer.assignment())
            self._revoked()  # leaving: end the segment first, so what it read is committed
        finally:
            consumer.close()

    def _revoked(self) -> None:
        with self._changed:
            had = self._assigned
            self._assigned = None
            self.interrupt.set()
        if had:
            started = time.monotonic()
            if not self._idle.wait(_SEGMENT_END_WAIT_S):
                _LOG.warning("partitions %s of %s given up before the segment reading them ended (%.0f s)",
                             had, self.topic, time.monotonic() - started)

    def _assigned_now(self, partitions: list[int]) -> None:
        with self._changed:
            self._assigned = partitions
            self.generations += 1
            self._changed.notify_all()
        _LOG.info("%s: this process reads partitions %s", self.topic, partitions or "none")
