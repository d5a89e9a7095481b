"""Gather the unlabeled news text the student model is distilled from.

Reads ../shared/data (never copied into the repository) and writes documents
as JSON strings, one per line, split into training shards and a held-out set
used only for agreement scores:

- GMB sentences: lines 1-40,000 train, lines 40,001-47,959 held out (minus any
  training sentence whose text also occurs in the held-out part);
- PolNeAR train-text, BBC articles, newspaper3k expected texts: split into
  paragraphs; one article in ten (chosen by a hash of its path, so the split is
  stable) is held out whole.

Usage: python collect_text.py DATA_DIR OUT_DIR [SHARDS] [--whole]
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


def _grouped(sentences, per_paragraph=4, per_doc=3):
    """Consecutive sentences -> documents of a few paragraphs."""
    paras = [" ".join(sentences[i : i + per_paragraph]) for i in range(0, len(sentences), per_paragraph)]
    return ["\n\n".join(paras[i : i + per_doc]) for i in range(0, len(paras), per_doc)]


def main(data, out_dir, shards=2, whole=False, quiet=False):
    """whole=False: one paragraph or sentence per document (stage 1).
    whole=True: whole articles with their paragraph breaks, and GMB
    sentences grouped into paragraphs (stage 2: the model learns what a
    paragraph break looks like, as the pipeline feeds it whole bodies)."""
    os.makedirs(out_dir, exist_ok=True)
    train, heldout = [], []
    with open(os.path.join(data, "corpus", "gmb_sentences.txt"), encoding="utf-8") as f:
        gmb = [line.strip() for line in f]
    gmb_heldout = gmb[GMB_TRAIN_LINES:]
    seen = set(gmb_heldout)
    gmb_train = [s for s in gmb[:GMB_TRAIN_LINES] if s and s not in seen]
    gmb_heldout = [s for s in gmb_heldout if s]
    train += _grouped(gmb_train) if whole else gmb_train
    heldout += _grouped(gmb_heldout) if whole else gmb_heldout
    for rel in article_files(data):
        with open(os.path.join(data, rel), encoding="utf-8") as f:
            paras = list(paragraphs(f.read()))
        docs = ["\n\n".join(paras)] if whole else paras
        (heldout if held_out(rel) else train).extend(docs)
    for i in range(shards):
        with open(os.path.join(out_dir, f"train-{i}.jsonl"), "w", encoding="utf-8") as f:
            for text in train[i::shards]:
                f.write(json.dumps(text, ensure_ascii=False) + "\n")
    with open(os.path.join(out_dir, "heldout.jsonl"), "w", encoding="utf-8") as f:
        for text in heldout:
            f.write(json.dumps(text, ensure_ascii=False) + "\n")
    words = sum(len(t.split()) for t in train)
    if not quiet:
        print(f"train: {len(train)} docs, ~{words} words; held out: {len(heldout)} docs")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--whole"]
    main(args[0], args[1], int(args[2]) if len(args) > 2 else 2, whole="--whole" in sys.argv)
