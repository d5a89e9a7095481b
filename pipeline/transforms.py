"""The pipeline's Beam transforms: small composites named for what they mean.

    ReadArticleMessages -> DecodeArticles -> EnrichArticles -> WriteArticles
                               |                 |
                               +-- dead letters -+--> WriteDeadLetters
    (every write acknowledges its source offsets) -> CommitOffsets

The domain logic lives in plain modules (articles, enrich, kafka_io, record);
these classes only wire it into Beam. Heavy resources (spaCy, Kafka clients)
are made in DoFn.setup(). Nothing here is specific to a runner.
"""
from __future__ import annotations

import time
from typing import NamedTuple

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.windowed_value import WindowedValue

from . import kafka_io, record
from .articles import ArticleError, parse_message

DEAD_LETTER = "dead_letter"


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


# ----------------------------------------------------------------------------
# Reading


class _ReadPartition(beam.DoFn):
    """partition number -> the Messages of that partition from the start
    position until no record arrived for `until_idle` seconds or `max_records`
    were read. No offsets are committed here (see CommitOffsets)."""

    def __init__(self, bootstrap, topic, group, start, until_idle, max_records):
        self.bootstrap, self.topic, self.group = bootstrap, topic, group
        self.start, self.until_idle, self.max_records = start, until_idle, max_records
        self.read = Metrics.counter("pipeline", "read")

    def setup(self):
        from kafka import KafkaConsumer

        # assign() without joining the group: the group id only names where
        # committed offsets live (Tansu holds a first join for seconds).
        self.consumer = KafkaConsumer(
            bootstrap_servers=self.bootstrap, group_id=self.group, enable_auto_commit=False, auto_offset_reset="earliest"
        )

    def process(self, partition):
        from kafka import TopicPartition

        tp = TopicPartition(self.topic, partition)
        self.consumer.assign([tp])
        kafka_io.seek_start(self.consumer, tp, self.start)
        count, last = 0, time.monotonic()
        while time.monotonic() - last < self.until_idle:
            for batch in self.consumer.poll(timeout_ms=200).values():
                for m in batch:
                    self.read.inc()
                    yield Message(m.topic, m.partition, m.offset, m.key, m.value, tuple(m.headers or ()), m.timestamp)
                    count += 1
                    last = time.monotonic()
                    if self.max_records is not None and count >= self.max_records:
                        return

    def teardown(self):
        self.consumer.close()


class ReadArticleMessages(beam.PTransform):
    """Pipeline root -> Messages of every partition of the input topic, one
    reader per partition (a bounded read: see _ReadPartition)."""

    def __init__(self, bootstrap, topic, group, start="committed", until_idle=5.0, max_records=None):
        super().__init__()
        self.args = (bootstrap, topic, group, start, until_idle, max_records)

    def expand(self, pbegin):
        bootstrap, topic = self.args[:2]
        partitions = kafka_io.partitions_of(bootstrap, topic)
        return (
            pbegin
            | "Partitions" >> beam.Create(partitions)
            | "OneReaderEach" >> beam.Reshuffle()
            | "ReadPartition" >> beam.ParDo(_ReadPartition(*self.args))
        )


# ----------------------------------------------------------------------------
# Understanding


class _Decode(beam.DoFn):
    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.decoded = Metrics.counter("pipeline", "decoded")

    def process(self, message: Message):
        # an article without an id in it is named by its key, else by where it is
        fallback = f"{message.topic}/{message.partition}/{message.offset}"
        if message.key:
            fallback = message.key.decode("utf-8", errors="replace")
        try:
            raw = parse_message(message.value or b"", fallback, self.max_bytes)
        except ArticleError as exc:
            yield beam.pvalue.TaggedOutput(DEAD_LETTER, Failure(message, exc.stage, exc))
            return
        self.decoded.inc()
        yield message, raw


class DecodeArticles(beam.PTransform):
    """Messages -> (Message, RawArticle); unreadable ones to the dead_letter output."""

    def __init__(self, max_bytes):
        super().__init__()
        self.max_bytes = max_bytes

    def expand(self, messages):
        return messages | "Decode" >> beam.ParDo(_Decode(self.max_bytes)).with_outputs(DEAD_LETTER, main="articles")


class _Enrich(beam.DoFn):
    def __init__(self, model):
        self.model = model

    def setup(self):
        from .enrich import Enricher
        from .nlp import load_model

        self.enricher = Enricher(load_model(self.model))

    def process(self, item):
        message, raw = item
        ((_, result),) = list(self.enricher.enrich_many([raw]))
        if isinstance(result, ArticleError):
            yield beam.pvalue.TaggedOutput(DEAD_LETTER, Failure(message, result.stage, result))
        else:
            yield message, result


