"""Reading raw articles: JSON envelopes, JSON lines and plain UTF-8 text.

In: bytes (a Kafka message value, a file's contents). Out: `RawArticle`s, or
an `ArticleError` saying why the input cannot be read. Nothing here knows
about Beam or Kafka; the same code serves `enrich` and the streaming job.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from .bylines import MAX_AUTHORS, MAX_NAME_CHARS, agency_name, envelope_name, split_names

DEFAULT_MAX_ARTICLE_BYTES = 1_000_000
DAY_MS = 24 * 3600 * 1000
# A published time outside [EARLIEST_PUBLISHED_MS, now + DEFAULT_MAX_FUTURE_MS]
# is not trusted: it is left out of the record (with a warning), so a typo or
# an attack cannot write a date no Avro reader can show, nor move the
# duplicate store's clock.
EARLIEST_PUBLISHED_MS = -5364662400000  # 1800-01-01T00:00:00Z
DEFAULT_MAX_FUTURE_MS = DAY_MS
# JSON limits: an envelope is a flat object; deeper nesting or longer
# integers are an attack or a bug, and Python's own limits (recursion, 4,300
# digits) would fail later with less clear errors.
MAX_JSON_DEPTH = 20
MAX_INT_DIGITS = 30

# Envelope keys we accept for each field, first match wins. `title` and
# `headline` are optional; without them the first line of the text is the title.
_TEXT_KEYS = ("text", "body", "content")
_TITLE_KEYS = ("title", "headline")
_TIME_KEYS = ("published", "published_at", "publish_date", "date", "timestamp")
# Authors: the first of these that names anyone. A list holds one name per
# item, taken as written (spaces folded, a name in capitals title-cased); a
# string is a byline and is split like one ("By A and B, CNN" -> A, B), so
# "Doe, Jane" would be two names: a sender who writes names that way sends
# a list.
_AUTHOR_KEYS = ("authors", "author", "byline")


class ArticleError(ValueError):
    """An input that cannot become an article. `stage` names the step that
    refused it (decode, validate, extract), for dead-letter headers."""

    def __init__(self, reason: str, stage: str = "decode"):
        super().__init__(reason)
        self.stage = stage


@dataclass(frozen=True)
class RawArticle:
    """An article as received: identity, metadata and unprocessed text;
    `warnings` says what was left out because it could not be trusted."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_ms: int | None = None  # epoch milliseconds, UTC
    warnings: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()  # from the envelope; the text's byline is read in normalisation
    credit: str | None = None  # the wire agency the envelope credits


@dataclass(frozen=True)
class TimeWindow:
    """The published times that are trusted: from `earliest_ms` to
    `max_future_ms` past the clock's now (epoch milliseconds)."""

    earliest_ms: int = EARLIEST_PUBLISHED_MS
    max_future_ms: int = DEFAULT_MAX_FUTURE_MS
    clock: object = time.time  # seconds since the epoch, as time.time

    def admits(self, ms: int) -> bool:
        return self.earliest_ms <= ms <= self.clock() * 1000 + self.max_future_ms


DEFAULT_WINDOW = TimeWindow()


