"""A hostile wire through the real job on the embedded broker: each kind of
bad message ends on the dead-letter topic with the right stage and exception
class, and the good articles around them are written, readable by plain
fastavro with the .avsc file alone."""
import hashlib
import io
import json
import os
from pathlib import Path

import confluent_kafka
import fastavro
import pytest

from pipeline.dev.broker import EmbeddedBroker
from pipeline.kafka import admin, clients
from pipeline.kafka import headers as dlq
from pipeline.run import run

SCHEMA = fastavro.schema.load_schema(str(Path(__file__).resolve().parents[1] / "schemas" / "article.avsc"))
PROSE = ("The council approved the new harbour budget on Tuesday after a long debate. "
         "Mayor Ana Ruiz said the plan would protect jobs. \u201cWe listened to everyone,\u201d she said.")
WORDS = ("river bridge council school teacher market storm harbour railway museum budget court judge farmer "
         "village doctor nurse hospital festival library bakery ferry tunnel station garden orchard mill "
         "factory union strike election ballot mayor minister senator governor police fire flood drought").split()


def prose(n: int) -> str:
    """A body of its own for article n: no two share a run of five words."""
    import random

    rng = random.Random(n)
    sentences = [" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(6)]
    return f"{PROSE} " + " ".join(sentences)
HUGE = 1_200_000  # over kafka-python's 1 MiB request limit: the dead letter must leave the value out


_made = iter(range(1000, 10**6))


def envelope(**fields) -> bytes:
    n = next(_made)
    fields.setdefault("text", f"Harbour budget passes, part {n}\n\n{prose(n)}")
    return json.dumps(fields).encode()


def raw_json(text: str) -> bytes:
    return text.encode()


# (case, value, extra headers, expected): expected is ("dead", stage, exception class)
# or ("written", published_ms or None, warned)
CASES = [
    ("nan", raw_json('{"text": "Title\\n\\nSome body text here.", "published": NaN}'), [], ("dead", "decode", "ValueError")),
    ("infinity", raw_json('{"text": "T\\n\\nBody.", "published": Infinity}'), [], ("dead", "decode", "ValueError")),
    ("minus-infinity", raw_json('{"text": "T\\n\\nBody.", "published": -Infinity}'), [], ("dead", "decode", "ValueError")),
    ("float-overflow", raw_json('{"text": "T\\n\\nBody.", "published": 1e400}'), [], ("dead", "decode", "ValueError")),
    ("published-1e300", envelope(published=1e300), [], ("written", None, True)),
    ("published-1e20", envelope(published=1e20), [], ("written", None, True)),
    ("published-minus-1e300", envelope(published=-1e300), [], ("written", None, True)),
    ("year-1-plus-14h", envelope(published="0001-01-01T00:00:00+14:00"), [], ("written", None, True)),
    ("year-9999", envelope(published="9999-12-31T23:59:59Z"), [], ("written", None, True)),
    ("good-date", envelope(published="2026-11-20T09:30:00Z"), [], ("written", 1795167000000, False)),
    ("nested-1000", raw_json('{"text": ' + '{"a": ' * 1000), [], ("dead", "decode", "RecursionError")),
    ("nested-50-complete", raw_json('{"text": "x", "n": ' + "[" * 50 + "]" * 50 + "}"), [], ("dead", "decode", "ArticleError")),
    ("int-5000-digits", raw_json('{"text": "T\\n\\nBody.", "n": ' + "9" * 5000 + "}"), [], ("dead", "decode", "ValueError")),
    ("surrogate-id", raw_json('{"id": "\\ud800", "text": "T\\n\\nBody."}'), [], ("dead", "validate", "UnicodeEncodeError")),
    ("surrogate-url", raw_json('{"url": "\\udfff", "text": "T\\n\\nBody."}'), [], ("dead", "validate", "UnicodeEncodeError")),
    ("surrogate-source", raw_json('{"source": "a\\ud83dz", "text": "T\\n\\nBody."}'), [], ("dead", "validate", "UnicodeEncodeError")),
    ("surrogate-text", raw_json('{"text": "T\\n\\nBody \\udc00 here."}'), [], ("dead", "validate", "UnicodeEncodeError")),
    ("text-is-list", envelope(text=["a", "b"]), [], ("dead", "validate", "ArticleError")),
    ("title-is-number", envelope(title=12), [], ("dead", "validate", "ArticleError")),
    ("id-is-bool", envelope(id=True), [], ("dead", "validate", "ArticleError")),
    ("published-is-object", envelope(published={"y": 1}), [], ("dead", "validate", "ArticleError")),
    ("empty-value", b"", [], ("dead", "validate", "ArticleError")),
    ("huge-value", b"x" * HUGE, [], ("dead", "validate", "ArticleError")),
    ("null-dlq-header", envelope(), [("dlq.topic", None), ("dlq.offset", None), ("dlq.partition", None)], ("written", None, False)),
    ("null-header-dead", b"", [("x-null", None)], ("dead", "validate", "ArticleError")),
    ("forged-dlq-headers", envelope(), [("dlq.topic", b"elsewhere"), ("dlq.partition", b"0"), ("dlq.offset", b"1")], ("written", None, False)),
    ("bom-json", b"\xef\xbb\xbf" + envelope(), [], ("written", None, False)),
    ("long-id", envelope(id="i" * 100_000), [], ("written", None, False)),
]


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    """Feed good articles around every hostile case, run the job until
    idle, and read back what it wrote: (records by key, dead letters by key)."""
    with EmbeddedBroker() as broker:
        admin.ensure_topics(broker.bootstrap, ["h-raw"], partitions=2)
        producer = clients.make_producer(broker.bootstrap, max_request_size=4 * HUGE)
        wire = []
        for n, (case, value, extra, _) in enumerate(CASES):
            wire.append((f"good-{n}".encode(), f"Good story {n}\n\n{prose(100 + n)}".encode(), []))
            wire.append((case.encode(), value, [("case", case.encode())] + extra))
        clients.send_all(producer, "h-raw", [m for m in wire if not any(v is None for _, v in m[2])])
        producer.close()
        # kafka-python cannot send a header without a value; librdkafka can
        other = confluent_kafka.Producer({"bootstrap.servers": broker.bootstrap})
        for key, value, headers in wire:
            if any(v is None for _, v in headers):
                other.produce("h-raw", key=key, value=value, headers=headers)
        assert other.flush(10) == 0
        totals = run(["--bootstrap-servers", broker.bootstrap, "--input-topic", "h-raw", "--output-topic", "h-out",
                      "--dead-letter-topic", "h-dlq", "--group-id", "h", "--until-idle", "3", "--create-topics",
                      "--spacy-model", os.environ.get("NEWS_TEST_MODEL", "en_news_sm"),
                      "--state-dir", str(tmp_path_factory.mktemp("state"))])
        written = {m.key: m for m in clients.read_topic(broker.bootstrap, "h-out", True, 2.0, None)}
        dead = {m.key: m for m in clients.read_topic(broker.bootstrap, "h-dlq", True, 2.0, None)}
    return written, dead, totals, wire


def test_every_message_is_accounted_for(outcome):
    written, dead, totals, wire = outcome
    # plain-text good articles are named by their key; envelopes here carry no id but long-id's
    keys = {key for key, _, _ in wire}
    seen = set(dead) | {k for k in written} | ({b"long-id"} if b"i" * 100_000 in written else set())
    assert keys <= seen, keys - seen
    assert totals["read"] == len(wire)
    assert all(key in written for key, _, _ in wire if key.startswith(b"good-"))


@pytest.mark.parametrize("case, value, extra, expected", CASES, ids=[c[0] for c in CASES])
def test_hostile_message(outcome, case, value, extra, expected):
    written, dead, _, _ = outcome
    key = case.encode()
    if expected[0] == "dead":
        _, stage, error_class = expected
        assert key in dead, f"{case} was not dead-lettered"
        letter = dead[key]
        headers = dict(letter.headers)
        assert (headers[dlq.DLQ_STAGE], headers[dlq.DLQ_EXCEPTION_CLASS]) == (stage.encode(), error_class.encode())
        assert headers["case"] == key  # the original headers are kept
        assert headers[dlq.DLQ_EXCEPTION_MESSAGE] and b"Traceback" in headers[dlq.DLQ_STACKTRACE]
        if len(value) > dlq.MAX_MESSAGE_BYTES:
            assert letter.value is None
            assert headers[dlq.DLQ_VALUE_SIZE] == str(len(value)).encode()
            assert headers[dlq.DLQ_VALUE_SHA256] == hashlib.sha256(value).hexdigest().encode()
        else:
            assert letter.value == value  # the original bytes, unchanged
        return
    _, published, warned = expected
    record_key = b"i" * 100_000 if case == "long-id" else key
    assert record_key in written, f"{case} was not written"
    message = written[record_key]
    article = fastavro.schemaless_reader(io.BytesIO(message.value[10:]), SCHEMA)  # plain fastavro reads it
    got = article["published"]
    assert (None if got is None else int(got.timestamp() * 1000)) == published
    assert (dlq.WARNING in dict(message.headers)) == warned
