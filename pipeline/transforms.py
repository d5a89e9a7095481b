"""The pipeline's Beam transforms: small composites named for what they mean.

    ReadArticleMessages -> DecodeArticles -> NormalizeArticles -> DropDuplicates -> AnnotateArticles -> WriteArticles
                               |                  |                 |                 |
                               +------------------+-----------------|-----------------+-> WriteDeadLetters
                                                                    +-> WriteDuplicateEvents (if asked)
    (the reader commits a bundle's offsets once its writes have succeeded)

The domain logic lives in plain modules (articles, enrich, kafka_io, record);
these classes only wire it into Beam. Heavy resources (spaCy, Kafka clients)
are made in DoFn.setup(). Nothing here is specific to a runner.
"""
from __future__ import annotations

import functools
import threading
import time
import uuid
from typing import NamedTuple

import apache_beam as beam
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.metrics import Metrics
from apache_beam.transforms.core import RestrictionProvider

from . import kafka_io, progress, record
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


_ORIGIN = (kafka_io.DLQ_TOPIC, kafka_io.DLQ_PARTITION, kafka_io.DLQ_OFFSET)


def source_of(message: Message) -> str:
    """Where a message was first read: topic/partition/offset. A dead letter
    put back on the input topic (with its headers) names where it was read
    before it failed, so the duplicate judge treats it as a replay of that
    message, not as a copy of it (after an extraction failure the article
    has already been judged and remembered)."""
    origin = {}
    for key, value in message.headers or ():
        if key in _ORIGIN and key not in origin:  # the first: a letter that failed twice keeps its origin
            origin[key] = value
    if len(origin) == len(_ORIGIN):
        topic, partition, offset = (origin[key].decode("utf-8", errors="replace") for key in _ORIGIN)
        if partition.isdigit() and offset.isdigit():
            return f"{topic}/{partition}/{offset}"
    return f"{message.topic}/{message.partition}/{message.offset}"


class _counter:
    """A Beam counter in namespace "pipeline" that also adds to this
    process's progress totals (see progress.py)."""

    def __init__(self, name):
        self.name = name
        self.metric = Metrics.counter("pipeline", name)

    def inc(self, amount=1):
        self.metric.inc(amount)
        progress.PROGRESS.add(self.name, amount)


# ----------------------------------------------------------------------------
# Reading
#
# Why a splittable DoFn with one element per partition, and commits from a
# bundle finalizer (measured on the FnApiRunner against Tansu; see
# ../shared/notes/platform.md and `make bench`):
# - the whole job after the reader is one fused stage: no GroupByKey,
#   Reshuffle, Flatten, window or Beam state anywhere (on the FnApiRunner any
#   of them either never fires on an unbounded input or materialises the data
#   and runs it in a later bundle). Each record therefore goes through decode,
#   enrich, dedup and the producers while the reader's bundle is open;
# - the producers flush and check every send in finish_bundle, and the reader
#   commits what it read in a bundle finalizer, which the runner calls only
#   after the bundle, writes included, has succeeded. A failed bundle commits
#   nothing, so a restart re-reads it: at least once, nothing lost;
# - each process() call polls its partition once and defers the rest of the
#   partition, so the runner checkpoints between polls. The local runner
#   polls the partitions one after another, so a quiet partition holds up
#   the others by one poll: short (POLL_MS) while the wire is busy, longer
#   (IDLE_POLL_MS) once the partition has been quiet for IDLE_AFTER seconds,
#   which keeps an idle job at about 1 % of a core instead of 5 %.

POLL_MS = 100
IDLE_POLL_MS = 500
IDLE_AFTER = 2.0
MAX_POLL_RECORDS = 20  # records per poll: bounds a bundle's work, so its commit comes soon
_END = 2**63 - 1  # restriction end of a partition read "forever"

# Set by a signal handler (or anything else) to end every reader in this
# process at its next poll; the bundles in flight finish and commit first.
STOP = threading.Event()
_POLLS: dict[str, int] = {}  # polls so far by the readers of one pipeline (its token) in this process


def request_stop() -> None:
    """Ask every reader in this process to finish cleanly."""
    STOP.set()


