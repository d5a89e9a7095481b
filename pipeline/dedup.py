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

import hashlib
import json
import os
import sqlite3
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from . import neardup

DAY_MS = 24 * 3600 * 1000
DEFAULT_HORIZON_MS = 7 * DAY_MS
_SWEEP_EVERY = 1000  # judgements between two sweeps of the horizon


class Entry(NamedTuple):
    """What is remembered of one judged article (a tuple: made for every
    article judged, so it must be cheap)."""

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
    def find_many(self, hashes: list[str | None], keys: np.ndarray, has_sig: np.ndarray) -> list[list[Entry]]:
        """For each article (content hash, its row of band keys, whether it has
        a signature: rows without one are ignored), the entries with this
        content hash or sharing a band key."""

    def remember_many(self, entries: list[Entry], keys: np.ndarray) -> None:
        """Remember entries; keys[i] are entries[i]'s band keys (ignored when
        it has no signature)."""

    def forget_before(self, event_ms: int) -> int:
        """Drop entries with an event time before `event_ms`; returns how many."""

    def flush(self) -> None:
        """Make what was remembered durable (called before offsets are committed)."""

    def count(self) -> int: ...

    def close(self) -> None: ...


class Deduplicator:
    """Judges articles against a Store, one batch after another (a batch
    is judged as if its articles came one by one, in order)."""

    def __init__(self, store: Store, threshold: float = neardup.THRESHOLD, horizon_ms: int = DEFAULT_HORIZON_MS):
        self.store, self.threshold, self.horizon_ms = store, threshold, horizon_ms
        self.newest_ms: int | None = None
        self.judged = 0

    def judge(self, article_id: str, source: str, event_ms: int, content_hash: str | None, body: str) -> Verdict:
        return self.judge_many([(article_id, source, event_ms, content_hash, body)])[0]

    def judge_many(self, articles: Sequence[tuple[str, str, int, str | None, str]]) -> list[Verdict]:
        """Articles as (id, source, event time in ms, content hash, body) -> one Verdict each."""
        if not articles:
            return []
        sigs, has_sig = neardup.signatures([a[4] for a in articles])
        keys = neardup.band_keys_many(sigs)
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
                    similarity, kind = neardup.similarity(sig, entry.signature), "near"
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
        newest = max(a[2] for a in articles)
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
    rows = np.repeat(np.flatnonzero(has_sig), neardup.BANDS)
    flat = keys[has_sig].ravel()
    order = np.argsort(flat, kind="stable")
    flat, rows = flat[order], rows[order]
    for at in np.flatnonzero(flat[1:] == flat[:-1]):  # rare: equal keys are neighbours once sorted
        group = rows[flat == flat[at]]
        for later in group:
            earlier.setdefault(int(later), set()).update(int(m) for m in group if m < later)
    return earlier


