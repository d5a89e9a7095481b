"""Reading the input topic: one splittable reader per partition, offsets
committed once a bundle's writes have succeeded."""
from __future__ import annotations

import functools
import logging
import threading
import time
import uuid

import apache_beam as beam
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.transforms.core import RestrictionProvider

from .. import progress
from ..kafka import admin, clients
from ..kafka.headers import Message
from .metrics import Counter

# Reading
#
# Why a splittable DoFn with one element per partition, and commits from a
# bundle finalizer (measured on the FnApiRunner against Tansu; see
# ../shared/notes/platform.md and `make bench`):
# - the whole job after the reader is one fused stage: no GroupByKey,
#   Reshuffle, Flatten, window or Beam state anywhere (on the FnApiRunner any
#   of them either never fires on an unbounded input or materialises the data
#   and runs it in a later bundle). Each record therefore goes through decode,
#   enrich, dedup and the producers while the reader's bundle is open;
# - the producers flush and check every send in finish_bundle, and the reader
#   commits what it read in a bundle finalizer, which the runner calls only
#   after the bundle, writes included, has succeeded. A failed bundle commits
#   nothing, so a restart re-reads it: at least once, nothing lost;
# - each process() call polls its partition once and defers the rest of the
#   partition, so the runner checkpoints between polls. The local runner
#   polls the partitions one after another, so a quiet partition holds up
#   the others by one poll: short (POLL_MS) while the wire is busy, longer
#   (IDLE_POLL_MS) once the partition has been quiet for IDLE_AFTER seconds,
#   which keeps an idle job at about 1 % of a core instead of 5 %.

POLL_MS = 100
IDLE_POLL_MS = 500
IDLE_AFTER = 2.0
MAX_POLL_RECORDS = 20  # records per poll: bounds a bundle's work, so its commit comes soon
_END = 2**63 - 1  # restriction end of a partition read "forever"

# Set by a signal handler (or anything else) to end every reader in this
# process at its next poll; the bundles in flight finish and commit first.
STOP = threading.Event()
_POLLS: dict[str, int] = {}  # polls so far by the readers of one pipeline (its token) in this process


# Set by a reader that found its partition's log behind its position (the
# topic was emptied or recreated: a memory broker restarted). It ends every
# reader of this process at its next poll, like STOP; the live loop then
# starts the next segment from the committed offsets, which the reader has
# moved to the log's start. Cleared when a run or segment starts.
RESTART = threading.Event()
_LOG = logging.getLogger(__name__)


# (bootstrap, group, topic, partition) -> the offset this process last
# committed there: a reader that starts from the group's committed offset
# and finds it behind that knows the broker lost the commit or the log
_COMMITTED: dict[tuple, int] = {}
_COMMITTED_LOCK = threading.Lock()


def forget_commits(bootstrap: str, group: str, topic: str) -> None:
    """Forget what this process committed on `topic` for `group`: the next
    position was set on purpose (--start), going back is no news."""
    with _COMMITTED_LOCK:
        for key in [k for k in _COMMITTED if k[:3] == (bootstrap, group, topic)]:
            del _COMMITTED[key]


def request_stop() -> None:
    """Ask every reader in this process to finish cleanly."""
    STOP.set()


