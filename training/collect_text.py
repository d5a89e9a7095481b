"""Gather the unlabeled news text the student model is distilled from.

Reads ../shared/data (never copied into the repository) and writes documents
as JSON strings, one per line, split into training shards and a held-out set
used only for agreement scores:

- GMB sentences: lines 1-40,000 train, lines 40,001-47,959 held out (minus any
  training sentence whose text also occurs in the held-out part);
- PolNeAR train-text, BBC articles, newspaper3k expected texts: split into
  paragraphs; one article in ten (chosen by a hash of its path, so the split is
  stable) is held out whole.

Usage: python collect_text.py DATA_DIR OUT_DIR [SHARDS]
"""
import csv
import hashlib
import json
import os
import re
import sys

GMB_TRAIN_LINES = 40_000


def paragraphs(text):
    """Split an article on blank lines; fold inner whitespace runs."""
    for block in re.split(r"\n\s*\n", text):
        block = re.sub(r"\s+", " ", block).strip()
        if block:
            yield block


def held_out(path):
    return int(hashlib.sha1(path.encode()).hexdigest(), 16) % 10 == 0


def article_files(data):
    for name in sorted(os.listdir(os.path.join(data, "polnear", "train-text"))):
        yield os.path.join("polnear", "train-text", name)
    for cat in ("business", "entertainment", "politics"):
        for name in sorted(os.listdir(os.path.join(data, "bbc", cat))):
            yield os.path.join("bbc", cat, name)
    with open(os.path.join(data, "newspaper3k", "manifest.tsv"), encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["text_status"] == "article":
                yield os.path.join("newspaper3k", "text", row["text_file"])


def main(data, out_dir, shards=2):
    os.makedirs(out_dir, exist_ok=True)
    train, heldout = [], []
    with open(os.path.join(data, "corpus", "gmb_sentences.txt"), encoding="utf-8") as f:
        gmb = [line.strip() for line in f]
    gmb_heldout = gmb[GMB_TRAIN_LINES:]
    seen = set(gmb_heldout)
    train += [s for s in gmb[:GMB_TRAIN_LINES] if s and s not in seen]
    heldout += [s for s in gmb_heldout if s]
    for rel in article_files(data):
        with open(os.path.join(data, rel), encoding="utf-8") as f:
            paras = list(paragraphs(f.read()))
        (heldout if held_out(rel) else train).extend(paras)
    for i in range(shards):
        with open(os.path.join(out_dir, f"train-{i}.jsonl"), "w", encoding="utf-8") as f:
            for text in train[i::shards]:
                f.write(json.dumps(text, ensure_ascii=False) + "\n")
    with open(os.path.join(out_dir, "heldout.jsonl"), "w", encoding="utf-8") as f:
        for text in heldout:
            f.write(json.dumps(text, ensure_ascii=False) + "\n")
    words = sum(len(t.split()) for t in train)
    print(f"train: {len(train)} docs, ~{words} words; held out: {len(heldout)} docs")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 2)
