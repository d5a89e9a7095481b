"""What travels with a message besides its value.

- `Message`: one Kafka record as read (coordinates, key, value, headers,
  timestamp), the unit every transform carries;
- dead-letter headers, after Kafka Connect's: the original coordinates, the
  stage that refused the message and the exception; `source_of` reads them
  back from a dead letter put back on the input topic;
- sink headers: which schema a value is written with.
"""
from __future__ import annotations

from typing import NamedTuple

from ..news import record

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




class Message(NamedTuple):
    """One Kafka record as read: coordinates, key, value, headers, timestamp."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple
    timestamp: int


class Failure(NamedTuple):
    """A message that could not become a record, and why."""

    message: Message
    stage: str
    error: BaseException


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


_ORIGIN = (DLQ_TOPIC, DLQ_PARTITION, DLQ_OFFSET)


def source_of(message: Message) -> str:
    """Where a message was first read: topic/partition/offset. A dead letter
    put back on the input topic (with its headers) names where it was read
    before it failed, so the duplicate judge treats it as a replay of that
    message, not as a copy of it (after an extraction failure the article
    has already been judged and remembered)."""
    origin = {}
    for key, value in message.headers or ():
        if key in _ORIGIN and key not in origin:  # the first: a letter that failed twice keeps its origin
            origin[key] = value
    if len(origin) == len(_ORIGIN):
        topic, partition, offset = (origin[key].decode("utf-8", errors="replace") for key in _ORIGIN)
        if partition.isdigit() and offset.isdigit():
            return f"{topic}/{partition}/{offset}"
    return f"{message.topic}/{message.partition}/{message.offset}"
