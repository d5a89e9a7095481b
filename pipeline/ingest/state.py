"""What `ingest` has sent and fetched, kept across polls and restarts.

One SQLite file (`ingest.sqlite3` under --state-dir): per story id its
content hash and updated time (so a story is sent once, and again only when
it changed), the content hashes (so the same text under another id is not
sent twice), HTTP validators per URL (ETag, Last-Modified) and the files a
directory source has read. Rows untouched for longer than the horizon are
forgotten, so the file stays bounded. Without a state dir it lives in memory.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import time

DEFAULT_HORIZON_S = 30 * 24 * 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stories (id TEXT PRIMARY KEY, url TEXT, hash TEXT NOT NULL, updated_ms INTEGER,
                                    seen_s REAL NOT NULL);
CREATE INDEX IF NOT EXISTS stories_url ON stories (url);
CREATE INDEX IF NOT EXISTS stories_hash ON stories (hash);
CREATE INDEX IF NOT EXISTS stories_seen ON stories (seen_s);
CREATE TABLE IF NOT EXISTS validators (url TEXT PRIMARY KEY, etag TEXT, modified TEXT, seen_s REAL NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, seen_s REAL NOT NULL);
"""


def content_hash(title: str | None, text: str) -> str:
    """A hash of what a reader sees: title and text, whitespace folded."""
    folded = " ".join((title or "").split()) + "\n" + " ".join(text.split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


class SeenStore:
    """Sent stories, HTTP validators and read files (see the module doc)."""

    def __init__(self, state_dir: str | None, horizon_s: float = DEFAULT_HORIZON_S, clock=time.time):
        if state_dir:
            os.makedirs(state_dir, exist_ok=True)
            path = os.path.join(state_dir, "ingest.sqlite3")
        else:
            path = ":memory:"
        self.path = path
        self.horizon_s = horizon_s
        self.clock = clock
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL" if state_dir else "PRAGMA journal_mode=MEMORY")
        self._db.executescript(_SCHEMA)
        self.forget_old()

    def close(self) -> None:
        self._db.close()

    def forget_old(self) -> int:
        """Drop rows older than the horizon; returns how many stories went."""
        cutoff = self.clock() - self.horizon_s
        with self._db:
            gone = self._db.execute("DELETE FROM stories WHERE seen_s < ?", (cutoff,)).rowcount
            self._db.execute("DELETE FROM validators WHERE seen_s < ?", (cutoff,))
            self._db.execute("DELETE FROM files WHERE seen_s < ?", (cutoff,))
        return gone

    # -- stories -----------------------------------------------------------

    def known(self, story_id: str, url: str | None = None) -> tuple[str, int | None] | None:
        """(hash, updated_ms) of a story sent before under this id (or, when
        the id is new, this URL); None when never sent."""
        row = self._db.execute("SELECT hash, updated_ms FROM stories WHERE id = ?", (story_id,)).fetchone()
        if row is None and url:
            row = self._db.execute("SELECT hash, updated_ms FROM stories WHERE url = ?", (url,)).fetchone()
        return row

    def verdict(self, story_id: str, url: str | None, digest: str, updated_ms: int | None) -> str:
        """new, updated, same (sent before unchanged) or copy (its text was
        sent under another id)."""
        before = self.known(story_id, url)
        if before is not None:
            old_hash, old_updated = before
            # a newer updated time counts even with the same words: the source says it changed
            newer = updated_ms is not None and old_updated is not None and updated_ms > old_updated
            return "updated" if old_hash != digest or newer else "same"
        row = self._db.execute("SELECT id FROM stories WHERE hash = ?", (digest,)).fetchone()
        return "copy" if row is not None else "new"

    def unchanged_since(self, story_id: str, url: str | None, updated_ms: int | None) -> bool:
        """Was this story sent before with this updated time (or without
        one)? Then its page need not be fetched again."""
        before = self.known(story_id, url)
        if before is None:
            return False
        old_updated = before[1]
        return updated_ms is None or (old_updated is not None and updated_ms <= old_updated)

    def remember(self, story_id: str, url: str | None, digest: str, updated_ms: int | None) -> None:
        """Record a story as sent (call after the broker acknowledged it)."""
        with self._db:
            self._db.execute(
                "INSERT INTO stories (id, url, hash, updated_ms, seen_s) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET url = excluded.url, hash = excluded.hash, "
                "updated_ms = excluded.updated_ms, seen_s = excluded.seen_s",
                (story_id, url, digest, updated_ms, self.clock()))

    def touch(self, story_id: str, url: str | None = None) -> None:
        """A story still in its source: keep it past the horizon."""
        with self._db:
            self._db.execute("UPDATE stories SET seen_s = ? WHERE id = ?", (self.clock(), story_id))

    def stories(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM stories").fetchone()[0]

    # -- HTTP validators ---------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None]:
        row = self._db.execute("SELECT etag, modified FROM validators WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def set_validators(self, url: str, etag: str | None, modified: str | None) -> None:
        with self._db:
            if etag or modified:
                self._db.execute("INSERT OR REPLACE INTO validators VALUES (?, ?, ?, ?)",
                                 (url, etag, modified, self.clock()))
            else:
                self._db.execute("DELETE FROM validators WHERE url = ?", (url,))

    # -- files of directory sources -----------------------------------------

    def file_changed(self, path: str, size: int, mtime_ns: int) -> bool:
        row = self._db.execute("SELECT size, mtime_ns FROM files WHERE path = ?", (path,)).fetchone()
        return row is None or tuple(row) != (size, mtime_ns)

    def remember_file(self, path: str, size: int, mtime_ns: int) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", (path, size, mtime_ns, self.clock()))

    def touch_files(self, paths) -> None:
        now = self.clock()
        with self._db:
            self._db.executemany("UPDATE files SET seen_s = ? WHERE path = ?", [(now, p) for p in paths])
