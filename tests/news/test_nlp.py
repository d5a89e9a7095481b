"""pipeline.news.nlp.LookupLemmas against spaCy's own Lemmatizer in lookup
mode, the component it stands in for: the same lemma on every token."""
import json
from pathlib import Path

import pytest

from conftest import SEED

ROOT = Path(__file__).parent.parent.parent


def _texts() -> dict[str, str]:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.txt"))}
    for line in (ROOT / "samples" / "wire.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        texts[item["id"]] = f"{item['title']}\n\n{item['text']}"
    texts["seed"] = SEED.read_text(encoding="utf-8")
    texts.update({
        "empty": "",
        "spaces": " \n\t ",
        "cases": "SAID Said said 'said' SAYS says Went WENT went were Were",
        "unicode": "Ünïcödé café naïve Straße 東京 🔥🔥 —– “quoted” ‘single’",
        "figures": "1-0, 2-1 (45', 67') 12,345 / 67.8% 2024-11-30 09:30 £1,234.56",
        "quote marks": "“”‘’«»\"'" * 200,
        "long word": "x" * 3000,
        "urls": "See https://news.example/a?b=c&d=e or mail desk@news.example now.",
    })
    return texts


TEXTS = _texts()


@pytest.fixture(scope="module")
def replaced(nlp):
    from pipeline.news.nlp import LookupLemmas

    found = LookupLemmas.for_pipeline(nlp)
    if found is None:
        pytest.skip("the test model has no lookup-mode lemmatizer to stand in for")
    return found


@pytest.mark.parametrize("name", list(TEXTS))
def test_lemmas_are_spacys(nlp, replaced, name):
    lemmatizer, lemmas = replaced
    text = TEXTS[name]
    expected = [t.lemma_ for t in nlp(text)]
    assert [t.lemma_ for t in lemmas(nlp(text, disable=[lemmatizer]))] == expected


def test_a_lemma_already_set_stays_as_spacy_leaves_it(nlp, replaced):
    lemmatizer, lemmas = replaced
    ours, theirs = (nlp("He said the talks went well.", disable=[lemmatizer]) for _ in range(2))
    for doc in (ours, theirs):
        doc[1].lemma_ = "utter"
    lemmas(ours)
    nlp.get_pipe(lemmatizer)(theirs)
    assert [t.lemma_ for t in ours] == [t.lemma_ for t in theirs]
    assert ours[1].lemma_ == "utter" and ours[4].lemma_ == theirs[4].lemma_


def _blank_with_lemmatizer(table: dict | None, after: str | None = None, **config):
    import spacy
    from spacy.lookups import Lookups

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup", **config})
    if table is not None:
        lookups = Lookups()
        lookups.add_table("lemma_lookup", table)
        nlp.get_pipe("lemmatizer").initialize(lookups=lookups)
    if after:
        nlp.add_pipe(after)
    return nlp


def test_a_small_table_gives_what_spacy_gives():
    from pipeline.news.nlp import LookupLemmas

    nlp = _blank_with_lemmatizer({"said": "say", "went": "go", "Talks": "talk", "mice": "mouse"})
    name, lemmas = LookupLemmas.for_pipeline(nlp)
    text = "He said the Talks went on; talks, mice and MICE. Said went."
    assert [t.lemma_ for t in lemmas(nlp(text, disable=[name]))] == [t.lemma_ for t in nlp(text)]
    assert [t.lemma_ for t in nlp(text)][:5] == ["He", "say", "the", "talk", "go"]  # spaCy's own, as a sanity check


@pytest.mark.parametrize("build", [
    lambda: _blank_with_lemmatizer({"said": "say"}, overwrite=True),  # replaces lemmas set before it
    lambda: _blank_with_lemmatizer({"said": "say"}, after="sentencizer"),  # something after it may read lemmas
    lambda: _blank_with_lemmatizer(None),  # no table
    lambda: _blank_with_lemmatizer(None, mode="rule"),  # lemmas from the part of speech
], ids=["overwrite", "not last", "no table", "rule mode"])
def test_other_lemmatizers_run_as_they_are(build):
    from pipeline.news.nlp import LookupLemmas

    assert LookupLemmas.for_pipeline(build()) is None


def test_a_pipeline_without_a_lemmatizer_runs_as_it_is():
    import spacy

    from pipeline.news.nlp import LookupLemmas

    assert LookupLemmas.for_pipeline(spacy.blank("en")) is None
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    assert LookupLemmas.for_pipeline(nlp) is None