class _ReadPartition(beam.DoFn, RestrictionProvider):
    """partition number -> the Messages of that partition, from the start
    position, until a bound is reached: `until_idle` seconds without a new
    record, `until_end` (the end the partition had when this reader first
    polled it reached, and a poll that found nothing more), `max_records`
    read, the wall-clock time `stop_at`, `max_polls`
    polls by all readers of this pipeline in this process, or STOP.
    With no bound it reads for ever (see _ReadPartitionLive). What a bundle
    read is committed when the bundle has succeeded.

    It is its own RestrictionProvider: a partition's restriction is the
    offsets [start, end of time), the start resolved from `start` once."""

    def __init__(self, bootstrap, topic, group, start, until_idle=None, max_records=None, stop_at=None,
                 max_polls=None, until_end=False, partitions=None):
        self.bootstrap, self.topic, self.group, self.start = bootstrap, topic, group, start
        self.partitions = partitions  # all this reader will be given, when known: their starts are found together
        self._starts: dict[int, int] = {}
        self.until_idle, self.max_records, self.stop_at = until_idle, max_records, stop_at
        self.until_end = until_end
        self.max_polls, self.token = max_polls, uuid.uuid4().hex
        self.read = Counter("read")

    def initial_restriction(self, partition):
        if partition not in self._starts:
            wanted = self.partitions if self.partitions and partition in self.partitions else [partition]
            self._starts.update(clients.start_offsets(self.bootstrap, self.topic, wanted, self.group, self.start))
        return OffsetRange(self._starts.pop(partition), _END)

    def create_tracker(self, restriction):
        return OffsetRestrictionTracker(restriction)

    def split(self, partition, restriction):
        yield restriction  # a partition is read in order by one reader

    def restriction_size(self, partition, restriction):
        return 1  # partitions weigh the same; how much is left is unknown

    def setup(self):
        self.consumers = {}  # partition -> a KafkaConsumer assigned to it alone
        self.next_offset = {}  # partition -> where that consumer stands
        self.last_record_at = {}  # partition -> monotonic time of its last record (or first poll)
        self.count = {}  # partition -> records read
        self.end = {}  # partition -> its end offset when first polled (until_end)
        self.end_noted = {}  # partition -> when (epoch ms) that end was asked for
        self.commit_lock = threading.Lock()
        self.behind = {}  # partition -> polls in a row that found the log ending before our position
        self.committer = clients.make_consumer(self.bootstrap, self.group)

    def _consumer(self, partition, offset):
        from kafka import TopicPartition

        tp = TopicPartition(self.topic, partition)
        if partition not in self.consumers:
            # assign() without joining the group: the group id only names
            # where committed offsets live (Tansu holds a first join for seconds).
            consumer = clients.make_consumer(self.bootstrap, self.group, max_poll_records=MAX_POLL_RECORDS)
            consumer.assign([tp])
            self.consumers[partition] = consumer
            self.last_record_at[partition] = time.monotonic()
            self.count[partition] = 0
            if self.until_end:
                self.end_noted[partition] = time.time() * 1000
                self.end[partition] = consumer.end_offsets([tp])[tp]
            self._check_went_back(partition, offset)
        if self.next_offset.get(partition) != offset:
            self.consumers[partition].seek(tp, offset)
        return self.consumers[partition], tp

    def _bound_reached(self, partition, empty: bool) -> bool:
        if STOP.is_set() or RESTART.is_set() or (self.stop_at is not None and time.time() >= self.stop_at):
            return True
        if self.max_polls is not None:
            _POLLS[self.token] = _POLLS.get(self.token, 0) + 1
            if _POLLS[self.token] >= self.max_polls:
                return True
        if self.max_records is not None and self.count[partition] >= self.max_records:
            return True
        # The end noted at the start is not trusted alone: Tansu reports a
        # high watermark one past the first record of the last batch written,
        # so the records after it are read too, until a poll finds none or
        # one written after the end was noted (_written_after_the_end).
        if self.until_end and empty and self.next_offset[partition] >= self.end[partition]:
            return True
        return self.until_idle is not None and time.monotonic() - self.last_record_at[partition] >= self.until_idle

    def _written_after_the_end(self, partition, m) -> bool:
        """Is record `m` past the end noted for --until-end and stamped
        after it was noted? Then it and what follows are left for the next
        run: producers that write on would otherwise keep the run reading.
        (A record without a time, -1, is read.)"""
        return m.offset >= self.end[partition] and m.timestamp is not None and m.timestamp > self.end_noted[partition]

    def _commit(self, partition, next_offset):
        from kafka import TopicPartition
        from kafka.structs import OffsetAndMetadata

        with self.commit_lock:
            self.committer.commit({TopicPartition(self.topic, partition): OffsetAndMetadata(next_offset, "", -1)})
        with _COMMITTED_LOCK:
            _COMMITTED[(self.bootstrap, self.group, self.topic, partition)] = next_offset

    def _check_went_back(self, partition, offset) -> None:
        """Say so when a reader starts from the group's commit and that is
        before what this process committed there: the broker lost the commit
        (a memory broker restarted) or the log, and records are read again."""
        key = (self.bootstrap, self.group, self.topic, partition)
        with _COMMITTED_LOCK:
            before = _COMMITTED.get(key)
            _COMMITTED[key] = offset
        if self.start == "committed" and before is not None and offset < before:
            _LOG.warning("%s/%d: group %s's position is %d, before the %d this process committed: the topic was "
                         "emptied or recreated, or the broker lost its offsets (a memory broker restarted?); reading "
                         "from offset %d", self.topic, partition, self.group, offset, before, offset)

    def _log_went_back(self, consumer, tp, highwater) -> None:
        """The log ends before our position: after two polls in a row that
        say so (one stale fetch is not enough), commit the log's start as
        the group's position and end the readers (RESTART), so reading goes
        on from there. Records of the new log before our old position would
        otherwise wait unread until the log grew past it."""
        partition = tp.partition
        self.behind[partition] = self.behind.get(partition, 0) + 1
        if self.behind[partition] < 2:
            return
        consumer.seek_to_beginning(tp)
        start = consumer.position(tp)
        _LOG.warning("%s/%d ends at offset %d, before our position %d: the topic was emptied or recreated (a memory "
                     "broker restarted?); reading it again from offset %d", self.topic, partition, highwater,
                     self.next_offset[partition], start)
        self._commit(partition, start)
        self.next_offset[partition] = start
        self.behind.pop(partition, None)
        RESTART.set()

    def process(self, partition, finalizer=beam.DoFn.BundleFinalizerParam, tracker=beam.DoFn.RestrictionParam()):
        # (the finalizer must come before the tracker: Beam binds them in this order)
        restriction = tracker.current_restriction()
        consumer, tp = self._consumer(partition, restriction.start)
        wanted = MAX_POLL_RECORDS
        if self.max_records is not None:
            wanted = max(1, min(wanted, self.max_records - self.count[partition]))
        # (a run --until-end is over once a poll finds nothing: no long polls)
        quiet = not self.until_end and time.monotonic() - self.last_record_at[partition] > IDLE_AFTER
        batch = consumer.poll(timeout_ms=IDLE_POLL_MS if quiet else POLL_MS, max_records=wanted).get(tp, [])
        last, past_end = None, False
        for m in batch:
            if self.until_end and self._written_after_the_end(partition, m):
                past_end = True
                break
            if not tracker.try_claim(m.offset):
                break  # the runner split the restriction: the rest is someone else's
            last = m.offset
            self.count[partition] += 1
            self.read.inc()
            yield Message(m.topic, m.partition, m.offset, m.key, m.value, tuple(m.headers or ()), m.timestamp)
        if last is not None:
            self.next_offset[partition] = last + 1
            self.last_record_at[partition] = time.monotonic()
            finalizer.register(functools.partial(self._commit, partition, last + 1))
        elif past_end:
            self.next_offset[partition] = batch[0].offset
        else:
            self.next_offset[partition] = consumer.position(tp)
        highwater = consumer.highwater(tp)
        if highwater is not None:
            progress.PROGRESS.set_lag(self.topic, partition, max(0, highwater - self.next_offset[partition]))
            if last is None and highwater < self.next_offset[partition]:
                self._log_went_back(consumer, tp, highwater)
            else:
                self.behind.pop(partition, None)
        if past_end or self._bound_reached(partition, empty=last is None):
            tracker.try_claim(restriction.stop)  # claiming the end marks the restriction done
            return
        tracker.defer_remainder()

    def teardown(self):
        _POLLS.pop(self.token, None)
        for consumer in self.consumers.values():
            consumer.close()
        self.committer.close()


