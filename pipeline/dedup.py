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

Stores sit behind `Store`: `MemoryStore` (offline runs, tests),
`SqliteStore` (the embedded default, one file under --state-dir) and
`RedisStore` (a shared server for several workers, `--dedup-store redis://`).
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from . import neardup

DAY_MS = 24 * 3600 * 1000
DEFAULT_HORIZON_MS = 7 * DAY_MS
_SWEEP_EVERY = 1000  # judgements between two sweeps of the horizon


@dataclass(frozen=True)
class Entry:
    """What is remembered of one judged article."""

    article_id: str
    source: str
    event_ms: int
    group: str  # id of the kept article of its group (its own id when kept)
    content_hash: str | None
    signature: np.ndarray | None

    def order(self) -> tuple[int, str, str]:
        return self.event_ms, self.article_id, self.source


@dataclass(frozen=True)
class Verdict:
    duplicate_of: str | None  # id of the kept article; None: keep this one
    similarity: float  # estimated Jaccard similarity with it (1.0 for an exact copy)
    kind: str | None  # "exact", "near", or None when kept

    @property
    def duplicate(self) -> bool:
        return self.duplicate_of is not None


KEEP = Verdict(None, 0.0, None)


class Store(Protocol):
    def find(self, content_hash: str | None, keys: list[int]) -> list[Entry]:
        """Entries with this content hash or sharing a band key."""

    def remember(self, entry: Entry, keys: list[int]) -> None: ...

    def forget_before(self, event_ms: int) -> int:
        """Drop entries with an event time before `event_ms`; returns how many."""

    def flush(self) -> None:
        """Make what was remembered durable (called before offsets are committed)."""

    def count(self) -> int: ...

    def close(self) -> None: ...


class Deduplicator:
    """Judges articles one after another against a Store."""

    def __init__(self, store: Store, threshold: float = neardup.THRESHOLD, horizon_ms: int = DEFAULT_HORIZON_MS):
        self.store, self.threshold, self.horizon_ms = store, threshold, horizon_ms
        self.newest_ms: int | None = None
        self.judged = 0

    def judge(self, article_id: str, source: str, event_ms: int, content_hash: str | None, body: str) -> Verdict:
        sig = neardup.signature(body)
        keys = neardup.band_keys(sig) if sig is not None else []
        replay = False
        best = None  # (order, similarity, kind, entry) of the earliest earlier match
        mine = (event_ms, article_id, source)
        for entry in self.store.find(content_hash, keys):
            if entry.source == source:
                replay = True
                continue
            if content_hash is not None and entry.content_hash == content_hash:
                similarity, kind = 1.0, "exact"
            elif sig is not None and entry.signature is not None:
                similarity, kind = neardup.similarity(sig, entry.signature), "near"
                if similarity < self.threshold:
                    continue
            else:
                continue
            if entry.order() < mine and (best is None or entry.order() < best[0]):
                best = (entry.order(), similarity, kind, entry)
        verdict = KEEP if best is None else Verdict(best[3].group, best[1], best[2])
        if not replay:
            group = verdict.duplicate_of or article_id
            self.store.remember(Entry(article_id, source, event_ms, group, content_hash, sig), keys)
        self._advance(event_ms)
        return verdict

    def _advance(self, event_ms: int) -> None:
        if self.newest_ms is None or event_ms > self.newest_ms:
            self.newest_ms = event_ms
        self.judged += 1
        if self.judged % _SWEEP_EVERY == 0:
            self.store.forget_before(self.newest_ms - self.horizon_ms)


class MemoryStore:
    """Entries in dictionaries; gone when the process ends."""

    def __init__(self):
        self.entries: dict[str, Entry] = {}  # by source
        self.by_hash: dict[str, set[str]] = {}
        self.by_key: dict[int, set[str]] = {}

    def find(self, content_hash, keys):
        sources = set(self.by_hash.get(content_hash, ())) if content_hash is not None else set()
        for key in keys:
            sources.update(self.by_key.get(key, ()))
        return [self.entries[s] for s in sources]

    def remember(self, entry, keys):
        self.entries[entry.source] = entry
        if entry.content_hash is not None:
            self.by_hash.setdefault(entry.content_hash, set()).add(entry.source)
        for key in keys:
            self.by_key.setdefault(key, set()).add(entry.source)

    def forget_before(self, event_ms):
        old = [s for s, e in self.entries.items() if e.event_ms < event_ms]
        for source in old:
            entry = self.entries.pop(source)
            for key in neardup.band_keys(entry.signature) if entry.signature is not None else ():
                self.by_key[key].discard(source)
                if not self.by_key[key]:
                    del self.by_key[key]
            if entry.content_hash is not None:
                self.by_hash[entry.content_hash].discard(source)
                if not self.by_hash[entry.content_hash]:
                    del self.by_hash[entry.content_hash]
        return len(old)

    def flush(self):
        pass

    def count(self):
        return len(self.entries)

    def close(self):
        pass


