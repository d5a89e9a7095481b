"""Near-duplicate detection scored on the BBC articles and their pair gold.

Gold (../shared/data/bbc/duplicates.tsv): pairs labelled `identical` or
`revision` are duplicates; `follow_up` pairs are left out of the scores
(neither right nor wrong); every other pair, `partial_overlap` included, is
not a duplicate. Gold pairs are closed into groups and the groups expanded
back to pairs, as are the predicted groups.

`sweep` scores every shingle size and threshold on all pairs with the
signatures' similarity estimates (how the settings in pipeline/dedup/minhash.py were
chosen); `stream` runs the articles through the same judge the pipeline uses
(LSH candidates, first article of a group kept) and scores the groups it
makes. `python -m evaluation.duplicates` prints both.
"""
from __future__ import annotations

import argparse
import itertools
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from pipeline.dedup import THRESHOLD, minhash  # noqa: E402
from pipeline.news.normalize import clean_article  # noqa: E402

POSITIVE = {"identical", "revision"}
LEFT_OUT = {"follow_up"}


def load(data: str):
    """-> (names, bodies, positive pairs, left-out pairs), pairs as index pairs."""
    bbc = os.path.join(data, "bbc")
    names = sorted(
        os.path.join(category, f) for category in sorted(os.listdir(bbc)) if os.path.isdir(os.path.join(bbc, category))
        for f in sorted(os.listdir(os.path.join(bbc, category))) if f.endswith(".txt")
    )
    index = {name: i for i, name in enumerate(names)}
    bodies = []
    for name in names:
        with open(os.path.join(bbc, name), encoding="utf-8") as f:
            bodies.append(clean_article(f.read()).body)
    positive, left_out = set(), set()
    with open(os.path.join(bbc, "duplicates.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            a, b, _kind, _jaccard, _same_title, eyeball = line.rstrip("\n").split("\t")
            pair = tuple(sorted((index[a], index[b])))
            if eyeball in POSITIVE:
                positive.add(pair)
            elif eyeball in LEFT_OUT:
                left_out.add(pair)
    return names, bodies, closed(positive, len(names)), left_out


def groups_to_pairs(groups) -> set:
    return {tuple(sorted(p)) for group in groups for p in itertools.combinations(sorted(group), 2)}


def closed(pairs: set, n: int) -> set:
    """The pairs implied by grouping `pairs` transitively."""
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    groups = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return groups_to_pairs(g for g in groups.values() if len(g) > 1)


def score(predicted: set, positive: set, left_out: set) -> dict:
    predicted = predicted - left_out
    tp = len(predicted & positive)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(positive) if positive else 1.0
    return {"precision": precision, "recall": recall, "tp": tp, "fp": len(predicted) - tp,
            "fn": len(positive) - tp}


def sweep(bodies, positive, left_out, sizes=(3, 4, 5, 6), thresholds=None):
    """Pair scores for each (shingle size, threshold) from all-pairs estimates."""
    thresholds = thresholds or [round(t, 2) for t in np.arange(0.2, 0.81, 0.05)]
    results = []
    for size in sizes:
        sigs, _ = minhash.signatures(bodies, size)
        above = {t: set() for t in thresholds}
        for i in range(len(sigs) - 1):
            sims = (sigs[i + 1:] == sigs[i]).sum(axis=1) / minhash.NUM_BINS
            for t in thresholds:
                for j in np.flatnonzero(sims >= t):
                    above[t].add((i, i + 1 + int(j)))
        for t in thresholds:
            results.append((size, t, score(above[t], positive, left_out)))
    return results


def stream(bodies, positive, left_out, event_ms=None):
    """Run the pipeline's judge over the articles in order; score its groups."""
    from pipeline.dedup.judge import Deduplicator
    from pipeline.dedup.memory_store import MemoryStore

    judge = Deduplicator(MemoryStore())
    roots = {}
    for i, body in enumerate(bodies):
        verdict = judge.judge(str(i), f"bbc/{i}", event_ms[i] if event_ms else i, None, body)
        roots[i] = int(verdict.duplicate_of) if verdict.duplicate_of is not None else i
    groups = {}
    for i, root in roots.items():
        groups.setdefault(root, []).append(i)
    return score(groups_to_pairs(g for g in groups.values() if len(g) > 1), positive, left_out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evaluation.duplicates", description=__doc__)
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    args = ap.parse_args(argv)
    if not os.path.isdir(os.path.join(args.data, "bbc")):
        print(f"no BBC data at {args.data}; nothing measured")
        return 2
    _, bodies, positive, left_out = load(args.data)
    print(f"{len(bodies)} articles, {len(positive)} duplicate pairs, {len(left_out)} follow-up pairs left out")
    print("shingle threshold  precision recall  tp fp fn")
    for size, t, s in sweep(bodies, positive, left_out):
        print(f"{size:7d} {t:9.2f}  {s['precision']:9.3f} {s['recall']:6.3f} {s['tp']:3d} {s['fp']:2d} {s['fn']:2d}")
    s = stream(bodies, positive, left_out)
    print(f"stream (shingle {minhash.SHINGLE_WORDS}, threshold {THRESHOLD}): "
          f"P {s['precision']:.3f} R {s['recall']:.3f} (tp {s['tp']} fp {s['fp']} fn {s['fn']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