class _ReadPartition(beam.DoFn, RestrictionProvider):
    """partition number -> the Messages of that partition, from the start
    position, until a bound is reached: `until_idle` seconds without a new
    record, `max_records` read, the wall-clock time `stop_at`, `max_polls`
    polls by all readers of this pipeline in this process, or STOP.
    With no bound it reads for ever (see _ReadPartitionLive). What a bundle
    read is committed when the bundle has succeeded.

    It is its own RestrictionProvider: a partition's restriction is the
    offsets [start, end of time), the start resolved from `start` once."""

    def __init__(self, bootstrap, topic, group, start, until_idle=None, max_records=None, stop_at=None,
                 max_polls=None):
        self.bootstrap, self.topic, self.group, self.start = bootstrap, topic, group, start
        self.until_idle, self.max_records, self.stop_at = until_idle, max_records, stop_at
        self.max_polls, self.token = max_polls, uuid.uuid4().hex
        self.read = _counter("read")

    def initial_restriction(self, partition):
        return OffsetRange(kafka_io.start_offset(self.bootstrap, self.topic, partition, self.group, self.start), _END)

    def create_tracker(self, restriction):
        return OffsetRestrictionTracker(restriction)

    def split(self, partition, restriction):
        yield restriction  # a partition is read in order by one reader

    def restriction_size(self, partition, restriction):
        return 1  # partitions weigh the same; how much is left is unknown

    def setup(self):
        self.consumers = {}  # partition -> a KafkaConsumer assigned to it alone
        self.next_offset = {}  # partition -> where that consumer stands
        self.last_record_at = {}  # partition -> monotonic time of its last record (or first poll)
        self.count = {}  # partition -> records read
        self.commit_lock = threading.Lock()
        self.committer = kafka_io.make_consumer(self.bootstrap, self.group)

    def _consumer(self, partition, offset):
        from kafka import TopicPartition

        tp = TopicPartition(self.topic, partition)
        if partition not in self.consumers:
            # assign() without joining the group: the group id only names
            # where committed offsets live (Tansu holds a first join for seconds).
            consumer = kafka_io.make_consumer(self.bootstrap, self.group, max_poll_records=MAX_POLL_RECORDS)
            consumer.assign([tp])
            self.consumers[partition] = consumer
            self.last_record_at[partition] = time.monotonic()
            self.count[partition] = 0
        if self.next_offset.get(partition) != offset:
            self.consumers[partition].seek(tp, offset)
        return self.consumers[partition], tp

    def _bound_reached(self, partition) -> bool:
        if STOP.is_set() or (self.stop_at is not None and time.time() >= self.stop_at):
            return True
        if self.max_polls is not None:
            _POLLS[self.token] = _POLLS.get(self.token, 0) + 1
            if _POLLS[self.token] >= self.max_polls:
                return True
        if self.max_records is not None and self.count[partition] >= self.max_records:
            return True
        return self.until_idle is not None and time.monotonic() - self.last_record_at[partition] >= self.until_idle

    def _commit(self, partition, next_offset):
        from kafka import TopicPartition
        from kafka.structs import OffsetAndMetadata

        with self.commit_lock:
            self.committer.commit({TopicPartition(self.topic, partition): OffsetAndMetadata(next_offset, "", -1)})

    def process(self, partition, finalizer=beam.DoFn.BundleFinalizerParam, tracker=beam.DoFn.RestrictionParam()):
        # (the finalizer must come before the tracker: Beam binds them in this order)
        restriction = tracker.current_restriction()
        consumer, tp = self._consumer(partition, restriction.start)
        wanted = MAX_POLL_RECORDS
        if self.max_records is not None:
            wanted = max(1, min(wanted, self.max_records - self.count[partition]))
        quiet = time.monotonic() - self.last_record_at[partition] > IDLE_AFTER
        batch = consumer.poll(timeout_ms=IDLE_POLL_MS if quiet else POLL_MS, max_records=wanted).get(tp, [])
        last = None
        for m in batch:
            if not tracker.try_claim(m.offset):
                break  # the runner split the restriction: the rest is someone else's
            last = m.offset
            self.count[partition] += 1
            self.read.inc()
            yield Message(m.topic, m.partition, m.offset, m.key, m.value, tuple(m.headers or ()), m.timestamp)
        if last is not None:
            self.next_offset[partition] = last + 1
            self.last_record_at[partition] = time.monotonic()
            finalizer.register(functools.partial(self._commit, partition, last + 1))
        else:
            self.next_offset[partition] = consumer.position(tp)
        highwater = consumer.highwater(tp)
        if highwater is not None:
            progress.PROGRESS.set_lag(self.topic, partition, max(0, highwater - self.next_offset[partition]))
        if self._bound_reached(partition):
            tracker.try_claim(restriction.stop)  # claiming the end marks the restriction done
            return
        tracker.defer_remainder()

    def teardown(self):
        _POLLS.pop(self.token, None)
        for consumer in self.consumers.values():
            consumer.close()
        self.committer.close()


