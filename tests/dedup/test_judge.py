"""Duplicate verdicts: exact and near copies, replays, order, horizon, restarts."""
from pathlib import Path

import numpy as np
import pytest

from pipeline.dedup import DAY_MS
from pipeline.dedup.entries import Entry
from pipeline.dedup.judge import Deduplicator
from pipeline.dedup.memory_store import MemoryStore
from pipeline.dedup.sqlite_store import SqliteStore
from pipeline.dedup.stores import open_store
from pipeline.dedup.minhash import NUM_BINS, band_keys_many
from pipeline.news.normalize import clean_article

ARTICLES = Path(__file__).parent.parent / "fixtures" / "dedup"


def body(name: str) -> str:
    return clean_article((ARTICLES / f"{name}.txt").read_text(encoding="utf-8")).body


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request, tmp_path):
    if request.param == "memory":
        made = MemoryStore()
    elif request.param == "sqlite":
        made = open_store(str(tmp_path))
    else:
        url = request.getfixturevalue("redis_url")
        made = open_store(url)
        made.client.flushdb()
    yield made
    made.close()


@pytest.mark.parametrize(
    "later, duplicate, kind",
    [
        ("base", True, "exact"),  # the same text again
        ("reissue", True, "near"),  # a new headline and two corrected words
        ("boilerplate", True, "near"),  # byline, dateline, share widget and credits around it
        ("followup", False, None),  # the same event a week on, two background paragraphs shared
        ("same_topic", False, None),  # another flood story
    ],
)
def test_verdict_on_a_later_article(store, later, duplicate, kind):
    judge = Deduplicator(store)
    first = judge.judge("base-1", "raw/0/1", 1000, "h-base", body("base"))
    verdict = judge.judge("later-1", "raw/0/2", 2000, "h-base" if later == "base" else f"h-{later}", body(later))
    assert not first.duplicate
    assert (verdict.duplicate, verdict.kind) == (duplicate, kind)
    if duplicate:
        assert verdict.duplicate_of == "base-1" and verdict.similarity >= judge.threshold


@pytest.mark.parametrize("order", [("a", "b"), ("b", "a")])
def test_the_earlier_article_is_kept_whichever_comes_first(store, order):
    articles = {"a": ("base-1", "raw/0/1", 1000, "h1", body("base")),
                "b": ("reissue-1", "raw/1/1", 5000, "h2", body("reissue"))}
    judge = Deduplicator(store)
    verdicts = {name: judge.judge(*articles[name]) for name in order}
    assert not verdicts["a"].duplicate  # the earlier event is never dropped
    # judged second, the later one is dropped; judged first, both are kept (never both dropped)
    assert verdicts["b"].duplicate == (order == ("a", "b"))


def test_two_workers_never_drop_both():
    # the race at its worst: two workers judge the two copies at the same
    # moment, so neither sees the other's entry yet: both are kept
    a = Deduplicator(MemoryStore()).judge("base-1", "raw/0/1", 1000, "h1", body("base"))
    b = Deduplicator(MemoryStore()).judge("reissue-1", "raw/1/1", 1000, "h2", body("reissue"))
    assert not a.duplicate and not b.duplicate
    # with both remembered, a replay of either gets the ordered verdict (same
    # time: the smaller id is first), so at most the later one is dropped
    shared = MemoryStore()
    judge = Deduplicator(shared)
    judge.judge("reissue-1", "raw/1/1", 1000, "h2", body("reissue"))
    judge.judge("base-1", "raw/0/1", 1000, "h1", body("base"))
    assert not judge.judge("base-1", "raw/0/1", 1000, "h1", body("base")).duplicate
    assert judge.judge("reissue-1", "raw/1/1", 1000, "h2", body("reissue")).duplicate_of == "base-1"