class EnrichArticles(beam.PTransform):
    """(Message, RawArticle) -> (Message, record dict): normalised headline
    and body, entities, quotes; failures to the dead_letter output."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def expand(self, articles):
        return articles | "Enrich" >> beam.ParDo(_Enrich(self.model)).with_outputs(DEAD_LETTER, main="records")


# ----------------------------------------------------------------------------
# Deduplicating

DUPLICATES = "duplicates"


def source_of(message: Message) -> str:
    return f"{message.topic}/{message.partition}/{message.offset}"


class _DropDuplicates(beam.DoFn):
    def __init__(self, state_dir):
        self.state_dir = state_dir
        self.duplicates = Metrics.counter("pipeline", "duplicates")

    def setup(self):
        from .dedup import open_store

        self.store = open_store(self.state_dir)

    def process(self, item):
        from .dedup import judge

        message, rec = item
        verdict = judge(self.store, rec["content_hash"], rec["id"], source_of(message))
        if verdict.duplicate:
            self.duplicates.inc()
            yield beam.pvalue.TaggedOutput(DUPLICATES, (message, rec["id"], verdict.first_id))
        else:
            yield item

    def teardown(self):
        self.store.close()


class DropDuplicates(beam.PTransform):
    """(Message, record) -> the records whose content was not seen before
    (a replay of the first copy counts as the first copy); exact duplicates to
    the duplicates output as (Message, id, id of the first copy)."""

    def __init__(self, state_dir):
        super().__init__()
        self.state_dir = state_dir

    def expand(self, records):
        return records | "Judge" >> beam.ParDo(_DropDuplicates(self.state_dir)).with_outputs(DUPLICATES, main="unique")


def acknowledge(message: Message):
    """A message fully handled without a write (a dropped duplicate)."""
    return (message.topic, message.partition), message.offset


# ----------------------------------------------------------------------------
# Writing and committing


class _Produce(beam.DoFn):
    """Sends what `to_kafka` makes of each element; flushes and checks every
    send at the end of the bundle, then acknowledges the source offsets.
    If a send failed the bundle fails and nothing is acknowledged."""

    def __init__(self, bootstrap, topic, to_kafka, counter):
        self.bootstrap, self.topic, self.to_kafka = bootstrap, topic, to_kafka
        self.written = Metrics.counter("pipeline", counter)

    def setup(self):
        self.producer = kafka_io.make_producer(self.bootstrap)

    def start_bundle(self):
        self.pending = []

    def process(self, element):
        message, key, value, headers = self.to_kafka(element)
        future = self.producer.send(self.topic, key=key, value=value, headers=headers, timestamp_ms=message.timestamp)
        self.pending.append((message, future))

    def finish_bundle(self):
        self.producer.flush()
        for message, future in self.pending:
            future.get(timeout=30)
            self.written.inc()
            yield WindowedValue(((message.topic, message.partition), message.offset), 0, [GlobalWindow()])
        self.pending = []

    def teardown(self):
        self.producer.close()


def _article_to_kafka(item):
    message, rec = item
    return message, rec["id"].encode("utf-8"), record.encode(rec), kafka_io.sink_headers()


def _failure_to_kafka(failure: Failure):
    m = failure.message
    headers = kafka_io.dead_letter_headers(m.headers, m.topic, m.partition, m.offset, failure.stage, failure.error)
    return m, m.key, m.value, headers


class WriteArticles(beam.PTransform):
    """(Message, record) -> Avro records on the output topic, keyed by article
    id; -> acknowledged ((topic, partition), offset)."""

    def __init__(self, bootstrap, topic):
        super().__init__()
        self.bootstrap, self.topic = bootstrap, topic

    def expand(self, records):
        return records | "Produce" >> beam.ParDo(_Produce(self.bootstrap, self.topic, _article_to_kafka, "written"))


class WriteDeadLetters(beam.PTransform):
    """Failures -> the original key, value, headers and timestamp on the
    dead-letter topic, with headers saying where from and why; -> acknowledged
    ((topic, partition), offset)."""

    def __init__(self, bootstrap, topic):
        super().__init__()
        self.bootstrap, self.topic = bootstrap, topic

    def expand(self, failures):
        return failures | "Produce" >> beam.ParDo(_Produce(self.bootstrap, self.topic, _failure_to_kafka, "dead_lettered"))


class _Commit(beam.DoFn):
    def __init__(self, bootstrap, group):
        self.bootstrap, self.group = bootstrap, group

    def setup(self):
        from kafka import KafkaConsumer

        self.consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=self.group, enable_auto_commit=False)

    def process(self, item):
        from kafka import TopicPartition
        from kafka.structs import OffsetAndMetadata

        (topic, partition), offset = item
        # the committed offset is the next one to read
        self.consumer.commit({TopicPartition(topic, partition): OffsetAndMetadata(offset + 1, "", -1)})
        yield (topic, partition), offset + 1

    def teardown(self):
        self.consumer.close()


class CommitOffsets(beam.PTransform):
    """Acknowledged ((topic, partition), offset) -> committed offsets.

    In a bounded run every offset read is acknowledged by a write or the run
    fails, so committing the highest acknowledged offset per partition after
    all writes commits only what was written."""

    def __init__(self, bootstrap, group):
        super().__init__()
        self.bootstrap, self.group = bootstrap, group

    def expand(self, acks):
        return (
            acks
            | "HighestPerPartition" >> beam.CombinePerKey(max)
            | "Commit" >> beam.ParDo(_Commit(self.bootstrap, self.group))
        )


def counters(result) -> dict:
    """The pipeline's counters from a finished run, by name."""
    from apache_beam.metrics.metric import MetricsFilter

    found = result.metrics().query(MetricsFilter().with_namespace("pipeline"))["counters"]
    totals = {}
    for counter in found:
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + counter.committed
    return totals
