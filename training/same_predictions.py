"""A check shared by the scripts that grow a trained pipeline (widen_embed.py,
deepen_ner.py): the grown copy, loaded back from disk, must find the same
entities as the pipeline it grew from; stops the build otherwise."""
import spacy

PROBE = "Kerry met Khalid al-Obeidi in Baghdad on Tuesday, Reuters reported."


def require_same_entities(trained, grown, what):
    """trained, grown: pipeline directories; what: the change, for the message."""
    before = [(e.text, e.label_) for e in spacy.load(trained)(PROBE).ents]
    after = [(e.text, e.label_) for e in spacy.load(grown)(PROBE).ents]
    if before != after:
        raise SystemExit(f"{what} pipeline predicts differently: {before} vs {after}")
