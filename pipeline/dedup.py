"""Remembering which articles were seen: exact duplicates across the stream
and across restarts.

In: a content hash (see enrich.content_hash) and where the message was read
(topic/partition/offset). Out: the verdict - the first copy (emit it), a
replay of the first copy (emit it again: a restart re-reads what was in
flight), or a duplicate of an earlier article (drop it).

The store sits behind `SeenStore`; `SqliteSeenStore` is the embedded default
(one file under --state-dir). SQLite rather than a key-value library: it is
in the standard library, durable, and `INSERT OR IGNORE` makes "first writer
wins" atomic, also between processes sharing the file.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Verdict:
    duplicate: bool
    first_id: str  # id of the article first seen with this content
    first_source: str  # where that first copy was read


class SeenStore(Protocol):
    def claim(self, content_hash: str, article_id: str, source: str) -> tuple[str, str]:
        """Remember (article_id, source) for content_hash unless something is
        remembered already; return what is remembered now."""

    def close(self) -> None: ...


def judge(store: SeenStore, content_hash: str, article_id: str, source: str) -> Verdict:
    """Is this message a duplicate? Never of itself: the same source (a
    replay after a restart) is the first copy again."""
    first_id, first_source = store.claim(content_hash, article_id, source)
    return Verdict(duplicate=first_source != source, first_id=first_id, first_source=first_source)


class SqliteSeenStore:
    """Content hashes in one SQLite file; durable across restarts."""

    def __init__(self, path: str):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS seen (hash TEXT PRIMARY KEY, id TEXT NOT NULL, source TEXT NOT NULL)"
        )

    def claim(self, content_hash: str, article_id: str, source: str) -> tuple[str, str]:
        self.db.execute("INSERT OR IGNORE INTO seen (hash, id, source) VALUES (?, ?, ?)",
                        (content_hash, article_id, source))
        row = self.db.execute("SELECT id, source FROM seen WHERE hash = ?", (content_hash,)).fetchone()
        return row[0], row[1]

    def close(self) -> None:
        self.db.close()


def open_store(state_dir: str) -> SqliteSeenStore:
    """The embedded store under a state directory."""
    return SqliteSeenStore(os.path.join(state_dir, "seen.sqlite3"))
