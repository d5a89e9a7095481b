"""The streaming job end to end, bounded: real broker, real model, Avro read back."""
import io
import json
import os
from pathlib import Path

import fastavro
import pytest
import spacy
from spacy.language import Language

from conftest import SEED
from pipeline import kafka_io
from pipeline.broker import EmbeddedBroker
from pipeline.run import run
from pipeline.transforms import counters

SCHEMA = fastavro.parse_schema(json.loads((Path(__file__).parent.parent / "schemas" / "article.avsc").read_text()))

# (key, value, the stage and exception class its dead letter must carry)
BAD = [
    (b"not-utf8", b"\xff\xfe\x00 caf\xe9", "decode", "ArticleError"),
    (b"bad-json", b'{"id": "j1", "text": ', "decode", "ArticleError"),
    (b"no-text", json.dumps({"id": "j2", "url": "https://example.com"}).encode(), "validate", "ArticleError"),
    (b"empty", json.dumps({"id": "j3", "text": "  "}).encode(), "validate", "ArticleError"),
    (b"too-big", json.dumps({"id": "j4", "text": "word " * 2000}).encode(), "validate", "ArticleError"),
    (b"title-only", b"Just a headline", "normalize", "ArticleError"),
]


@pytest.fixture(scope="module")
def broker():
    with EmbeddedBroker() as running:
        yield running


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("state"))


def job(broker, state_dir, *extra):
    model = os.environ.get("NEWS_TEST_MODEL", "en_news_sm")
    return run([
        "--bootstrap-servers", broker.bootstrap, "--input-topic", "raw", "--output-topic", "out",
        "--dead-letter-topic", "dlq", "--group-id", "test", "--until-idle", "2", "--spacy-model", model,
        "--max-article-bytes", "8000", "--state-dir", state_dir, *extra,
    ])


def test_bounded_run(broker, state_dir):
    kafka_io.ensure_topics(broker.bootstrap, ["raw"], partitions=2)
    producer = kafka_io.make_producer(broker.bootstrap)
    seed = SEED.read_bytes()
    copy = seed.replace(b"\n\n", b"\n\n\n").replace(b"AP photo", b"AP Photo")  # same content, other bytes
    messages = [(b"seed", seed, [("trace", b"t-1")])] + [(k, v, [("trace", k)]) for k, v, _, _ in BAD]
    kafka_io.send_all(producer, "raw", messages)
    kafka_io.send_all(producer, "raw", [(b"seed-again", copy, None)])
    producer.close()

    result = job(broker, state_dir)
    counts = counters(result)
    assert (counts["written"], counts["duplicates"], counts["dead_lettered"]) == (1, 1, len(BAD))

    (out,) = list(kafka_io.read_topic(broker.bootstrap, "out", True, 2.0, None))
    assert out.key == b"seed"  # plain text has no id of its own: the message key names it
    assert out.value[:2] == b"\xc3\x01"
    article = fastavro.schemaless_reader(io.BytesIO(out.value[10:]), SCHEMA)
    assert article["headline"] == "Anti-ISIL front to step up fight in Iraq, Syria"
    assert {"John Kerry", "Francois Hollande"} <= {q["speaker"] for q in article["quotes"]}
    assert dict(out.headers)["schema.name"] == b"article"

    dead = {m.key: m for m in kafka_io.read_topic(broker.bootstrap, "dlq", True, 2.0, None)}
    assert set(dead) == {k for k, _, _, _ in BAD}
    for key, value, stage, error_class in BAD:
        letter = dead[key]
        headers = dict(letter.headers)
        assert letter.value == value  # the original bytes, unchanged
        assert headers["trace"] == key  # original headers kept
        assert (headers[kafka_io.DLQ_STAGE], headers[kafka_io.DLQ_EXCEPTION_CLASS]) == (stage.encode(), error_class.encode())
        assert headers[kafka_io.DLQ_TOPIC] == b"raw" and headers[kafka_io.DLQ_OFFSET].isdigit()
        assert headers[kafka_io.DLQ_EXCEPTION_MESSAGE]

    # everything was handled, so everything was committed: a rerun reads nothing
    assert counters(job(broker, state_dir)).get("read", 0) == 0
    # a replay from the start (as after losing the commits) re-emits the first
    # copy - it is not a duplicate of itself - and still drops the copy
    counts = counters(job(broker, state_dir, "--start", "earliest"))
    assert (counts["written"], counts["duplicates"]) == (1, 1)


