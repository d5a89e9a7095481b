"""Turn the teacher's JSON-lines annotation into spaCy 3 DocBin files.

Input: JSON lines written by teacher_label.py. Output: a .spacy DocBin with
tags, POS, lemmas, dependency parses, sentence starts and entities.

Usage: python make_docbin.py OUT.spacy IN.jsonl [IN.jsonl ...]
"""
import json
import sys

import spacy
from spacy.tokens import Doc, DocBin, Span


def rebuild(vocab, ann):
    """One teacher annotation dict -> a spaCy 3 Doc carrying all of it.

    Whitespace tokens (paragraph breaks) keep the teacher's attachment to
    the previous token, labelled punct, and have no tag: the tagger learns
    nothing from them and the parser learns to leave them out of clauses."""
    space = [not w.strip() for w in ann["words"]]
    doc = Doc(
        vocab,
        words=ann["words"],
        spaces=ann["spaces"],
        tags=["" if sp else t for t, sp in zip(ann["tags"], space)],  # "" = missing
        pos=["SPACE" if sp else (p or "X") for p, sp in zip(ann["pos"], space)],
        lemmas=ann["lemmas"],
        heads=ann["heads"],
        deps=["punct" if sp else (d or "dep") for d, sp in zip(ann["deps"], space)],
        sent_starts=ann["sent_starts"],
    )
    doc.ents = [Span(doc, s, e, label=label) for s, e, label in ann["ents"]]
    return doc


def main(out, sources):
    nlp = spacy.blank("en")
    db = DocBin(store_user_data=False)
    for src in sources:
        with open(src, encoding="utf-8") as f:
            for line in f:
                db.add(rebuild(nlp.vocab, json.loads(line)))
    db.to_disk(out)
    print(f"{out}: {len(db)} docs")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
