"""A check shared by the scripts that grow a trained pipeline (widen_embed.py,
deepen_ner.py): the grown copy, loaded back from disk, must find the same
entities as the pipeline it grew from; stops the build otherwise."""
from pathlib import Path

import spacy

PROBE = "Kerry met Khalid al-Obeidi in Baghdad on Tuesday, Reuters reported."
# A whole article as well: a single sentence once let a wrongly copied layer
# through (its entities happened to agree).
SEED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seed_article.txt"


def _entities(pipeline, texts):
    return [[(e.start_char, e.text, e.label_) for e in doc.ents] for doc in spacy.load(pipeline).pipe(texts)]


def require_same_entities(trained, grown, what):
    """trained, grown: pipeline directories; what: the change, for the message."""
    texts = [PROBE, SEED.read_text(encoding="utf-8")]
    before, after = _entities(trained, texts), _entities(grown, texts)
    for text, b, a in zip(texts, before, after):
        if b != a:
            raise SystemExit(f"{what} pipeline predicts differently on {text[:40]!r}...: {b} vs {a}")
