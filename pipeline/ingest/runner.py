"""The polling loop: sources in, envelopes out, each story once.

In: sources (see `sources`), a `SeenStore`, a `Fetcher`, and `send`, a
callable that puts (key, value) pairs on the topic and raises when the
broker did not take them. Out: per poll of a source, a `PollReport` (new,
updated, unchanged, copies, errors by kind) and one progress line; stories
are remembered only once `send` returned, so a crash or an outage sends a
story again rather than never. One source failing never stops the others;
an error is logged when a source's (or an item's) state changes, not at
every poll; a failing source is polled again after a growing back-off.
"""
from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..news.articles import DEFAULT_MAX_ARTICLE_BYTES, ArticleError, from_envelope
from .documents import Story
from .fetch import FetchError, Fetcher
from .html import MIN_ARTICLE_CHARS, ExtractError, extract_article
from .sources import SourceError
from .state import SeenStore, content_hash

log = logging.getLogger("pipeline.ingest")


_DEFERRED = object()  # a story whose page waits for the next poll (the poll's time budget ran out)


class SendError(RuntimeError):
    """The topic did not take a batch (raised by the `send` callable)."""

PAGE_TYPES = ("text/html", "application/xhtml+xml")
# left out on purpose, not for a fault: counted, shown, but no error status
NOT_ERRORS = frozenset({"withdrawn"})
MAX_BACKOFF_S = 3600.0


@dataclass
class PollReport:
    """What one poll of one source did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    copies: int = 0
    not_modified: bool = False
    deferred: int = 0  # stories left for the next poll (the poll's time budget ran out)
    pages: int = 0  # article pages fetched
    errors: Counter = field(default_factory=Counter)
    failed: str | None = None  # the source-level error, if the poll failed as a whole

    @property
    def error_count(self) -> int:
        return sum(v for k, v in self.errors.items() if k not in NOT_ERRORS)

    def line(self, name: str) -> str:
        if self.failed:
            return f"{name}: failed ({self.failed})"
        parts = [f"{self.new} new", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.copies:
            parts.append(f"{self.copies} copies")
        if self.not_modified:
            parts.append("not modified")
        if self.deferred:
            parts.append(f"{self.deferred} left for the next poll")
        if self.errors.get("withdrawn"):
            parts.append(f"{self.errors['withdrawn']} withdrawn")
        if self.error_count:
            parts.append("errors: " + ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())
                                                if k not in NOT_ERRORS))
        return f"{name}: " + ", ".join(parts)


@dataclass
class SourceState:
    """A source's schedule, its last error and its totals since start."""

    source: object
    due: float = 0.0  # time.monotonic() of the next poll
    failures: int = 0  # polls failed in a row
    last_error: str | None = None  # kind of the current failure, for logging changes only
    totals: Counter = field(default_factory=Counter)


@dataclass
class _ItemFailure:
    kind: str
    retry_at: float
    failures: int


