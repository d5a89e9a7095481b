"""Time a spaCy pipeline over a set of texts; prints one JSON line.

Runs under spaCy 2 (the teacher) and spaCy 3 (ours) alike, so both are timed
on the same texts in the same run of `make eval`, with all their components
(the teacher lemmatizes inside its tagger; ours has a lemmatizer component).
Input: JSON lines of texts.
Output: {"model", "words", "seconds", "words_per_second"}.

Usage: python speed.py MODEL TEXTS.jsonl [--limit N] [--repeat R]
"""
import argparse
import importlib
import json
import time

import spacy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("texts")
    ap.add_argument("--limit", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    try:
        nlp = spacy.load(args.model)
    except OSError:
        # The teacher's mirror wheel registers no spaCy shortcut: load the
        # package module directly.
        nlp = importlib.import_module(args.model).load()
    disable = []  # every component: the pipeline uses them all
    with open(args.texts, encoding="utf-8") as f:
        texts = [json.loads(line) for _, line in zip(range(args.limit), f)]
    words = 0
    for _ in nlp.pipe(texts[:200], disable=disable):  # warm-up: first calls allocate
        pass
    best = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        words = sum(len(doc) for doc in nlp.pipe(texts, batch_size=64, disable=disable))
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(json.dumps({"model": args.model, "words": words, "seconds": round(best, 3),
                      "words_per_second": round(words / best)}))


if __name__ == "__main__":
    main()
