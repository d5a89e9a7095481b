"""The duplicate index in memory (offline runs, tests, and the SQLite store's
working copy)."""
from __future__ import annotations

import hashlib

import numpy as np

from . import minhash
from .entries import Entry


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
        self._sig = np.zeros((0, minhash.NUM_BINS), dtype=np.uint16)
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
