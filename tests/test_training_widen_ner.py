"""training/widen_ner.py: a wider NER hidden layer starts out predicting the same."""
import sys
from pathlib import Path

import pytest
import spacy
from conftest import SEED

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import widen_ner  # a training script, not part of the package


def analysis(doc):
    return [(t.text, t.tag_, t.head.i, t.ent_iob_, t.ent_type_) for t in doc]


@pytest.mark.parametrize("width", [65, 128])
def test_widened_ner_predicts_the_same_and_reloads(tmp_path, width):
    text = SEED.read_text(encoding="utf-8")
    original = spacy.load("en_news_sm")
    wide = spacy.load("en_news_sm")
    model = widen_ner.widen(wide, width)
    assert model.get_ref("lower").get_param("W").shape[1] == width
    assert model.get_ref("upper").get_param("W").shape[1] == width
    assert analysis(wide(text)) == analysis(original(text))
    wide.to_disk(tmp_path / "wide")
    reloaded = spacy.load(tmp_path / "wide")
    assert reloaded.config["components"]["ner"]["model"]["hidden_width"] == width
    assert analysis(reloaded(text)) == analysis(original(text))
    # the new units are in the NER's path: once the output layer reads them, entities change
    upper = reloaded.get_pipe("ner").model.get_ref("upper")
    W = upper.get_param("W")
    W[:, 64:] = 50.0 * (W[:, 64:] + 1.0) * (1 + upper.ops.xp.arange(W.shape[0])[:, None] % 3)
    upper.set_param("W", W)
    assert analysis(reloaded(text)) != analysis(original(text))


def test_the_hidden_layer_only_grows():
    with pytest.raises(SystemExit, match="already 64 wide"):
        widen_ner.widen(spacy.load("en_news_sm"), 64)
