"""What is remembered of one judged article, and its byte form.

`Entry` is what the judge and every store exchange. `pack`/`unpack` are the
one byte format of an entry, used by the Redis store (a value per article)
and, through `pack_many`/`unpack_many`, by the SQLite store (a row per
flush): event time, signature, then the ids as JSON (any character survives).
"""
from __future__ import annotations

import json
import struct
from typing import NamedTuple

import numpy as np


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


_HEAD = struct.Struct("<qH")  # event time, signature length in values
_SIZE = struct.Struct("<I")  # length of one packed entry inside a batch


def pack(entry: Entry) -> bytes:
    """Entry -> bytes: event time, signature, then the texts as JSON."""
    sig = b"" if entry.signature is None else entry.signature.astype("<u2").tobytes()
    texts = json.dumps([entry.source, entry.article_id, entry.group, entry.content_hash], ensure_ascii=False)
    return _HEAD.pack(entry.event_ms, len(sig) // 2) + sig + texts.encode("utf-8")


def unpack(data: bytes) -> Entry:
    """pack()'s bytes -> the Entry."""
    event_ms, values = _HEAD.unpack_from(data)
    start = _HEAD.size + 2 * values
    sig = np.frombuffer(data, dtype="<u2", count=values, offset=_HEAD.size).astype(np.uint16) if values else None
    source, article_id, group, content_hash = json.loads(data[start:].decode("utf-8"))
    return Entry(article_id, source, event_ms, group, content_hash, sig)


def pack_many(entries: list[Entry]) -> bytes:
    """Entries -> bytes: each packed entry after its length."""
    out = []
    for entry in entries:
        packed = pack(entry)
        out += (_SIZE.pack(len(packed)), packed)
    return b"".join(out)


def unpack_many(blob: bytes) -> list[Entry]:
    """pack_many()'s bytes -> the Entries, in order."""
    entries, at, view = [], 0, memoryview(blob)
    while at < len(blob):
        (size,) = _SIZE.unpack_from(blob, at)
        at += _SIZE.size
        entries.append(unpack(bytes(view[at : at + size])))
        at += size
    return entries