def _signature_bytes(sig) -> bytes | None:
    return None if sig is None else sig.astype("<u2").tobytes()


def _signature_of(data) -> np.ndarray | None:
    return None if data is None else np.frombuffer(data, dtype="<u2").astype(np.uint16)


class SqliteStore:
    """Entries in one SQLite file; durable across restarts. Writes are
    grouped into one transaction until flush() (the pipeline flushes at the
    end of every bundle, before the bundle's offsets are committed).
    SQLite because it is in the standard library, durable, and its indexes
    answer "who shares one of these keys" without loading the index into
    memory."""

    def __init__(self, path: str):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        # the band index of a week of a busy wire is tens of MB: keep it cached
        self.db.execute("PRAGMA cache_size=-65536")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS articles (
                slot INTEGER PRIMARY KEY, source TEXT NOT NULL UNIQUE, id TEXT NOT NULL,
                event_ms INTEGER NOT NULL, grp TEXT NOT NULL, hash TEXT, sig BLOB);
            CREATE INDEX IF NOT EXISTS articles_hash ON articles (hash);
            CREATE INDEX IF NOT EXISTS articles_event ON articles (event_ms);
            CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, slot INTEGER NOT NULL,
                PRIMARY KEY (key, slot)) WITHOUT ROWID;
            """
        )
        self.in_transaction = False

    def _write(self):
        if not self.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")
            self.in_transaction = True

    def find(self, content_hash, keys):
        # two lookups, each answered from its own index
        slots = set()
        if keys:
            marks = ",".join("?" * len(keys))
            slots.update(r[0] for r in self.db.execute(f"SELECT slot FROM bands WHERE key IN ({marks})", keys))
        if content_hash is not None:
            slots.update(r[0] for r in self.db.execute("SELECT slot FROM articles WHERE hash = ?", (content_hash,)))
        if not slots:
            return []
        marks = ",".join("?" * len(slots))
        rows = self.db.execute(
            f"SELECT source, id, event_ms, grp, hash, sig FROM articles WHERE slot IN ({marks})", list(slots)
        ).fetchall()
        return [Entry(r[1], r[0], r[2], r[3], r[4], _signature_of(r[5])) for r in rows]

    def remember(self, entry, keys):
        self._write()
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO articles (source, id, event_ms, grp, hash, sig) VALUES (?, ?, ?, ?, ?, ?)",
            (entry.source, entry.article_id, entry.event_ms, entry.group, entry.content_hash,
             _signature_bytes(entry.signature)),
        )
        if cursor.rowcount:
            slot = cursor.lastrowid
            self.db.executemany("INSERT OR IGNORE INTO bands (key, slot) VALUES (?, ?)", [(k, slot) for k in keys])

    def forget_before(self, event_ms):
        self._write()
        self.db.execute("DELETE FROM bands WHERE slot IN (SELECT slot FROM articles WHERE event_ms < ?)", (event_ms,))
        return self.db.execute("DELETE FROM articles WHERE event_ms < ?", (event_ms,)).rowcount

    def flush(self):
        if self.in_transaction:
            self.db.execute("COMMIT")
            self.in_transaction = False

    def count(self):
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def close(self):
        self.flush()
        self.db.close()


def open_store(url_or_dir: str) -> Store:
    """A store from --dedup-store: redis://host:port[/db] for a shared Redis,
    anything else is a directory for the embedded SQLite store."""
    if url_or_dir.startswith(("redis://", "rediss://", "unix://")):
        from .redis_store import RedisStore

        return RedisStore(url_or_dir)
    return SqliteStore(os.path.join(url_or_dir, "dedup.sqlite3"))
