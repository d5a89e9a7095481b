"""`make bench`: measured targets of the streaming job, printed as one table.

dedup: the duplicate judge alone with its index pre-filled (articles/s and
bytes per remembered article for each store; our signatures against
datasketch's). live: end-to-end latency at a steady article rate, resident memory over the
run, CPU when the wire is idle, clean stop on SIGTERM, and a control run
without segments. scale: one process against raw spaCy, two processes
against one (alternating rounds, ratios with their min-max), live latency
with two workers, and a killed member's partitions taken over (about 40
minutes; shorten with --scale-articles 400 --scale-minutes 1). Reads article
texts from ../shared/data/bbc when present (else the samples, and says so).
Takes about minutes + idle + control + 3 minutes, plus scale; shorten with
e.g. BENCH_ARGS="--minutes 3 --idle-minutes 1".
"""
from __future__ import annotations

import argparse
import logging
import os
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--minutes", type=float, default=30, help="minutes of load (default: %(default)s)")
    ap.add_argument("--rate", type=float, default=10, help="articles per second (default: %(default)s)")
    ap.add_argument("--idle-minutes", type=float, default=3, help="quiet minutes after the load (default: %(default)s)")
    ap.add_argument("--control-minutes", type=float, default=6,
                    help="minutes of the control run without segments; 0 skips it (default: %(default)s)")
    ap.add_argument("--segment-seconds", type=float, default=300,
                    help="the job's --segment-seconds (default: %(default)s)")
    ap.add_argument("--prefill", type=int, default=100_000,
                    help="dedup: articles in the index first (default: %(default)s)")
    ap.add_argument("--timed", type=int, default=20_000, help="dedup: articles timed (default: %(default)s)")
    ap.add_argument("--scale-articles", type=int, default=0,
                    help="scale: articles of the catch-up runs; 0: all distinct BBC articles (default: %(default)s)")
    ap.add_argument("--scale-rounds", type=int, default=3,
                    help="scale: rounds of each side of the catch-up comparisons (default: %(default)s)")
    ap.add_argument("--scale-rate", type=float, default=20,
                    help="scale: articles per second of the live run with 2 workers (default: %(default)s)")
    ap.add_argument("--scale-minutes", type=float, default=10,
                    help="scale: minutes of the live run with 2 workers (default: %(default)s)")
    ap.add_argument("--only", choices=("dedup", "live", "scale", "language", "pathological"), default=None,
                    help="run one benchmark only")
    args = ap.parse_args(argv)
    logging.getLogger("kafka").setLevel(logging.ERROR)
    from benchmarks import dedup, live

    started = time.time()
    rows = []
    if args.only in (None, "dedup"):
        rows += dedup.run(args.data, args.prefill, args.timed)
    if args.only in (None, "live"):
        rows += live.run(args.data, args.minutes, args.rate, args.idle_minutes, args.control_minutes,
                         args.segment_seconds)
    if args.only in (None, "scale"):
        from benchmarks import scale

        rows += scale.run(args.data, args.scale_articles or None, args.scale_rounds, args.scale_rate,
                          args.scale_minutes)
    if args.only in (None, "pathological"):
        from benchmarks import pathological

        status = pathological.main([])
        rows.append(("hostile 100 KB texts: annotate cost vs prose of that length", "table above",
                     f"<= {pathological.TARGET_RATIO:g}x", status == 0))
    if args.only in (None, "language"):
        from benchmarks import language

        rows += language.run(args.data)
    print(f"\n  {'measure':<64} {'ours':<30} {'target':<18}")
    print("  " + "-" * 118)
    for name, value, target, ok in rows:
        mark = "" if ok is None else ("ok" if ok else "MISSED")
        print(f"  {name:<64} {value:<30} {target:<18} {mark}")
    print(f"\n  ({(time.time() - started) / 60:.0f} min; method: benchmarks/dedup.py, live.py, scale.py, pathological.py, language.py)")
    return 0 if all(ok is not False for *_, ok in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
