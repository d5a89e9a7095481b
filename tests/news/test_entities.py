import pytest

import spacy
from spacy.tokens import Doc, Span

from pipeline.news.entities import EntityResolver, clean_name, entity_label, extract_entities


@pytest.mark.parametrize(
    "names, mention, full",
    [
        (["John Kerry", "Kerry"], "Kerry", "John Kerry"),
        (["Khalid al-Obeidi", "Obeidi"], "Obeidi", "Khalid al-Obeidi"),
        (["Khalid al-Obeidi"], "al-Obeidi", "Khalid al-Obeidi"),
        (["Heather C. Briccetti"], "Briccetti", "Heather C. Briccetti"),
        (["John Kerry"], "Smith", "Smith"),
        (["Ann Lee", "Tom Lee"], "Lee", "Ann Lee"),  # ambiguous: the first full name in order wins
    ],
)
def test_person_resolution(names, mention, full):
    assert EntityResolver(names).person(mention) == full


@pytest.mark.parametrize(
    "text, label, expected",
    [
        ("Kerry’s", "PERSON", "Kerry"),
        ("Mr. John Smith", "PERSON", "John Smith"),
        ("Chairwoman Maria Lopez", "PERSON", "Maria Lopez"),
        ("the United States", "GPE", "United States"),
        ("the  Pentagon", "ORG", "Pentagon"),
    ],
)
def test_clean_name(text, label, expected):
    assert clean_name(text, label) == expected


def test_model_finds_entities(nlp):
    doc = nlp("Angela Merkel met Emmanuel Macron in Berlin on Tuesday, Reuters reported.")
    mentions, entities = extract_entities(doc)
    found = {(e["name"], e["label"]) for e in entities}
    assert {("Angela Merkel", "PERSON"), ("Emmanuel Macron", "PERSON"), ("Berlin", "GPE")} <= found
    for m in mentions:
        assert doc.text[m["start"] : m["end"]] == m["text"]


@pytest.mark.parametrize(
    "words, ents, index, expected",
    [
        # "strongholds in Mosul , Iraq and Raqqa , Syria": Raqqa misread as a person
        ("strongholds in Mosul , Iraq and Raqqa , Syria".split(),
         [(2, 3, "GPE"), (4, 5, "GPE"), (6, 7, "PERSON"), (8, 9, "GPE")], 2, "GPE"),
        ("fighting near Aleppo , Syria".split(), [(2, 3, "ORG"), (4, 5, "GPE")], 0, "GPE"),
        # a person followed by a place is still a person
        ("said Kerry , Washington 's envoy".split(), [(1, 2, "PERSON"), (3, 4, "GPE")], 0, "PERSON"),
        ("Apple , California reported".split(), [(0, 1, "ORG"), (2, 3, "GPE")], 0, "ORG"),
        ("in John Smith , Ohio".split(), [(1, 3, "PERSON"), (4, 5, "GPE")], 0, "PERSON"),
    ],
)
def test_city_country_convention(words, ents, index, expected):
    doc = Doc(spacy.blank("en").vocab, words=words)
    doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
    assert entity_label(doc.ents[index]) == expected