class _ReadPartitionLive(_ReadPartition):
    """_ReadPartition for a live read: each partition is unbounded, so a
    distributed runner streams it."""

    @beam.DoFn.unbounded_per_element()
    def process(self, partition, finalizer=beam.DoFn.BundleFinalizerParam, tracker=beam.DoFn.RestrictionParam()):
        yield from super().process(partition, finalizer, tracker)


class ReadArticleMessages(beam.PTransform):
    """Pipeline root -> Messages of the input topic's partitions (all, or
    the given `partitions`), one reader per partition. Bounded when given
    `until_idle`, `until_end`, `max_records` (per partition), `stop_at` (a
    wall-clock time) or `max_polls`; live otherwise."""

    def __init__(self, bootstrap, topic, group, start="committed", until_idle=None, max_records=None, stop_at=None,
                 max_polls=None, live=None, partitions=None, until_end=False):
        super().__init__()
        self.args = (bootstrap, topic, group, start, until_idle, max_records, stop_at, max_polls, until_end)
        self.live = live if live is not None else (until_idle is None and max_records is None and not until_end)
        self.partitions = partitions

    def expand(self, pbegin):
        bootstrap, topic = self.args[:2]
        existing = admin.partitions_of(bootstrap, topic)
        partitions = existing if self.partitions is None else [p for p in self.partitions if p in existing]
        reader = (_ReadPartitionLive if self.live else _ReadPartition)(*self.args, partitions=partitions)
        return (
            pbegin
            # no Reshuffle: the splittable reader spreads partitions itself
            | "Partitions" >> beam.Create(partitions, reshuffle=False)
            | "ReadPartition" >> beam.ParDo(reader)
        )
