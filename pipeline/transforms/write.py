"""Writing to Kafka: article records, duplicate events and dead letters.

Each sink is an encode step (element -> key, value and headers; guarded, so
a record that cannot be encoded or is too large becomes a dead letter) and
one producer DoFn. The producer survives the broker going away: it retries
until the broker is back (see _Produce), so a bundle is never lost and never
committed before its writes are."""
from __future__ import annotations

import logging
import time
from typing import NamedTuple

import apache_beam as beam

from .. import monitoring, progress
from ..kafka import clients, headers
from ..kafka.headers import MAX_MESSAGE_BYTES, Failure, Message, dead_letter, message_size, source_of
from ..news import events, record
from .guard import DEAD_LETTER, GuardedDoFn
from .metrics import Counter
from .read import STOP

_LOG = logging.getLogger(__name__)


class Outgoing(NamedTuple):
    """A message to send: the Message it comes from, key, value, headers."""

    message: Message
    key: bytes | None
    value: bytes | None
    headers: list


class MessageTooLarge(ValueError):
    """A record that would not fit in one Kafka message."""


def _article_to_kafka(item) -> Outgoing:
    message, rec = item
    extra = [(headers.WARNING, w.encode("utf-8", errors="replace")) for w in message.warnings]
    return Outgoing(message, rec["id"].encode("utf-8"), record.encode(rec), headers.sink_headers() + extra)


def _duplicate_to_kafka(item) -> Outgoing:
    message, rec, verdict = item
    event = {"id": rec["id"], "duplicate_of": verdict.duplicate_of, "similarity": verdict.similarity,
             "kind": verdict.kind, "source": source_of(message)}
    return Outgoing(message, rec["id"].encode("utf-8"), record.encode(event, "duplicate"),
                    headers.sink_headers("duplicate"))


def _events_to_kafka(name: str, events_of):
    """(schema name, record -> [(key, event)]) -> element -> [Outgoing]: the
    events of one written article, each with the article's warnings."""

    def to_kafka(item) -> list[Outgoing]:
        message, rec = item
        extra = [(headers.WARNING, w.encode("utf-8", errors="replace")) for w in message.warnings]
        return [Outgoing(message, key.encode("utf-8"), record.encode(event, name), headers.sink_headers(name) + extra)
                for key, event in events_of(rec)]

    return to_kafka


def _failure_to_kafka(failure: Failure) -> Outgoing:
    return Outgoing(failure.message, *dead_letter(failure.message, failure.stage, failure.error))


class _Encode(GuardedDoFn):
    """element -> Outgoing; one that fails to encode or is over the size
    limit goes to the dead-letter output (stage encode)."""

    stage = "encode"

    def __init__(self, to_kafka, limit=MAX_MESSAGE_BYTES):
        super().__init__()
        self.to_kafka, self.limit = to_kafka, limit

    def handle(self, element):
        outs = self.to_kafka(element)
        # all of an element's messages are encoded before the first goes
        # out: one that fails makes the element a dead letter, not half-sent
        outs = [outs] if isinstance(outs, Outgoing) else outs
        for out in outs:
            size = message_size(out.key, out.value, out.headers)
            if size > self.limit:
                raise MessageTooLarge(f"the encoded record is {size} bytes, over the message limit of {self.limit}")
        yield from outs


# Errors of one record that sending again cannot cure: that record becomes a
# dead letter (stage produce) and the rest of the bundle goes on.
_RECORD_ERRORS = ("MessageSizeTooLargeError", "RecordListTooLargeError", "InvalidRecordError", "CorruptRecordError")
# Errors after which the producer itself is rebuilt (the broker forgot its
# producer id: it restarted, or the outage outlived the id).
_REBUILD_ERRORS = ("UnknownProducerIdError", "OutOfOrderSequenceNumberError", "IllegalStateError")
_BACKOFF_S = (0.5, 1, 2, 4, 5)  # waits between tries while the broker is away; then 5 s


def _retriable(exc: BaseException) -> bool:
    return bool(getattr(exc, "retriable", False)) or type(exc).__name__ in _REBUILD_ERRORS


