"""The embedded broker, used for real with kafka-python (no mocks)."""
import os
import time

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

from pipeline.dev.broker import LOOPBACK, EmbeddedBroker


@pytest.fixture(scope="module")
def broker():
    with EmbeddedBroker() as running:
        yield running


def test_binds_loopback_only(broker):
    command = broker.command()
    for flag in ("--listener-url", "--advertised-listener-url"):
        assert command[command.index(flag) + 1] == f"tcp://{LOOPBACK}:{broker.port}"


def test_round_trip_keeps_key_value_and_headers(broker):
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap, client_id="test-admin")
    admin.create_topics([NewTopic("articles", num_partitions=2, replication_factor=1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    sent = producer.send("articles", key=b"a1", value=b"\xc3\x01 bytes", headers=[("schema", b"article")], partition=1)
    metadata = sent.get(timeout=10)
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
    partition = TopicPartition("articles", 1)
    consumer.assign([partition])
    consumer.seek(partition, metadata.offset)
    records, deadline = [], time.monotonic() + 10
    while not records and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend(batch)
    consumer.close()
    (record,) = records
    assert (record.key, record.value, list(record.headers)) == (b"a1", b"\xc3\x01 bytes", [("schema", b"article")])


def test_stop_ends_the_process():
    broker = EmbeddedBroker().start()
    assert broker.running
    broker.stop()
    assert not broker.running


def test_a_stopped_broker_leaves_no_log_behind():
    broker = EmbeddedBroker().start()
    log = broker.log_path
    assert os.path.exists(log)
    broker.stop()
    assert not os.path.exists(log) and broker.log_path is None
