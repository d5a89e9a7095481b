"""Dropping exact and near copies before the NLP (the judge is pipeline.dedup)."""
from __future__ import annotations

import apache_beam as beam

from ..kafka.headers import source_of
from .guard import DEAD_LETTER, GuardedDoFn
from .metrics import Counter

DUPLICATES = "duplicates"


class _DropDuplicates(GuardedDoFn):
    """Judges each record as it comes. Judging a whole bundle at once
    (Deduplicator.judge_many, several times faster per article) would save a
    few milliseconds a bundle (~0.1 ms an article against the ~100 ms of NLP
    each unique article then costs), but every record would wait for the
    bundle's end; when this stage sat behind the NLP, that raised the live
    p99 from 1.3 to 2.0 s in `make bench`."""

    stage = "judge"

    def __init__(self, store, threshold, horizon_ms):
        super().__init__()
        self.store_url, self.threshold, self.horizon_ms = store, threshold, horizon_ms
        self.duplicates = Counter("duplicates")

    def setup(self):
        from ..dedup.judge import Deduplicator
        from ..dedup.stores import open_store

        self.store = open_store(self.store_url)
        self.judge = Deduplicator(self.store, self.threshold, self.horizon_ms)

    def handle(self, item):
        message, rec = item
        event_ms = rec["published"] if rec["published"] is not None else message.timestamp
        verdict = self.judge.judge(rec["id"], source_of(message), event_ms, rec["content_hash"], rec["body"])
        if verdict.duplicate:
            self.duplicates.inc()
            yield beam.pvalue.TaggedOutput(DUPLICATES, (message, rec, verdict))
        else:
            yield item

    def finish_bundle(self):
        # durable before the bundle's offsets are committed
        self.store.flush()

    def teardown(self):
        self.store.close()


class DropDuplicates(beam.PTransform):
    """(Message, record) -> the records that are not a copy or near copy of
    an earlier article (see pipeline.dedup; a replay is never a copy of itself);
    duplicates to the duplicates output as (Message, record, Verdict).
    `store`: a directory for the embedded store, or redis://host:port/db."""

    def __init__(self, store, threshold, horizon_ms):
        super().__init__()
        self.args = (store, threshold, horizon_ms)

    def expand(self, records):
        return records | "Judge" >> beam.ParDo(_DropDuplicates(*self.args)).with_outputs(
            DUPLICATES, DEAD_LETTER, main="unique")
