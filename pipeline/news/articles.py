"""Reading raw articles: JSON envelopes, JSON lines and plain UTF-8 text.

In: bytes (a Kafka message value, a file's contents). Out: `RawArticle`s, or
an `ArticleError` saying why the input cannot be read. Nothing here knows
about Beam or Kafka; the same code serves `enrich` and the streaming job.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

DEFAULT_MAX_ARTICLE_BYTES = 1_000_000

# Envelope keys we accept for each field, first match wins. `title` and
# `headline` are optional; without them the first line of the text is the title.
_TEXT_KEYS = ("text", "body", "content")
_TITLE_KEYS = ("title", "headline")
_TIME_KEYS = ("published", "published_at", "publish_date", "date", "timestamp")


class ArticleError(ValueError):
    """An input that cannot become an article. `stage` names the step that
    refused it (decode, validate, extract), for dead-letter headers."""

    def __init__(self, reason: str, stage: str = "decode"):
        super().__init__(reason)
        self.stage = stage


@dataclass(frozen=True)
class RawArticle:
    """An article as received: identity, metadata and unprocessed text."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_ms: int | None = None  # epoch milliseconds, UTC


def parse_time(value) -> int | None:
    """Epoch milliseconds from an ISO-8601 string or epoch seconds/millis."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ArticleError(f"published time is not a time: {value!r}", "validate")
    if isinstance(value, (int, float)):
        # Values below 10^11 are seconds (10^11 s is the year 5138).
        return int(value * 1000) if abs(value) < 1e11 else int(value)
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ArticleError(f"published time is not ISO-8601: {value!r}", "validate") from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return int(moment.timestamp() * 1000)
    raise ArticleError(f"published time is not a time: {value!r}", "validate")


def _first(envelope: dict, keys) -> object:
    for key in keys:
        if envelope.get(key) not in (None, ""):
            return envelope[key]
    return None


def _optional_str(envelope: dict, key: str) -> str | None:
    value = envelope.get(key)
    if value is None:
        return None
    if not isinstance(value, (str, int)):
        raise ArticleError(f"field {key!r} must be a string, got {type(value).__name__}", "validate")
    return str(value)


def from_envelope(envelope: object, fallback_id: str) -> RawArticle:
    """A JSON envelope (already parsed) -> RawArticle; `fallback_id` when it has no id."""
    if not isinstance(envelope, dict):
        raise ArticleError(f"JSON value is a {type(envelope).__name__}, not an object", "validate")
    try:
        return _validated(envelope, fallback_id)
    except ArticleError as exc:
        if isinstance(envelope.get("id"), (str, int)):
            exc.args = (f"article {envelope['id']}: {exc}",)
        raise


def _validated(envelope: dict, fallback_id: str) -> RawArticle:
    text = _first(envelope, _TEXT_KEYS)
    if text is None:
        raise ArticleError("JSON envelope has no text (expected one of: text, body, content)", "validate")
    if not isinstance(text, str):
        raise ArticleError(f"article text must be a string, got {type(text).__name__}", "validate")
    if not text.strip():
        raise ArticleError("article text is empty", "validate")
    title = _first(envelope, _TITLE_KEYS)
    if title is not None and not isinstance(title, str):
        raise ArticleError("article title must be a string", "validate")
    article_id = _optional_str(envelope, "id") or fallback_id
    return RawArticle(
        id=article_id,
        text=text,
        title=title,
        url=_optional_str(envelope, "url"),
        source=_optional_str(envelope, "source"),
        published_ms=parse_time(_first(envelope, _TIME_KEYS)),
    )


def decode_text(data: bytes, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> str:
    """Bytes -> str, refusing oversized and non-UTF-8 input."""
    if len(data) > max_bytes:
        raise ArticleError(f"article is {len(data)} bytes, over the limit of {max_bytes}", "validate")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8: {exc}", "decode") from exc


def parse_message(data: bytes, fallback_id: str, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> RawArticle:
    """One message (one article): a JSON object envelope, or plain text whose
    first non-empty line is the title."""
    text = decode_text(data, max_bytes)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            envelope = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ArticleError(f"invalid JSON: {exc}", "decode") from exc
        return from_envelope(envelope, fallback_id)
    if not stripped:
        raise ArticleError("article text is empty", "validate")
    return RawArticle(id=fallback_id, text=text)


def _named(exc: ArticleError, name: str) -> ArticleError:
    """The same error, its message prefixed with where the input came from."""
    exc.args = (f"{name}: {exc}",)
    return exc


def parse_file(data: bytes, name: str, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES):
    """A file's contents -> a list of (RawArticle or ArticleError).

    A file holding one JSON object is one envelope; a file whose lines are
    JSON objects is JSON lines (ids default to NAME:LINE); anything else is one
    plain-text article whose id is NAME.
    """
    try:
        text = decode_text(data, max_bytes=max(max_bytes, len(data)))
    except ArticleError as exc:
        return [_named(exc, name)]
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            return [from_envelope(json.loads(stripped), name)]
        except json.JSONDecodeError:
            pass  # not one object: try JSON lines below
        except ArticleError as exc:
            return [_named(exc, name)]
        results = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            line_id = f"{name}:{number}"
            if not line.lstrip().startswith("{"):
                results.append(ArticleError(f"{line_id}: line is not a JSON object", "decode"))
                continue
            try:
                results.append(parse_message(line.encode("utf-8"), line_id, max_bytes))
            except ArticleError as exc:
                results.append(_named(exc, line_id))
        return results
    try:
        return [parse_message(data, name, max_bytes)]
    except ArticleError as exc:
        return [_named(exc, name)]
