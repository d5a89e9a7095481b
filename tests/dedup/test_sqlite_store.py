"""The embedded store used from more than one thread, as Beam's portable
worker does (set up in one thread, used and torn down in another)."""
import threading

import numpy as np

from pipeline.dedup.entries import Entry
from pipeline.dedup.minhash import band_keys_many, signatures
from pipeline.dedup.sqlite_store import SqliteStore


def test_a_store_opened_in_one_thread_works_and_closes_in_another(tmp_path):
    store = SqliteStore(str(tmp_path / "dedup.sqlite3"))
    sigs, _ = signatures(["the harbour plan was approved by the council on tuesday after a long debate"])
    entry = Entry("a1", "raw/0/1", 1000, "a1", "hash-a1", sigs[0])
    errors = []

    def elsewhere():
        try:
            store.remember_many([entry], band_keys_many(sigs))
            store.flush()
            store.close()
        except Exception as exc:  # noqa: BLE001 - reported to the test's thread below
            errors.append(exc)

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    assert errors == []
    reopened = SqliteStore(str(tmp_path / "dedup.sqlite3"))
    (found,) = reopened.find_many(["hash-a1"], band_keys_many(sigs), np.array([True]))
    assert [e.article_id for e in found] == ["a1"]
    reopened.close()
