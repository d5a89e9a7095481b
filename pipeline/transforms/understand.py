"""Understanding articles: decoding messages, normalising, finding entities
and quotes. The domain work is in pipeline.news; these only wire it in."""
from __future__ import annotations

import apache_beam as beam

from ..kafka.headers import Failure, Message, source_of
from ..news.articles import ArticleError, parse_message
from .metrics import Counter

DEAD_LETTER = "dead_letter"



class _Decode(beam.DoFn):
    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.decoded = Counter("decoded")

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
        from ..news.enrich import normalized_record

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
        from ..news.enrich import Enricher
        from ..news.nlp import shared_model

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
