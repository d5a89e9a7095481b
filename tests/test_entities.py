import pytest

from pipeline.entities import EntityResolver, clean_name, extract_entities


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
