"""Duplicate detection: which articles are exact or near copies of an earlier
one, across the stream and across restarts.

Owns: the judge (`judge.Deduplicator`), what is remembered of an article and
its byte form (`entries`), the store protocol (`store.Store`) and one module
per store (`memory_store`, `sqlite_store`, `redis_store`; `stores.open_store`
picks one from a flag), and the MinHash signatures (`minhash`).
May import: numpy, the standard library, `redis` (the Redis store only).
Nothing here knows about Beam, Kafka or spaCy; stores depend on the protocol
and the entry format, never on the judge.

This module holds the defaults the command line shows, so reading them
imports nothing heavy.
"""

DAY_MS = 24 * 3600 * 1000
# estimated Jaccard similarity at and above which two articles are
# near-duplicates (chosen on the BBC dev pairs; figures in the README)
THRESHOLD = 0.5
# articles whose event time is this far behind the newest are forgotten
DEFAULT_HORIZON_MS = 7 * DAY_MS
