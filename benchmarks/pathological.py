"""`python -m benchmarks.pathological`: the cost of annotating hostile texts.

For each pathological body of 100 KB (issue 15's quote bomb and its
cousins: one sentence with no full stop, no spaces, alternating or unclosed
quotes, chains of cues, a 1 MB line cut to the body limit, ...) prints the
CPU time of `Enricher.annotate_many` on it and on a normal article of the
same length (the seed article's paragraphs repeated), in alternating rounds
A/B so that machine noise hits both alike, with the min-max spread of each
and the ratio of the minima. The target is a ratio of at most 5: no text
costs much more than prose of its length (a quote mark is a token where
prose has one every 4.5 characters, so some excess is the model's own).
Also prints the tokens parsed (at most the Enricher's token budget), whether
the record says the extraction was cut (token or reported-clause budget) and
the normalisation time (not part of the ratio). About 15 minutes.
"""
from __future__ import annotations

import argparse
import functools
import os
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(ROOT, "tests", "fixtures", "seed_article.txt")
TARGET_RATIO = 5.0


def fill(unit: str, n: int) -> str:
    """unit repeated to exactly n characters."""
    return (unit * (n // len(unit) + 1))[:n]


# Before each text: a body of nothing but marks is refused at normalisation.
LEAD = "Readers wrote: "
# name -> body of n characters (LEAD included)
KINDS = {
    "quote marks": lambda n: '"' * n,
    "opening curly quotes, never closed": lambda n: "“" * n,
    "closing curly quotes": lambda n: "”" * n,
    "typewriter quotes ''": lambda n: "''" * (n // 2),
    "apostrophes": lambda n: "'" * n,
    "apostrophes in words": lambda n: fill("it's 'tis don't ' rock'n'roll '90s ", n),
    "alternating quotes": lambda n: fill('"a" ', n),
    "unclosed quotes before words": lambda n: fill("“word ", n),
    "paragraphs opening with a mark": lambda n: fill('"Yes\n\n', n),
    "one sentence, no full stop": lambda n: fill("the council said the plan would work and the mayor agreed with them ", n),
    "cue chain with commas": lambda n: fill("Smith said, ", n),
    "cue chain with colons": lambda n: fill("Smith said: ", n),
    "no spaces": lambda n: fill("abcdefghij", n),
    "no spaces, punctuation": lambda n: fill('said,"Smith".', n),
    "1 MB line cut to the body limit": lambda n: " ".join(_prose_paragraphs() * 400)[:n],  # 2.5 KB x 400
}


@functools.lru_cache(maxsize=1)
def _prose_paragraphs() -> list[str]:
    from pipeline.news.articles import RawArticle
    from pipeline.news.enrich import normalized_record

    with open(SEED, encoding="utf-8") as f:
        body = normalized_record(RawArticle(id="seed", text=f.read()))["body"]
    return body.split("\n\n")


def normal_body(n: int) -> str:
    """The seed article's paragraphs repeated to n characters."""
    return fill("\n\n".join(_prose_paragraphs()) + "\n\n", n).strip()


def record(body: str) -> tuple[dict, float]:
    """Body -> (normalised record, seconds of normalisation)."""
    from pipeline.news.articles import RawArticle
    from pipeline.news.enrich import normalized_record

    started = time.process_time()
    rec = normalized_record(RawArticle(id="bench", title="Benchmark", text=body))
    return rec, time.process_time() - started


def annotate(enricher, rec: dict) -> tuple[float, dict]:
    """CPU seconds to annotate one record, and the result."""
    started = time.process_time()
    ((_, result),) = list(enricher.annotate_many([rec]))
    elapsed = time.process_time() - started
    if not isinstance(result, dict):
        raise SystemExit(f"annotation failed: {result}")
    return elapsed, result


def spread(values) -> str:
    return f"{min(values):6.2f}-{max(values):6.2f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.pathological", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chars", type=int, default=100_000, help="body length (default: %(default)s)")
    ap.add_argument("--rounds", type=int, default=3, help="A/B rounds per text (default: %(default)s)")
    ap.add_argument("--only", action="append", choices=sorted(KINDS), help="time only these texts")
    ap.add_argument("--spacy-model", default="en_news_sm")
    args = ap.parse_args(argv)
    from pipeline.news.enrich import Enricher
    from pipeline.news.nlp import load_model

    enricher = Enricher(load_model(args.spacy_model))
    normal, _ = record(normal_body(args.chars))
    annotate(enricher, normal)  # warm up
    print(f"annotate CPU seconds, min-max of {args.rounds} alternating rounds; "
          f"normal article: {len(normal['body'])} characters of prose; target ratio <= {TARGET_RATIO:g}\n")
    print(f"  {'text':<36} {'chars':>7} {'tokens':>7} {'cut':>4} {'normalise':>9}  "
          f"{'normal s':>13}  {'text s':>13}  {'ratio':>5} {'(spread)':>11}")
    worst = 0.0
    for name in args.only or KINDS:
        rec, normalise = record(LEAD + KINDS[name](args.chars - len(LEAD)))
        ours, theirs = [], []
        for _ in range(args.rounds):
            theirs.append(annotate(enricher, normal)[0])
            seconds, result = annotate(enricher, rec)
            ours.append(seconds)
        ratio = min(ours) / min(theirs)
        ratios = [o / t for o, t in zip(ours, theirs)]
        worst = max(worst, ratio)
        with enricher.nlp.memory_zone():
            tokens = len(enricher._tokens(rec["body"]))  # as parsed: within the budget
        mark = "" if ratio <= TARGET_RATIO else "  MISSED"
        print(f"  {name:<36} {len(rec['body']):>7} {tokens:>7} "
              f"{'yes' if result['extraction_cut'] else 'no':>4} {normalise:>8.2f}s  {spread(theirs)}  "
              f"{spread(ours)}  {ratio:5.2f} ({min(ratios):.2f}-{max(ratios):.2f}){mark}", flush=True)
    print(f"\n  worst ratio {worst:.2f} (target <= {TARGET_RATIO:g})")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