class MemoryStore:
    """The index in memory, compact: per remembered article its signature,
    event time and one string of its ids, and 17 index entries (16 band
    keys and the content hash) of 8 bytes each; about 400 bytes an article
    (`make bench` measures it). No library keeps an int -> many-ints
    multimap this small and answers a batch of lookups in one call, hence
    our own.

    An index entry is a uint64: 38 bits of the key, then the 26-bit slot of
    the article (two keys that agree on 38 bits only make a false candidate,
    which the signature or the full content hash then rejects). Entries sit
    in three sorted runs, each merged into the next when it grows past a
    share of it (a small log-structured merge): new entries are merged into
    the smallest run, lookups search all three with sorted queries, the big
    run through a directory of its leading bits. Forgotten articles are
    marked dead and their entries dropped at the next merge; slots are
    renumbered when half are dead or they run out."""

    _RECENT = 1 << 15  # entries in the smallest run before it joins the middle one
    _MIDDLE_SHARE = 8  # the middle run joins the big one at 1/8 of its size

    def __init__(self):
        self._event = np.zeros(0, dtype=np.int64)
        self._sig = np.zeros((0, neardup.NUM_BINS), dtype=np.uint16)
        self._has_sig = np.zeros(0, dtype=bool)
        self._alive = np.zeros(0, dtype=bool)
        self._texts: list = []  # "source\0id\0group\0content hash" ("" for group = id), None when forgotten
        self._used = 0  # slots handed out
        self._alive_count = 0
        self._main, self._middle, self._recent = _Run(), _Run(), _Run()

    def find_many(self, hashes, keys, has_sig):
        found: list[list[Entry]] = [[] for _ in hashes]
        query, rows = _index_keys(hashes, keys, has_sig)
        if len(query) == 0 or self._alive_count == 0:
            return found
        order = np.argsort(query)
        query, rows = query[order], rows[order]
        by_row: dict[int, set[int]] = {}
        for run in (self._main, self._middle, self._recent):
            for at, slot in run.find(query):
                if self._alive[slot]:
                    by_row.setdefault(int(rows[at]), set()).add(slot)
        for row, slots in by_row.items():
            found[row] = [self._entry(slot) for slot in sorted(slots)]
        return found

    def _entry(self, slot: int) -> Entry:
        texts = self._texts[slot]
        source, article_id, group, content_hash = texts.split("\0") if isinstance(texts, str) else texts
        return Entry(article_id, source, int(self._event[slot]), group or article_id, content_hash or None,
                     self._sig[slot].copy() if self._has_sig[slot] else None)

    def remember_many(self, entries, keys):
        count = len(entries)
        if count == 0:
            return
        if self._used + count > _SLOT_MASK + 1:
            self._renumber()
            if self._used + count > _SLOT_MASK + 1:
                raise RuntimeError(f"the duplicate index is full ({self._used} articles within the horizon)")
        self._reserve(self._used + count)
        slots = np.arange(self._used, self._used + count, dtype=np.uint64)
        self._used += count
        self._alive_count += count
        self._alive[slots] = True
        self._event[slots] = [e.event_ms for e in entries]
        has_sig = np.array([e.signature is not None for e in entries], dtype=bool)
        self._has_sig[slots] = has_sig
        if has_sig.any():
            self._sig[slots[has_sig]] = np.stack([e.signature for e in entries if e.signature is not None])
        for e in entries:
            texts = (e.source, e.article_id, "" if e.group == e.article_id else e.group, e.content_hash or "")
            joined = "\0".join(texts)
            self._texts.append(joined if joined.count("\0") == 3 else texts)  # (a NUL inside an id: kept apart)
        index_keys, rows = _index_keys([e.content_hash for e in entries], keys, has_sig)
        packed = (index_keys << _SLOT_BITS) | slots[rows]
        packed.sort()
        self._recent = self._merged(self._recent, packed)
        if len(self._recent) >= self._RECENT:
            self._middle, self._recent = self._merged(self._middle, self._recent.entries), _Run()
            if len(self._middle) * self._MIDDLE_SHARE >= len(self._main):
                self._main, self._middle = self._merged(self._main, self._middle.entries), _Run()

    def _reserve(self, size: int) -> None:
        if size <= len(self._event):
            return
        capacity = max(size, len(self._event) * 5 // 4, 1024)  # grow by a quarter: little slack to pay for
        self._event = _grown(self._event, capacity)
        self._sig = _grown(self._sig, capacity)
        self._has_sig = _grown(self._has_sig, capacity)
        self._alive = _grown(self._alive, capacity)

    def _merged(self, run: _Run, more: np.ndarray) -> _Run:
        """`run` with the sorted entries `more`, without the entries of dead slots."""
        entries = np.concatenate([run.entries, more])
        if self._alive_count < self._used:
            entries = entries[self._alive[entries & _SLOT_MASK]]
        entries.sort(kind="stable")  # two sorted runs: the stable sort merges them in linear time
        return _Run(entries)

    def forget_before(self, event_ms):
        old = np.flatnonzero(self._alive[: self._used] & (self._event[: self._used] < event_ms))
        if len(old) == 0:
            return 0
        self._alive[old] = False
        for slot in old:
            self._texts[slot] = None
        self._alive_count -= len(old)
        if self._alive_count * 2 < self._used:
            self._renumber()
        return len(old)

    def _renumber(self) -> None:
        """Drop dead slots: living ones move down, the index follows."""
        living = np.flatnonzero(self._alive[: self._used])
        new_slot = np.zeros(self._used, dtype=np.uint64)
        new_slot[living] = np.arange(len(living), dtype=np.uint64)
        entries = np.concatenate([self._main.entries, self._middle.entries, self._recent.entries])
        entries = entries[self._alive[entries & _SLOT_MASK]]
        entries = (entries & ~_SLOT_MASK) | new_slot[entries & _SLOT_MASK]
        entries.sort()
        self._main, self._middle, self._recent = _Run(entries), _Run(), _Run()
        self._event = self._event[living].copy()
        self._sig = self._sig[living].copy()
        self._has_sig = self._has_sig[living].copy()
        self._alive = np.ones(len(living), dtype=bool)
        self._texts = [self._texts[slot] for slot in living]
        self._used = self._alive_count = len(living)

    def flush(self):
        pass

    def count(self):
        return self._alive_count

    def close(self):
        pass


_SLOT_BITS = 26
_SLOT_MASK = np.uint64((1 << _SLOT_BITS) - 1)


class _Run:
    """Sorted index entries (uint64: key << _SLOT_BITS | slot). A run of
    more than 2^16 entries also has a directory of its leading bits (the
    keys are uniform hashes, so a bucket holds one or two entries), and a
    lookup reads the query's bucket at once instead of a binary search's
    twenty dependent memory reads (it was the slowest step of a judgement)."""

    _WINDOW = 8  # entries read from a bucket; a wider bucket (rare, or a hot key) is searched

    def __init__(self, entries: np.ndarray | None = None):
        self.entries = np.zeros(0, dtype=np.uint64) if entries is None else entries
        self.directory = None
        if len(self.entries) > 1 << 16:
            bits = int(np.log2(len(self.entries)))
            self.shift = np.uint64(64 - bits)
            counts = np.bincount((self.entries >> self.shift).astype(np.intp), minlength=1 << bits)
            self.directory = np.zeros((1 << bits) + 1, dtype=np.int32)
            np.cumsum(counts, out=self.directory[1:])

    def __len__(self):
        return len(self.entries)

    def find(self, query: np.ndarray) -> list[tuple[int, int]]:
        """Sorted keys -> [(index into query, slot)] for every entry with that key."""
        entries = self.entries
        if len(entries) == 0:
            return []
        if self.directory is None:
            return self._searched(query, np.arange(len(query)))
        bucket = ((query << _SLOT_BITS) >> self.shift).astype(np.intp)
        start = self.directory[bucket]
        # entries past the bucket's end are other buckets' keys: they cannot match
        window = entries.take(start[:, None] + np.arange(self._WINDOW), mode="clip")
        hits = np.flatnonzero((window >> _SLOT_BITS) == query[:, None])
        rows, columns = np.divmod(hits, self._WINDOW)
        found = list(zip(rows.tolist(), (window[rows, columns] & _SLOT_MASK).tolist()))
        wide = np.flatnonzero(self.directory[bucket + 1] - start > self._WINDOW)
        if len(wide):
            searched = set(wide.tolist())
            found = [pair for pair in found if pair[0] not in searched] + self._searched(query, wide)
        return found

    def _searched(self, query: np.ndarray, which: np.ndarray) -> list[tuple[int, int]]:
        """Binary search for query[which]."""
        entries = self.entries
        at = entries.searchsorted(query[which] << _SLOT_BITS)
        hits = np.flatnonzero(entries[np.minimum(at, len(entries) - 1)] >> _SLOT_BITS == query[which])
        found = []
        for n in hits.tolist():  # few: only real matches (and rare 38-bit collisions)
            position, key = int(at[n]), int(query[which[n]])
            while position < len(entries) and int(entries[position]) >> _SLOT_BITS == key:
                found.append((int(which[n]), int(entries[position]) & int(_SLOT_MASK)))
                position += 1
        return found


def _grown(array: np.ndarray, capacity: int) -> np.ndarray:
    grown = np.zeros((capacity,) + array.shape[1:], dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def _index_keys(hashes, keys, has_sig) -> tuple[np.ndarray, np.ndarray]:
    """The index keys (uint64 below 2^38) of a batch: the band keys of rows
    with a signature, then the content hashes; and the row of each."""
    with_sig = np.flatnonzero(has_sig)
    hashed = [n for n, h in enumerate(hashes) if h is not None]
    digests = b"".join(hashlib.blake2b(hashes[n].encode(), digest_size=8).digest() for n in hashed)
    index_keys = np.concatenate([keys[with_sig].ravel().astype(np.uint64) << np.uint64(1),
                                 np.frombuffer(digests, dtype="<u8")]) >> np.uint64(_SLOT_BITS)  # the top 38 bits
    rows = np.concatenate([np.repeat(with_sig, keys.shape[1]), np.array(hashed, dtype=np.int64)])
    return index_keys, rows


class SqliteStore:
    """The memory index (MemoryStore), kept durable in one SQLite file and
    read back into memory when the store is opened. What was remembered
    since the last flush() is written by flush() as one row (event times,
    signatures and ids, no text; band keys are computed again from the
    signatures), together with the horizon's deletions, in one transaction
    (the pipeline flushes at the end of every bundle, before the bundle's
    offsets are committed). Several processes may share the file: before
    each lookup a store reads the rows the others have added since it last
    looked.
    SQLite because it is in the standard library, durable and safe for
    several writers; one row per flush because a row per article (with its
    indexes) cost more than the rest of the judgement."""

    def __init__(self, path: str):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version != _SQLITE_VERSION and tables - {"sqlite_sequence"}:
            raise RuntimeError(f"{path} was written by another version of the duplicate store (layout {version}, "
                               f"this one reads {_SQLITE_VERSION}); move it away to start with an empty index")
        self.db.executescript(
            f"""
            CREATE TABLE IF NOT EXISTS batches (
                batch INTEGER PRIMARY KEY AUTOINCREMENT, newest_ms INTEGER NOT NULL, entries BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS batches_newest ON batches (newest_ms);
            PRAGMA user_version = {_SQLITE_VERSION};
            """
        )
        self.memory = MemoryStore()
        self.last_batch = 0  # the newest batch read from the file
        self.written: set[int] = set()  # batches we wrote that are newer than that
        self.pending: list[Entry] = []  # remembered since the last flush
        self.forget_until: int | None = None  # the horizon to apply at the next flush
        self._catch_up()

    def _catch_up(self) -> None:
        """Read into memory the batches written since we last looked (by us
        before a restart, or by another process), skipping our own."""
        rows = self.db.execute("SELECT batch, entries FROM batches WHERE batch > ? ORDER BY batch",
                               (self.last_batch,)).fetchall()
        if rows:
            self.last_batch = rows[-1][0]
            entries = [entry for batch, blob in rows if batch not in self.written for entry in _unpack_batch(blob)]
            self.written.difference_update(batch for batch, _ in rows)
            if entries:
                sigs = np.stack([e.signature if e.signature is not None else _NO_SIGNATURE for e in entries])
                self.memory.remember_many(entries, neardup.band_keys_many(sigs))

    def find_many(self, hashes, keys, has_sig):
        self._catch_up()
        return self.memory.find_many(hashes, keys, has_sig)

    def remember_many(self, entries, keys):
        self.pending.extend(entries)
        self.memory.remember_many(entries, keys)

    def forget_before(self, event_ms):
        # a batch row goes when all of it is behind the horizon; the memory
        # index forgets article by article (and again after a restart)
        self.forget_until = event_ms
        return self.memory.forget_before(event_ms)

    def flush(self):
        if not self.pending and self.forget_until is None:
            return
        self.db.execute("BEGIN IMMEDIATE")
        if self.forget_until is not None:
            self.db.execute("DELETE FROM batches WHERE newest_ms < ?", (self.forget_until,))
        if self.pending:
            cursor = self.db.execute("INSERT INTO batches (newest_ms, entries) VALUES (?, ?)",
                                     (max(e.event_ms for e in self.pending), _pack_batch(self.pending)))
            if cursor.lastrowid == self.last_batch + 1 and not self.written:
                self.last_batch = cursor.lastrowid  # nobody wrote in between (ids only grow): nothing to read back
            else:
                self.written.add(cursor.lastrowid)
        self.db.execute("COMMIT")
        self.pending, self.forget_until = [], None

    def count(self):
        return self.memory.count()

    def close(self):
        self.flush()
        self.db.close()


_SQLITE_VERSION = 3  # 0 and 2 had a row per article
_NO_SIGNATURE = np.zeros(neardup.NUM_BINS, dtype=np.uint16)
_BATCH_HEAD = struct.Struct("<I")


def _pack_batch(entries: list[Entry]) -> bytes:
    """Entries -> bytes: their number, event times, which have a signature,
    the signatures, then the ids as JSON (any character survives)."""
    has_sig = np.array([e.signature is not None for e in entries], dtype=np.uint8)
    sigs = [e.signature for e in entries if e.signature is not None]
    texts = json.dumps([[e.source, e.article_id, e.group, e.content_hash] for e in entries], ensure_ascii=False)
    return b"".join((
        _BATCH_HEAD.pack(len(entries)),
        np.array([e.event_ms for e in entries], dtype="<i8").tobytes(),
        has_sig.tobytes(),
        np.stack(sigs).astype("<u2").tobytes() if sigs else b"",
        texts.encode("utf-8"),
    ))


def _unpack_batch(blob: bytes) -> list[Entry]:
    (count,) = _BATCH_HEAD.unpack_from(blob)
    at = _BATCH_HEAD.size
    events = np.frombuffer(blob, dtype="<i8", count=count, offset=at).tolist()
    at += 8 * count
    has_sig = np.frombuffer(blob, dtype=np.uint8, count=count, offset=at).astype(bool)
    at += count
    signed = int(has_sig.sum())
    sigs = np.frombuffer(blob, dtype="<u2", count=signed * neardup.NUM_BINS, offset=at)
    sigs = sigs.astype(np.uint16).reshape(signed, neardup.NUM_BINS)
    at += 2 * signed * neardup.NUM_BINS
    texts = json.loads(blob[at:].decode("utf-8"))
    rows = iter(sigs)
    return [Entry(article_id, source, event_ms, group, content_hash, next(rows) if signed_ else None)
            for (source, article_id, group, content_hash), event_ms, signed_ in zip(texts, events, has_sig)]


def open_store(url_or_dir: str) -> Store:
    """A store from --dedup-store: redis://host:port[/db] for a shared Redis,
    anything else is a directory for the embedded SQLite store."""
    if url_or_dir.startswith(("redis://", "rediss://", "unix://")):
        from .redis_store import RedisStore

        return RedisStore(url_or_dir)
    return SqliteStore(os.path.join(url_or_dir, "dedup.sqlite3"))