class _ReadPartitionLive(_ReadPartition):
    """_ReadPartition for a live read: each partition is unbounded, so a
    distributed runner streams it."""

    @beam.DoFn.unbounded_per_element()
    def process(self, partition, finalizer=beam.DoFn.BundleFinalizerParam, tracker=beam.DoFn.RestrictionParam()):
        yield from super().process(partition, finalizer, tracker)


class ReadArticleMessages(beam.PTransform):
    """Pipeline root -> Messages of every partition of the input topic, one
    reader per partition. Bounded when given `until_idle`, `max_records`
    (per partition), `stop_at` (a wall-clock time) or `max_polls`; live
    otherwise."""

    def __init__(self, bootstrap, topic, group, start="committed", until_idle=None, max_records=None, stop_at=None,
                 max_polls=None, live=None):
        super().__init__()
        self.args = (bootstrap, topic, group, start, until_idle, max_records, stop_at, max_polls)
        self.live = live if live is not None else (until_idle is None and max_records is None)

    def expand(self, pbegin):
        bootstrap, topic = self.args[:2]
        partitions = kafka_io.partitions_of(bootstrap, topic)
        reader = (_ReadPartitionLive if self.live else _ReadPartition)(*self.args)
        return (
            pbegin
            # no Reshuffle: the splittable reader spreads partitions itself
            | "Partitions" >> beam.Create(partitions, reshuffle=False)
            | "ReadPartition" >> beam.ParDo(reader)
        )


# ----------------------------------------------------------------------------
# Understanding


class _Decode(beam.DoFn):
    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.decoded = _counter("decoded")

    def process(self, message: Message):
        # an article without an id in it is named by its key, else by where it is
        fallback = source_of(message)
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


class _Normalize(beam.DoFn):
    def setup(self):
        # here, not at the top: it imports spaCy, which building the pipeline does not need
        from .enrich import normalized_record

        self.normalize = normalized_record

    def process(self, item):
        message, raw = item
        try:
            yield message, self.normalize(raw)
        except ArticleError as exc:
            yield beam.pvalue.TaggedOutput(DEAD_LETTER, Failure(message, exc.stage, exc))


class NormalizeArticles(beam.PTransform):
    """(Message, RawArticle) -> (Message, normalised record: identity,
    metadata, headline, body, content hash); articles with no body left or
    one too long to parse to the dead_letter output."""

    def expand(self, articles):
        return articles | "Normalize" >> beam.ParDo(_Normalize()).with_outputs(DEAD_LETTER, main="records")


class _Annotate(beam.DoFn):
    def __init__(self, model):
        self.model = model

    def setup(self):
        from .enrich import Enricher
        from .nlp import shared_model

        # shared: the local live mode runs one pipeline after another in this
        # process, and loading the model for each would stall the wire
        self.enricher = Enricher(shared_model(self.model))

    def process(self, item):
        message, rec = item
        ((_, result),) = list(self.enricher.annotate_many([rec]))
        if isinstance(result, ArticleError):
            yield beam.pvalue.TaggedOutput(DEAD_LETTER, Failure(message, result.stage, result))
        else:
            yield message, result


