"""Kafka clients and message formats, in one place (kafka-python 3.x).

- producers that acknowledge every send (acks=all, idempotent) and check
  every future before reporting success;
- the messages `feed` sends for files (one per article, raw bytes);
- dead-letter headers: where a message came from and why it failed;
- how `consume` shows a message (Avro records decoded, anything else as
  text or base64 with its headers).
"""
from __future__ import annotations

import base64
import json
import logging
import time

from . import record

# Dead-letter headers, after Kafka Connect's: original coordinates, the stage
# that refused the message and the exception.
DLQ_TOPIC = "dlq.topic"
DLQ_PARTITION = "dlq.partition"
DLQ_OFFSET = "dlq.offset"
DLQ_STAGE = "dlq.stage"
DLQ_EXCEPTION_CLASS = "dlq.exception.class"
DLQ_EXCEPTION_MESSAGE = "dlq.exception.message"
# Sink headers: which schema the value is written with.
SCHEMA_NAME = "schema.name"
SCHEMA_FINGERPRINT = "schema.fingerprint"
_MAX_HEADER_TEXT = 4000


class _QuietCancelledRefresh(logging.Filter):
    """kafka-python logs an ERROR when a client is closed while its metadata
    refresh is in flight ("Metadata refresh: failed Cancelled"). Closing
    clients is routine here (every live segment does it), so that one line is
    dropped; every other kafka error still shows."""

    def filter(self, record):
        return "failed Cancelled" not in record.getMessage()


logging.getLogger("kafka.cluster").addFilter(_QuietCancelledRefresh())


def make_producer(bootstrap: str, **overrides):
    """A producer that waits for all replicas and never duplicates on retry."""
    from kafka import KafkaProducer

    settings = dict(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
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


def ensure_topics(bootstrap: str, topics, partitions: int = 3) -> list[str]:
    """Create the topics that do not exist yet; returns the ones created."""
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="news-pipeline-admin")
    try:
        missing = [t for t in dict.fromkeys(topics) if t not in set(admin.list_topics())]
        if missing:
            admin.create_topics([NewTopic(t, num_partitions=partitions, replication_factor=1) for t in missing])
        return missing
    finally:
        admin.close()


def partitions_of(bootstrap: str, topic: str, timeout: float = 10.0) -> list[int]:
    """Partition numbers of `topic`; raises if the topic does not exist."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic)
            if partitions:
                return sorted(partitions)
            time.sleep(0.2)
    finally:
        consumer.close()
    raise RuntimeError(f"topic {topic!r} not found on {bootstrap}")


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
    from kafka import TopicPartition

    tp = TopicPartition(topic, partition)
    consumer = make_consumer(bootstrap, group)
    try:
        consumer.assign([tp])
        seek_start(consumer, tp, start)
        return consumer.position(tp)
    finally:
        consumer.close()


def commit_start(bootstrap: str, topic: str, group: str, start: str) -> dict[int, int]:
    """Commit, for every partition, the offset `start` resolves to now; so a
    live run that restarts its readers goes on from there. Returns them."""
    from kafka import TopicPartition
    from kafka.structs import OffsetAndMetadata

    offsets = {p: start_offset(bootstrap, topic, p, group, start) for p in partitions_of(bootstrap, topic)}
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


def send_all(producer, topic: str, messages, timeout: float = 30.0) -> int:
    """Send (key, value, headers) triples, flush, and check every future:
    raises the first send error. Returns how many were sent."""
    futures = [producer.send(topic, key=k, value=v, headers=h or []) for k, v, h in messages]
    producer.flush(timeout)
    for future in futures:
        future.get(timeout=timeout)
    return len(futures)


def file_messages(path: str, data: bytes):
    """The messages a file stands for, as (key, value) pairs.

    JSON lines: one message per non-empty line, keyed by its "id" when it
    has one. Anything else (plain text, one JSON envelope, bytes that are not
    even UTF-8): one message, the file's bytes unchanged, keyed by the path.
    Nothing is validated here: bad input goes on the wire as it is and the
    pipeline's dead-letter topic is where it lands.
    """
    lines = [line for line in data.splitlines() if line.strip()]
    if len(lines) > 1 and all(line.lstrip().startswith(b"{") for line in lines):
        try:
            parsed = [json.loads(line) for line in lines]
        except (json.JSONDecodeError, UnicodeDecodeError):
            parsed = None
        if parsed is not None and all(isinstance(p, dict) for p in parsed):
            for number, (line, obj) in enumerate(zip(lines, parsed), start=1):
                key = str(obj.get("id") or f"{path}:{number}")
                yield key.encode(), line
            return
    yield path.encode(), data


def paced(messages, rate: float | None):
    """Yield messages no faster than `rate` per second (None: as fast as possible)."""
    interval = 1.0 / rate if rate else 0.0
    next_at = time.monotonic()
    for message in messages:
        if interval:
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_at = max(next_at, time.monotonic()) + interval
        yield message


def dead_letter_headers(original_headers, topic: str, partition: int, offset: int, stage: str, error: BaseException):
    """Original headers plus where the message came from and why it failed."""
    message = str(error).encode("utf-8", errors="replace")[:_MAX_HEADER_TEXT]
    return list(original_headers or []) + [
        (DLQ_TOPIC, topic.encode()),
        (DLQ_PARTITION, str(partition).encode()),
        (DLQ_OFFSET, str(offset).encode()),
        (DLQ_STAGE, stage.encode()),
        (DLQ_EXCEPTION_CLASS, type(error).__name__.encode()),
        (DLQ_EXCEPTION_MESSAGE, message),
    ]


def sink_headers(name: str = "article"):
    return [(SCHEMA_NAME, name.encode()), (SCHEMA_FINGERPRINT, record.schema_fingerprint(name).hex().encode())]


def _text_or_base64(data: bytes | None):
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode()}


def display(message) -> dict:
    """A consumed message as a JSON-ready dict: Avro article and duplicate
    records decoded with their schemas (the published time as ISO-8601
    text), any other value as text (or base64), headers as text."""
    shown = {
        "topic": message.topic,
        "partition": message.partition,
        "offset": message.offset,
        "timestamp": message.timestamp,
        "key": _text_or_base64(message.key),
        "headers": {k: _text_or_base64(v) for k, v in (message.headers or [])},
    }
    value = message.value or b""
    if value[:2] == record.SINGLE_OBJECT_MARKER and value[2:10] == record.schema_fingerprint("article"):
        decoded = record.decode(value)
        if decoded.get("published") is not None:  # a datetime (the schema's timestamp-millis): show ISO-8601
            decoded["published"] = decoded["published"].isoformat()
        shown["value"] = decoded
    elif value[:2] == record.SINGLE_OBJECT_MARKER and value[2:10] == record.schema_fingerprint("duplicate"):
        shown["value"] = record.decode(value, "duplicate")
    else:
        shown["value"] = _text_or_base64(value)
    return shown
