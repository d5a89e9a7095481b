"""Choosing a duplicate store from the --dedup-store flag."""
from __future__ import annotations

import os

from .store import Store


def open_store(url_or_dir: str) -> Store:
    """A store from --dedup-store: redis://host:port[/db] for a shared Redis,
    anything else is a directory for the embedded SQLite store."""
    if url_or_dir.startswith(("redis://", "rediss://", "unix://")):
        from .redis_store import RedisStore

        return RedisStore(url_or_dir)
    from .sqlite_store import SqliteStore

    return SqliteStore(os.path.join(url_or_dir, "dedup.sqlite3"))