class _Produce(beam.DoFn):
    """Sends each Outgoing as it comes (so it reaches the topic at once); at
    the end of the bundle flushes and checks every send. While the broker is
    unreachable it keeps trying (with backoff, one log line when the outage
    starts and one when it ends), rebuilding the producer when the broker
    has forgotten it; so a bundle's offsets are committed only after all its
    sends succeeded, and an outage costs time, not messages. A record the
    broker refuses for itself (too large, invalid) goes to the dead-letter
    topic without its value. Stopping the job during an outage fails the
    bundle: nothing of it is committed, and a restart reads it again."""

    def __init__(self, bootstrap, topic, dead_letter_topic, counter):
        self.bootstrap, self.topic, self.dead_letter_topic = bootstrap, topic, dead_letter_topic
        self.written = Counter(counter)
        self.refused = Counter("refused_by_broker")

    def setup(self):
        self.producer = clients.make_producer(self.bootstrap)

    def start_bundle(self):
        self.pending = []  # (Outgoing, future)

    def _send(self, out: Outgoing, topic=None):
        return self.producer.send(topic or self.topic, key=out.key, value=out.value, headers=out.headers,
                                  timestamp_ms=out.message.timestamp)

    def process(self, out: Outgoing):
        self.pending.append((out, self._with_retries(lambda: self._send(out))))

    def _with_retries(self, attempt):
        """attempt() until it does not raise a retriable error."""
        tries = 0
        while True:
            try:
                result = attempt()
            except Exception as exc:  # noqa: BLE001 - classified below; anything else is re-raised
                if not _retriable(exc):
                    raise
                self._outage(exc, tries)
                tries += 1
                continue
            self._recovered()
            return result

    def _outage(self, exc, tries):
        if STOP.is_set():
            raise RuntimeError(f"stopped while the broker {self.bootstrap} was unreachable: "
                               f"{len(self.pending)} messages of this bundle not confirmed, nothing committed") from exc
        progress.WATCH.down(self.bootstrap, f"{type(exc).__name__}: {exc}")
        time.sleep(_BACKOFF_S[min(tries, len(_BACKOFF_S) - 1)])
        if type(exc).__name__ in _REBUILD_ERRORS or tries % 4 == 3:
            self._rebuild()

    def _recovered(self):
        progress.WATCH.up(self.bootstrap)

    def _rebuild(self):
        old, self.producer = self.producer, None
        try:
            old.close(timeout=1)
        except Exception as exc:  # noqa: BLE001 - the old producer is being thrown away
            _LOG.debug("closing the old producer: %s", exc)
        self.producer = clients.make_producer(self.bootstrap)

    def finish_bundle(self):
        sent = 0
        while self.pending:
            self._with_retries(lambda: self.producer.flush(timeout=30))
            again = []
            for out, future in self.pending:
                exc = future.exception if future.is_done else None
                if future.is_done and future.succeeded():
                    sent += 1
                    if out.message.timestamp and out.message.timestamp > 0:
                        monitoring.END_TO_END.labels(self.written.name).observe(
                            max(0.0, time.time() - out.message.timestamp / 1000))
                elif exc is not None and type(exc).__name__ in _RECORD_ERRORS:
                    self._refused(out, exc)
                elif exc is not None and not _retriable(exc):
                    raise exc
                else:  # failed for a while, or not done: send it again
                    again.append(out)
            self.pending = []
            for out in again:
                self.pending.append((out, self._with_retries(lambda out=out: self._send(out))))
        if sent:
            self.written.inc(sent)

    def _refused(self, out: Outgoing, exc):
        """A record the broker refused for itself -> a value-less dead letter."""
        self.refused.inc()
        key, _, letter = dead_letter(out.message, "produce", exc, without_value=True)
        future = self._with_retries(
            lambda: self.producer.send(self.dead_letter_topic, key=key, value=None, headers=letter,
                                       timestamp_ms=out.message.timestamp))
        self.producer.flush(timeout=30)
        future.get(timeout=30)

    def teardown(self):
        if self.producer is not None:
            self.producer.close()


class _WriteToTopic(beam.PTransform):
    """Elements -> messages on one topic; the failures of encoding come out
    (to be written as dead letters). A subclass names how an element becomes
    an Outgoing and the counter of sends."""

    to_kafka = staticmethod(_article_to_kafka)
    counter = "written"

    def __init__(self, bootstrap, topic, dead_letter_topic):
        super().__init__()
        self.bootstrap, self.topic, self.dead_letter_topic = bootstrap, topic, dead_letter_topic

    def expand(self, elements):
        encoded = elements | "Encode" >> beam.ParDo(_Encode(self.to_kafka)).with_outputs(DEAD_LETTER, main="messages")
        encoded.messages | "Produce" >> beam.ParDo(
            _Produce(self.bootstrap, self.topic, self.dead_letter_topic, self.counter))
        return encoded[DEAD_LETTER]


class WriteArticles(_WriteToTopic):
    """(Message, record) -> Avro records on the output topic, keyed by
    article id; records that cannot be written come out as Failures."""


class WriteDuplicateEvents(_WriteToTopic):
    """(Message, record, Verdict) -> a small Avro `duplicate` record on the
    duplicates topic (its id, the id it duplicates, similarity, exact or
    near, where it was read), keyed by the duplicate's id; failures come out."""

    to_kafka = staticmethod(_duplicate_to_kafka)
    counter = "duplicate_events"


class WriteQuoteEvents(_WriteToTopic):
    """(Message, record) -> one Avro `quote` event per quote of the article
    on the quotes topic, keyed by the speaker's name lower-cased (the article
    id without a named speaker; see news/events.py); failures come out."""

    to_kafka = staticmethod(_events_to_kafka("quote", events.quote_events))
    counter = "quote_events"


class WriteEntityEvents(_WriteToTopic):
    """(Message, record) -> one Avro `entity` event per distinct entity of
    the article on the entities topic, keyed by name and label; failures
    come out."""

    to_kafka = staticmethod(_events_to_kafka("entity", events.entity_events))
    counter = "entity_events"


class WriteDeadLetters(beam.PTransform):
    """Failures -> the original key, value, headers and timestamp on the
    dead-letter topic, with headers saying where from and why (what does
    not fit in a message is left out and named; see headers.dead_letter)."""

    def __init__(self, bootstrap, topic):
        super().__init__()
        self.bootstrap, self.topic = bootstrap, topic

    def expand(self, failures):
        return (failures
                | "Encode" >> beam.Map(_failure_to_kafka)
                | "Produce" >> beam.ParDo(_Produce(self.bootstrap, self.topic, self.topic, "dead_lettered")))