def test_kill_9_and_restart_loses_nothing(broker, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    kafka_io.ensure_topics(broker.bootstrap, ["k9-raw"], partitions=3)
    producer = kafka_io.make_producer(broker.bootstrap)
    topics = ["harbour", "budget", "election", "flood", "school", "rail", "museum", "market", "storm", "court"]
    wire = [(f"k{n}".encode(), f"Story {n} about the {topics[n % 10]}\n\nReport number {n}: the {topics[n % 10]} "
             f"story number {n} went on for a while today, officials said.".encode(), None) for n in range(40)]
    wire += [(b"bad-1", b"\xff\xfe", None), (b"bad-2", b'{"text": ""}', None)]
    kafka_io.send_all(producer, "k9-raw", wire)
    producer.close()
    model = os.environ.get("NEWS_TEST_MODEL", "en_news_sm")
    command = [sys.executable, "-m", "pipeline", "run", "--bootstrap-servers", broker.bootstrap,
               "--input-topic", "k9-raw", "--output-topic", "k9-out", "--dead-letter-topic", "k9-dlq",
               "--group-id", "k9", "--until-idle", "3", "--state-dir", str(tmp_path), "--spacy-model", model]

    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    written_before_kill = []
    while time.monotonic() < deadline and first.poll() is None:
        written_before_kill = list(kafka_io.read_topic(broker.bootstrap, "k9-out", True, 0.5, None))
        if len(written_before_kill) >= 5:
            break
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert written_before_kill, "the first run wrote nothing before it was killed"
    # everything the killed run got out, read after it died
    in_flight = {m.key for topic in ("k9-out", "k9-dlq") for m in kafka_io.read_topic(broker.bootstrap, topic, True, 1.0, None)}

    assert subprocess.run(command, capture_output=True, timeout=300).returncode == 0
    out = [m.key for m in kafka_io.read_topic(broker.bootstrap, "k9-out", True, 2.0, None)]
    dead = [m.key for m in kafka_io.read_topic(broker.bootstrap, "k9-dlq", True, 2.0, None)]
    assert set(out) | set(dead) == {key for key, _, _ in wire}  # nothing lost
    repeated = {key for key in out if out.count(key) > 1} | {key for key in dead if dead.count(key) > 1}
    assert repeated <= in_flight  # repeats only of what the killed run had written (uncommitted)


@Language.component("fail_on_marker")
def fail_on_marker(doc):
    """A real pipeline component that breaks on one word, for the extract case."""
    if "XYZZY" in doc.text:
        raise RuntimeError("the model broke on this article")
    return doc


def test_article_that_breaks_extraction_is_dead_lettered(broker, tmp_path):
    nlp = spacy.load(os.environ.get("NEWS_TEST_MODEL", "en_news_sm"))
    nlp.add_pipe("fail_on_marker", first=True)
    model_dir = tmp_path / "model"
    nlp.to_disk(model_dir)
    kafka_io.ensure_topics(broker.bootstrap, ["x-raw"], partitions=1)
    producer = kafka_io.make_producer(broker.bootstrap)
    kafka_io.send_all(producer, "x-raw", [
        (b"fine", b"Fine title\n\nThe council met on Monday, officials said.", None),
        (b"poison", b"Poison title\n\nXYZZY is in this article.", [("trace", b"p-1")]),
    ])
    producer.close()
    counts = counters(run([
        "--bootstrap-servers", broker.bootstrap, "--input-topic", "x-raw", "--output-topic", "x-out",
        "--dead-letter-topic", "x-dlq", "--group-id", "x", "--until-idle", "2", "--state-dir", str(tmp_path / "s"),
        "--spacy-model", str(model_dir),
    ]))
    assert (counts["written"], counts["dead_lettered"]) == (1, 1)
    (letter,) = list(kafka_io.read_topic(broker.bootstrap, "x-dlq", True, 2.0, None))
    headers = dict(letter.headers)
    assert (letter.key, headers["trace"], headers[kafka_io.DLQ_STAGE]) == (b"poison", b"p-1", b"extract")
    assert b"the model broke" in headers[kafka_io.DLQ_EXCEPTION_MESSAGE]