class Ingester:
    """Polls sources and sends their new and changed stories (module doc)."""

    def __init__(self, sources, store: SeenStore, fetcher: Fetcher, send, interval: float = 300.0,
                 max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES, settle_s: float = 0.0,
                 poll_budget_s: float = 120.0, clock=time.monotonic, progress=None):
        self.states = [SourceState(s) for s in sources]
        self.store = store
        self.fetcher = fetcher
        self.send = send
        self.interval = interval
        self.max_article_bytes = max_article_bytes
        self.settle_s = settle_s
        self.poll_budget_s = poll_budget_s
        self.clock = clock
        self.progress = progress or (lambda line: None)
        self._items: dict[str, _ItemFailure] = {}  # pages that failed, keyed by story id
        self._logged: dict[str, str] = {}  # what was last logged under a key (see _once)

    # -- one poll ---------------------------------------------------------

    def poll(self, state: SourceState, stop=None) -> PollReport:
        """Poll one source now; never raises for what a source does."""
        source = state.source
        report = PollReport()
        try:
            outcome = source.poll(self.fetcher, self.store, self.settle_s)
        except SourceError as exc:
            report.failed = f"{exc.kind}: {exc}"
            report.errors[exc.kind] += 1
            self._source_failed(state, exc.kind, str(exc), exc.retry_after)
            return report
        report.not_modified = outcome.not_modified
        for note in outcome.parsed.notes:
            self._once(f"note:{source.name}", note, note)
            report.errors["lenient"] += 1
        for kind, message in outcome.parsed.skipped:
            report.errors[kind] += 1
            self._once(f"skip:{source.name}:{message}", f"source {source.name}: {message}", kind)
        batch, copies, seen_ids, seen_hashes, pending_retry = [], [], set(), set(), False
        # pages are fetched until then: a feed of many slow pages must not hold up the other sources
        deadline = self.clock() + self.poll_budget_s
        for story in outcome.parsed.stories:
            if stop is not None and stop.is_set():
                pending_retry = True
                break
            if story.id in seen_ids:
                continue  # the same item twice in one document
            seen_ids.add(story.id)
            try:
                result = self._envelope(story, source.name, report, deadline)
            except Exception as exc:  # noqa: BLE001 - a parser's bug on one item must not stop its source
                report.errors["internal"] += 1
                if self._logged.get(f"item:{story.id}:internal") != "internal":
                    log.exception("source %s: item %s could not be read (a bug: please report it): %s",
                                  source.name, story.id, exc)
                    self._logged[f"item:{story.id}:internal"] = "internal"
                continue
            if result is _DEFERRED:
                pending_retry = True
                continue
            if result is None:
                pending_retry = pending_retry or story.id in self._items
                continue
            envelope, digest, verdict = result
            if verdict == "same":
                report.unchanged += 1
                self.store.touch(story.id)
                continue
            if verdict == "copy" or digest in seen_hashes:
                # remembered under its own id too, so that its page is not fetched again next poll
                report.copies += 1
                copies.append((story, digest))
                continue
            seen_hashes.add(digest)
            batch.append((story, envelope, digest, verdict))
        if batch:
            try:
                self.send([(s.id.encode("utf-8"), json.dumps(e, ensure_ascii=False).encode("utf-8"))
                           for s, e, _, _ in batch])
            except SendError as exc:  # nothing is remembered: all of it is sent again next poll
                report.failed = f"send: {type(exc).__name__}: {exc}"
                report.errors["send"] += 1
                self._source_failed(state, "send", f"the broker did not take {len(batch)} stories: "
                                    f"{type(exc).__name__}: {exc}", None)
                return report
            for story, _, digest, verdict in batch:
                self.store.remember(story.id, story.url, digest, story.updated_ms)
                report.new += verdict == "new"
                report.updated += verdict == "updated"
        for story, digest in copies:
            self.store.remember(story.id, story.url, digest, story.updated_ms)
        # validators are kept only when nothing waits for a retry: otherwise a
        # 304 next time would hide the items that failed
        for commit in outcome.commit:
            if pending_retry and getattr(source, "kind", "") == "url":
                break
            commit()
        if state.last_error is not None:
            log.warning("source %s: recovered after %d failed poll%s", source.name, state.failures,
                        "" if state.failures == 1 else "s")
        state.failures, state.last_error = 0, None
        state.totals.update(new=report.new, updated=report.updated)
        state.totals.update(report.errors)
        return report

    def _envelope(self, story: Story, source_name: str, report: PollReport, deadline: float = float("inf")):
        """(envelope, content hash, verdict) for a story, or None when it has
        no text to send (counted and logged) or its page waits for a retry,
        or _DEFERRED when its page would be fetched after `deadline`."""
        text, title, published_ms, authors, language = (story.text, story.title, story.published_ms,
                                                        story.authors, story.language)
        needs_page = story.link and (not text or len(text) < MIN_ARTICLE_CHARS)
        if needs_page:
            if self.store.unchanged_since(story.id, story.url, story.updated_ms):
                report.unchanged += 1
                self.store.touch(story.id)
                return None
            failure = self._items.get(story.id)
            if failure is not None and self.clock() < failure.retry_at:
                report.errors[failure.kind] += 1
                return None
            if report.pages and self.clock() > deadline:  # at least one page a poll: every poll gets further
                report.deferred += 1
                return _DEFERRED
            report.pages += 1
            try:
                page = self._fetch_page(story.link)
            except (FetchError, ExtractError) as exc:
                self._item_failed(story, source_name, exc.kind, str(exc))
                report.errors[exc.kind] += 1
                return None
            if story.id in self._items:
                log.warning("source %s: %s readable again", source_name, story.link)
                del self._items[story.id]
            text = page.text
            title = title or page.title
            published_ms = published_ms if published_ms is not None else _page_ms(page.published)
            authors = authors or page.authors
            language = language or page.language
        if not text or not text.strip():
            text = story.summary if not story.link else None
        if not text or not text.strip():
            report.errors["no_text"] += 1
            self._once(f"item:{story.id}:no_text", f"source {source_name}: {story.id} has no text; not sent", "no_text")
            return None
        envelope = {"id": story.id, "url": story.url, "source": story.source, "published": _iso(published_ms),
                    "title": title, "text": text}
        if authors:
            envelope["authors"] = list(authors)
        if language:
            envelope["language"] = language
        envelope = {k: v for k, v in envelope.items() if v is not None}
        size = len(json.dumps(envelope, ensure_ascii=False).encode("utf-8"))
        if size > self.max_article_bytes:
            report.errors["too_large"] += 1
            self._once(f"item:{story.id}:too_large", f"source {source_name}: {story.id} is a {size}-byte envelope, "
                       f"over the limit of {self.max_article_bytes}; not sent", "too_large")
            return None
        try:
            # the job's own rules at the door: what it would refuse is not sent
            from_envelope(envelope, story.id)
        except ArticleError as exc:
            report.errors["invalid"] += 1
            self._once(f"item:{story.id}:invalid", f"source {source_name}: {exc}; not sent", "invalid")
            return None
        digest = content_hash(title, text)
        return envelope, digest, self.store.verdict(story.id, story.url, digest, story.updated_ms)

    def _fetch_page(self, url: str):
        response = self.fetcher.get(url, "text/html, application/xhtml+xml;q=0.9", allowed_types=PAGE_TYPES)
        return extract_article(response.body, url=response.url)

    # -- errors, once per change ------------------------------------------

    def _once(self, key: str, message: str, kind: str) -> None:
        """Log `message` unless `key` was last logged with the same kind."""
        logged = self._logged
        if logged.get(key) != kind:
            log.warning("%s", message)
            logged[key] = kind
            if len(logged) > 100_000:  # bounded: a long run forgets the oldest
                for old in list(logged)[:50_000]:
                    del logged[old]

    def _item_failed(self, story: Story, source_name: str, kind: str, message: str) -> None:
        before = self._items.get(story.id)
        failures = before.failures + 1 if before else 1
        wait = min(self.interval * 2 ** (failures - 1), MAX_BACKOFF_S)
        self._items[story.id] = _ItemFailure(kind, self.clock() + wait, failures)
        if before is None or before.kind != kind:
            log.warning("source %s: page %s: %s; not sent (retried in %s)", source_name, story.link, message,
                        _seconds(wait))
        if len(self._items) > 100_000:
            for old in list(self._items)[:50_000]:
                del self._items[old]

    def _source_failed(self, state: SourceState, kind: str, message: str, retry_after: float | None) -> None:
        state.failures += 1
        wait = min(self.interval * 2 ** (state.failures - 1), max(MAX_BACKOFF_S, self.interval))
        if retry_after:
            wait = max(wait, min(retry_after, MAX_BACKOFF_S))
        state.due = self.clock() + wait
        if state.last_error != kind:
            log.warning("source %s: %s (retried in %s; logged again only when this changes)", state.source.name,
                        message, _seconds(wait))
        else:
            log.debug("source %s: still failing: %s", state.source.name, message)
        state.last_error = kind

    # -- the loops ----------------------------------------------------------

    def _guarded_poll(self, state: SourceState, stop=None) -> PollReport:
        """poll(), with a failure of our own code or a library's on this
        source's input counted as that source's error, not the process's end."""
        try:
            return self.poll(state, stop)
        except Exception as exc:  # noqa: BLE001 - one failing source never stops the others
            report = PollReport(failed=f"internal: {type(exc).__name__}: {exc}")
            report.errors["internal"] += 1
            if state.last_error != "internal":
                log.exception("source %s: poll failed (a bug: please report it)", state.source.name)
            self._source_failed(state, "internal", f"{type(exc).__name__}: {exc}", None)
            return report

    def run_once(self) -> list[PollReport]:
        """Poll every source once, in order; one progress line each."""
        reports = []
        for state in self.states:
            report = self._guarded_poll(state)
            self.progress(report.line(state.source.name))
            reports.append(report)
        return reports

    def run_forever(self, stop) -> None:
        """Poll each source when it is due until `stop` (a threading.Event) is set."""
        for state in self.states:
            state.due = self.clock()
        while not stop.is_set():
            state = min(self.states, key=lambda s: s.due)
            wait = state.due - self.clock()
            if wait > 0:
                if stop.wait(wait):
                    break
                continue
            report = self._guarded_poll(state, stop)
            if report.failed is None:
                state.due = self.clock() + self.interval
            self.progress(f"{report.line(state.source.name)}; next poll in {_seconds(state.due - self.clock())}")
            self.store.forget_old()


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if moment.microsecond == 0 else f".{ms % 1000:03d}Z")


def _page_ms(value: str | None) -> int | None:
    from ..news.articles import parse_time

    try:
        return parse_time(value)
    except ArticleError:
        return None


def _seconds(value: float) -> str:
    return f"{max(0.0, value):.0f} s" if value >= 10 else f"{max(0.0, value):.1f} s"
