"""Widen a trained NER's hidden layer, keeping its predictions.

In: a trained pipeline directory and a new hidden width (larger than the
current one, 64 in config.cfg).
Out: the same pipeline, written to OUT_DIR, whose NER state layer has that
many hidden units.

Why: the NER scores each transition from a 64-wide hidden layer; the teacher's
remaining disagreements are mostly which label a correctly found span gets,
which a wider layer may separate. The layer is grown rather than retrained
(spaCy has no resize for it): the trained units keep their weights, the new
units start at random but the output layer reads them with zero weights, and
the new inputs (the projection's extra rows) reach the old units through zero
weights, so the NER starts exactly where it was and training grows the rest.

Usage: python widen_ner.py TRAINED_DIR OUT_DIR WIDTH
"""
import sys

import spacy
from same_predictions import require_same_entities
from spacy.util import registry


def widen(nlp, width):
    """Give the NER's hidden layer `width` units (in place); returns the new model."""
    ner = nlp.get_pipe("ner")
    old = ner.model
    config = nlp._pipe_configs["ner"]["model"]
    if config["@architectures"] != "spacy.TransitionBasedParser.v2" or not old.attrs["has_upper"]:
        raise SystemExit("widen_ner handles TransitionBasedParser.v2 with an upper layer only")
    before = config["hidden_width"]
    if width <= before:
        raise SystemExit(f"the NER's hidden layer is already {before} wide")
    old_chain = old.get_ref("tok2vec")  # what the NER reads >> list2array >> linear projection
    settings = {k: v for k, v in config.items() if not k.startswith("@") and k != "tok2vec"}
    settings.update(hidden_width=width, nO=old.get_ref("upper").get_dim("nO"))
    new = registry.architectures.get(config["@architectures"])(tok2vec=old_chain.layers[0], **settings)
    new.attrs["unseen_classes"] = set(old.attrs["unseen_classes"])
    # Initialise only the new layers: what the NER reads is trained already.
    new_chain = new.get_ref("tok2vec")
    new_chain.layers[-1].initialize()
    new.get_ref("lower").initialize()
    new.get_ref("upper").initialize(X=new.ops.alloc2f(2, width))

    projection, new_projection = old_chain.layers[-1], new_chain.layers[-1]
    W, b = new_projection.get_param("W"), new_projection.get_param("b")
    W[:before] = projection.get_param("W")
    b[:before] = projection.get_param("b")
    new_projection.set_param("W", W)
    new_projection.set_param("b", b)

    lower, new_lower = old.get_ref("lower"), new.get_ref("lower")
    W = new_lower.get_param("W")  # (features, units, pieces, inputs)
    W[:, :before, :, :before] = lower.get_param("W")
    W[:, :before, :, before:] = 0  # old units do not see the new inputs yet
    new_lower.set_param("W", W)
    b = new_lower.get_param("b")  # (units, pieces)
    b[:before] = lower.get_param("b")
    new_lower.set_param("b", b)
    pad = new_lower.get_param("pad")  # (1, features, units, pieces)
    pad[:, :, :before] = lower.get_param("pad")
    new_lower.set_param("pad", pad)

    upper, new_upper = old.get_ref("upper"), new.get_ref("upper")
    W = new_upper.ops.alloc2f(upper.get_dim("nO"), width)  # zero: the new units are not read yet
    W[:, :before] = upper.get_param("W")
    new_upper.set_param("W", W)
    new_upper.set_param("b", upper.get_param("b").copy())

    ner.model = new
    config["hidden_width"] = width
    return new


def main(trained, out, width):
    nlp = spacy.load(trained)
    widen(nlp, int(width))
    nlp.to_disk(out)
    require_same_entities(trained, out, "widened")
    print(f"{out}: the NER's hidden layer is {width} wide")


if __name__ == "__main__":
    main(*sys.argv[1:4])
