"""The duplicate store on a shared Redis server (`--dedup-store redis://...`),
for several workers or a distributed runner. Same contract as store.Store.

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

import struct
import zlib

import numpy as np

from . import minhash
from .entries import Entry, pack as _pack, unpack as _unpack

_BUCKETS = 65536
_FORGET_BATCH = 500

# A request names (bucket hash, field) pairs in one binary string, parsed by
# the scripts below: per pair a kind byte ("B" band key, "H" content hash),
# the bucket (2 bytes, big-endian), the field's length (1 byte), the field.
# One string rather than two arguments a pair: redis-py's cost per argument,
# not the server, was what limited a bundle (100,000 arguments a second).
_NEXT_PAIR = """
local function next_pair(p, req, i)
  local bucket = string.byte(req, i + 1) * 256 + string.byte(req, i + 2)
  local size = string.byte(req, i + 3)
  return p .. string.sub(req, i, i) .. ':' .. bucket, string.sub(req, i + 4, i + 3 + size), i + 4 + size
end
"""

# ARGV: prefix, then for each article: event_ms, the packed entry, the
# request of its pairs (band keys, then its content hash). One call
# remembers a bundle, all of it or none.
_REMEMBER = _NEXT_PAIR + """
local p = ARGV[1]
for a = 2, #ARGV, 3 do
  local slot = redis.call('INCR', p .. 'next')
  redis.call('SET', p .. 'a:' .. slot, ARGV[a + 1])
  redis.call('ZADD', p .. 't', ARGV[a], slot)
  local req, i = ARGV[a + 2], 1
  while i <= #req do
    local key, field
    key, field, i = next_pair(p, req, i)
    local old = redis.call('HGET', key, field)
    if old then
      redis.call('HSET', key, field, old .. ',' .. slot)
    else
      redis.call('HSET', key, field, slot)
    end
  end
end
return 1
"""

# ARGV: prefix, a request -> the pairs' values joined by ';' ('' where none)
_LOOK_UP = _NEXT_PAIR + """
local p, req, i = ARGV[1], ARGV[2], 1
local out = {}
while i <= #req do
  local key, field
  key, field, i = next_pair(p, req, i)
  out[#out + 1] = redis.call('HGET', key, field) or ''
end
return table.concat(out, ';')
"""

_BAND_PAIR = np.dtype([("kind", "S1"), ("bucket", ">u2"), ("size", "u1"), ("field", "<i8")])


def _band_pairs(keys: np.ndarray) -> np.ndarray:
    """Band keys [n, BANDS] -> their request records, same shape."""
    pairs = np.empty(keys.shape, dtype=_BAND_PAIR)
    pairs["kind"], pairs["bucket"], pairs["size"], pairs["field"] = b"B", keys % _BUCKETS, 8, keys
    return pairs


def _request(entry: Entry, band_pairs: np.ndarray | None = None) -> bytes:
    """The request of an entry's pairs: its band keys (from the signature
    when not given), then its content hash."""
    request = b""
    if entry.signature is not None:
        if band_pairs is None:
            band_pairs = _band_pairs(minhash.band_keys_many(entry.signature.reshape(1, -1))[0])
        request = band_pairs.tobytes()
    if entry.content_hash is not None:
        request += _hash_pair(entry.content_hash)
    return request


def _hash_pair(content_hash: str) -> bytes:
    field = content_hash[:16].encode("utf-8")
    return struct.pack(">cHB", b"H", zlib.crc32(content_hash.encode()) % _BUCKETS, len(field)) + field


# ARGV: prefix, slot, the request of the pairs to take the slot out of
_FORGET = _NEXT_PAIR + """
local p, slot, req, i = ARGV[1], ARGV[2], ARGV[3], 1
while i <= #req do
  local key, field
  key, field, i = next_pair(p, req, i)
  local old = redis.call('HGET', key, field)
  if old then
    local kept = {}
    for s in string.gmatch(old, '[^,]+') do
      if s ~= slot then kept[#kept + 1] = s end
    end
    if #kept == 0 then
      redis.call('HDEL', key, field)
    else
      redis.call('HSET', key, field, table.concat(kept, ','))
    end
  end
end
redis.call('DEL', p .. 'a:' .. slot)
redis.call('ZREM', p .. 't', slot)
return 1
"""


class RedisStore:
    def __init__(self, url: str, prefix: str = "newsdedup2:"):
        try:
            import redis
        except ImportError as exc:  # a worker installed without the extra
            raise RuntimeError("--dedup-store redis:// needs the redis client: install news-pipeline[redis] "
                               "(or redis==7.4.0)") from exc

        self.client = redis.Redis.from_url(url)
        self.client.ping()  # fail now, with the server's address, not at the first article
        self.prefix = prefix
        self._remember = self.client.register_script(_REMEMBER)
        self._look_up = self.client.register_script(_LOOK_UP)
        self._forget = self.client.register_script(_FORGET)

    def find_many(self, hashes, keys, has_sig):
        signed = np.flatnonzero(has_sig)
        rows = np.repeat(signed, keys.shape[1]).tolist()
        request = [_band_pairs(keys[signed]).tobytes()]
        for row, content_hash in enumerate(hashes):
            if content_hash is not None:
                rows.append(row)
                request.append(_hash_pair(content_hash))
        found = [[] for _ in hashes]
        if not rows:
            return found
        slots_of: dict[int, set[str]] = {}
        for row, value in zip(rows, self._look_up(args=[self.prefix, b"".join(request)]).split(b";")):
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
        pairs = _band_pairs(keys)
        args = [self.prefix]
        for entry, row in zip(entries, pairs):
            args += [entry.event_ms, _pack(entry), _request(entry, row)]
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
                request = _request(_unpack(packed)) if packed else b""
                self._forget(args=[self.prefix, slot.decode(), request], client=pipe)
            pipe.execute()
            forgotten += len(old)

    def flush(self):
        pass  # every article was written when remembered; durability is the server's (AOF / RDB)

    def count(self):
        return self.client.zcard(self.prefix + "t")

    def close(self):
        self.client.close()
