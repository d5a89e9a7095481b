"""Events for subscribers: an article record -> one event per quote and one
per distinct entity, each with what a consumer needs to use it alone (the
article's id, url, source, published time and headline), and the key it is
published under.

Keys: a quote event is keyed by its speaker's entity name lower-cased, so
all quotes of one speaker land on one partition in the order they were
written (a consumer following "every quote by a minister" reads one
partition, in order); a quote without a named speaker is keyed by its
article id, which keeps an article's anonymous quotes together. An entity
event is keyed by name and label, for the same reason.
"""
from __future__ import annotations

# Which entity a speaker is, when several share the name: a person speaks
# more often than an organisation or a place of the same name ("Jordan").
_SPEAKER_LABELS = ("PERSON", "ORG", "NORP", "GPE")


def speaker_entity(speaker: str | None, entities: list[dict]) -> int | None:
    """A quote's speaker (a resolved name or a description) and the
    article's entities -> the index of the entity the speaker is, or None.
    The speaker's name is matched whole against names first, then aliases
    ("Kerry"); among several, a person first."""
    if not speaker:
        return None
    for field in ("name", "aliases"):
        found = [i for i, entity in enumerate(entities)
                 if (speaker == entity["name"] if field == "name" else speaker in entity.get("aliases", ()))]
        if found:
            return min(found, key=lambda i: _rank(entities[i]["label"]))
    return None


def _rank(label: str) -> int:
    return _SPEAKER_LABELS.index(label) if label in _SPEAKER_LABELS else len(_SPEAKER_LABELS)


def link_speakers(record: dict) -> dict:
    """Record with entities and quotes -> the same, each quote carrying
    speaker_entity (an index into entities, or None)."""
    entities = record.get("entities", [])
    quotes = [dict(quote, speaker_entity=speaker_entity(quote.get("speaker"), entities))
              for quote in record.get("quotes", [])]
    return dict(record, quotes=quotes)


def _about(record: dict) -> dict:
    return {"article_id": record["id"], "url": record.get("url"), "source": record.get("source"),
            "published": record.get("published"), "headline": record["headline"]}


def quote_events(record: dict) -> list[tuple[str, dict]]:
    """Article record -> [(key, quote event)] in the order of its quotes
    (the fields of schemas/quote.avsc)."""
    about, entities = _about(record), record.get("entities", [])
    events = []
    for index, quote in enumerate(record.get("quotes", [])):
        linked = quote.get("speaker_entity")
        if linked is None or not 0 <= linked < len(entities):
            entity, key = None, record["id"]
        else:
            entity = {"name": entities[linked]["name"], "label": entities[linked]["label"], "index": linked}
            key = entity["name"].lower()
        events.append((key, dict(about, index=index, text=quote["text"], type=quote["type"], cue=quote.get("cue"),
                                 speaker=quote.get("speaker"), speaker_mention=quote.get("speaker_mention"),
                                 start=quote["start"], end=quote["end"], speaker_entity=entity)))
    return events


def entity_events(record: dict) -> list[tuple[str, dict]]:
    """Article record -> [(key, entity event)], one per distinct entity, in
    the order of its entities (the fields of schemas/entity.avsc)."""
    about = _about(record)
    return [(f"{entity['name'].lower()}|{entity['label']}",
             dict(about, name=entity["name"], label=entity["label"], mentions=entity["mentions"],
                  aliases=list(entity.get("aliases", ()))))
            for entity in record.get("entities", [])]
