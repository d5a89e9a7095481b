"""The article record as IPTC ninjs 3.2 (News in JSON), for `--format ninjs`.

In: an article record (the fields of schemas/article.avsc, plus the optional
authors, language, dateline, credit, extraction_cut and a quote's
speaker_entity; duplicate_of and similarity from `enrich --keep-duplicates`).
Out: a JSON-ready dict.

ninjs 3.2 is the latest version IPTC has approved (3.x is what its guide
recommends for new work). What goes where:

| record | ninjs 3.2 |
| --- | --- |
| id | `uri` (urn:uuid, a name-based UUID of the id), `altIds` role article-id |
| url | `altIds` role url (`uri` must name the object, not link to a page) |
| content_hash | `altIds` role content-sha256 |
| headline | `headlines[0].value` (text/plain) |
| body | `bodies[0].value` (text/plain, charCount, wordCount) |
| published | `versionCreated` (RFC 3339, UTC; absent when unknown) |
| authors | `by` ("A, B and C") |
| language | `language` |
| dateline place | `located` |
| source, dateline agency, credit | `infoSources` (roles publisher, dateline-agency, credit) |
| entities PERSON | `people` |
| entities ORG | `organisations` |
| entities GPE, LOC, FAC | `places` |
| entities EVENT | `events` |
| entities PRODUCT | `objects` |
| other entities (NORP, LAW, ...) | `subjects` (creator: the spaCy model) |
| duplicate_of | `associations` (the kept article's uri) |
| quotes, entities with labels and counts, dateline, extraction_cut, nlp_model, similarity | extension property `newsPipeline` |

ninjs 3.2 allows no property beyond its own (its schema ends with
`unevaluatedProperties: false`); its guide says to extend it with a schema of
one's own that adds properties, and to name that schema in `standard`. So a
document with the extension says `standard.schema` = EXTENSION_SCHEMA (our
extension of ninjs 3.2); `to_ninjs(record, extension=False)` leaves the
extension out and is plain ninjs 3.2 (`standard.schema` = IPTC's schema).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

NINJS_VERSION = "3.2"
NINJS_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_3.2.json#"
EXTENSION = "newsPipeline"
# Names our extension of ninjs 3.2 (the property EXTENSION); a URN because
# the extension schema is not published at any address.
EXTENSION_SCHEMA = "urn:uuid:94dd1a37-6551-4fb8-ab4b-0f721f20cf34"
# Name-based (version 5) UUIDs of article ids live under this namespace, so
# one id always gets the same uri, on any machine, in any run. Not
# urn:newsml: RFC 3085 wants an Internet domain the provider owns, a date
# and a revision number in it, and we have none of them.
ARTICLE_NAMESPACE = uuid.UUID("9c8b74f8-9b69-4f0f-8465-1bf4690092b2")

# OntoNotes label -> the ninjs array for it; any other label goes to subjects
ENTITY_ARRAYS = {
    "PERSON": "people",
    "ORG": "organisations",
    "GPE": "places",
    "LOC": "places",
    "FAC": "places",  # buildings, airports, bridges: named locations
    "EVENT": "events",
    "PRODUCT": "objects",  # "something material, excluding persons"
}

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def article_uri(article_id: str) -> str:
    """An article id -> its ninjs `uri`: urn:uuid: and the version-5 UUID of
    the id (stable, and a valid URI whatever characters the id has)."""
    return f"urn:uuid:{uuid.uuid5(ARTICLE_NAMESPACE, article_id)}"


def ninjs_datetime(published) -> str | None:
    """Epoch milliseconds (int) or a datetime (naive = UTC) -> RFC 3339 UTC
    text ("2014-11-24T00:00:00Z", milliseconds only when there are some);
    None -> None. A time no datetime can hold -> None."""
    if published is None:
        return None
    if isinstance(published, datetime):
        moment = published if published.tzinfo else published.replace(tzinfo=timezone.utc)
    elif isinstance(published, int) and not isinstance(published, bool):
        try:
            moment = _EPOCH + timedelta(milliseconds=published)
        except OverflowError:
            return None
    else:
        raise TypeError(f"published must be epoch milliseconds or a datetime, not {type(published).__name__}")
    try:
        utc = moment.astimezone(timezone.utc).replace(tzinfo=None)
    except OverflowError:  # an aware time whose UTC falls outside year 1..9999
        return None
    spec = "milliseconds" if utc.microsecond // 1000 else "seconds"
    return utc.isoformat(timespec=spec) + "Z"


def byline(authors) -> str | None:
    """["A", "B", "C"] -> "A, B and C"; no names -> None."""
    names = [a.strip() for a in authors or () if isinstance(a, str) and a.strip()]
    if not names:
        return None
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _entity_arrays(entities, nlp_model) -> dict[str, list]:
    # in this order in the document, whatever order the entities come in
    arrays: dict[str, list] = {key: [] for key in ("people", "organisations", "places", "events", "objects", "subjects")}
    seen: set[tuple[str, str]] = set()
    for entity in entities or ():
        name = entity.get("name")
        if not name:
            continue
        key = ENTITY_ARRAYS.get(entity.get("label"), "subjects")
        if (key, name) in seen:  # one name with two labels of one array (GPE and LOC)
            continue
        seen.add((key, name))
        item = {"name": name}
        if key == "subjects" and nlp_model:
            item["creator"] = nlp_model  # only subjects have a place for who assigned them
        arrays[key].append(item)
    return {key: items for key, items in arrays.items() if items}


def _info_sources(record: dict) -> list[dict]:
    dateline = record.get("dateline") or {}
    named = ((record.get("source"), "publisher"), (dateline.get("agency"), "dateline-agency"),
             (record.get("credit"), "credit"))
    return [{"name": name, "role": role} for name, role in named if name]


def _speaker_entity(quote: dict, entities: list):
    index = quote.get("speaker_entity")
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(entities):
        return index
    return None


def _extension(record: dict) -> dict:
    entities = list(record.get("entities") or ())
    extension = {
        "entities": [{"name": e["name"], "label": e["label"], "mentions": e["mentions"],
                      "aliases": list(e.get("aliases") or ())} for e in entities],
        "quotes": [{
            "text": q["text"], "start": q["start"], "end": q["end"], "type": q["type"],
            "speaker": q.get("speaker"), "speakerMention": q.get("speaker_mention"), "cue": q.get("cue"),
            "speakerEntity": _speaker_entity(q, entities),
        } for q in record.get("quotes") or ()],
    }
    if record.get("nlp_model"):
        extension["nlpModel"] = record["nlp_model"]
    if record.get("extraction_cut") is not None:
        extension["extractionCut"] = bool(record["extraction_cut"])
    dateline = record.get("dateline")
    if dateline:
        date = dateline.get("date")
        extension["dateline"] = {"place": dateline.get("place"), "agency": dateline.get("agency"),
                                 "date": date.isoformat() if hasattr(date, "isoformat") else date}
    if record.get("similarity") is not None:
        extension["similarity"] = record["similarity"]
    return extension


def to_ninjs(record: dict, extension: bool = True) -> dict:
    """An article record -> its ninjs 3.2 document (see the module's table).
    extension=False: plain ninjs 3.2, without the newsPipeline property."""
    doc = {
        "uri": article_uri(record["id"]),
        "standard": {"name": "ninjs", "version": NINJS_VERSION,
                     "schema": EXTENSION_SCHEMA if extension else NINJS_SCHEMA},
        "type": "text",
        "representationType": "full",
    }
    created = ninjs_datetime(record.get("published"))
    if created:
        doc["versionCreated"] = created
    if record.get("language"):
        doc["language"] = record["language"]
    by = byline(record.get("authors"))
    if by:
        doc["by"] = by
    place = (record.get("dateline") or {}).get("place")
    if place:
        doc["located"] = place
    doc["headlines"] = [{"contentType": "text/plain", "value": record["headline"]}]
    body = record["body"]
    doc["bodies"] = [{"contentType": "text/plain", "charCount": len(body), "wordCount": len(body.split()),
                      "value": body}]
    doc.update(_entity_arrays(record.get("entities"), record.get("nlp_model")))
    sources = _info_sources(record)
    if sources:
        doc["infoSources"] = sources
    alt_ids = [{"role": "article-id", "value": record["id"]}]
    if record.get("url"):
        alt_ids.append({"role": "url", "value": record["url"]})
    if record.get("content_hash"):
        alt_ids.append({"role": "content-sha256", "value": record["content_hash"]})
    doc["altIds"] = alt_ids
    if record.get("duplicate_of"):
        doc["associations"] = [{"name": "kept copy", "rel": "duplicate of", "uri": article_uri(record["duplicate_of"]),
                                "altIds": [{"role": "article-id", "value": record["duplicate_of"]}]}]
    if extension:
        doc[EXTENSION] = _extension(record)
    return doc
