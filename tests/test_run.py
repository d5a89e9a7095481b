"""The streaming job end to end, bounded and live: real broker, real model,
Avro read back."""
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import fastavro
import pytest
import spacy
from spacy.language import Language

from conftest import SEED
from pipeline.kafka import admin, clients, formats
from pipeline.kafka import headers as dlq
from pipeline.dev.broker import EmbeddedBroker
from pipeline.run import run
from pipeline.transforms.read import MAX_POLL_RECORDS

SCHEMAS = Path(__file__).parent.parent / "schemas"
SCHEMA = fastavro.parse_schema(json.loads((SCHEMAS / "article.avsc").read_text()))

# (key, value, the stage and exception class its dead letter must carry)
BAD = [
    (b"not-utf8", b"\xff\xfe\x00 caf\xe9", "decode", "UnicodeDecodeError"),
    (b"bad-json", b'{"id": "j1", "text": ', "decode", "JSONDecodeError"),
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
        "--max-article-bytes", "8000", "--state-dir", state_dir, "--create-topics", *extra,
    ])


def test_bounded_run(broker, state_dir):
    admin.ensure_topics(broker.bootstrap, ["raw"], partitions=2)
    producer = clients.make_producer(broker.bootstrap)
    seed = SEED.read_bytes()
    copy = seed.replace(b"\n\n", b"\n\n\n").replace(b"AP photo", b"AP Photo")  # same content, other bytes
    messages = [(b"seed", seed, [("trace", b"t-1")])] + [(k, v, [("trace", k)]) for k, v, _, _ in BAD]
    clients.send_all(producer, "raw", messages)
    clients.send_all(producer, "raw", [(b"seed-again", copy, None)])
    producer.close()

    result = job(broker, state_dir, "--quotes-topic", "quotes", "--entities-topic", "entities")
    counts = result
    assert (counts["written"], counts["duplicates"], counts["dead_lettered"]) == (1, 1, len(BAD))

    (out,) = list(clients.read_topic(broker.bootstrap, "out", True, 2.0, None))
    assert out.key == b"seed"  # plain text has no id of its own: the message key names it
    assert out.value[:2] == b"\xc3\x01"
    article = fastavro.schemaless_reader(io.BytesIO(out.value[10:]), SCHEMA)
    assert article["headline"] == "Anti-ISIL front to step up fight in Iraq, Syria"
    assert {"John Kerry", "Francois Hollande"} <= {q["speaker"] for q in article["quotes"]}
    assert dict(out.headers)["schema.name"] == b"article"

    # one quote event per quote of the article, its speaker linked to the
    # article's entity; one entity event per entity; read with the .avsc alone
    quote_schema = fastavro.parse_schema(json.loads((SCHEMAS / "quote.avsc").read_text()))
    entity_schema = fastavro.parse_schema(json.loads((SCHEMAS / "entity.avsc").read_text()))
    quotes = [(m.key, dict(m.headers)["schema.name"],
               fastavro.schemaless_reader(io.BytesIO(m.value[10:]), quote_schema))
              for m in clients.read_topic(broker.bootstrap, "quotes", True, 2.0, None)]
    assert len(quotes) == len(article["quotes"]) == counts["quote_events"]
    assert {name for _, name, _ in quotes} == {b"quote"}
    assert sorted(q["index"] for _, _, q in quotes) == list(range(len(quotes)))
    linked = {q["speaker_entity"]["name"] for _, _, q in quotes if q["speaker_entity"]}
    assert {"John Kerry", "Brett McGurk", "Khalid al-Obeidi", "Francois Hollande"} <= linked
    for key, _, q in quotes:
        assert q["article_id"] == "seed" and q["headline"] == article["headline"]
        assert key == (q["speaker_entity"]["name"].lower().encode() if q["speaker_entity"] else b"seed")
        assert article["body"][q["start"]:q["end"]].endswith(q["text"][-20:])
    kerry = [q for _, _, q in quotes if q["speaker_entity"] and q["speaker_entity"]["name"] == "John Kerry"]
    assert {q["speaker_entity"]["label"] for q in kerry} == {"PERSON"}
    assert any(q["speaker_mention"] == "He" for q in kerry)  # a pronoun, linked to the person
    entities = {m.key: fastavro.schemaless_reader(io.BytesIO(m.value[10:]), entity_schema)
                for m in clients.read_topic(broker.bootstrap, "entities", True, 2.0, None)}
    assert len(entities) == len(article["entities"]) == counts["entity_events"]
    assert entities[b"john kerry|PERSON"]["aliases"] == ["Kerry"]
    assert {b"iraq|GPE", b"mosul|GPE", b"francois hollande|PERSON"} <= set(entities)

    dead = {m.key: m for m in clients.read_topic(broker.bootstrap, "dlq", True, 2.0, None)}
    assert set(dead) == {k for k, _, _, _ in BAD}
    for key, value, stage, error_class in BAD:
        letter = dead[key]
        headers = dict(letter.headers)
        assert letter.value == value  # the original bytes, unchanged
        assert headers["trace"] == key  # original headers kept
        assert (headers[dlq.DLQ_STAGE], headers[dlq.DLQ_EXCEPTION_CLASS]) == (stage.encode(), error_class.encode())
        assert headers[dlq.DLQ_TOPIC] == b"raw" and headers[dlq.DLQ_OFFSET].isdigit()
        assert headers[dlq.DLQ_EXCEPTION_MESSAGE]

    # everything was handled, so everything was committed: a rerun reads nothing
    assert job(broker, state_dir).get("read", 0) == 0
    # a replay from the start (as after losing the commits) re-emits the first
    # copy - it is not a duplicate of itself - and still drops the copy
    counts = job(broker, state_dir, "--start", "earliest")
    assert (counts["written"], counts["duplicates"]) == (1, 1)


