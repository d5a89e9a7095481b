"""Give a trained pipeline's NER a wider hidden layer without changing what it predicts.

Why: after stage 4 the student reproduced the teacher's entities on its own
training documents with F 0.929 only (0.910 on held-out text): it underfits,
so it lacks capacity rather than data. The NER's hidden layer is the cheapest
place to add some: spaCy's NER spends its time in the transition loop, not in
the hidden layer, so a wider one costs little speed. spaCy cannot resize a
trained parser's hidden layer, and training a new NER from nothing would
throw away hours of training, so the trained weights are copied into a wider
model: the new hidden units start with random input weights and zero output
weights (the predictions are unchanged, checked below) and learn in stage 5.

In: a trained pipeline directory. Out: the same pipeline with the NER's
hidden width set to WIDTH, written to OUT_DIR.

Usage: python widen_ner.py TRAINED_DIR OUT_DIR WIDTH
"""
import sys

import numpy as np
import spacy
from spacy.training import Example


def _layers(ner):
    """The NER model's projection of the tok2vec output, its hidden
    (precomputable) layer and its output layer."""
    model = ner.model
    projection = model.get_ref("tok2vec").layers[-1]
    return projection, model.get_ref("lower"), model.get_ref("upper")


def widen(nlp, width: int, texts):
    """Replace nlp's NER by one with hidden width `width` computing the same function."""
    old = nlp.get_pipe("ner")
    old_proj, old_lower, old_upper = _layers(old)
    narrow = old_lower.get_dim("nO")
    if width <= narrow:
        raise SystemExit(f"widen_ner: the NER's hidden width is already {narrow}")
    config = dict(nlp.config["components"]["ner"])
    config.pop("factory")
    config["model"] = dict(config["model"], hidden_width=width)
    labels = old.label_data
    moves = [old.moves.get_class_name(i) for i in range(old.moves.n_moves)]
    nlp.remove_pipe("ner")
    new = nlp.add_pipe("ner", config=config)
    docs = [nlp.make_doc(text) for text in texts]
    new.initialize(lambda: [Example(doc, doc) for doc in docs], nlp=nlp, labels=labels)
    if [new.moves.get_class_name(i) for i in range(new.moves.n_moves)] != moves:
        raise SystemExit("widen_ner: the new NER's moves are not in the old order")
    proj, lower, upper = _layers(new)

    def put(layer, name, old_value, index):
        value = layer.get_param(name).copy()
        value[index] = old_value
        layer.set_param(name, value)

    n = narrow
    put(proj, "W", old_proj.get_param("W"), np.s_[:n, :])
    put(proj, "b", old_proj.get_param("b"), np.s_[:n])
    w = lower.get_param("W").copy()  # (nF, nO, nP, nI)
    w[:, :n, :, n:] = 0.0  # old units ignore the new inputs
    w[:, :n, :, :n] = old_lower.get_param("W")
    lower.set_param("W", w)
    put(lower, "b", old_lower.get_param("b"), np.s_[:n, :])
    put(lower, "pad", old_lower.get_param("pad"), np.s_[:, :, :n, :])
    w = np.zeros_like(upper.get_param("W"))  # new units say nothing yet
    w[:, :n] = old_upper.get_param("W")
    upper.set_param("W", w)
    upper.set_param("b", old_upper.get_param("b").copy())


def main(trained, out, width):
    texts = [
        "John Kerry met Francois Hollande in Paris on Monday, Reuters reported.",
        "The U.S.-led coalition said Mosul and Raqqa were the next targets.\n\nOfficials declined to comment.",
        "Shares of Apple Inc. rose 3 percent to $120 on the Nasdaq after the report.",
    ]
    before = [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in spacy.load(trained).pipe(texts)]
    nlp = spacy.load(trained)
    widen(nlp, width, texts)
    nlp.to_disk(out)
    after = [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in spacy.load(out).pipe(texts)]
    if after != before:
        raise SystemExit(f"widen_ner: predictions changed:\n{before}\n{after}")
    print(f"{out}: NER hidden width {width}, predictions unchanged on {len(texts)} texts")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
