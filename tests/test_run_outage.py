"""The live job through broker outages, as a user would run it: a proxy in
front of the embedded broker is cut and restored (the broker keeps its
data), or the memory broker is restarted empty. The job must go on by
itself, say what happened once per state change, and lose nothing."""
import os
import signal
import subprocess
import sys
import time

import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from pipeline.dev.broker import EmbeddedBroker, free_port
from pipeline.dev.proxy import CuttableProxy
from pipeline.kafka import admin, clients


def story(n: int) -> bytes:
    places = ["harbour", "railway", "museum", "school", "market", "bridge", "library", "ferry"]
    return (f"Story {n} about the {places[n % 8]} plan {n * 7}\n\nCouncil report {n}: the {places[n % 8]} "
            f"plan number {n} cost {n * 13} thousand and took {n % 5 + 2} years, officials said on day {n}.").encode()


class Wire:
    """An embedded broker behind a cuttable proxy, and a live job reading it."""

    def __init__(self, tmp_path):
        self.proxy_port = free_port()
        self.broker = EmbeddedBroker(advertised_port=self.proxy_port).start()
        self.proxy = CuttableProxy(self.proxy_port, self.broker.port).start()
        self.bootstrap = self.broker.bootstrap
        admin.ensure_topics(self.bootstrap, ["raw", "out", "dlq"], partitions=2)
        self.log = tmp_path / "job.log"
        self.metrics_port = free_port()
        model = os.environ.get("NEWS_TEST_MODEL", "en_news_sm")
        self.job = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "run", "--bootstrap-servers", self.bootstrap, "--input-topic", "raw",
             "--output-topic", "out", "--dead-letter-topic", "dlq", "--state-dir", str(tmp_path / "state"),
             "--spacy-model", model, "--progress-seconds", "1", "--metrics-port", str(self.metrics_port)],
            stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))

    def feed(self, numbers):
        producer = clients.make_producer(self.bootstrap)
        clients.send_all(producer, "raw", [(f"s{n}".encode(), story(n), None) for n in numbers])
        producer.close()

    def written(self) -> set[bytes]:
        return {m.key for m in clients.read_topic(self.bootstrap, "out", True, 1.0, None)}

    def wait_for(self, keys, seconds) -> set[bytes]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            got = self.written()
            if keys <= got:
                return got
            assert self.job.poll() is None, self.log.read_text()
            time.sleep(1)
        return self.written()

    def metrics(self) -> dict:
        """The job's Prometheus metrics, read with prometheus_client's own parser: {(name, labels): value}."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as page:
            text = page.read().decode()
        return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
                for family in text_string_to_metric_families(text) for sample in family.samples}

    def close(self):
        if self.job.poll() is None:
            self.job.send_signal(signal.SIGTERM)
            self.job.wait(60)
        self.proxy.cut()
        self.broker.stop()


@pytest.fixture
def wire(tmp_path):
    made = Wire(tmp_path)
    yield made
    made.close()


def keys(numbers):
    return {f"s{n}".encode() for n in numbers}


def test_the_job_rides_out_a_broker_outage(wire):
    wire.feed(range(0, 5))
    assert keys(range(5)) <= wire.wait_for(keys(range(5)), 60)
    wire.feed(range(5, 25))  # in flight when the broker goes away
    time.sleep(0.5)
    wire.proxy.cut()
    time.sleep(8)
    down = wire.metrics()
    wire.proxy.restore()
    wire.feed(range(25, 35))  # after it is back: processed without a restart
    assert keys(range(35)) <= wire.wait_for(keys(range(35)), 90)
    time.sleep(2)
    up = wire.metrics()
    assert down[("news_pipeline_broker_up", (("bootstrap", wire.bootstrap),))] == 0
    assert up[("news_pipeline_broker_up", (("bootstrap", wire.bootstrap),))] == 1
    assert up[("news_pipeline_written_total", ())] >= 35
    assert up[("news_pipeline_read_total", ())] >= 35
    assert up[("news_pipeline_assigned_partitions", (("topic", "raw"),))] == 2
    assert ("news_pipeline_consumer_lag", (("partition", "0"), ("topic", "raw"))) in up
    assert up[("news_pipeline_end_to_end_seconds_count", (("sink", "written"),))] >= 35
    assert up[("news_pipeline_nlp_seconds_count", ())] >= 35
    assert wire.job.poll() is None
    wire.job.send_signal(signal.SIGTERM)
    assert wire.job.wait(60) == 0
    log = wire.log.read_text()
    assert log.count("unreachable since") - log.count("live: broker") == 1, log  # one line per state change
    assert log.count("reachable again after") == 1, log
    assert "live: broker 127.0.0.1" in log  # the progress line says so while it lasts
    assert "Traceback" not in log


def test_the_job_reads_a_memory_broker_that_came_back_empty(wire):
    wire.feed(range(0, 12))
    assert keys(range(12)) <= wire.wait_for(keys(range(12)), 60)
    wire.proxy.cut()
    wire.broker.stop()
    time.sleep(3)
    wire.broker = EmbeddedBroker(port=wire.broker.port, advertised_port=wire.proxy_port).start()
    wire.proxy.restore()
    admin.ensure_topics(wire.bootstrap, ["raw", "out", "dlq"], partitions=2)
    wire.feed(range(100, 106))  # offsets 0.. of the new log, behind where the job stood
    assert keys(range(100, 106)) <= wire.wait_for(keys(range(100, 106)), 90)
    log = wire.log.read_text()
    assert "the topic was emptied or recreated" in log and "Traceback" not in log
