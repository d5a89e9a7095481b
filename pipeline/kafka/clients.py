"""Kafka clients (kafka-python 3.x), made one way everywhere.

- producers that acknowledge every send (acks=all, idempotent) and check
  every future before reporting success;
- consumers that never commit by themselves: the pipeline commits once what
  was read is written;
- positions and committed offsets of a consumer group; reading a whole topic.
"""
from __future__ import annotations

import logging
import socket
import time

from .admin import partitions_of


class _QuietCancelledRefresh(logging.Filter):
    """kafka-python logs an ERROR when a client is closed while its metadata
    refresh is in flight ("Metadata refresh: failed Cancelled"). Closing
    clients is routine here (every live segment does it), so that one line is
    dropped; every other kafka error still shows."""

    def filter(self, record):
        return "failed Cancelled" not in record.getMessage()


logging.getLogger("kafka.cluster").addFilter(_QuietCancelledRefresh())


class BrokerUnreachable(RuntimeError):
    """No Kafka broker answered at the bootstrap address in time."""


def _addresses(bootstrap: str) -> list[tuple[str, int]]:
    """'h1:9092,h2:9092' -> [(host, port)]; raises BrokerUnreachable on a malformed one."""
    servers = []
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        if not host or not port.isdigit():
            raise BrokerUnreachable(f"bootstrap server {server.strip()!r} is not HOST:PORT")
        servers.append((host.strip("[]"), int(port)))
    return servers


def _first_answer(servers, timeout: float) -> OSError | None:
    """None once one of `servers` accepts a TCP connection; else the last error."""
    last = None
    for host, port in servers:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return None
        except OSError as exc:
            last = exc
    return last


def reachable(bootstrap: str, timeout: float = 1.0) -> bool:
    """Does any of the bootstrap servers accept a TCP connection now?"""
    try:
        return _first_answer(_addresses(bootstrap), timeout) is None
    except BrokerUnreachable:
        return False


def wait_for_broker(bootstrap: str, timeout: float = 10.0) -> None:
    """Return once one of the bootstrap servers accepts a TCP connection;
    raise BrokerUnreachable after `timeout` seconds. (kafka-python alone
    retries for a minute and ends in a long traceback.)"""
    servers = _addresses(bootstrap)
    deadline = time.monotonic() + timeout
    while True:
        failed = _first_answer(servers, min(2.0, max(0.1, timeout)))
        if failed is None:
            return
        if time.monotonic() >= deadline:
            raise BrokerUnreachable(f"no Kafka broker at {bootstrap} within {timeout:g} s ({failed.strerror or failed})")
        time.sleep(0.25)


def make_producer(bootstrap: str, **overrides):
    """A producer that waits for all replicas and never duplicates on retry."""
    from kafka import KafkaProducer

    # max_block_ms: send() waits this long for metadata while the broker is
    # away; short, so the writer's own retry loop (transforms/write.py)
    # can report the outage and stop cleanly when asked
    settings = dict(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5, max_block_ms=5000)
    settings.update(overrides)
    return KafkaProducer(**settings)


def make_consumer(bootstrap: str, group: str | None = None, **overrides):
    """A consumer that never commits by itself: offsets are committed by the
    pipeline once what was read is written."""
    from kafka import KafkaConsumer

    settings = dict(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                    auto_offset_reset="earliest")
    settings.update(overrides)
    return KafkaConsumer(**settings)


def seek_start(consumer, tp, start: str) -> None:
    """Position an assigned partition: earliest, latest, or the group's
    committed offset (earliest when the group has none)."""
    if start == "earliest":
        consumer.seek_to_beginning(tp)
    elif start == "latest":
        consumer.seek_to_end(tp)
    elif start == "committed":
        committed = consumer.committed(tp)
        if committed is None:
            consumer.seek_to_beginning(tp)
        else:
            consumer.seek(tp, committed)
    else:
        raise ValueError(f"start must be earliest, latest or committed, not {start!r}")


def start_offset(bootstrap: str, topic: str, partition: int, group: str, start: str) -> int:
    """The offset a reader of `partition` starts at (see seek_start)."""
    return start_offsets(bootstrap, topic, [partition], group, start)[partition]


def start_offsets(bootstrap: str, topic: str, partitions, group: str, start: str) -> dict[int, int]:
    """start_offset of each of `partitions`, with one consumer (a consumer's
    connection costs more than its requests)."""
    from kafka import TopicPartition

    tps = [TopicPartition(topic, p) for p in partitions]
    consumer = make_consumer(bootstrap, group)
    try:
        consumer.assign(tps)
        for tp in tps:
            seek_start(consumer, tp, start)
        return {tp.partition: consumer.position(tp) for tp in tps}
    finally:
        consumer.close()


