"""Writing to Kafka: article records, duplicate events and dead letters, by
one producer DoFn; each sink only says how an element becomes a message."""
from __future__ import annotations

import apache_beam as beam

from ..kafka import clients, headers
from ..kafka.headers import Failure, source_of
from ..news import record
from .metrics import Counter


class _Produce(beam.DoFn):
    """Sends what `to_kafka` makes of each element as it comes (so it reaches
    the topic at once); at the end of the bundle flushes and checks every
    send. If one failed, the bundle fails and its offsets are not committed."""

    def __init__(self, bootstrap, topic, to_kafka, counter):
        self.bootstrap, self.topic, self.to_kafka = bootstrap, topic, to_kafka
        self.written = Counter(counter)

    def setup(self):
        self.producer = clients.make_producer(self.bootstrap)

    def start_bundle(self):
        self.pending = []

    def process(self, element):
        message, key, value, message_headers = self.to_kafka(element)
        self.pending.append(
            self.producer.send(self.topic, key=key, value=value, headers=message_headers, timestamp_ms=message.timestamp)
        )

    def finish_bundle(self):
        if not self.pending:
            return
        self.producer.flush()
        for future in self.pending:
            future.get(timeout=30)
        self.written.inc(len(self.pending))
        self.pending = []

    def teardown(self):
        self.producer.close()


def _article_to_kafka(item):
    message, rec = item
    return message, rec["id"].encode("utf-8"), record.encode(rec), headers.sink_headers()


def _failure_to_kafka(failure: Failure):
    m = failure.message
    letter = headers.dead_letter_headers(m.headers, m.topic, m.partition, m.offset, failure.stage, failure.error)
    return m, m.key, m.value, letter


def _duplicate_to_kafka(item):
    message, rec, verdict = item
    event = {"id": rec["id"], "duplicate_of": verdict.duplicate_of, "similarity": verdict.similarity,
             "kind": verdict.kind, "source": source_of(message)}
    return message, rec["id"].encode("utf-8"), record.encode(event, "duplicate"), headers.sink_headers("duplicate")


class _WriteToTopic(beam.PTransform):
    """Elements -> messages on one topic; a subclass names how an element
    becomes (Message read, key, value, headers) and the counter of sends."""

    to_kafka = staticmethod(_article_to_kafka)
    counter = "written"

    def __init__(self, bootstrap, topic):
        super().__init__()
        self.bootstrap, self.topic = bootstrap, topic

    def expand(self, elements):
        return elements | "Produce" >> beam.ParDo(_Produce(self.bootstrap, self.topic, self.to_kafka, self.counter))


class WriteArticles(_WriteToTopic):
    """(Message, record) -> Avro records on the output topic, keyed by article id."""


class WriteDuplicateEvents(_WriteToTopic):
    """(Message, record, Verdict) -> a small Avro `duplicate` record on the
    duplicates topic (its id, the id it duplicates, similarity, exact or
    near, where it was read), keyed by the duplicate's id."""

    to_kafka = staticmethod(_duplicate_to_kafka)
    counter = "duplicate_events"


class WriteDeadLetters(_WriteToTopic):
    """Failures -> the original key, value, headers and timestamp on the
    dead-letter topic, with headers saying where from and why."""

    to_kafka = staticmethod(_failure_to_kafka)
    counter = "dead_lettered"
