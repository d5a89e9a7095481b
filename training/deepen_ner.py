"""Give a trained pipeline's NER one encoder layer of its own, keeping its predictions.

In: a trained pipeline directory whose NER listens to the shared tok2vec.
Out: the same pipeline, written to OUT_DIR, whose NER reads the shared vectors
through one more residual window layer (spaCy's MaxoutWindowEncoder by
default, depth 1) that only the NER trains.

Why: the tagger, parser and NER share one encoder, and the parser's loss is
several times the NER's, so the shared vectors serve the parser first; the
teacher (spaCy v2) gave its NER an encoder of its own. A second full encoder
would cost ~20 % of the pipeline's time (below the speed floor); one maxout
layer added 13 % to the NER's own time in a profile and no change that
speed.py could tell from run-to-run noise. The layer is residual and ends in a layer norm: with the norm's
gain at zero it adds nothing, so the NER starts exactly where it was and
training grows the layer from there.

Usage: python deepen_ner.py TRAINED_DIR OUT_DIR [maxout|mish]
"""
import sys

import spacy
from same_predictions import require_same_entities
from spacy.util import registry

# The layer's architecture by name: a maxout window layer like the shared
# encoder's, or a mish one (one piece instead of three: a third of the cost).
ENCODERS = {
    "maxout": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "depth": 1, "window_size": 1, "maxout_pieces": 3},
    "mish": {"@architectures": "spacy.MishWindowEncoder.v2", "depth": 1, "window_size": 1},
}


def deepen(nlp, kind="maxout"):
    """Insert the NER's own encoder layer of the given kind (in place); returns the new layer."""
    ner = nlp.get_pipe("ner")
    listener_chain = ner.model.get_ref("tok2vec")  # listener >> list2array >> linear
    listener = listener_chain.layers[0]
    if listener.name != "tok2vec-listener":
        raise SystemExit(f"the NER already reads {listener.name}, not the shared tok2vec")
    width = listener.get_dim("nO")
    settings = {**ENCODERS[kind], "width": width}
    encoder = registry.architectures.get(settings["@architectures"])(
        **{k: v for k, v in settings.items() if not k.startswith("@")}
    )
    own = registry.architectures.get("spacy.Tok2Vec.v2")(embed=listener, encode=encoder)
    own.initialize()  # shapes are known; the listener has nothing to initialise
    for node in encoder.walk():
        if node.name == "layernorm":
            node.set_param("G", node.ops.alloc1f(width))  # zero gain: the residual adds 0
    listener_chain.layers[0] = own
    config = nlp._pipe_configs["ner"]["model"]
    config["tok2vec"] = {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": dict(config["tok2vec"]),
        "encode": settings,
    }
    return encoder


def main(trained, out, kind="maxout"):
    nlp = spacy.load(trained)
    deepen(nlp, kind)
    nlp.to_disk(out)
    require_same_entities(trained, out, "deepened")
    print(f"{out}: NER reads the shared tok2vec through its own {kind} layer")


if __name__ == "__main__":
    main(*sys.argv[1:4])
