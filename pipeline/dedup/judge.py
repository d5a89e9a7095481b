"""Deciding which articles are duplicates: exact copies and near copies,
across the stream and across restarts.

In: an article's id, where it was read (its source: topic/partition/offset),
its event time, its content hash (see enrich.content_hash) and its body.
Out: a Verdict - keep it, or it duplicates article X (exact or near, with the
estimated similarity).

The rules, which make verdicts safe under replays and parallel workers:
- articles are ordered by (event time, id, source); an article is a duplicate only
  of an *earlier* article it matches, and then of that article's group (the
  id of the group's kept article). So of two matching articles at most the
  later one is dropped, whichever is judged first or if both are judged at
  once on two workers: never both;
- a message is never a duplicate of itself: a replay (same source) is judged
  against everything else, and gets the same verdict as the first time
  unless an earlier copy has arrived since;
- what is remembered per article: ids, source, event time, content hash and
  the MinHash signature with its band keys (no text); the index forgets
  articles whose event time is more than the horizon behind the newest.

Stores sit behind `store.Store`: `MemoryStore` (offline runs, tests),
`SqliteStore` (the embedded default, one file under --state-dir) and
`RedisStore` (a shared server for several workers, `--dedup-store redis://`).
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import DAY_MS, DEFAULT_HORIZON_MS, THRESHOLD, minhash
from .entries import Entry
from .store import Store

_SWEEP_EVERY = 1000  # judgements between two sweeps of the horizon
CLOCK_TOLERANCE_MS = DAY_MS  # how far past the clock an event time may move the horizon


@dataclass(frozen=True)
class Verdict:
    duplicate_of: str | None  # id of the kept article; None: keep this one
    similarity: float  # estimated Jaccard similarity with it (1.0 for an exact copy)
    kind: str | None  # "exact", "near", or None when kept

    @property
    def duplicate(self) -> bool:
        return self.duplicate_of is not None


KEEP = Verdict(None, 0.0, None)



class Deduplicator:
    """Judges articles against a Store, one batch after another (a batch
    is judged as if its articles came one by one, in order)."""

    def __init__(self, store: Store, threshold: float = THRESHOLD, horizon_ms: int = DEFAULT_HORIZON_MS,
                 clock=time.time, tolerance_ms: int = CLOCK_TOLERANCE_MS):
        self.store, self.threshold, self.horizon_ms = store, threshold, horizon_ms
        self.clock, self.tolerance_ms = clock, tolerance_ms
        self.newest_ms: int | None = None
        self.judged = 0

    def judge(self, article_id: str, source: str, event_ms: int, content_hash: str | None, body: str) -> Verdict:
        return self.judge_many([(article_id, source, event_ms, content_hash, body)])[0]

    def judge_many(self, articles: Sequence[tuple[str, str, int, str | None, str]]) -> list[Verdict]:
        """Articles as (id, source, event time in ms, content hash, body) -> one Verdict each."""
        if not articles:
            return []
        sigs, has_sig = minhash.signatures([a[4] for a in articles])
        keys = minhash.band_keys_many(sigs)
        hashes = [a[3] for a in articles]
        found = self.store.find_many(hashes, keys, has_sig)
        earlier = _matches_within(hashes, keys, has_sig)
        verdicts, entries, remembered = [], [], []
        for n, (article_id, source, event_ms, content_hash, _) in enumerate(articles):
            sig = sigs[n] if has_sig[n] else None
            candidates = found[n]
            if not candidates and n not in earlier:  # the common case: nothing like it seen
                verdicts.append(KEEP)
                entries.append(Entry(article_id, source, event_ms, article_id, content_hash, sig))
                remembered.append(n)
                continue
            if n in earlier:
                candidates = candidates + [entries[m] for m in earlier[n] if entries[m] is not None]
            replay = False
            best = None  # (order, similarity, kind, entry) of the earliest earlier match
            mine = (event_ms, article_id, source)
            for entry in candidates:
                if entry.source == source:
                    replay = True
                    continue
                if content_hash is not None and entry.content_hash == content_hash:
                    similarity, kind = 1.0, "exact"
                elif sig is not None and entry.signature is not None:
                    similarity, kind = minhash.similarity(sig, entry.signature), "near"
                    if similarity < self.threshold:
                        continue
                else:
                    continue
                if entry.order() < mine and (best is None or entry.order() < best[0]):
                    best = (entry.order(), similarity, kind, entry)
            verdict = KEEP if best is None else Verdict(best[3].group, best[1], best[2])
            verdicts.append(verdict)
            if replay:
                entries.append(None)
            else:
                entries.append(Entry(article_id, source, event_ms, verdict.duplicate_of or article_id, content_hash, sig))
                remembered.append(n)
        # the horizon follows the newest event time, but never past the
        # clock (plus a tolerance): one article dated 9999 must not make the
        # store forget everything it remembers
        newest = min(max(a[2] for a in articles), int(self.clock() * 1000) + self.tolerance_ms)
        if self.newest_ms is None or newest > self.newest_ms:
            self.newest_ms = newest
        if remembered:
            self.store.remember_many([entries[n] for n in remembered], keys[remembered])
        before, self.judged = self.judged, self.judged + len(articles)
        if self.judged // _SWEEP_EVERY != before // _SWEEP_EVERY:
            self.store.forget_before(self.newest_ms - self.horizon_ms)
        return verdicts


def _matches_within(hashes, keys, has_sig) -> dict[int, set[int]]:
    """Pairs inside one batch that share a content hash or a band key:
    {article: the earlier articles of the batch it may copy}."""
    earlier: dict[int, set[int]] = {}
    if len(hashes) < 2:
        return earlier
    seen: dict[str, int] = {}
    for n, content_hash in enumerate(hashes):
        if content_hash is not None:
            if content_hash in seen:
                earlier.setdefault(n, set()).add(seen[content_hash])
            seen.setdefault(content_hash, n)
    rows = np.repeat(np.flatnonzero(has_sig), minhash.BANDS)
    flat = keys[has_sig].ravel()
    order = np.argsort(flat, kind="stable")
    flat, rows = flat[order], rows[order]
    for at in np.flatnonzero(flat[1:] == flat[:-1]):  # rare: equal keys are neighbours once sorted
        group = rows[flat == flat[at]]
        for later in group:
            earlier.setdefault(int(later), set()).update(int(m) for m in group if m < later)
    return earlier
