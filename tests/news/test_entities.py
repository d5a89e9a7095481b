import pytest

import spacy
from spacy.tokens import Doc, Span

from pipeline.news.entities import EntityResolver, clean_name, entity_label, extract_entities, relabel_entities


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
        # titles as British and agency copy writes them, several at once
        ("Councillor Jane Smith", "PERSON", "Jane Smith"),
        ("Cllr Ann Lee", "PERSON", "Ann Lee"),
        ("Former President Donald Trump", "PERSON", "Donald Trump"),
        ("then-President Barack Obama", "PERSON", "Barack Obama"),
        ("Deputy Prime Minister Oliver Dowden", "PERSON", "Oliver Dowden"),
        ("Prime Minister Dr Ahmed Said", "PERSON", "Ahmed Said"),
        ("Det Insp Sarah Clark", "PERSON", "Sarah Clark"),
        ("Agriculture Minister Tomas Berg", "PERSON", "Tomas Berg"),
        ("Secretary of State Antony Blinken", "PERSON", "Antony Blinken"),
        ("Attorney General Merrick Garland", "PERSON", "Merrick Garland"),
        ("Treasurer Peter Costello", "PERSON", "Peter Costello"),
        ("Archbishop Justin Welby", "PERSON", "Justin Welby"),
        ("Mr. and Mrs. Smith", "PERSON", "Smith"),
        ("Dr.Jane Goodall", "PERSON", "Jane Goodall"),
        # near misses: a title that is the whole name, or a surname, stays
        ("Prime Minister", "PERSON", "Prime Minister"),
        ("Home Secretary", "PERSON", "Home Secretary"),
        ("Bishop", "PERSON", "Bishop"),
        ("Julie Bishop", "PERSON", "Julie Bishop"),
        ("John Major", "PERSON", "John Major"),
        ("Mr.", "PERSON", "Mr."),
        ("Councillor Street", "GPE", "Councillor Street"),
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


# (words with their tags, the entity's span and label, the label it gets)
@pytest.mark.parametrize(
    "tagged, span, label, expected",
    [
        ("Councillor/NNP Ann/NNP Clark/NNP spoke/VBD", (0, 3), "ORG", "PERSON"),
        ("Cllr/NNP ./. Tom/NNP Reed/NNP said/VBD", (0, 4), "ORG", "PERSON"),
        ("Congresswoman/NNP Maxine/NNP Waters/NNP said/VBD", (0, 3), "NORP", "PERSON"),
        # near misses: a body, a place or a title with one word, other titles, other words
        ("Councillor/NNP Ward/NNP Committee/NNP met/VBD", (0, 3), "ORG", "ORG"),
        ("Congressman/NNP John/NNP Lewis/NNP Bridge/NNP", (0, 4), "FAC", "FAC"),
        ("Councillor/NNP Clark/NNP spoke/VBD", (0, 2), "ORG", "ORG"),
        ("Mr/NNP Porter/NNP Group/NNP sold/VBD", (0, 3), "ORG", "ORG"),
        ("Dr/NNP Martens/NNP Ltd/NNP sold/VBD", (0, 3), "ORG", "ORG"),
        ("Councillor/NNP 's/POS Office/NNP said/VBD", (0, 3), "ORG", "ORG"),
        ("Councillor/NNP Ann/NNP Clark/NNP spoke/VBD", (0, 3), "PERSON", "PERSON"),
    ],
)
def test_a_persons_title_and_name_is_a_person(tagged, span, label, expected):
    words, tags = zip(*(w.rsplit("/", 1) for w in tagged.split()))
    doc = Doc(spacy.blank("en").vocab, words=list(words), tags=list(tags))
    doc.ents = [Span(doc, *span, label=label)]
    assert entity_label(doc.ents[0]) == expected
    relabel_entities(doc)
    assert [(e.start, e.end, e.label_) for e in doc.ents] == [(*span, expected)]
