"""training/deepen_ner.py: the NER's own encoder layer starts out adding nothing."""
import sys
from pathlib import Path

import pytest
import spacy
from conftest import SEED

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import deepen_ner  # a training script, not part of the package


def analysis(doc):
    return [(t.text, t.tag_, t.head.i, t.ent_iob_, t.ent_type_) for t in doc]


def test_deepened_ner_predicts_the_same_and_reloads(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    original = spacy.load("en_news_sm")
    deep = spacy.load("en_news_sm")
    if deep.get_pipe_config("ner")["model"]["tok2vec"]["@architectures"] != "spacy.Tok2VecListener.v1":
        pytest.skip("the installed model's NER already has its own layer")
    encoder = deepen_ner.deepen(deep)
    assert analysis(deep(text)) == analysis(original(text))
    deep.to_disk(tmp_path / "deep")
    reloaded = spacy.load(tmp_path / "deep")
    assert reloaded.get_pipe("tok2vec").listening_components == ["tagger", "parser", "ner"]
    assert analysis(reloaded(text)) == analysis(original(text))
    # the new layer is really in the NER's path: a non-zero gain changes what the NER reads
    for node in encoder.walk():
        if node.name == "layernorm":
            node.set_param("G", node.ops.alloc1f(node.get_dim("nO")) + 1.0)

    def ner_input(nlp):
        doc = nlp.get_pipe("tok2vec")(nlp.make_doc(text))
        return nlp.get_pipe("ner").model.get_ref("tok2vec").predict([doc])

    changed, unchanged = ner_input(deep), ner_input(original)
    assert changed.shape == unchanged.shape
    assert abs(changed - unchanged).max() > 1e-3
