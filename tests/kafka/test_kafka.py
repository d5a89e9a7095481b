"""feed and consume against the real embedded broker; message formats."""
import json
import subprocess
import sys
import time

import pytest

from conftest import SEED
from pipeline.news import record
from pipeline.dev.broker import EmbeddedBroker
from pipeline.kafka.clients import make_producer, read_topic, send_all
from pipeline.kafka.formats import display, file_messages
from pipeline.kafka.headers import DLQ_EXCEPTION_CLASS, DLQ_OFFSET, DLQ_STAGE, dead_letter_headers, sink_headers


@pytest.fixture(scope="module")
def broker():
    with EmbeddedBroker() as running:
        yield running


def cli(*args):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, timeout=120)


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"Title\n\nBody.", [(b"a.txt", b"Title\n\nBody.")]),
        (b'{"id": "x", "text": "t"}\n{"text": "u"}\n', [(b"x", b'{"id": "x", "text": "t"}'), (b"a.txt:2", b'{"text": "u"}')]),
        (b'{"id": "x", "text": "t"}', [(b"a.txt", b'{"id": "x", "text": "t"}')]),
        (b"\xff\xfe not text", [(b"a.txt", b"\xff\xfe not text")]),
        (b'{"id": "x"}\n{broken\n', [(b"a.txt", b'{"id": "x"}\n{broken\n')]),
    ],
)
def test_file_messages(data, expected):
    assert list(file_messages("a.txt", data)) == expected


