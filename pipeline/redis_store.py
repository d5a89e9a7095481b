"""The duplicate store on a shared Redis server (`--dedup-store redis://...`),
for several workers or a distributed runner. Same contract as dedup.Store.

Layout under a key prefix (default "newsdedup:"):
    a:{source}   hash: id, event time, group id, content hash, signature bytes
    h:{hash}     set of sources with that content hash
    b:{band key} set of sources with that LSH band key
    t            sorted set of sources by event time (for the horizon)
An article's writes go in one MULTI/EXEC, so other workers see all of it or
none of it. No text is stored.
"""
from __future__ import annotations

import numpy as np

from . import neardup
from .dedup import Entry

_FORGET_BATCH = 500


class RedisStore:
    def __init__(self, url: str, prefix: str = "newsdedup:"):
        import redis

        self.client = redis.Redis.from_url(url)
        self.client.ping()  # fail now, with the server's address, not at the first article
        self.prefix = prefix

    def _k(self, kind: str, name) -> str:
        return f"{self.prefix}{kind}:{name}"

    def find(self, content_hash, keys):
        pipe = self.client.pipeline(transaction=False)
        if content_hash is not None:
            pipe.smembers(self._k("h", content_hash))
        for key in keys:
            pipe.smembers(self._k("b", key))
        sources = set().union(*pipe.execute()) if (keys or content_hash is not None) else set()
        if not sources:
            return []
        pipe = self.client.pipeline(transaction=False)
        ordered = sorted(sources)
        for source in ordered:
            pipe.hgetall(self._k("a", source.decode()))
        entries = []
        for source, fields in zip(ordered, pipe.execute()):
            if fields:  # forgotten between the two round trips
                entries.append(_entry(source.decode(), fields))
        return entries

    def remember(self, entry, keys):
        source = entry.source
        fields = {"id": entry.article_id, "t": entry.event_ms, "g": entry.group, "h": entry.content_hash or ""}
        if entry.signature is not None:
            fields["s"] = entry.signature.astype("<u4").tobytes()
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self._k("a", source), mapping=fields)
        if entry.content_hash is not None:
            pipe.sadd(self._k("h", entry.content_hash), source)
        for key in keys:
            pipe.sadd(self._k("b", key), source)
        pipe.zadd(self.prefix + "t", {source: entry.event_ms})
        pipe.execute()

    def forget_before(self, event_ms):
        forgotten = 0
        while True:
            old = self.client.zrangebyscore(self.prefix + "t", "-inf", f"({event_ms}", start=0, num=_FORGET_BATCH)
            if not old:
                return forgotten
            pipe = self.client.pipeline(transaction=False)
            for source in old:
                pipe.hmget(self._k("a", source.decode()), "h", "s")
            stored = pipe.execute()
            pipe = self.client.pipeline(transaction=True)
            for source, (content_hash, sig) in zip(old, stored):
                name = source.decode()
                if content_hash:
                    pipe.srem(self._k("h", content_hash.decode()), name)
                if sig:
                    for key in neardup.band_keys(np.frombuffer(sig, dtype="<u4").astype(np.uint32)):
                        pipe.srem(self._k("b", key), name)
                pipe.delete(self._k("a", name))
                pipe.zrem(self.prefix + "t", name)
            pipe.execute()
            forgotten += len(old)

    def flush(self):
        pass  # every article was written when remembered; durability is the server's (AOF / RDB)

    def count(self):
        return self.client.zcard(self.prefix + "t")

    def close(self):
        self.client.close()


def _entry(source: str, fields: dict) -> Entry:
    sig = fields.get(b"s")
    return Entry(
        article_id=fields[b"id"].decode(),
        source=source,
        event_ms=int(fields[b"t"]),
        group=fields[b"g"].decode(),
        content_hash=fields[b"h"].decode() or None,
        signature=None if sig is None else np.frombuffer(sig, dtype="<u4").astype(np.uint32),
    )
