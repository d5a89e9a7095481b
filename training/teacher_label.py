"""Label unlabeled news text with the spaCy v2 teacher (en_core_web_sm 2.2.5).

Runs under the teacher's own virtualenv (spacy==2.3.9, numpy<2): the v2 model
cannot load in spaCy 3. Input: a text file with one document per line
(JSON-encoded strings). Output: JSON lines, one analysed document each, with
the token-level annotation the student learns from (words, spaces, tags, POS,
lemmas, absolute heads, dependency labels, sentence starts, entity spans).

Usage: python teacher_label.py IN.jsonl OUT.jsonl
Also used by `make eval` to run the teacher on evaluation text.
"""
import json
import sys

import en_core_web_sm


def analyse(doc):
    """Turn a teacher Doc into a plain dict the spaCy 3 side can rebuild."""
    return {
        "words": [t.text for t in doc],
        "spaces": [bool(t.whitespace_) for t in doc],
        "tags": [t.tag_ for t in doc],
        "pos": [t.pos_ for t in doc],
        "lemmas": [t.lemma_ for t in doc],
        "heads": [t.head.i for t in doc],
        "deps": [t.dep_ for t in doc],
        "sent_starts": [bool(t.is_sent_start) for t in doc],
        "ents": [[e.start, e.end, e.label_] for e in doc.ents],
        "ent_chars": [[e.start_char, e.end_char, e.label_] for e in doc.ents],
    }


def main(src, dst):
    nlp = en_core_web_sm.load()
    with open(src, encoding="utf-8") as f:
        texts = [json.loads(line) for line in f if line.strip()]
    with open(dst, "w", encoding="utf-8") as out:
        for doc in nlp.pipe(texts, batch_size=64):
            out.write(json.dumps(analyse(doc), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
