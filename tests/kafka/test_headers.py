"""Dead-letter headers, their size limit, and the origin of a put-back letter."""
import hashlib
import json

import pytest

from pipeline.kafka.headers import (
    DLQ_DROPPED, DLQ_EXCEPTION_CLASS, DLQ_NULL_HEADERS, DLQ_STACKTRACE, DLQ_VALUE_SHA256, DLQ_VALUE_SIZE, Message,
    dead_letter, exception_class, message_size, origin_of, source_of,
)
from pipeline.news.articles import ArticleError, parse_message


def message(value=b"v", headers=(), key=b"k", topic="raw", partition=0, offset=10):
    return Message(topic, partition, offset, key, value, tuple(headers), 0)


def failed(exc_factory):
    try:
        exc_factory()
    except Exception as exc:  # noqa: BLE001 - the exception is what is tested
        return exc
    raise AssertionError("did not raise")


@pytest.mark.parametrize("value, expected", [
    (b"\xff", "UnicodeDecodeError"),
    (b'{"text": ', "JSONDecodeError"),
    (b'{"text": "T\\n\\nB", "p": NaN}', "ValueError"),
    (b'{"id": "x"}', "ArticleError"),  # our own refusal: no text
])
def test_the_class_named_is_the_real_one(value, expected):
    assert exception_class(failed(lambda: parse_message(value, "k"))) == expected


@pytest.mark.parametrize("headers, origin", [
    ([("dlq.topic", b"raw"), ("dlq.partition", b"0"), ("dlq.offset", b"3")], "raw/0/3"),
    ([("dlq.topic", b"raw"), ("dlq.partition", b"2"), ("dlq.offset", b"99")], "raw/2/99"),  # other partition
    ([("dlq.topic", b"elsewhere"), ("dlq.partition", b"0"), ("dlq.offset", b"3")], None),  # another topic
    ([("dlq.topic", b"raw"), ("dlq.partition", b"0"), ("dlq.offset", b"10")], None),  # not before itself
    ([("dlq.topic", b"raw"), ("dlq.partition", b"0"), ("dlq.offset", b"-1")], None),
    ([("dlq.topic", None), ("dlq.partition", None), ("dlq.offset", None)], None),
    ([("dlq.topic", b"raw"), ("dlq.partition", b"0")], None),
    ([], None),
])
def test_origin_of_a_put_back_letter(headers, origin):
    m = message(headers=headers)
    assert origin_of(m) == origin
    assert source_of(m) == (origin or "raw/0/10")


def test_a_dead_letter_keeps_the_original_and_says_why():
    error = failed(lambda: json.loads("{"))
    key, value, headers = dead_letter(message(b"{", [("trace", b"t1"), ("empty", None)]), "decode", error)
    named = dict(headers)
    assert (key, value) == (b"k", b"{")
    assert named["trace"] == b"t1" and named["empty"] == b"" and named[DLQ_NULL_HEADERS] == b"empty"
    assert named[DLQ_EXCEPTION_CLASS] == b"JSONDecodeError" and b"Traceback" in named[DLQ_STACKTRACE]


def test_a_dead_letter_too_large_leaves_the_value_out_and_names_it():
    value = b"x" * 5000
    key, kept, headers = dead_letter(message(value), "validate", ValueError("too big"), limit=4000)
    named = dict(headers)
    assert kept is None and key == b"k"
    assert named[DLQ_VALUE_SIZE] == b"5000" and named[DLQ_VALUE_SHA256] == hashlib.sha256(value).hexdigest().encode()
    assert named[DLQ_DROPPED] == b"value"
    assert message_size(key, kept, headers) <= 4000


def test_a_dead_letter_with_huge_headers_leaves_them_out_too():
    headers_in = [(f"h{n}", b"y" * 100) for n in range(100)]
    key, kept, headers = dead_letter(message(b"v", headers_in), "validate", ValueError("bad"), limit=4000)
    named = dict(headers)
    assert kept is None and "h1" not in named and named[DLQ_DROPPED] == b"value, 100 headers"
    assert message_size(key, kept, headers) <= 4000