def parse_time(value) -> int | None:
    """Epoch milliseconds from an ISO-8601 string or epoch seconds/millis."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ArticleError(f"published time is not a time: {value!r}", "validate")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ArticleError(f"published time is not a number: {value!r}", "validate")
        # Values below 10^11 are seconds (10^11 s is the year 5138).
        return round(value * 1000) if abs(value) < 1e11 else round(value)
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        if len(text) > 64:
            raise ArticleError(f"published time is not ISO-8601: {value[:64]!r}...", "validate")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ArticleError(f"published time is not ISO-8601: {value!r}", "validate") from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        # exact integer arithmetic: timestamp() is a float, and at the ends of
        # the calendar (year 1 at +14:00) a naive conversion overflows
        delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
        return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000
    raise ArticleError(f"published time is not a time: {type(value).__name__}", "validate")


def trusted_time(value, window: TimeWindow = DEFAULT_WINDOW) -> tuple[int | None, str | None]:
    """A published value -> (epoch ms, None), or (None, warning) when it is
    a time outside `window`. Raises ArticleError when it is not a time."""
    ms = parse_time(value)
    if ms is None or window.admits(ms):
        return ms, None
    shown = value if isinstance(value, str) else repr(value)
    return None, f"published time {shown[:64]} is outside the trusted range; left out"


def _first(envelope: dict, keys) -> object:
    for key in keys:
        if envelope.get(key) not in (None, ""):
            return envelope[key]
    return None


def _optional_str(envelope: dict, key: str) -> str | None:
    value = envelope.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ArticleError(f"field {key!r} must be a string, got {type(value).__name__}", "validate")
    return _unicode(str(value), key)


def _unicode(text: str, field: str) -> str:
    """`text` if it is valid Unicode; JSON's escapes let a lone surrogate
    ("\\ud800") through, which no UTF-8 encoder (Kafka keys, Avro) accepts."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ArticleError(f"field {field!r} is not valid Unicode: {exc.reason} at {exc.start}", "validate") from exc
    return text


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def envelope_authors(envelope: dict) -> tuple[tuple[str, ...], list[str]]:
    """The authors an envelope names -> (names, warnings). Hostile values
    cost a warning, never the article: a value of the wrong type, items
    that are not strings or not valid Unicode, names over MAX_NAME_CHARS
    characters are left out; at most MAX_AUTHORS names are kept."""
    warnings = []
    for key in _AUTHOR_KEYS:
        value = envelope.get(key)
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, str):
            items, split = [value], True
        elif isinstance(value, list):
            items, split = value, False
        else:
            kind = type(value).__name__
            warnings.append(f"field {key!r} must be a string or a list of strings, got {kind}; left out")
            continue
        names, left_out = [], set()
        for item in items:
            if len(names) >= MAX_AUTHORS:
                left_out.add(f"more than {MAX_AUTHORS} names (kept the first {MAX_AUTHORS})")
                break
            if not isinstance(item, str):
                left_out.add(f"an item of type {type(item).__name__}, not a string")
                continue
            if not item.strip():
                continue
            if not _is_unicode(item[: MAX_AUTHORS * 4 * MAX_NAME_CHARS]):
                left_out.add("a name that is not valid Unicode")
                continue
            found = split_names(item) if split else [envelope_name(item)]
            for name in found:
                if name is None:
                    left_out.add(f"a name over {MAX_NAME_CHARS} characters")
                elif name in names:
                    continue
                elif len(names) < MAX_AUTHORS:
                    names.append(name)
                else:
                    left_out.add(f"more than {MAX_AUTHORS} names (kept the first {MAX_AUTHORS})")
        warnings.extend(f"field {key!r}: {reason}; left out" for reason in sorted(left_out))
        if names:
            return tuple(names), warnings
    return (), warnings


def envelope_credit(envelope: dict) -> tuple[str | None, str | None]:
    """The envelope's `credit` -> (agency, warning): a known agency by its
    usual name ("AP" -> "Associated Press"), another name as written; None
    with a warning when it is not a string, not valid Unicode or longer
    than MAX_NAME_CHARS."""
    value = envelope.get("credit")
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        return None, f"field 'credit' must be a string, got {type(value).__name__}; left out"
    text = " ".join(value[: 4 * MAX_NAME_CHARS].split())
    if len(text) > MAX_NAME_CHARS or not _is_unicode(text):
        return None, f"field 'credit' is over {MAX_NAME_CHARS} characters or not valid Unicode; left out"
    return (agency_name(text) or text or None), None


