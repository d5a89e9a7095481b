"""From a raw article to the record consumers receive.

In: `RawArticle`s and a loaded spaCy pipeline. Out: record dicts with the
fields of `schemas/article.avsc`: identity and metadata, the normalised
headline and body, entity mentions, distinct entities and quotes. Offsets are
character offsets into `body`. Two steps, so that a duplicate can be dropped
before it costs any NLP: `normalized_record` (no model) and
`Enricher.annotate_many` (the model); `Enricher.enrich_many` does both.
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


def normalized_record(raw: RawArticle) -> dict:
    """RawArticle -> the record's identity, metadata, normalised headline and
    body and content hash: everything but the NLP fields, which is all that
    judging duplicates needs. Raises ArticleError (stage "normalize") when no
    body is left or the body is too long to parse."""
    clean = clean_article(raw.text, raw.title)
    if not comparison_key(clean.body):  # nothing but spaces, marks or invisible characters
        raise ArticleError("article has no body text after clean-up", "normalize")
    if len(clean.body) > MAX_BODY_CHARS:
        raise ArticleError(f"article body is {len(clean.body)} characters, over {MAX_BODY_CHARS}", "normalize")
    return {
        "id": raw.id,
        "url": raw.url,
        "source": raw.source,
        "published": raw.published_ms,
        "headline": clean.headline,
        "body": clean.body,
        "content_hash": content_hash(clean.headline, clean.body),
    }


class Enricher:
    """Adds entities and quotes to normalised records with one spaCy pipeline."""

    def __init__(self, nlp, batch_size: int = 16):
        self.nlp = nlp
        self.batch_size = batch_size
        self.model = model_label(nlp)

    def build(self, rec: dict, doc) -> dict:
        """(normalised record, parsed body) -> the full record."""
        resolver = resolver_for(doc)
        mentions, entities = extract_entities(doc, resolver)
        quotes = extract_quotes(doc, resolver)
        return dict(rec, entity_mentions=mentions, entities=entities,
                    quotes=[q.to_dict() for q in quotes], nlp_model=self.model)

    def annotate_many(self, recs):
        """Iterable of normalised records -> iterable of (record, full record
        or ArticleError (stage "extract")), in input order; parsing is batched
        with `nlp.pipe`."""
        chunk = []
        for rec in recs:
            chunk.append(rec)
            if len(chunk) >= self.batch_size * 4:
                yield from self._annotate_chunk(chunk)
                chunk = []
        if chunk:
            yield from self._annotate_chunk(chunk)

    def _annotate_chunk(self, recs):
        # Every new word a text brings (a number, a name) would stay in the
        # model's vocabulary and tokenizer cache for good, so a long-running
        # job grows without end; in a memory zone (spaCy >= 3.8) they are
        # dropped when it closes. Docs must not outlive the zone: the
        # records built from them are plain Python.
        out = []
        with self.nlp.memory_zone():
            for rec, doc in zip(recs, self._parse(recs)):
                if isinstance(doc, Exception):
                    out.append((rec, _extract_error(doc)))
                    continue
                try:
                    out.append((rec, self.build(rec, doc)))
                except Exception as exc:  # noqa: BLE001 - one bad article must not stop the rest
                    out.append((rec, _extract_error(exc)))
        return out

    def _parse(self, recs) -> list:
        """A Doc for each record's body, or the exception parsing it raised.
        A batch that fails is parsed again article by article, so one bad
        article fails alone."""
        try:
            return list(self.nlp.pipe((rec["body"] for rec in recs), batch_size=self.batch_size))
        except Exception:  # noqa: BLE001 - find the culprit below
            docs = []
            for rec in recs:
                try:
                    docs.append(self.nlp(rec["body"]))
                except Exception as exc:  # noqa: BLE001 - kept as this article's error
                    docs.append(exc)
            return docs

    def enrich_many(self, raws):
        """Iterable of RawArticle -> iterable of (raw, record or ArticleError),
        in input order: normalised, then annotated in batches."""
        normalized = []
        for raw in raws:
            try:
                normalized.append((raw, normalized_record(raw)))
            except ArticleError as exc:
                normalized.append((raw, exc))
        annotated = iter(self.annotate_many(rec for _, rec in normalized if not isinstance(rec, ArticleError)))
        for raw, rec in normalized:
            yield raw, rec if isinstance(rec, ArticleError) else next(annotated)[1]

    def enrich(self, raw: RawArticle) -> dict:
        """One article -> record; raises ArticleError."""
        (_, result), = self.enrich_many([raw])
        if isinstance(result, ArticleError):
            raise result
        return result