def story(n: int) -> bytes:
    topics = ["harbour", "budget", "election", "flood", "school", "rail", "museum", "market", "storm", "court"]
    return (f"Story {n} about the {topics[n % 10]}\n\nReport number {n}: the {topics[n % 10]} story number {n} "
            f"went on for a while today, officials said.").encode()


def command(broker, name, state, *extra):
    """`python -m pipeline run` on topics named after `name`, as a user types it."""
    model = os.environ.get("NEWS_TEST_MODEL", "en_news_sm")
    return [sys.executable, "-m", "pipeline", "run", "--bootstrap-servers", broker.bootstrap,
            "--input-topic", f"{name}-raw", "--output-topic", f"{name}-out", "--dead-letter-topic", f"{name}-dlq",
            "--group-id", name, "--state-dir", str(state), "--spacy-model", model, "--create-topics", *extra]


def keys(broker, topic, idle=2.0):
    return [m.key for m in clients.read_topic(broker.bootstrap, topic, True, idle, None)]


def committed(broker, topic, group):
    """The group's committed offsets of each partition, minus the log end
    (0: all read); None where nothing is committed."""
    from kafka import TopicPartition

    consumer = clients.make_consumer(broker.bootstrap, group)
    try:
        parts = [TopicPartition(topic, p) for p in admin.partitions_of(broker.bootstrap, topic)]
        consumer.assign(parts)
        consumer.seek_to_end(*parts)
        ends = [consumer.position(tp) for tp in parts]
        return [None if consumer.committed(tp) is None else consumer.committed(tp) - end
                for tp, end in zip(parts, ends)]
    finally:
        consumer.close()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_live_run_follows_the_wire_and_stops_cleanly_on_sigterm(broker, tmp_path):
    admin.ensure_topics(broker.bootstrap, ["live-raw"], partitions=3)
    producer = clients.make_producer(broker.bootstrap)
    clients.send_all(producer, "live-raw", [(b"old", story(99), None)])  # before the job: --start latest skips it
    live = subprocess.Popen(command(broker, "live", tmp_path, "--start", "latest", "--segment-seconds", "4",
                                    "--progress-seconds", "1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: committed(broker, "live-raw", "live") == [0, 0, 0] or live.poll() is not None, 60,
                 "the job to commit its start (latest: after 'old')")
        assert live.poll() is None
        first = [(f"a{n}".encode(), story(n), None) for n in range(6)]
        clients.send_all(producer, "live-raw", first)
        wait_for(lambda: len(keys(broker, "live-out", 0.5)) >= 6, 90, "the first articles")
        time.sleep(5)  # past a segment hand-over: the next reader goes on from the committed offsets
        later = [(f"b{n}".encode(), story(n + 10), None) for n in range(4)] + [(b"copy", story(0), None)]
        clients.send_all(producer, "live-raw", later + [(b"bad", b"\xff\xfe", None)])
        wait_for(lambda: len(keys(broker, "live-out", 0.5)) >= 10 and keys(broker, "live-dlq", 0.5), 90, "the rest")
        time.sleep(2)  # the duplicate after a6 is judged too
    finally:
        live.send_signal(signal.SIGTERM)
        out, err = live.communicate(timeout=60)
    producer.close()
    assert live.returncode == 0, err.decode()[-2000:]
    # every new message once: records for the stories, the copy dropped, the bad one dead-lettered
    assert sorted(keys(broker, "live-out")) == sorted(k for k, _, _ in first + later if k != b"copy")
    assert keys(broker, "live-dlq") == [b"bad"]
    assert "live:" in err.decode() and "written 10" in err.decode()  # progress lines
    assert "duplicates: 1" in err.decode()  # the totals at the end
    # it committed what it wrote before stopping: the group has nothing left to read
    rerun = subprocess.run(command(broker, "live", tmp_path, "--until-idle", "2"), capture_output=True, timeout=300)
    assert rerun.returncode == 0 and not re.search(rb"read: [1-9]", rerun.stderr), rerun.stderr.decode()[-2000:]


def test_kill_9_and_restart_loses_nothing(broker, tmp_path):
    admin.ensure_topics(broker.bootstrap, ["k9-raw"], partitions=3)
    producer = clients.make_producer(broker.bootstrap)
    wire = [(f"k{n}".encode(), story(n), None) for n in range(40)]
    wire += [(b"bad-1", b"\xff\xfe", None), (b"bad-2", b'{"text": ""}', None)]
    clients.send_all(producer, "k9-raw", wire)
    producer.close()

    # a live run (no bound), killed mid-stream
    first = subprocess.Popen(command(broker, "k9", tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    written_before_kill = []
    while time.monotonic() < deadline and first.poll() is None:
        written_before_kill = list(clients.read_topic(broker.bootstrap, "k9-out", True, 0.5, None))
        if len(written_before_kill) >= 5:
            break
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert written_before_kill, "the first run wrote nothing before it was killed"
    # everything the killed run got out, read after it died
    in_flight = {m.key for topic in ("k9-out", "k9-dlq") for m in clients.read_topic(broker.bootstrap, topic, True, 1.0, None)}

    # restarted as a run that catches up and stops
    assert subprocess.run(command(broker, "k9", tmp_path, "--until-idle", "3"), capture_output=True, timeout=300).returncode == 0
    out = [m.key for m in clients.read_topic(broker.bootstrap, "k9-out", True, 2.0, None)]
    dead = [m.key for m in clients.read_topic(broker.bootstrap, "k9-dlq", True, 2.0, None)]
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
    admin.ensure_topics(broker.bootstrap, ["x-raw"], partitions=1)
    producer = clients.make_producer(broker.bootstrap)
    clients.send_all(producer, "x-raw", [
        (b"fine", b"Fine title\n\nThe council met on Monday, officials said.", None),
        (b"poison", b"Poison title\n\nXYZZY is in this article.", [("trace", b"p-1")]),
        # a copy is judged before the NLP: dropped as a duplicate, never parsed, no second dead letter
        (b"poison-copy", b"Poison title\n\nXYZZY is in this article.", None),
    ])
    producer.close()
    counts = run([
        "--bootstrap-servers", broker.bootstrap, "--input-topic", "x-raw", "--output-topic", "x-out",
        "--dead-letter-topic", "x-dlq", "--group-id", "x", "--until-idle", "2", "--state-dir", str(tmp_path / "s"),
        "--spacy-model", str(model_dir), "--create-topics",
    ])
    assert (counts["written"], counts["dead_lettered"], counts["duplicates"]) == (1, 1, 1)
    (letter,) = list(clients.read_topic(broker.bootstrap, "x-dlq", True, 2.0, None))
    headers = dict(letter.headers)
    assert (letter.key, headers["trace"], headers[dlq.DLQ_STAGE]) == (b"poison", b"p-1", b"extract")
    assert b"the model broke" in headers[dlq.DLQ_EXCEPTION_MESSAGE]

    # the model fixed, the dead letter put back on the input topic as it is (key, value, headers,
    # timestamp): it is a replay of the message that failed (its dlq.* headers say which), not a
    # copy of it, nor a later copy of "poison-copy"
    producer = clients.make_producer(broker.bootstrap)
    producer.send("x-raw", key=letter.key, value=letter.value, headers=letter.headers,
                  timestamp_ms=letter.timestamp).get(timeout=30)
    producer.close()
    counts = run([
        "--bootstrap-servers", broker.bootstrap, "--input-topic", "x-raw", "--output-topic", "x-out",
        "--dead-letter-topic", "x-dlq", "--group-id", "x", "--until-idle", "2", "--state-dir", str(tmp_path / "s"),
        "--spacy-model", os.environ.get("NEWS_TEST_MODEL", "en_news_sm"),
    ])
    assert (counts.get("written"), counts.get("duplicates", 0), counts.get("dead_lettered", 0)) == (1, 0, 0)
    assert sorted(keys(broker, "x-out")) == [b"fine", b"poison"]


def test_near_copies_become_duplicate_events_with_the_shared_store(broker, tmp_path, redis_url):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    dedup = Path(__file__).parent / "fixtures" / "dedup"
    names = ["base", "reissue", "boilerplate", "followup", "same_topic"]
    admin.ensure_topics(broker.bootstrap, ["nd-raw"], partitions=1)  # one partition: a known order
    producer = clients.make_producer(broker.bootstrap)
    clients.send_all(producer, "nd-raw", [(name.encode(), (dedup / f"{name}.txt").read_bytes(), None) for name in names])
    producer.close()
    counts = run(["--bootstrap-servers", broker.bootstrap, "--input-topic", "nd-raw", "--output-topic", "nd-out",
                  "--dead-letter-topic", "nd-dlq", "--duplicates-topic", "nd-dups", "--group-id", "nd",
                  "--until-idle", "2", "--dedup-store", redis_url, "--state-dir", str(tmp_path),
                  "--spacy-model", os.environ.get("NEWS_TEST_MODEL", "en_news_sm"), "--create-topics"])
    assert (counts["written"], counts["duplicates"], counts["duplicate_events"]) == (3, 2, 2)
    assert sorted(keys(broker, "nd-out")) == [b"base", b"followup", b"same_topic"]
    schema = fastavro.parse_schema(json.loads((Path(__file__).parent.parent / "schemas" / "duplicate.avsc").read_text()))
    events = {}
    for m in clients.read_topic(broker.bootstrap, "nd-dups", True, 2.0, None):
        assert m.value[:2] == b"\xc3\x01" and dict(m.headers)["schema.name"] == b"duplicate"
        events[m.key] = fastavro.schemaless_reader(io.BytesIO(m.value[10:]), schema)
        assert formats.display(m)["value"] == events[m.key]  # what `consume` prints
    assert {k: (e["duplicate_of"], e["kind"]) for k, e in events.items()} == {
        b"reissue": ("base", "near"), b"boilerplate": ("base", "near")}
    assert all(0.5 <= e["similarity"] < 1 and e["source"].startswith("nd-raw/0/") for e in events.values())


def test_a_stop_asked_of_an_earlier_run_does_not_end_the_next(broker, tmp_path):
    from pipeline.transforms import request_stop

    admin.ensure_topics(broker.bootstrap, ["stop-raw"], partitions=1)
    producer = clients.make_producer(broker.bootstrap)
    clients.send_all(producer, "stop-raw", [(f"s{n}".encode(), story(n), None) for n in range(3)])
    producer.close()
    request_stop()  # as SIGINT does to a live run in this process
    totals = run(["--bootstrap-servers", broker.bootstrap, "--input-topic", "stop-raw", "--output-topic", "stop-out",
                  "--dead-letter-topic", "stop-dlq", "--group-id", "stop", "--until-idle", "2",
                  "--spacy-model", os.environ.get("NEWS_TEST_MODEL", "en_news_sm"), "--state-dir", str(tmp_path),
                  "--create-topics"])
    assert totals["read"] == 3


def test_missing_sink_topics_are_an_error_unless_asked_to_create_them(broker, tmp_path):
    admin.ensure_topics(broker.bootstrap, ["ct-raw"], partitions=1)
    argv = [sys.executable, "-m", "pipeline", "run", "--bootstrap-servers", broker.bootstrap,
            "--input-topic", "ct-raw", "--output-topic", "ct-out", "--dead-letter-topic", "ct-dlq",
            "--state-dir", str(tmp_path), "--until-idle", "1"]
    refused = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines()[-1] == (
        f"error: topics ct-out, ct-dlq not found on {broker.bootstrap}: create them, or pass --create-topics")
    # two workers starting at once, both asked to create the topics: neither fails
    both = [subprocess.Popen(argv + ["--create-topics", "--group-id", f"ct{n}"], stderr=subprocess.PIPE, text=True)
            for n in range(2)]
    for process in both:
        _, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
    assert not admin.missing_topics(broker.bootstrap, ["ct-out", "ct-dlq"])


def test_until_end_reads_what_was_queued_and_stops_without_waiting(broker, tmp_path):
    # sent as one batch per partition, longer than one poll (read.MAX_POLL_RECORDS):
    # the embedded broker then reports an end offset one past the batch's first
    # record, and the run must still read the whole batch
    admin.ensure_topics(broker.bootstrap, ["ue-raw"], partitions=2)
    producer = clients.make_producer(broker.bootstrap)
    sent = [f"ue-{n}".encode() for n in range(2 * (MAX_POLL_RECORDS + 4))]
    for partition in (0, 1):
        futures = [producer.send("ue-raw", key=key, partition=partition,
                                 value=f"Council vote {key.decode()}\n\nThe council voted on plan {n} on "
                                       f"Monday, officials said.".encode())
                   for n, key in enumerate(sent) if n % 2 == partition]
        producer.flush()
        [f.get(timeout=30) for f in futures]
    producer.close()
    base = ["--bootstrap-servers", broker.bootstrap, "--input-topic", "ue-raw", "--output-topic", "ue-out",
            "--dead-letter-topic", "ue-dlq", "--group-id", "ue", "--state-dir", str(tmp_path),
            "--spacy-model", os.environ.get("NEWS_TEST_MODEL", "en_news_sm"), "--create-topics"]
    counts = run([*base, "--until-end"])
    assert counts["written"] == len(sent)
    assert sorted(keys(broker, "ue-out")) == sorted(sent)
    # nothing new: the next run reads nothing and ends
    assert run([*base, "--until-end"]).get("written", 0) == 0


class Producing:
    """A thread that writes a record to `topic` every `every` seconds,
    stamped `age` seconds in the past, while the test runs the job; after
    `guard` seconds it asks the job to stop (a run that would never end
    then fails the test instead of hanging it)."""

    def __init__(self, broker, topic, every, age=0.0, guard=60.0):
        import threading

        self.broker, self.topic, self.every, self.age, self.guard = broker, topic, every, age, guard
        self.done, self.stopped_the_run, self.sent = threading.Event(), False, 0
        self.thread = threading.Thread(target=self._write, daemon=True)

    def _write(self):
        from pipeline.transforms import request_stop

        producer = clients.make_producer(self.broker.bootstrap)
        deadline = time.monotonic() + self.guard
        while not self.done.wait(self.every):
            if time.monotonic() > deadline:
                self.stopped_the_run = True
                request_stop()
                break
            stamp = int((time.time() - self.age) * 1000)
            producer.send(self.topic, key=b"later-%d" % self.sent, value=story(1000 + self.sent), timestamp_ms=stamp)
            self.sent += 1
        producer.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join(30)


@pytest.mark.parametrize("partitions", ["all", "group"])
def test_until_end_is_the_end_at_the_start_while_producers_write_on(broker, tmp_path, partitions):
    """`--until-end` reads what was queued when it started and stops, though
    records keep coming (a nightly catch-up of a busy topic); alone or in a
    group, where a member done with its share waits for the others."""
    name = f"busy-{partitions}"
    admin.ensure_topics(broker.bootstrap, [f"{name}-raw"], partitions=2)
    producer = clients.make_producer(broker.bootstrap)
    queued = [f"queued-{n}".encode() for n in range(30)]
    clients.send_all(producer, f"{name}-raw", [(key, story(n), None) for n, key in enumerate(queued)])
    producer.close()
    with Producing(broker, f"{name}-raw", every=0.01) as later:
        counts = run(["--bootstrap-servers", broker.bootstrap, "--input-topic", f"{name}-raw",
                      "--output-topic", f"{name}-out", "--dead-letter-topic", f"{name}-dlq", "--group-id", name,
                      "--partitions", partitions, "--until-end", "--state-dir", str(tmp_path),
                      "--spacy-model", os.environ.get("NEWS_TEST_MODEL", "en_news_sm"), "--create-topics"])
    assert not later.stopped_the_run, counts
    assert later.sent > 50  # records did come while the run read
    written = keys(broker, f"{name}-out")
    assert set(queued) <= set(written) and len(written) == len(set(written)) == counts["written"]


def test_a_group_member_stops_waiting_when_nobody_reads_what_is_left(broker, tmp_path, monkeypatch, caplog):
    """Records stamped before the run began but appended after its readers
    took their ends (a producer's clock behind, a late retry) are waited
    for, since they may be someone else's; once the group's commits stand
    still that long, the member ends instead of waiting for ever."""
    from pipeline import run as run_module

    monkeypatch.setattr(run_module, "_GROUP_END_STALL_S", 2.0)
    name = "stalled"
    admin.ensure_topics(broker.bootstrap, [f"{name}-raw"], partitions=1)
    producer = clients.make_producer(broker.bootstrap)
    clients.send_all(producer, f"{name}-raw", [(b"queued", story(1), None)])
    producer.close()
    # one every 0.2 s: the reader's 0.1 s polls find none in between, so its
    # segment ends; the group's 0.3 s look past the commits finds one
    with Producing(broker, f"{name}-raw", every=0.2, age=3600) as late, caplog.at_level("WARNING"):
        counts = run(["--bootstrap-servers", broker.bootstrap, "--input-topic", f"{name}-raw",
                      "--output-topic", f"{name}-out", "--dead-letter-topic", f"{name}-dlq", "--group-id", name,
                      "--until-end", "--state-dir", str(tmp_path),
                      "--spacy-model", os.environ.get("NEWS_TEST_MODEL", "en_news_sm"), "--create-topics"])
    assert not late.stopped_the_run, counts
    assert b"queued" in keys(broker, f"{name}-out")
    assert any("has committed nothing for" in r.getMessage() for r in caplog.records), caplog.text