def from_envelope(envelope: object, fallback_id: str, window: TimeWindow = DEFAULT_WINDOW) -> RawArticle:
    """A JSON envelope (already parsed) -> RawArticle; `fallback_id` when it has no id."""
    if not isinstance(envelope, dict):
        raise ArticleError(f"JSON value is a {type(envelope).__name__}, not an object", "validate")
    try:
        return _validated(envelope, fallback_id, window)
    except ArticleError as exc:
        shown = envelope.get("id")
        if isinstance(shown, (str, int)) and not isinstance(shown, bool):
            shown = str(shown).encode("utf-8", "backslashreplace").decode("utf-8")[:200]
            exc.args = (f"article {shown}: {exc}",)
        raise


def _validated(envelope: dict, fallback_id: str, window: TimeWindow) -> RawArticle:
    text = _first(envelope, _TEXT_KEYS)
    if text is None:
        raise ArticleError("JSON envelope has no text (expected one of: text, body, content)", "validate")
    if not isinstance(text, str):
        raise ArticleError(f"article text must be a string, got {type(text).__name__}", "validate")
    if not text.strip():
        raise ArticleError("article text is empty", "validate")
    _unicode(text, "text")
    title = _first(envelope, _TITLE_KEYS)
    if title is not None and not isinstance(title, str):
        raise ArticleError("article title must be a string", "validate")
    if title is not None:
        _unicode(title, "title")
    article_id = _optional_str(envelope, "id") or _unicode(fallback_id, "key")
    published_ms, warning = trusted_time(_first(envelope, _TIME_KEYS), window)
    authors, warnings = envelope_authors(envelope)
    credit, credit_warning = envelope_credit(envelope)
    warnings = ([warning] if warning else []) + warnings + ([credit_warning] if credit_warning else [])
    return RawArticle(
        id=article_id,
        text=text,
        title=title,
        url=_optional_str(envelope, "url"),
        source=_optional_str(envelope, "source"),
        published_ms=published_ms,
        warnings=tuple(warnings),
        authors=authors,
        credit=credit,
    )


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"integer of {len(text)} digits (the limit is {MAX_INT_DIGITS})")
    return int(text)


def _depth(value, limit: int) -> int:
    """Nesting depth of a parsed JSON value, stopping past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def load_json(text: str):
    """Strict JSON: no NaN or Infinity, no number out of float range, no
    integer longer than MAX_INT_DIGITS, no nesting deeper than
    MAX_JSON_DEPTH. Raises ArticleError (stage decode) with the reason."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_bounded_int)
    except RecursionError as exc:
        raise ArticleError(f"invalid JSON: nested deeper than {MAX_JSON_DEPTH} levels", "decode") from exc
    except ValueError as exc:  # JSONDecodeError, and the refusals above
        raise ArticleError(f"invalid JSON: {exc}", "decode") from exc
    if _depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise ArticleError(f"invalid JSON: nested deeper than {MAX_JSON_DEPTH} levels", "decode")
    return value


def decode_text(data: bytes, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> str:
    """Bytes -> str, refusing oversized and non-UTF-8 input."""
    if len(data) > max_bytes:
        raise ArticleError(f"article is {len(data)} bytes, over the limit of {max_bytes}", "validate")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8: {exc}", "decode") from exc


def parse_message(data: bytes, fallback_id: str, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES,
                  window: TimeWindow = DEFAULT_WINDOW) -> RawArticle:
    """One message (one article): a JSON object envelope, or plain text whose
    first non-empty line is the title."""
    text = decode_text(data, max_bytes)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return from_envelope(load_json(text), fallback_id, window)
    if not stripped:
        raise ArticleError("article text is empty", "validate")
    return RawArticle(id=_unicode(fallback_id, "key"), text=text)


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
            whole = json.loads(stripped)
        except (ValueError, RecursionError):
            whole = None  # not one object: try JSON lines below
        if isinstance(whole, dict):
            try:
                return [parse_message(stripped.encode("utf-8"), name, max(max_bytes, len(data)))]
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
