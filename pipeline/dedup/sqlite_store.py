"""The embedded duplicate store: the memory index, durable in one SQLite file."""
from __future__ import annotations

import os
import sqlite3

import numpy as np

from . import minhash
from .entries import pack_many, unpack_many
from .memory_store import MemoryStore


class SqliteStore:
    """The memory index (MemoryStore), kept durable in one SQLite file and
    read back into memory when the store is opened. What was remembered
    since the last flush() is written by flush() as one row (its entries in
    the byte form of entries.py: no text; band keys are computed again from the
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
        # A runner may open the store in one thread and use or close it in
        # another (Beam's portable worker tears DoFns down elsewhere); the
        # store is used by one thread at a time, so the check is lifted.
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
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
            entries = [entry for batch, blob in rows if batch not in self.written for entry in unpack_many(blob)]
            self.written.difference_update(batch for batch, _ in rows)
            if entries:
                sigs = np.stack([e.signature if e.signature is not None else _NO_SIGNATURE for e in entries])
                self.memory.remember_many(entries, minhash.band_keys_many(sigs))

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
                                     (max(e.event_ms for e in self.pending), pack_many(self.pending)))
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


_SQLITE_VERSION = 4  # 0 and 2 had a row per article, 3 a columnar row
_NO_SIGNATURE = np.zeros(minhash.NUM_BINS, dtype=np.uint16)
