"""Finish the trained student into the shipped en_news_sm pipeline.

In: the trained pipeline (tok2vec, tagger, parser, ner) and the teacher's
labels. Out: a pipeline directory with an attribute ruler (coarse POS from
fine tags, the mapping learnt from the teacher's own output) and a rule
lemmatizer (English tables from spacy-lookups-data), and package metadata.

Usage: python assemble.py TRAINED_DIR LABELS.jsonl OUT_DIR VERSION
"""
import json
import sys
from collections import Counter, defaultdict

import spacy
from spacy.lookups import load_lookups


def tag_to_pos(labels_path, limit=20000):
    """Fine tag -> most frequent coarse POS in the teacher's labels."""
    counts = defaultdict(Counter)
    with open(labels_path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n >= limit:
                break
            ann = json.loads(line)
            for tag, pos in zip(ann["tags"], ann["pos"]):
                if tag and pos:
                    counts[tag][pos] += 1
    return {tag: {"POS": c.most_common(1)[0][0]} for tag, c in counts.items()}


def main(trained, labels, out, version):
    nlp = spacy.load(trained)
    ruler = nlp.add_pipe("attribute_ruler", after="tagger")
    ruler.load_from_tag_map(tag_to_pos(labels))
    lemmatizer = nlp.add_pipe("lemmatizer", after="attribute_ruler", config={"mode": "rule"})
    lemmatizer.initialize(lookups=load_lookups("en", ["lemma_rules", "lemma_exc", "lemma_index"]))
    nlp.meta.update(
        {
            "name": "news_sm",
            "version": version,
            "description": "English news pipeline (tagger, parser, NER, lemmas) distilled from the "
            "spaCy v2 en_core_web_sm 2.2.5 model on unlabeled news text; built by `make model`.",
            "license": "MIT",
            "author": "news-pipeline",
            "url": "",
            "email": "",
            "sources": [
                {"name": "en_core_web_sm 2.2.5 (teacher, MIT)", "url": "", "license": "MIT"},
            ],
        }
    )
    nlp.to_disk(out)
    print(f"{out}: {nlp.pipe_names}")


if __name__ == "__main__":
    main(*sys.argv[1:5])
