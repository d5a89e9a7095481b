"""Give a trained pipeline's NER one more encoder layer of its own, keeping its predictions.

In: a trained pipeline directory whose NER listens to the shared tok2vec,
directly or through layers of its own (an earlier run of this script).
Out: the same pipeline, written to OUT_DIR, whose NER reads the shared vectors
through one more residual window layer (spaCy's MaxoutWindowEncoder by
default) that only the NER trains: depth 1 the first time, then 2, ...

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


def _build(settings):
    return registry.architectures.get(settings["@architectures"])(
        **{k: v for k, v in settings.items() if not k.startswith("@")}
    )


def _blocks(encoder):
    """The residual layers of an encoder, input side first (not the chain of them)."""
    return [node for node in encoder.walk() if node.name.startswith("residual") and node.name.count("residual") == 1]


def _silence(block):
    """Zero the layer norm's gain in a residual block, so that it adds 0."""
    for node in block.walk():
        if node.name == "layernorm":
            node.set_param("G", node.ops.alloc1f(node.get_dim("nO")))


def deepen(nlp, kind="maxout"):
    """Give the NER one more encoder layer of its own (in place); returns the NER's encoder.

    The first call puts a `kind` layer between the shared tok2vec and the NER;
    later calls add one more layer of the same kind to it (depth + 1), keeping
    the trained layers' weights. The new layer adds nothing until trained."""
    ner = nlp.get_pipe("ner")
    listener_chain = ner.model.get_ref("tok2vec")  # listener >> list2array >> linear
    reads = listener_chain.layers[0]
    config = nlp._pipe_configs["ner"]["model"]
    if reads.name == "tok2vec-listener":
        listener, old, width = reads, None, reads.get_dim("nO")
        settings = {**ENCODERS[kind], "width": width}
        embed_config = dict(config["tok2vec"])
    else:
        listener, old = reads.layers
        if listener.name != "tok2vec-listener":
            raise SystemExit(f"the NER reads {reads.name}, not the shared tok2vec")
        settings = dict(config["tok2vec"]["encode"])
        if settings["@architectures"] != ENCODERS[kind]["@architectures"]:
            raise SystemExit(f"the NER's own layers are {settings['@architectures']}, not {kind}")
        settings["depth"] += 1
        width, embed_config = settings["width"], config["tok2vec"]["embed"]
    encoder = _build(settings)
    own = registry.architectures.get("spacy.Tok2Vec.v2")(embed=listener, encode=encoder)
    own.initialize()  # shapes are known; the listener has nothing to initialise
    new_blocks = _blocks(encoder)
    if old is not None:
        for old_block, new_block in zip(_blocks(old), new_blocks):
            for was, now in zip(old_block.walk(), new_block.walk()):
                for name in was.param_names:
                    if was.has_param(name):
                        now.set_param(name, was.get_param(name).copy())
    _silence(new_blocks[-1])
    listener_chain.layers[0] = own
    config["tok2vec"] = {"@architectures": "spacy.Tok2Vec.v2", "embed": embed_config, "encode": settings}
    return encoder


def main(trained, out, kind="maxout"):
    nlp = spacy.load(trained)
    encoder = deepen(nlp, kind)
    nlp.to_disk(out)
    require_same_entities(trained, out, "deepened")
    print(f"{out}: NER reads the shared tok2vec through {len(_blocks(encoder))} {kind} layer(s) of its own")


if __name__ == "__main__":
    main(*sys.argv[1:4])