def commit_start(bootstrap: str, topic: str, group: str, start: str, partitions=None) -> dict[int, int]:
    """Commit, for every partition (or those given), the offset `start`
    resolves to now; so a run that restarts its readers goes on from there.
    Returns them."""
    from kafka import TopicPartition
    from kafka.structs import OffsetAndMetadata

    existing = partitions_of(bootstrap, topic)
    partitions = existing if partitions is None else [p for p in partitions if p in existing]
    offsets = start_offsets(bootstrap, topic, partitions, group, start)
    if not offsets:
        return offsets
    consumer = make_consumer(bootstrap, group)
    try:
        consumer.commit({TopicPartition(topic, p): OffsetAndMetadata(o, "", -1) for p, o in offsets.items()})
    finally:
        consumer.close()
    return offsets


def committed_offsets(bootstrap: str, topic: str, group: str) -> dict[int, int | None]:
    """The group's committed offset of every partition (None: nothing committed)."""
    from kafka import TopicPartition

    consumer = make_consumer(bootstrap, group)
    try:
        return {p: consumer.committed(TopicPartition(topic, p)) for p in partitions_of(bootstrap, topic)}
    finally:
        consumer.close()


# How long read_to_end reads past the group's commits to be sure nothing is
# there, and how long the broker may hold each fetch meanwhile: a fetch that
# finds records returns at once, so several empty answers fit in the check.
_END_CHECK_MS = 300
_END_CHECK_FETCH_WAIT_MS = 50


def read_to_end(bootstrap: str, topic: str, group: str, produced_by: float | None = None) -> bool:
    """Has `group` committed every partition of `topic` up to its end? The
    ends the broker reports are not enough: Tansu's can fall short (one past
    the first record of a partition's last batch), so a read from the
    commits must also find nothing. With `produced_by` (epoch seconds),
    records stamped later are not waited for: a partition whose first
    uncommitted record came after it counts as read (what producers still
    write is not part of a run that reads the topic's end as it started)."""
    from kafka import TopicPartition

    consumer = make_consumer(bootstrap, group, fetch_max_wait_ms=_END_CHECK_FETCH_WAIT_MS)
    try:
        tps = [TopicPartition(topic, p) for p in partitions_of(bootstrap, topic)]
        ends = consumer.end_offsets(tps)
        committed = {tp: consumer.committed(tp) for tp in tps}
        # partitions known to hold uncommitted records: unread until their
        # first such record is seen and found to be newer than produced_by
        behind = {tp for tp in tps if (committed[tp] or 0) < ends[tp]}
        if behind and produced_by is None:
            return False
        newest_ms = None if produced_by is None else produced_by * 1000
        consumer.assign(tps)
        for tp in tps:
            if committed[tp] is None:
                consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed[tp])
        deadline = time.monotonic() + _END_CHECK_MS / 1000
        while (left := deadline - time.monotonic()) > 0 and len(consumer.paused()) < len(tps):
            for tp, records in consumer.poll(timeout_ms=max(1, int(left * 1000)), max_records=1).items():
                stamp = records[0].timestamp
                # a record without a time (-1) may be old: it is waited for
                if newest_ms is None or stamp is None or stamp < 0 or stamp <= newest_ms:
                    return False
                consumer.pause(tp)
                behind.discard(tp)
        return not behind
    finally:
        consumer.close()


def read_topic(bootstrap: str, topic: str, from_beginning: bool, idle_seconds: float, limit: int | None):
    """Messages of every partition of `topic`, without a consumer group,
    until `limit` messages or `idle_seconds` without a new one. Raises if
    the topic does not exist."""
    from kafka import KafkaConsumer, TopicPartition

    assigned = [TopicPartition(topic, p) for p in partitions_of(bootstrap, topic)]
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        consumer.assign(assigned)
        (consumer.seek_to_beginning if from_beginning else consumer.seek_to_end)(*assigned)
        seen, last = 0, time.monotonic()
        while time.monotonic() - last < idle_seconds:
            batches = consumer.poll(timeout_ms=200)
            for batch in batches.values():
                for message in batch:
                    yield message
                    seen += 1
                    last = time.monotonic()
                    if limit is not None and seen >= limit:
                        return
    finally:
        consumer.close()


def send_all(producer, topic: str, messages, timeout: float = 30.0, partition: int | None = None) -> int:
    """Send (key, value, headers) triples (to `partition`, or where the keys
    fall), flush, and check every future: raises the first send error.
    Returns how many were sent."""
    futures = [producer.send(topic, key=k, value=v, headers=h or [], partition=partition) for k, v, h in messages]
    producer.flush(timeout)
    for future in futures:
        future.get(timeout=timeout)
    return len(futures)
