"""Understanding articles: decoding messages, normalising, finding entities
and quotes. The domain work is in pipeline.news; these only wire it in."""
from __future__ import annotations

import threading
import time

import apache_beam as beam
from apache_beam.utils.windowed_value import WindowedValue

from .. import monitoring
from ..kafka.headers import Message, read_at
from ..news.articles import DEFAULT_WINDOW, ArticleError, parse_message
from .guard import DEAD_LETTER, GuardedDoFn
from .metrics import Counter


class _Decode(GuardedDoFn):
    stage = "decode"

    def __init__(self, max_bytes, window=DEFAULT_WINDOW):
        super().__init__()
        self.max_bytes, self.window = max_bytes, window
        self.decoded = Counter("decoded")
        self.warned = Counter("warnings")

    def handle(self, message: Message):
        # an article without an id in it is named by its key, else by where it is
        fallback = read_at(message)
        if message.key:
            fallback = message.key.decode("utf-8", errors="replace")
        raw = parse_message(message.value or b"", fallback, self.max_bytes, self.window)
        self.decoded.inc()
        if raw.warnings:
            self.warned.inc(len(raw.warnings))
            message = message._replace(warnings=raw.warnings)
        yield message, raw


class DecodeArticles(beam.PTransform):
    """Messages -> (Message, RawArticle); unreadable ones to the dead_letter
    output. A published time outside `window` is left out of the article and
    named in the Message's warnings."""

    def __init__(self, max_bytes, window=DEFAULT_WINDOW):
        super().__init__()
        self.max_bytes, self.window = max_bytes, window

    def expand(self, messages):
        return messages | "Decode" >> beam.ParDo(_Decode(self.max_bytes, self.window)).with_outputs(
            DEAD_LETTER, main="articles")


class _Normalize(GuardedDoFn):
    stage = "normalize"

    def setup(self):
        # here, not at the top: it imports spaCy, which building the pipeline does not need
        from ..news.enrich import normalized_record

        self.normalize = normalized_record

    def handle(self, item):
        message, raw = item
        yield message, self.normalize(raw)


class NormalizeArticles(beam.PTransform):
    """(Message, RawArticle) -> (Message, normalised record: identity,
    metadata, headline, body, content hash); articles with no body left or
    one too long to parse to the dead_letter output."""

    def expand(self, articles):
        return articles | "Normalize" >> beam.ParDo(_Normalize()).with_outputs(DEAD_LETTER, main="records")


# One lock per loaded model in this process: the model is shared by every
# annotating DoFn of the process (see _Annotate.setup), and a runner that
# runs bundles on several threads must not open one spaCy memory zone
# inside another.
_MODEL_LOCKS: dict[str, threading.Lock] = {}
_MODEL_LOCKS_GUARD = threading.Lock()


def _model_lock(name: str) -> threading.Lock:
    with _MODEL_LOCKS_GUARD:
        return _MODEL_LOCKS.setdefault(name, threading.Lock())


# One Enricher per (model, batch size, token budget) in this process, used
# under its model's lock: the local live mode sets up a new pipeline every
# segment, and a new Enricher cost 0.2-0.3 s of the hand-over (a copy of the
# tokenizer) and started with none of the words the last one had kept.
_ENRICHERS: dict[tuple, object] = {}


def shared_enricher(model: str, batch_size: int, max_tokens):
    """The process's Enricher for these settings, made on first use (thread-safe)."""
    from ..news.enrich import Enricher
    from ..news.language import shared_detector
    from ..news.nlp import shared_model

    # loaded before taking the guard: a load in progress takes seconds
    nlp, detector = shared_model(model), shared_detector()
    key = (model, batch_size, max_tokens)
    with _MODEL_LOCKS_GUARD:
        if key not in _ENRICHERS:
            kwargs = {} if max_tokens is None else {"max_tokens": max_tokens}
            _ENRICHERS[key] = Enricher(nlp, batch_size=batch_size, detector=detector, **kwargs)
        return _ENRICHERS[key]


class _Annotate(GuardedDoFn):
    """(Message, record) -> (Message, annotated record), parsed `batch_size`
    at a time with nlp.pipe (a fixed cost per call: batching pays). A batch
    is what one bundle brought, at most: the rest is parsed when the bundle
    ends, so a record never waits for articles that have not arrived."""

    stage = "extract"

    def __init__(self, model, batch_size=16, max_tokens=None):
        super().__init__()
        self.model, self.batch_size, self.max_tokens = model, batch_size, max_tokens

    def setup(self):
        # shared: the local live mode runs one pipeline after another in this
        # process, and loading the model for each would stall the wire
        self.enricher = shared_enricher(self.model, self.batch_size, self.max_tokens)
        self.lock = _model_lock(self.model)

    def start_bundle(self):
        self.waiting = []  # (element, timestamp, window)

    def process(self, item, timestamp=beam.DoFn.TimestampParam, window=beam.DoFn.WindowParam):
        self.waiting.append((item, timestamp, window))
        if len(self.waiting) >= self.batch_size:
            for out, _, _ in self._annotate():
                yield out

    def finish_bundle(self):
        for out, timestamp, window in self._annotate():
            if isinstance(out, beam.pvalue.TaggedOutput):
                yield beam.pvalue.TaggedOutput(out.tag, WindowedValue(out.value, timestamp, [window]))
            else:
                yield WindowedValue(out, timestamp, [window])

    def _annotate(self):
        """The waiting records, annotated -> [(output, timestamp, window)]."""
        waiting, self.waiting = self.waiting, []
        if not waiting:
            return []
        with self.lock:
            started = time.perf_counter()
            try:
                results = [result for _, result in self.enricher.annotate_many([item[1] for item, _, _ in waiting])]
            except Exception:  # noqa: BLE001 - the batch failed as a whole: each article on its own below
                results = [self._one(item[1]) for item, _, _ in waiting]
            each = (time.perf_counter() - started) / len(waiting)
        for _ in waiting:
            monitoring.NLP_SECONDS.observe(each)
        outputs = []
        for (item, timestamp, window), result in zip(waiting, results):
            out = self.failure(item, result) if isinstance(result, Exception) else (item[0], result)
            outputs.append((out, timestamp, window))
        return outputs

    def _one(self, rec):
        try:
            ((_, result),) = list(self.enricher.annotate_many([rec]))
        except Exception as exc:  # noqa: BLE001 - this article's own failure, a dead letter
            return exc
        return result


class AnnotateArticles(beam.PTransform):
    """(Message, normalised record) -> (Message, record with entity mentions,
    distinct entities and quotes); failures to the dead_letter output."""

    def __init__(self, model, batch_size=16, max_tokens=None):
        super().__init__()
        self.model, self.batch_size, self.max_tokens = model, batch_size, max_tokens

    def expand(self, records):
        annotate = _Annotate(self.model, self.batch_size, self.max_tokens)
        return records | "Annotate" >> beam.ParDo(annotate).with_outputs(
            DEAD_LETTER, main="records")
