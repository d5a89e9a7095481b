"""New text for the teacher: training documents with their entity mentions swapped.

Why: the student can only copy the teacher's decisions where the teacher was
asked. On held-out text (model 0.2.0, `make eval`) about half of the student's
entity disagreements are the right span with another label (ORG / PERSON /
LOC / PRODUCT ...): which label a name gets depends on the name and its
context together, and ~2 M words of text show few combinations. Rewriting the
training documents with their mentions replaced by other mentions from the
training text (mostly of the same label, sometimes of another, sometimes a
name spliced from two) gives the teacher new inputs; the teacher labels the
rewritten text afresh (teacher_label.py), so no label is carried over or
assumed. Only training documents are read, never the held-out ones.

In: teacher JSON lines of training documents (teacher_label.py output).
Out: JSON lines of texts (the collect_text.py format), COPIES rewrites of each.

Usage: python augment.py OUT.jsonl IN.jsonl [IN.jsonl ...] [--copies N] [--seed S]
"""
import argparse
import json
import random
from collections import defaultdict

# Labels whose mentions are names: a name may be swapped for a name of
# another of these labels (the teacher then decides what it is).
NAMES = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW")
SWAP = 0.6  # share of mentions replaced
OTHER_LABEL = 0.2  # share of name swaps that take a mention of another name label
SPLICE = 0.25  # share of multi-word name swaps that join the head of one mention to the tail of another


def join(words, spaces):
    return "".join(w + (" " if sp else "") for w, sp in zip(words, spaces))


def collect_mentions(anns):
    """label -> list of mentions (each a list of words with their spaces), duplicates kept so
    frequent names stay frequent; mentions containing a line break are left out."""
    pool = defaultdict(list)
    for ann in anns:
        for start, end, label in ann["ents"]:
            words = ann["words"][start:end]
            if any(not w.strip() for w in words):
                continue
            pool[label].append((words, ann["spaces"][start:end - 1] + [False]))
    return pool


def replacement(label, pool, rng):
    """Words and inner spaces of a mention to put where a `label` mention was."""
    if label in NAMES and rng.random() < OTHER_LABEL:
        label = rng.choice([name for name in NAMES if pool.get(name)])
    words, spaces = rng.choice(pool[label])
    if label in NAMES and len(words) > 1 and rng.random() < SPLICE:
        other, other_spaces = rng.choice(pool[label])
        if len(other) > 1:
            cut = rng.randrange(1, len(words))
            words = words[:cut] + other[-1:]
            spaces = spaces[:cut] + other_spaces[-1:]
    return words, spaces


def rewrite(ann, pool, rng):
    """One teacher-annotated document -> its text with some entity mentions swapped."""
    starts = {start: (end, label) for start, end, label in ann["ents"]}
    words, spaces = ann["words"], ann["spaces"]
    out = []
    i = 0
    while i < len(words):
        if i in starts and rng.random() < SWAP:
            # (a teacher mention across a paragraph break, 17 in 230,000, is swapped too,
            # joining two paragraphs: harmless, the teacher labels whatever text it gets)
            end, label = starts[i]
            new_words, new_spaces = replacement(label, pool, rng)
            out.append(join(new_words, new_spaces[:-1] + [spaces[end - 1]]))
            i = end
            continue
        out.append(words[i] + (" " if spaces[i] else ""))
        i += 1
    return "".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--copies", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1729)
    args = ap.parse_args(argv)
    anns = []
    for path in args.inputs:
        with open(path, encoding="utf-8") as f:
            anns.extend(json.loads(line) for line in f if line.strip())
    pool = collect_mentions(anns)
    rng = random.Random(args.seed)
    written = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for _ in range(args.copies):
            for ann in anns:
                out.write(json.dumps(rewrite(ann, pool, rng), ensure_ascii=False) + "\n")
                written += 1
    print(f"{args.out}: {written} rewritten documents from {len(anns)}")


if __name__ == "__main__":
    main()
