"""training/widen_embed.py: tiled hash tables give the same analysis as the model they grew from."""
import sys
from pathlib import Path

import pytest
import spacy
from conftest import SEED

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
import widen_embed  # a training script, not part of the package


def analysis(doc):
    return [(t.text, t.tag_, t.head.i, t.dep_, t.ent_iob_, t.ent_type_) for t in doc]


@pytest.mark.parametrize("factors", [[2, 2, 2, 2], [3, 2, 2, 1], [4, 1, 1, 1]])
def test_widened_model_predicts_the_same(tmp_path, factors):
    text = SEED.read_text(encoding="utf-8")
    original = spacy.load("en_news_sm")
    wide = spacy.load("en_news_sm")
    old_rows = original.config["components"]["tok2vec"]["model"]["embed"]["rows"]
    rows = widen_embed.widen(wide, factors)
    assert rows == [r * f for r, f in zip(old_rows, factors)]
    assert analysis(wide(text)) == analysis(original(text))
    # and the saved copy builds tables of the new size when loaded
    wide.to_disk(tmp_path / "wide")
    reloaded = spacy.load(tmp_path / "wide")
    assert reloaded.config["components"]["tok2vec"]["model"]["embed"]["rows"] == rows
    assert analysis(reloaded(text)) == analysis(original(text))


def test_factors_must_match_the_tables():
    with pytest.raises(SystemExit, match="4 hash tables, 2 factors"):
        widen_embed.widen(spacy.load("en_news_sm"), [2, 2])
