"""training/deepen_ner.py: the NER's own encoder layer starts out adding nothing."""
import sys
from pathlib import Path

import pytest
import spacy
from conftest import SEED
from spacy.training import Example

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
import deepen_ner  # a training script, not part of the package

LISTENING_NER = {
    "@architectures": "spacy.TransitionBasedParser.v2",
    "state_type": "ner",
    "extra_state_tokens": False,
    "hidden_width": 64,
    "maxout_pieces": 2,
    "use_upper": True,
    "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"},
}


@pytest.fixture(scope="module")
def shallow(tmp_path_factory):
    """A small tok2vec + NER pipeline whose NER listens to the shared tok2vec (as
    the model had before deepening), taught the seed article's entities as the
    bundled model finds them, so that it predicts some."""
    text = SEED.read_text(encoding="utf-8")
    found = spacy.load("en_news_sm")(text)
    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe("ner", config={"model": LISTENING_NER})
    examples = [Example.from_dict(nlp.make_doc(text), {"entities": [(e.start_char, e.end_char, e.label_) for e in found.ents]})]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        nlp.update(examples, sgd=optimizer)
    path = tmp_path_factory.mktemp("shallow")
    nlp.to_disk(path)
    return path, text


def analysis(doc):
    return [(t.text, t.ent_iob_, t.ent_type_) for t in doc]


@pytest.mark.parametrize("kind", ["maxout", "mish"])
def test_deepened_ner_predicts_the_same_and_reloads(tmp_path, shallow, kind):
    path, text = shallow
    original = spacy.load(path)
    assert original(text).ents, "the small pipeline should find entities to compare"
    deep = spacy.load(path)
    encoder = deepen_ner.deepen(deep, kind)
    assert analysis(deep(text)) == analysis(original(text))
    deep.to_disk(tmp_path / "deep")
    reloaded = spacy.load(tmp_path / "deep")
    assert reloaded.get_pipe("tok2vec").listening_components == ["ner"]
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


def test_a_deepened_ner_is_not_deepened_twice(shallow):
    nlp = spacy.load(shallow[0])
    deepen_ner.deepen(nlp)
    with pytest.raises(SystemExit, match="already reads"):
        deepen_ner.deepen(nlp)