class AnnotateArticles(beam.PTransform):
    """(Message, normalised record) -> (Message, record with entity mentions,
    distinct entities and quotes); failures to the dead_letter output."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def expand(self, records):
        return records | "Annotate" >> beam.ParDo(_Annotate(self.model)).with_outputs(DEAD_LETTER, main="records")


# ----------------------------------------------------------------------------
# Deduplicating

DUPLICATES = "duplicates"


class _DropDuplicates(beam.DoFn):
    """Judges each record as it comes. Judging a whole bundle at once
    (Deduplicator.judge_many, several times faster per article) would save a
    few milliseconds a bundle (~0.1 ms an article against the ~100 ms of NLP
    each unique article then costs), but every record would wait for the
    bundle's end; when this stage sat behind the NLP, that raised the live
    p99 from 1.3 to 2.0 s in `make bench`."""

    def __init__(self, store, threshold, horizon_ms):
        self.store_url, self.threshold, self.horizon_ms = store, threshold, horizon_ms
        self.duplicates = _counter("duplicates")

    def setup(self):
        from .dedup import Deduplicator, open_store

        self.store = open_store(self.store_url)
        self.judge = Deduplicator(self.store, self.threshold, self.horizon_ms)

    def process(self, item):
        message, rec = item
        event_ms = rec["published"] if rec["published"] is not None else message.timestamp
        verdict = self.judge.judge(rec["id"], source_of(message), event_ms, rec["content_hash"], rec["body"])
        if verdict.duplicate:
            self.duplicates.inc()
            yield beam.pvalue.TaggedOutput(DUPLICATES, (message, rec, verdict))
        else:
            yield item

    def finish_bundle(self):
        # durable before the bundle's offsets are committed
        self.store.flush()

    def teardown(self):
        self.store.close()


class DropDuplicates(beam.PTransform):
    """(Message, record) -> the records that are not a copy or near copy of
    an earlier article (see dedup.py; a replay is never a copy of itself);
    duplicates to the duplicates output as (Message, record, Verdict).
    `store`: a directory for the embedded store, or redis://host:port/db."""

    def __init__(self, store, threshold, horizon_ms):
        super().__init__()
        self.args = (store, threshold, horizon_ms)

    def expand(self, records):
        return records | "Judge" >> beam.ParDo(_DropDuplicates(*self.args)).with_outputs(DUPLICATES, main="unique")


# ----------------------------------------------------------------------------
# Writing


class _Produce(beam.DoFn):
    """Sends what `to_kafka` makes of each element as it comes (so it reaches
    the topic at once); at the end of the bundle flushes and checks every
    send. If one failed, the bundle fails and its offsets are not committed."""

    def __init__(self, bootstrap, topic, to_kafka, counter):
        self.bootstrap, self.topic, self.to_kafka = bootstrap, topic, to_kafka
        self.written = _counter(counter)

    def setup(self):
        self.producer = kafka_io.make_producer(self.bootstrap)

    def start_bundle(self):
        self.pending = []

    def process(self, element):
        message, key, value, headers = self.to_kafka(element)
        self.pending.append(
            self.producer.send(self.topic, key=key, value=value, headers=headers, timestamp_ms=message.timestamp)
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
    return message, rec["id"].encode("utf-8"), record.encode(rec), kafka_io.sink_headers()


def _failure_to_kafka(failure: Failure):
    m = failure.message
    headers = kafka_io.dead_letter_headers(m.headers, m.topic, m.partition, m.offset, failure.stage, failure.error)
    return m, m.key, m.value, headers


def _duplicate_to_kafka(item):
    message, rec, verdict = item
    event = {"id": rec["id"], "duplicate_of": verdict.duplicate_of, "similarity": verdict.similarity,
             "kind": verdict.kind, "source": source_of(message)}
    return message, rec["id"].encode("utf-8"), record.encode(event, "duplicate"), kafka_io.sink_headers("duplicate")


class WriteDuplicateEvents(beam.PTransform):
    """(Message, record, Verdict) -> a small Avro `duplicate` record on the
    duplicates topic (its id, the id it duplicates, similarity, exact or
    near), keyed by the duplicate's id."""

    def __init__(self, bootstrap, topic):
        super().__init__()
        self.bootstrap, self.topic = bootstrap, topic

    def expand(self, duplicates):
        return duplicates | "Produce" >> beam.ParDo(
            _Produce(self.bootstrap, self.topic, _duplicate_to_kafka, "duplicate_events"))


class WriteArticles(beam.PTransform):
    """(Message, record) -> Avro records on the output topic, keyed by article id."""

    def __init__(self, bootstrap, topic):
        super().__init__()
        self.bootstrap, self.topic = bootstrap, topic

    def expand(self, records):
        return records | "Produce" >> beam.ParDo(_Produce(self.bootstrap, self.topic, _article_to_kafka, "written"))


class WriteDeadLetters(beam.PTransform):
    """Failures -> the original key, value, headers and timestamp on the
    dead-letter topic, with headers saying where from and why."""

    def __init__(self, bootstrap, topic):
        super().__init__()
        self.bootstrap, self.topic = bootstrap, topic

    def expand(self, failures):
        produce = _Produce(self.bootstrap, self.topic, _failure_to_kafka, "dead_lettered")
        return failures | "Produce" >> beam.ParDo(produce)


def counters(result) -> dict:
    """The pipeline's counters from a finished run, by name."""
    from apache_beam.metrics.metric import MetricsFilter

    found = result.metrics().query(MetricsFilter().with_namespace("pipeline"))["counters"]
    totals = {}
    for counter in found:
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + counter.committed
    return totals
