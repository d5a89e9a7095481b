"""Quote and entity events: speakers linked to the article's entities, one
event per quote and per entity, keys, and Avro bytes read back with the
.avsc files by plain fastavro."""
import io
import json
from pathlib import Path

import fastavro
import pytest

from pipeline.news.events import entity_events, link_speakers, quote_events, speaker_entity
from pipeline.news.record import encode

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def entity(name, label, *aliases):
    return {"name": name, "label": label, "mentions": 1 + len(aliases), "aliases": list(aliases)}


ENTITIES = [entity("ISIL", "ORG"), entity("Jordan", "GPE"), entity("John Kerry", "PERSON", "Kerry"),
            entity("Michael Jordan", "PERSON", "Jordan"), entity("Jordan", "PERSON")]


@pytest.mark.parametrize("speaker, expected", [
    ("John Kerry", 2),             # the resolved name
    ("Kerry", 2),                  # a surname left unresolved: its alias
    ("ISIL", 0),                   # an organisation speaks too
    ("Jordan", 4),                 # a name shared by a place and a person: the person
    ("a senior official", None),   # a description is not an entity
    ("Kerry and other officials", None),  # only a whole name links
    ("john kerry", None),          # names as the article writes them
    ("", None),
    (None, None),
])
def test_a_speaker_links_to_its_entity(speaker, expected):
    assert speaker_entity(speaker, ENTITIES) == expected


def record(quotes, entities=ENTITIES):
    return {"id": "a1", "url": "https://example.com/a1", "source": "wire", "published": 1_480_550_400_000,
            "headline": "Talks go on", "quotes": quotes, "entities": entities}


def quote(text, speaker, start=0, kind="direct"):
    return {"text": text, "start": start, "end": start + len(text), "type": kind, "speaker": speaker,
            "speaker_mention": None, "cue": "said"}


def test_quote_events_are_keyed_by_speaker_or_article():
    linked = link_speakers(record([quote("We will", "John Kerry"), quote("Not now", "a source", 10),
                                   quote("Soon", "Kerry", 20)]))
    assert [q["speaker_entity"] for q in linked["quotes"]] == [2, None, 2]
    events = quote_events(linked)
    assert [key for key, _ in events] == ["john kerry", "a1", "john kerry"]
    assert [e["index"] for _, e in events] == [0, 1, 2]
    assert events[0][1]["speaker_entity"] == {"name": "John Kerry", "label": "PERSON", "index": 2}
    assert events[1][1]["speaker_entity"] is None
    assert events[2][1]["article_id"] == "a1" and events[2][1]["headline"] == "Talks go on"


def test_a_link_outside_the_entities_is_no_link():
    # a record from elsewhere (an older writer, a hand-made one) may carry a bad index
    events = quote_events(record([dict(quote("We will", "John Kerry"), speaker_entity=7)]))
    assert events == [("a1", events[0][1])] and events[0][1]["speaker_entity"] is None


def test_entity_events_one_per_entity_keyed_by_name_and_label():
    events = entity_events(record([]))
    assert [key for key, _ in events] == ["isil|ORG", "jordan|GPE", "john kerry|PERSON", "michael jordan|PERSON",
                                          "jordan|PERSON"]
    assert events[2][1]["aliases"] == ["Kerry"] and events[2][1]["mentions"] == 2


def test_an_article_without_quotes_or_entities_has_no_events():
    assert quote_events(record([], [])) == [] and entity_events(record([], [])) == []


def read(data: bytes, name: str) -> dict:
    assert data[:2] == b"\xc3\x01"
    schema = fastavro.parse_schema(json.loads((SCHEMAS / f"{name}.avsc").read_text()))
    return fastavro.schemaless_reader(io.BytesIO(data[10:]), schema)


@pytest.mark.parametrize("published", [1_480_550_400_000, None])
def test_events_encode_and_read_back_with_the_avsc_files(published):
    rec = link_speakers(dict(record([quote("Ça va « bien »", "Kerry"), quote("\U0001f600", None, 30)]),
                             published=published, url=None))
    for key, event in quote_events(rec):
        back = read(encode(event, "quote"), "quote")
        if published is not None:
            back["published"] = round(back["published"].timestamp() * 1000)
        assert back == event
    for key, event in entity_events(rec):
        back = read(encode(event, "entity"), "entity")
        back.pop("published")
        assert back == {k: v for k, v in event.items() if k != "published"}


# the seed article's quotes (tests/news/test_enrich.py) and the person each is by
SEED_SPEAKERS = [
    ("Even as it is loses ground", "John Kerry"),
    ("We talked about the importance", "John Kerry"),
    ("is now in sight.", "Brett McGurk"),
    ("Progress in military performance", "Khalid al-Obeidi"),
    ("stark example", "Khalid al-Obeidi"),  # "he said"
    ("This morning at the defense council", "Francois Hollande"),
    ("They will be there next month,", "Francois Hollande"),  # "he said"
]


@pytest.mark.parametrize("opening, person", SEED_SPEAKERS)
def test_the_seed_quotes_link_to_their_speakers(seed_record, opening, person):
    events = [event for _, event in quote_events(seed_record) if event["text"].startswith(opening)]
    assert events, opening
    for event in events:
        assert event["speaker_entity"]["name"] == person and event["speaker_entity"]["label"] == "PERSON"
        assert seed_record["entities"][event["speaker_entity"]["index"]]["name"] == person


def test_every_seed_quote_is_an_event(seed_record):
    events = quote_events(seed_record)
    assert len(events) == len(seed_record["quotes"]) >= 8
    for (_, event), q in zip(events, seed_record["quotes"]):
        assert (event["text"], event["start"], event["end"]) == (q["text"], q["start"], q["end"])