def test_feed_then_consume(broker, tmp_path):
    wire = tmp_path / "wire.jsonl"
    wire.write_text('{"id": "w1", "text": "One."}\n{"id": "w2", "text": "Two."}\n', encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe")
    fed = cli("feed", "--bootstrap-servers", broker.bootstrap, "--topic", "raw", "--rate", "50",
              str(SEED), str(wire), str(bad))
    assert fed.returncode == 0, fed.stderr
    shown = cli("consume", "--bootstrap-servers", broker.bootstrap, "--topic", "raw", "--from-beginning",
                "--idle-timeout", "2")
    messages = [json.loads(line) for line in shown.stdout.decode().splitlines()]
    assert sorted(m["key"] for m in messages) == sorted([str(SEED), "w1", "w2", str(bad)])
    by_key = {m["key"]: m["value"] for m in messages}
    assert by_key[str(SEED)] == SEED.read_text(encoding="utf-8")
    assert by_key[str(bad)] == {"base64": "//4="}


def test_avro_records_are_decoded_by_consume(broker, seed_record):
    dated = dict(seed_record, id="seed-dated", published=1416787200000)  # 2014-11-24T00:00:00Z
    producer = make_producer(broker.bootstrap)
    send_all(producer, "articles-out", [(b"seed", record.encode(seed_record), sink_headers()),
                                        (b"seed-dated", record.encode(dated), sink_headers())])
    producer.close()
    shown = sorted((display(m) for m in read_topic(broker.bootstrap, "articles-out", True, 2.0, 2)), key=lambda s: s["key"])
    plain, with_time = shown  # keys "seed", "seed-dated"
    assert plain["value"] == seed_record
    assert plain["headers"]["schema.fingerprint"] == record.schema_fingerprint().hex()
    assert with_time["value"]["published"] == "2014-11-24T00:00:00+00:00"
    assert json.loads(json.dumps(with_time))["value"]["id"] == "seed-dated"  # what `consume` prints


def test_consume_format_ninjs_shows_articles_as_ninjs_only(broker, seed_record):
    from pipeline.news.ninjs import to_ninjs

    dated = dict(seed_record, published=1416787200000)
    duplicate = {"id": "seed-copy", "duplicate_of": "seed", "similarity": 1.0, "kind": "exact", "source": "raw/0/7"}
    producer = make_producer(broker.bootstrap)
    send_all(producer, "mixed-out", [(b"seed", record.encode(dated), sink_headers()),
                                     (b"seed-copy", record.encode(duplicate, "duplicate"), sink_headers("duplicate")),
                                     (b"bad", b"\xff\xfe", [])])
    producer.close()
    shown = cli("consume", "--bootstrap-servers", broker.bootstrap, "--topic", "mixed-out", "--from-beginning",
                "--idle-timeout", "2", "--format", "ninjs")
    assert shown.returncode == 0, shown.stderr
    lines = [json.loads(line) for line in shown.stdout.decode().splitlines()]
    (article,) = [line for line in lines if "topic" not in line]
    assert article == json.loads(json.dumps(to_ninjs(dated)))
    assert article["versionCreated"] == "2014-11-24T00:00:00Z"
    others = {line["key"]: line["value"] for line in lines if "topic" in line}  # as without --format
    assert others == {"seed-copy": duplicate, "bad": {"base64": "//4="}}


def test_dead_letter_headers_keep_originals_and_say_why():
    headers = dead_letter_headers([("trace", b"t1")], "raw", 2, 41, "decode", UnicodeDecodeError("utf-8", b"", 0, 1, "x"))
    as_dict = dict(headers)
    assert headers[0] == ("trace", b"t1")
    assert (as_dict[DLQ_OFFSET], as_dict[DLQ_STAGE], as_dict[DLQ_EXCEPTION_CLASS]) == (b"41", b"decode", b"UnicodeDecodeError")


def test_read_to_end_compares_the_groups_commits_with_the_ends(broker):
    from kafka import TopicPartition
    from kafka.structs import OffsetAndMetadata

    from pipeline.kafka import admin
    from pipeline.kafka.clients import make_consumer, read_to_end

    admin.ensure_topics(broker.bootstrap, ["rte"], partitions=2)
    producer = make_producer(broker.bootstrap)
    for partition in (0, 1):  # a record a batch: the embedded broker's ends are right then
        for n in range(3):
            producer.send("rte", key=b"k", value=b"v", partition=partition).get(timeout=30)
    producer.close()

    def commit(offsets):
        consumer = make_consumer(broker.bootstrap, "rte-group")
        consumer.commit({TopicPartition("rte", p): OffsetAndMetadata(o, "", -1) for p, o in offsets.items()})
        consumer.close()

    assert not read_to_end(broker.bootstrap, "rte", "rte-group")  # nothing committed
    commit({0: 3, 1: 2})
    assert not read_to_end(broker.bootstrap, "rte", "rte-group")
    commit({1: 3})
    assert read_to_end(broker.bootstrap, "rte", "rte-group")


@pytest.mark.parametrize("age, read", [
    (-3600, True),  # stamped after the run began: not the run's to read
    (3600, False),  # stamped before: waited for, though appended after
    (None, False),  # the producer's own time, before `began` below
])
def test_read_to_end_leaves_what_was_written_after_a_time(broker, age, read):
    from kafka import TopicPartition
    from kafka.structs import OffsetAndMetadata

    from pipeline.kafka import admin
    from pipeline.kafka.clients import make_consumer, read_to_end

    topic = f"rte-after-{age}"
    admin.ensure_topics(broker.bootstrap, [topic], partitions=2)
    producer = make_producer(broker.bootstrap)
    for partition in (0, 1):
        producer.send(topic, key=b"k", value=b"old", partition=partition).get(timeout=30)
    consumer = make_consumer(broker.bootstrap, f"{topic}-group")
    consumer.commit({TopicPartition(topic, p): OffsetAndMetadata(1, "", -1) for p in (0, 1)})
    consumer.close()
    began = time.time() + (1 if age is None else 0)
    assert read_to_end(broker.bootstrap, topic, f"{topic}-group", produced_by=began)
    stamp = None if age is None else int((began - age) * 1000)
    producer.send(topic, key=b"k", value=b"new", partition=1, timestamp_ms=stamp).get(timeout=30)
    producer.close()
    assert read_to_end(broker.bootstrap, topic, f"{topic}-group", produced_by=began) is read
    assert not read_to_end(broker.bootstrap, topic, f"{topic}-group")  # without a time, every record counts


def test_read_to_end_reads_past_ends_that_fall_short(broker):
    """Records written in one batch: the embedded broker reports the end one
    past the batch's first record; commits at that end are not the end."""
    from kafka import TopicPartition
    from kafka.structs import OffsetAndMetadata

    from pipeline.kafka import admin
    from pipeline.kafka.clients import make_consumer, read_to_end

    admin.ensure_topics(broker.bootstrap, ["rte-batch"], partitions=1)
    producer = make_producer(broker.bootstrap, linger_ms=200)
    for n in range(8):
        producer.send("rte-batch", key=b"k", value=b"v%d" % n, partition=0)
    producer.flush()
    producer.close()
    tp = TopicPartition("rte-batch", 0)
    consumer = make_consumer(broker.bootstrap, "rte-batch-group")
    reported = consumer.end_offsets([tp])[tp]
    consumer.commit({tp: OffsetAndMetadata(reported, "", -1)})
    consumer.close()
    assert not read_to_end(broker.bootstrap, "rte-batch", "rte-batch-group")
    consumer = make_consumer(broker.bootstrap, "rte-batch-group")
    consumer.commit({tp: OffsetAndMetadata(8, "", -1)})
    consumer.close()
    assert read_to_end(broker.bootstrap, "rte-batch", "rte-batch-group")
