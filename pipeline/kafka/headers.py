"""What travels with a message besides its value.

- `Message`: one Kafka record as read (coordinates, key, value, headers,
  timestamp), the unit every transform carries;
- dead-letter headers, after Kafka Connect's: the original coordinates, the
  stage that refused the message and the exception; `source_of` reads them
  back from a dead letter put back on the input topic;
- sink headers: which schema a value is written with.
"""
from __future__ import annotations

import hashlib
import traceback
from typing import NamedTuple

from ..news import record
from ..news.articles import ArticleError

# Dead-letter headers, after Kafka Connect's: original coordinates, the stage
# that refused the message and the exception.
DLQ_TOPIC = "dlq.topic"
DLQ_PARTITION = "dlq.partition"
DLQ_OFFSET = "dlq.offset"
DLQ_STAGE = "dlq.stage"
DLQ_EXCEPTION_CLASS = "dlq.exception.class"
DLQ_EXCEPTION_MESSAGE = "dlq.exception.message"
DLQ_STACKTRACE = "dlq.exception.stacktrace"
# When the original does not fit on the dead-letter topic: what was left out
# (the original stays on the input topic for its retention, at dlq.offset).
DLQ_VALUE_SIZE = "dlq.value.size"
DLQ_VALUE_SHA256 = "dlq.value.sha256"
DLQ_DROPPED = "dlq.dropped"
DLQ_NULL_HEADERS = "dlq.null_headers"  # original headers that had no value (sent with an empty one)
# On a written record: what the pipeline left out of it and why.
WARNING = "pipeline.warning"
# Sink headers: which schema the value is written with.
SCHEMA_NAME = "schema.name"
SCHEMA_FINGERPRINT = "schema.fingerprint"
_MAX_HEADER_TEXT = 4000
_MAX_STACK_TEXT = 2000
# The largest message we hand the producer: kafka-python refuses a request
# over 1 MiB (max_request_size), and Kafka brokers' default limit is about
# the same; the rest is room for the batch framing.
MAX_MESSAGE_BYTES = 1_000_000
_HEADER_OVERHEAD = 8  # bytes a header costs on the wire besides its key and value, at most




class Message(NamedTuple):
    """One Kafka record as read: coordinates, key, value, headers, timestamp."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple
    timestamp: int
    warnings: tuple = ()  # what decoding left out of the article (see news.articles.RawArticle)


class Failure(NamedTuple):
    """A message that could not become a record, and why."""

    message: Message
    stage: str
    error: BaseException


def exception_class(error: BaseException) -> str:
    """The class that names what went wrong: for our ArticleError wrapping
    another exception (not UTF-8, invalid JSON, a failed extraction), the
    wrapped one's."""
    while isinstance(error, ArticleError) and error.__cause__ is not None:
        error = error.__cause__
    return type(error).__name__


def _text(value: str, limit: int) -> bytes:
    return value.encode("utf-8", errors="replace")[:limit]


def dead_letter_headers(original_headers, topic: str, partition: int, offset: int, stage: str, error: BaseException):
    """Original headers plus where the message came from and why it failed
    (the stage, the exception's class and message, a short traceback)."""
    stack = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    # Kafka allows a header without a value, but kafka-python cannot send
    # one: such a header is kept with an empty value and named in DLQ_NULL_HEADERS.
    original = list(original_headers or [])
    nulls = [key for key, value in original if value is None]
    kept = [(key, b"" if value is None else value) for key, value in original]
    return kept + ([(DLQ_NULL_HEADERS, ",".join(nulls).encode("utf-8", errors="replace"))] if nulls else []) + [
        (DLQ_TOPIC, topic.encode("utf-8", errors="replace")),
        (DLQ_PARTITION, str(partition).encode()),
        (DLQ_OFFSET, str(offset).encode()),
        (DLQ_STAGE, stage.encode()),
        (DLQ_EXCEPTION_CLASS, exception_class(error).encode()),
        (DLQ_EXCEPTION_MESSAGE, _text(str(error), _MAX_HEADER_TEXT)),
        (DLQ_STACKTRACE, _text(stack[-_MAX_STACK_TEXT:], _MAX_STACK_TEXT)),
    ]


def message_size(key: bytes | None, value: bytes | None, headers) -> int:
    """Bytes a message takes on the wire, at most (without batch framing)."""
    return 64 + len(key or b"") + len(value or b"") + sum(
        len(k.encode("utf-8", errors="replace")) + len(v or b"") + _HEADER_OVERHEAD for k, v in headers or ())


def dead_letter(message: Message, stage: str, error: BaseException, limit: int = MAX_MESSAGE_BYTES,
                without_value: bool = False):
    """A failed message -> (key, value, headers) of its dead letter: the
    original key, value and headers with dead_letter_headers(). What would
    not fit in `limit` bytes is left out, and the headers say what: first the
    value (its size and sha256 kept), then the original headers and the key.
    `without_value`: leave the value out whatever its size."""
    m = message
    letter = dead_letter_headers(m.headers, m.topic, m.partition, m.offset, stage, error)
    key, value = m.key, m.value
    if not without_value and message_size(key, value, letter) <= limit:
        return key, value, letter
    letter = letter + [(DLQ_VALUE_SIZE, str(len(value or b"")).encode()),
                       (DLQ_VALUE_SHA256, hashlib.sha256(value or b"").hexdigest().encode())]
    dropped = ["value"]
    if message_size(key, None, letter) > limit:
        letter = dead_letter_headers((), m.topic, m.partition, m.offset, stage, error) + letter[-2:]
        dropped.append(f"{len(m.headers or ())} headers")
        if message_size(key, None, letter) > limit:
            key, dropped = None, dropped + ["key"]
    return key, None, letter + [(DLQ_DROPPED, ", ".join(dropped).encode())]


def sink_headers(name: str = "article"):
    return [(SCHEMA_NAME, name.encode()), (SCHEMA_FINGERPRINT, record.schema_fingerprint(name).hex().encode())]


_ORIGIN = (DLQ_TOPIC, DLQ_PARTITION, DLQ_OFFSET)


def read_at(message: Message) -> str:
    """topic/partition/offset where this message was read."""
    return f"{message.topic}/{message.partition}/{message.offset}"


def origin_of(message: Message) -> str | None:
    """topic/partition/offset that a dead letter put back on the input topic
    names as where it was first read; None for any other message. Headers
    that cannot be such an origin are ignored: null or non-numeric values,
    another topic than this one (a letter is put back where it came from),
    or an offset not before this one in the same partition (the original
    was read before its letter was written back)."""
    origin = {}
    for key, value in message.headers or ():
        if key in _ORIGIN and key not in origin:  # the first: a letter that failed twice keeps its origin
            origin[key] = value
    if len(origin) != len(_ORIGIN) or any(not isinstance(v, bytes) for v in origin.values()):
        return None
    topic, partition, offset = (origin[key].decode("utf-8", errors="replace") for key in _ORIGIN)
    if topic != message.topic or not (partition.isdigit() and offset.isdigit()):
        return None
    if int(partition) == message.partition and int(offset) >= message.offset:
        return None
    return f"{topic}/{int(partition)}/{int(offset)}"


def source_of(message: Message) -> str:
    """Where a message was first read: topic/partition/offset. A dead letter
    put back on the input topic (with its headers) names where it was read
    before it failed, so the duplicate judge treats it as a replay of that
    message, not as a copy of it (after an extraction failure the article
    has already been judged and remembered)."""
    return origin_of(message) or read_at(message)
