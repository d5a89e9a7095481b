"""Language detection against our spaCy annotation: milliseconds per article
of each on the same normalised BBC articles (headline and body, as the
pipeline has them), in alternating rounds so that a machine slowed down by
its neighbours slows both; each round's ratio and the median with its
min-max. Also the resident memory the detector adds once built and warm,
and how long building it takes. One process, one thread.

    python -m benchmarks.language [--data ../shared/data] [--articles 200] [--rounds 3]
"""
from __future__ import annotations

import argparse
import glob
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_records(data_dir: str, limit: int) -> tuple[list[dict], str]:
    """Data directory and a count -> (normalised records of up to that many
    BBC articles, a word on where they came from); the samples when the
    directory has no BBC articles."""
    from pipeline.news.articles import RawArticle
    from pipeline.news.enrich import normalized_record

    paths = sorted(glob.glob(os.path.join(data_dir, "bbc", "*", "*.txt")))
    origin = f"{min(limit, len(paths))} BBC articles"
    if not paths:
        paths = sorted(glob.glob(os.path.join(ROOT, "samples", "*.txt")))
        origin = f"no BBC articles under {data_dir}: the {len(paths)} sample articles"
    # spread the pick over the three categories rather than taking the first
    step = max(1, len(paths) // max(limit, 1))
    records = []
    for path in paths[::step][:limit]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        records.append(normalized_record(RawArticle(id=os.path.relpath(path, data_dir), text=text)))
    return records, origin


def _spread(values: list[float], fmt: str = "{:.2f}") -> str:
    """Values -> 'median (min-max)'."""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def bench(data_dir: str, articles: int = 200, rounds: int = 3, model: str = "en_news_sm") -> dict:
    """Data directory -> per-round ms per article of detection and of spaCy
    annotation, their ratios, the detector's added memory (MB) and build
    time (s); prints one table."""
    import psutil

    from pipeline.news.enrich import Enricher
    from pipeline.news.language import describe, shared_detector
    from pipeline.news.nlp import load_model

    records, origin = load_records(data_dir, articles)
    texts = [f"{rec['headline']}\n\n{rec['body']}" for rec in records]
    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    start = time.perf_counter()
    detector = shared_detector()
    build_s = time.perf_counter() - start
    for text in texts:  # warm-up
        detector.detect(text)
    added_mb = (proc.memory_info().rss - rss0) / 2**20
    enricher = Enricher(load_model(model))
    list(enricher.annotate_many(records[:20]))  # warm-up

    detect_ms, annotate_ms = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            detector.detect(text)
        detect_ms.append((time.perf_counter() - start) * 1000 / len(texts))
        start = time.perf_counter()
        for _rec, out in enricher.annotate_many(records):
            pass
        annotate_ms.append((time.perf_counter() - start) * 1000 / len(records))
    share = [d / a for d, a in zip(detect_ms, annotate_ms)]
    result = {
        "articles": len(records), "origin": origin, "rounds": rounds, "detector": describe(),
        "detect_ms": detect_ms, "annotate_ms": annotate_ms, "detect_share_of_annotation": share,
        "detector_added_mb": added_mb, "detector_build_s": build_s,
    }
    print(f"Language detection against spaCy annotation ({model}): {origin}, {rounds} alternating rounds\n"
          f"  detector: {result['detector']}\n")
    print(f"  {'measure':<48} {'median (min-max)':<28}")
    print("  " + "-" * 76)
    print(f"  {'detection, ms per article':<48} {_spread(detect_ms, '{:.3f}'):<28}")
    print(f"  {'spaCy annotation, ms per article':<48} {_spread(annotate_ms, '{:.1f}'):<28}")
    print(f"  {'detection / annotation':<48} {_spread([100 * s for s in share], '{:.2f}') + ' %':<28}")
    print(f"  {'detector: resident memory added, built and warm':<48} {added_mb:.0f} MB")
    print(f"  {'detector: build time (first use in a process)':<48} {build_s:.2f} s")
    return result


def run(data_dir: str, articles: int = 200, rounds: int = 3) -> list[tuple]:
    """Data directory -> rows (name, value, target, ok) for `make bench`'s
    table: detection's cost as a share of annotation (target: at most 10 %)
    and the detector's memory (target: at most 150 MB per process)."""
    r = bench(data_dir, articles, rounds)
    share = statistics.median(r["detect_share_of_annotation"])
    return [
        ("language detection, ms per article", _spread(r["detect_ms"], "{:.3f}"), "", None),
        ("language detection / spaCy annotation", f"{100 * share:.1f} % (median of {rounds})", "<= 10 %",
         share <= 0.10),
        ("language detector: memory added per process", f"{r['detector_added_mb']:.0f} MB", "<= 150 MB",
         r["detector_added_mb"] <= 150),
    ]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.language", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--articles", type=int, default=200, help="articles per round (default: %(default)s)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of each side (default: %(default)s)")
    ap.add_argument("--spacy-model", default="en_news_sm")
    args = ap.parse_args(argv)
    bench(args.data, args.articles, args.rounds, args.spacy_model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
