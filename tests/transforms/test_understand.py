"""The annotating DoFn shares one model per process; a runner that runs
bundles on several threads must not run it twice at once (spaCy memory zones
and the lemmatizer's lookups are not thread-safe: without the lock, about a
third of these articles failed)."""
import os
import threading

from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import Timestamp

from pipeline.kafka.headers import Message
from pipeline.news.articles import RawArticle
from pipeline.news.enrich import normalized_record
from pipeline.transforms.understand import _Annotate


def test_annotating_on_two_threads_at_once_fails_nothing():
    model = os.environ.get("NEWS_TEST_MODEL", "en_news_sm")
    recs = [normalized_record(RawArticle(id=f"a{n}", text=f"Title {n}\n\nMayor Ana Ruiz{n} said plan {n} would "
                                         f"work. \u201cWe will act,\u201d she said on day {n}.")) for n in range(60)]
    outputs, threads = [], []
    fns = [_Annotate(model), _Annotate(model)]
    for fn in fns:
        fn.setup()
    start = threading.Barrier(2)

    def annotate(fn, part):
        start.wait()
        fn.start_bundle()
        for n, rec in part:
            outputs.extend(fn.process((Message("raw", 0, n, None, b"", (), 0), rec), Timestamp(0), GlobalWindow()))
        outputs.extend(out.value for out in fn.finish_bundle())  # the last, short batch (WindowedValues)

    for fn, half in zip(fns, (list(enumerate(recs))[0::2], list(enumerate(recs))[1::2])):
        threads.append(threading.Thread(target=annotate, args=(fn, half)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outputs) == len(recs)
    assert all(isinstance(out, tuple) and out[1]["quotes"] for out in outputs), [
        getattr(out, "value", out) for out in outputs if not isinstance(out, tuple)][:2]


def test_a_bundle_is_parsed_in_batches_and_nothing_waits_past_its_end():
    model = os.environ.get("NEWS_TEST_MODEL", "en_news_sm")
    fn = _Annotate(model, batch_size=4)
    fn.setup()
    fn.start_bundle()
    recs = [normalized_record(RawArticle(id=f"b{n}", text=f"Title {n}\n\nThe mayor said plan {n} would work."))
            for n in range(6)]
    early = [out for n, rec in enumerate(recs) for out in fn.process((Message("raw", 0, n, None, b"", (), 0), rec), Timestamp(0), GlobalWindow())]
    assert [out[1]["id"] for out in early] == ["b0", "b1", "b2", "b3"]  # a full batch goes out at once
    late = list(fn.finish_bundle())
    assert [out.value[1]["id"] for out in late] == ["b4", "b5"]  # the rest when the bundle ends


def test_the_next_live_segment_finds_the_words_the_last_one_kept():
    """The local live mode sets the pipeline up again every segment: the
    annotating DoFn of the next one goes on with the same Enricher (no new
    tokenizer, the frequent words still kept), one per batch size."""
    model = os.environ.get("NEWS_TEST_MODEL", "en_news_sm")
    first = _Annotate(model, batch_size=3)
    first.setup()
    first.start_bundle()
    recs = [normalized_record(RawArticle(id=f"s{n}", text=f"Title {n}\n\nQuixotically, Zanzibarian ferries ran {n} "
                                         "times, the harbourmaster said.")) for n in range(3)]
    for n, rec in enumerate(recs):
        list(first.process((Message("raw", 0, n, None, b"", (), 0), rec), Timestamp(0), GlobalWindow()))
    list(first.finish_bundle())
    first.teardown()
    assert {"Quixotically,", "Zanzibarian"} <= first.enricher._kept_words  # in 2 articles or more: kept
    following = _Annotate(model, batch_size=3)
    following.setup()
    assert following.enricher is first.enricher
    other = _Annotate(model, batch_size=5)
    other.setup()
    assert other.enricher is not first.enricher and other.enricher.batch_size == 5