def test_two_workers_on_the_shared_store_never_drop_both(redis_url):
    import threading

    stores = [open_store(redis_url), open_store(redis_url)]
    stores[0].client.flushdb()
    texts = (body("base"), body("reissue"))
    def work(n, round_, start, verdicts):
        start.wait()
        verdicts[n] = Deduplicator(stores[n]).judge(f"copy{n}-{round_}", f"raw/{n}/{round_}", 1000 + round_,
                                                    None, texts[n])

    for round_ in range(20):
        verdicts = [None, None]
        start = threading.Barrier(2)
        threads = [threading.Thread(target=work, args=(n, round_, start, verdicts)) for n in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not (verdicts[0].duplicate and verdicts[1].duplicate)
        stores[0].client.flushdb()
    for s in stores:
        s.close()


def test_copies_with_the_same_id_and_time_are_ordered_by_where_they_were_read(store):
    # e.g. a file fed twice in one batch: same key, same producer timestamp
    judge = Deduplicator(store)
    assert not judge.judge("seed", "raw/0/1", 1000, "h1", body("base")).duplicate
    assert judge.judge("seed", "raw/0/2", 1000, "h1", body("base")).duplicate


def test_a_replay_is_never_a_duplicate_of_itself(store):
    judge = Deduplicator(store)
    first = judge.judge("base-1", "raw/0/1", 1000, "h1", body("base"))
    dup = judge.judge("copy-1", "raw/0/2", 2000, "h1", body("base"))
    assert not first.duplicate and dup.duplicate
    # replays after a restart: same verdicts, nothing remembered twice
    assert not judge.judge("base-1", "raw/0/1", 1000, "h1", body("base")).duplicate
    assert judge.judge("copy-1", "raw/0/2", 2000, "h1", body("base")).duplicate_of == "base-1"
    assert store.count() == 2


def test_a_copy_of_a_duplicate_points_to_the_kept_article(store):
    judge = Deduplicator(store)
    judge.judge("base-1", "raw/0/1", 1000, "h1", body("base"))
    judge.judge("reissue-1", "raw/0/2", 2000, "h2", body("reissue"))
    assert judge.judge("reissue-2", "raw/0/3", 3000, "h2", body("reissue")).duplicate_of == "base-1"


def test_articles_behind_the_horizon_are_forgotten(store):
    judge = Deduplicator(store, horizon_ms=2 * DAY_MS)
    judge.judge("base-1", "raw/0/1", 0, "h1", body("base"))
    judge.judge("other-1", "raw/0/2", 3 * DAY_MS, "h3", body("same_topic"))
    assert store.forget_before(judge.newest_ms - judge.horizon_ms) == 1
    assert not judge.judge("copy-1", "raw/0/3", 3 * DAY_MS, "h1", body("base")).duplicate


def test_the_horizon_is_swept_as_articles_arrive():
    store = MemoryStore()
    judge = Deduplicator(store, horizon_ms=1000)
    for n in range(2500):
        judge.judge(f"a{n}", f"raw/0/{n}", n * 10, f"h{n}", f"story number {n} " * 3)
    assert store.count() < 1200  # only the last ~100 event-seconds... and what came since the last sweep


def test_the_embedded_store_survives_a_restart(tmp_path):
    store = open_store(str(tmp_path))
    Deduplicator(store).judge("base-1", "raw/0/1", 1000, "h1", body("base"))
    store.close()
    reopened = open_store(str(tmp_path))
    assert isinstance(reopened, SqliteStore)
    assert Deduplicator(reopened).judge("reissue-1", "raw/2/9", 2000, "h2", body("reissue")).duplicate_of == "base-1"
    reopened.close()


def test_nothing_is_stored_but_hashes_and_signatures(tmp_path):
    store = open_store(str(tmp_path))
    Deduplicator(store).judge("base-1", "raw/0/1", 1000, "h1", body("base"))
    store.close()
    data = (tmp_path / "dedup.sqlite3").read_bytes() + (tmp_path / "dedup.sqlite3-wal").read_bytes() \
        if (tmp_path / "dedup.sqlite3-wal").exists() else (tmp_path / "dedup.sqlite3").read_bytes()
    assert b"retaining wall" not in data


def test_a_batch_gets_the_verdicts_of_one_by_one(store, tmp_path):
    articles = [
        ("reissue-1", "raw/0/5", 5000, "h2", body("reissue")),
        ("base-1", "raw/0/1", 1000, "h1", body("base")),
        ("copy-1", "raw/0/2", 2000, "h1", body("base")),  # exact copy of an article in the same batch
        ("topic-1", "raw/0/3", 3000, "h3", body("same_topic")),
        ("base-1", "raw/0/1", 1000, "h1", body("base")),  # a replay inside the batch
        ("boiler-1", "raw/0/4", 4000, "h4", body("boilerplate")),
        ("empty-1", "raw/0/6", 6000, "h5", ""),
    ]
    one_by_one = Deduplicator(MemoryStore())
    expected = [one_by_one.judge(*a) for a in articles]
    assert Deduplicator(store).judge_many(articles) == expected
    assert [v.duplicate_of for v in expected] == [None, None, "base-1", None, None, "base-1", None]


def test_processes_sharing_the_embedded_store_see_each_others_articles(tmp_path):
    first, second = open_store(str(tmp_path)), open_store(str(tmp_path))
    Deduplicator(first).judge("base-1", "raw/0/1", 1000, "h1", body("base"))
    first.flush()
    assert Deduplicator(second).judge("reissue-1", "raw/1/1", 2000, "h2", body("reissue")).duplicate_of == "base-1"
    second.flush()
    assert Deduplicator(first).judge("reissue-2", "raw/0/2", 3000, "h2", body("reissue")).duplicate_of == "base-1"
    first.flush()
    assert not Deduplicator(second).judge("base-1", "raw/0/1", 1000, "h1", body("base")).duplicate  # a replay
    assert first.count() == second.count() == 3
    first.close()
    second.close()


def test_a_large_index_finds_every_holder_of_a_hot_key():
    # enough entries for the big run's directory, and one key held by more
    # articles than a directory bucket is read at once
    store = MemoryStore()
    rng = np.random.default_rng(7)
    sigs = rng.integers(0, 1 << 16, (6000, NUM_BINS), dtype=np.uint16)
    sigs[:40] = sigs[0]  # forty copies of one signature: its 16 keys are hot
    entries = [Entry(f"a{n}", f"raw/0/{n}", n, f"a{n}", None, sig) for n, sig in enumerate(sigs)]
    for start in range(0, len(entries), 500):
        store.remember_many(entries[start:start + 500], band_keys_many(sigs[start:start + 500]))
    assert len(store._main) > 1 << 16 and store._main.directory is not None
    (found,) = store.find_many([None], band_keys_many(sigs[:1]), np.array([True]))
    assert sorted(e.article_id for e in found) == sorted(f"a{n}" for n in range(40))
    (found,) = store.find_many([None], band_keys_many(sigs[4321:4322]), np.array([True]))
    assert [e.article_id for e in found] == ["a4321"]


def test_forgetting_most_of_the_index_keeps_the_rest_findable():
    store = MemoryStore()
    judge = Deduplicator(store)
    for n in range(300):
        judge.judge(f"a{n}", f"raw/0/{n}", n, f"h{n}", f"story number {n} about the river " * 3)
    assert store.forget_before(250) == 250  # more than half: slots are renumbered
    assert store.count() == 50
    assert judge.judge("copy", "raw/1/1", 400, "h260", "story number 260 about the river " * 3).duplicate_of == "a260"
    assert not judge.judge("late", "raw/1/2", 400, "h10", "story number 10 about the river " * 3).duplicate


def test_ids_with_any_characters_come_back_whole(store):
    judge = Deduplicator(store)
    judge.judge("odd\0id \u00e9\n1", "raw/0/1", 1000, "h1", body("base"))
    assert judge.judge("copy", "raw/0/2", 2000, "h1", body("base")).duplicate_of == "odd\0id \u00e9\n1"


@pytest.mark.parametrize("future", ["9999-12-31", "2100-01-01"])
def test_a_future_date_cannot_make_the_store_forget(store, future):
    from datetime import datetime, timezone

    now_ms = 1_795_000_000_000  # 2026-11-18
    judge = Deduplicator(store, horizon_ms=7 * DAY_MS, clock=lambda: now_ms / 1000)
    judge.judge("base-1", "raw/0/1", now_ms - DAY_MS, "h1", body("base"))
    far = int(datetime.fromisoformat(future).replace(tzinfo=timezone.utc).timestamp() * 1000)
    judge.judge("odd-1", "raw/0/2", far, "h2", body("same_topic"))
    assert judge.newest_ms == now_ms + DAY_MS  # the clock plus its tolerance, not year 9999
    assert store.forget_before(judge.newest_ms - judge.horizon_ms) == 0
    assert judge.judge("copy-1", "raw/0/3", now_ms, "h1", body("base")).duplicate_of == "base-1"
