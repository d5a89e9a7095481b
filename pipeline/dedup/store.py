"""The store protocol: what the judge asks of a place that remembers articles.

Implementations: `memory_store.MemoryStore`, `sqlite_store.SqliteStore`,
`redis_store.RedisStore`; `stores.open_store` picks one.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np

from .entries import Entry


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
