"""From a raw article to the record consumers receive.

In: `RawArticle`s and a loaded spaCy pipeline. Out: record dicts with the
fields of `schemas/article.avsc`: identity and metadata, the normalised
headline and body, entity mentions, distinct entities and quotes. Offsets are
character offsets into `body`.
"""
from __future__ import annotations

import hashlib

from .articles import ArticleError, RawArticle
from .entities import extract_entities, resolver_for
from .normalize import clean_article, comparison_key
from .quotes import extract_quotes
from .nlp import model_label

# spaCy's parser and NER cost grows with document length; a very long text is
# almost always a scraping accident (a whole page, a forum thread).
MAX_BODY_CHARS = 100_000


def content_hash(headline: str, body: str) -> str:
    """Hash of the normalised content: equal for exact copies of an article
    whatever their whitespace, case or punctuation."""
    key = comparison_key(headline) + "\n" + comparison_key(body)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _extract_error(exc: Exception) -> ArticleError:
    error = ArticleError(f"extraction failed: {type(exc).__name__}: {exc}", "extract")
    error.__cause__ = exc
    return error


class Enricher:
    """Turns raw articles into records with one spaCy pipeline."""

    def __init__(self, nlp, batch_size: int = 16):
        self.nlp = nlp
        self.batch_size = batch_size
        self.model = model_label(nlp)

    def prepare(self, raw: RawArticle):
        """RawArticle -> (raw, CleanArticle); ArticleError if nothing is left."""
        clean = clean_article(raw.text, raw.title)
        if not clean.body.strip():
            raise ArticleError("article has no body text after clean-up", "normalize")
        if len(clean.body) > MAX_BODY_CHARS:
            raise ArticleError(
                f"article body is {len(clean.body)} characters, over {MAX_BODY_CHARS}", "normalize"
            )
        return raw, clean

    def build(self, raw: RawArticle, clean, doc) -> dict:
        """(raw, clean, parsed body) -> record dict."""
        resolver = resolver_for(doc)
        mentions, entities = extract_entities(doc, resolver)
        quotes = extract_quotes(doc, resolver)
        return {
            "id": raw.id,
            "url": raw.url,
            "source": raw.source,
            "published": raw.published_ms,
            "headline": clean.headline,
            "body": clean.body,
            "content_hash": content_hash(clean.headline, clean.body),
            "entity_mentions": mentions,
            "entities": entities,
            "quotes": [q.to_dict() for q in quotes],
            "nlp_model": self.model,
        }

    def enrich_many(self, raws):
        """Iterable of RawArticle -> iterable of (raw, record or ArticleError),
        in input order; parsing is batched with `nlp.pipe`."""
        chunk = []
        for raw in raws:
            chunk.append(raw)
            if len(chunk) >= self.batch_size * 4:
                yield from self._enrich_chunk(chunk)
                chunk = []
        if chunk:
            yield from self._enrich_chunk(chunk)

    def _enrich_chunk(self, raws):
        prepared = []
        for raw in raws:
            try:
                prepared.append(self.prepare(raw))
            except ArticleError as exc:
                prepared.append((raw, exc))
        ready = [clean for _, clean in prepared if not isinstance(clean, ArticleError)]
        parsed = self._parse(ready)
        for raw, clean in prepared:
            if isinstance(clean, ArticleError):
                yield raw, clean
                continue
            doc = parsed[id(clean)]
            if isinstance(doc, Exception):
                yield raw, _extract_error(doc)
                continue
            try:
                yield raw, self.build(raw, clean, doc)
            except Exception as exc:  # noqa: BLE001 - one bad article must not stop the rest
                yield raw, _extract_error(exc)

    def _parse(self, cleans) -> dict:
        """id(clean) -> Doc, or the exception parsing that article raised.
        A batch that fails is parsed again article by article, so one bad
        article fails alone."""
        try:
            docs = list(self.nlp.pipe((c.body for c in cleans), batch_size=self.batch_size))
            return {id(c): doc for c, doc in zip(cleans, docs)}
        except Exception:  # noqa: BLE001 - find the culprit below
            parsed = {}
            for clean in cleans:
                try:
                    parsed[id(clean)] = self.nlp(clean.body)
                except Exception as exc:  # noqa: BLE001 - kept as this article's error
                    parsed[id(clean)] = exc
            return parsed

    def enrich(self, raw: RawArticle) -> dict:
        """One article -> record; raises ArticleError."""
        (_, result), = self.enrich_many([raw])
        if isinstance(result, ArticleError):
            raise result
        return result
