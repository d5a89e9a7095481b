"""The record as IPTC ninjs 3.2, checked against the rules of the spec.

The checker below is written from IPTC's ninjs 3.2 JSON Schema
(specification/ninjs-schema_3.2.json in github.com/iptc/newsinjson) and its
user guide (documentation/IPTC-NinJS-Guidelines.adoc there): which properties
exist, which are required, their types, enumerations and formats, and that
nothing else may appear (the schema's `additionalProperties: false` and
`unevaluatedProperties: false`). It covers the part of ninjs a text article
can use; a property of ninjs it does not check (renditions, rightsInfo, ...)
is reported rather than waved through. Extensions follow the guide: a
document may carry a property of its own only when `standard` names a schema
other than IPTC's (the extended one), and that property is checked against
the rules its extension gives.
"""
import calendar
import copy
import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from pipeline.news.ninjs import EXTENSION, NINJS_SCHEMA, article_uri, byline, ninjs_datetime, to_ninjs

# --- the checker -------------------------------------------------------------
# A rule is a format name ("string", "integer", "number", "boolean", "uri",
# "date-time"), or a tuple: ("enum", values), ("range", low, high) for an
# integer, ("array", item rule), ("object", required names, {name: rule}) with
# no other names allowed, ("nullable", rule), or ("ninjs",) for an associated
# ninjs object.

NAME_REL_URI_LITERAL = {"name": "string", "rel": "string", "uri": "uri", "literal": "string"}
TEXT_ITEM = {"role": "string", "contentType": "string", "value": "string"}

NINJS_32 = {
    "uri": "uri",
    "type": ("enum", ("text", "audio", "video", "picture", "graphic", "composite", "component", "event", "planning")),
    "representationType": ("enum", ("full", "partial")),
    "profile": "string",
    "version": "string",
    "firstCreated": "date-time",
    "versionCreated": "date-time",
    "contentCreated": "date-time",
    "embargoedUntil": "date-time",
    "expires": "date-time",
    "pubStatus": ("enum", ("usable", "withheld", "canceled")),
    "urgency": ("range", 1, 9),
    "copyrightHolder": "string",
    "copyrightNotice": "string",
    "usageTerms": "string",
    "edNote": "string",
    "language": "string",
    "title": "string",
    "by": "string",
    "slugline": "string",
    "located": "string",
    "headlines": ("array", ("object", {"value"}, TEXT_ITEM)),
    "descriptions": ("array", ("object", {"value"}, TEXT_ITEM)),
    "bodies": ("array", ("object", {"value"}, dict(TEXT_ITEM, charCount="integer", wordCount="integer"))),
    "people": ("array", ("object", set(), NAME_REL_URI_LITERAL)),
    "organisations": ("array", ("object", set(), NAME_REL_URI_LITERAL)),
    "places": ("array", ("object", set(), NAME_REL_URI_LITERAL)),
    "events": ("array", ("object", set(), dict(NAME_REL_URI_LITERAL, id="string"))),
    "objects": ("array", ("object", set(), NAME_REL_URI_LITERAL)),
    "subjects": ("array", ("object", set(), dict(NAME_REL_URI_LITERAL, creator="string", relevance=("range", 0, 100),
                                                  confidence=("range", 0, 100)))),
    "infoSources": ("array", ("object", set(), {"name": "string", "role": "string", "uri": "uri", "literal": "string"})),
    "altIds": ("array", ("object", set(), {"role": "string", "value": "string"})),
    "standard": ("object", set(), {"name": "string", "version": "string", "schema": "uri"}),
    "associations": ("array", ("ninjs",)),
}
# top-level properties of ninjs 3.2 that this checker does not check
NOT_CHECKED = {"renditions", "rightsInfo", "digitalSourceType", "trustIndicators", "genres", "eventDetails",
               "plannedCoverage"}
# and inside the objects above: contactInfo (people, organisations, places,
# infoSources), symbols (organisations), geoJSON (places): reported the same way
NOT_CHECKED_INSIDE = {"contactInfo", "symbols", "geoJSON"}

# RFC 3339 section 5.6, which JSON Schema's "date-time" format names
DATE_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))")
# RFC 3986: scheme ":" then only unreserved, reserved and percent-encoded characters
URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
UUID_URN = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# BCP 47 language tag (the guide: "the value should follow IETF BCP47"):
# language, script, region, variants; extensions and private use not needed here
BCP47 = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|\d{3}))?(-(?:[A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*")


def date_time_problem(text: str) -> str | None:
    match = DATE_TIME.fullmatch(text)
    if not match:
        return "is not an RFC 3339 date-time"
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return "has no such calendar date"
    if hour > 23 or minute > 59 or second > 60:  # 60: a leap second
        return "has no such time of day"
    if match.group(9) and (int(match.group(9)) > 23 or int(match.group(10)) > 59):
        return "has no such UTC offset"
    return None


def uri_problem(text: str) -> str | None:
    scheme = URI_SCHEME.match(text)
    if not scheme or len(text) == scheme.end():
        return "is not an absolute URI (no scheme)"
    if not URI_CHARS.fullmatch(text) or text.count("#") > 1:
        return "has characters a URI cannot have"
    if text.lower().startswith("urn:uuid:") and not UUID_URN.fullmatch(text.lower()):
        return "is not a urn:uuid of RFC 4122"
    return None


def is_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check(value, rule, path: str, problems: list, extensions: dict) -> None:
    if isinstance(rule, str):
        ok = {"string": lambda v: isinstance(v, str), "uri": lambda v: isinstance(v, str),
              "date-time": lambda v: isinstance(v, str), "integer": is_integer,
              "number": lambda v: is_integer(v) or isinstance(v, float), "boolean": lambda v: isinstance(v, bool)}[rule]
        if not ok(value):
            problems.append(f"{path}: {value!r} is not of type {'string' if rule in ('uri', 'date-time') else rule}")
            return
        why = uri_problem(value) if rule == "uri" else date_time_problem(value) if rule == "date-time" else None
        if why:
            problems.append(f"{path}: {value!r} {why}")
        return
    kind = rule[0]
    if kind == "nullable":
        if value is not None:
            check(value, rule[1], path, problems, extensions)
    elif kind == "enum":
        if value not in rule[1]:
            problems.append(f"{path}: {value!r} is not one of {', '.join(rule[1])}")
    elif kind == "range":
        if not is_integer(value) or not rule[1] <= value <= rule[2]:
            problems.append(f"{path}: {value!r} is not an integer from {rule[1]} to {rule[2]}")
    elif kind == "array":
        if not isinstance(value, list):
            problems.append(f"{path}: is not an array")
            return
        for i, item in enumerate(value):
            check(item, rule[1], f"{path}[{i}]", problems, extensions)
    elif kind == "object":
        check_object(value, rule[1], rule[2], path, problems, extensions)
    elif kind == "ninjs":  # an association: any ninjs property, plus its name (required) and rel
        check_object(value, {"uri", "name"}, dict(NINJS_32, name="string", rel="string"), path, problems, extensions)


def check_object(value, required, properties, path, problems, extensions) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: is not an object")
        return
    for name in sorted(required - value.keys()):
        problems.append(f"{path}: required property {name} is missing")
    for name, item in value.items():
        where = f"{path}.{name}" if path else name
        if name in properties:
            check(item, properties[name], where, problems, extensions)
        elif name in NOT_CHECKED_INSIDE or (not path and name in NOT_CHECKED):
            problems.append(f"{where}: a ninjs 3.2 property this checker does not check")
        elif not path and name in extensions:
            check(item, extensions[name], where, problems, extensions)
        else:
            problems.append(f"{where}: not a property of ninjs 3.2 here")


def ninjs_problems(doc, extensions: dict | None = None) -> list[str]:
    """A document -> what breaks ninjs 3.2 (empty: valid). extensions: the
    top-level properties an extended schema adds, {name: rule}; they are
    allowed only when `standard.schema` names a schema other than IPTC's."""
    extensions = extensions or {}
    problems: list[str] = []
    check_object(doc, {"uri"}, NINJS_32, "", problems, extensions)
    if isinstance(doc, dict):
        schema = (doc.get("standard") or {}).get("schema") if isinstance(doc.get("standard"), dict) else None
        used = sorted(set(doc) & set(extensions))
        if used and (schema is None or schema.rstrip("#") in IPTC_SCHEMAS):
            problems.append(f"{', '.join(used)}: an extension in a document whose standard names no extended schema")
        language = doc.get("language")
        if isinstance(language, str) and not BCP47.fullmatch(language):
            problems.append(f"language: {language!r} is not a BCP 47 language tag")
    return problems


IPTC_SCHEMAS = {f"{scheme}://{host}iptc.org/std/ninjs/ninjs-schema_3.2.json"
                for scheme in ("http", "https") for host in ("", "www.")}

# Our extension (pipeline/news/ninjs.py): what the property newsPipeline holds
NEWS_PIPELINE = {EXTENSION: ("object", {"entities", "quotes"}, {
    "entities": ("array", ("object", {"name", "label", "mentions", "aliases"}, {
        "name": "string", "label": "string", "mentions": ("range", 1, 2**31 - 1), "aliases": ("array", "string")})),
    "quotes": ("array", ("object", {"text", "start", "end", "type", "speaker", "speakerMention", "cue", "speakerEntity"}, {
        "text": "string", "start": ("range", 0, 2**31 - 1), "end": ("range", 0, 2**31 - 1),
        "type": ("enum", ("direct", "partial", "indirect")), "speaker": ("nullable", "string"),
        "speakerMention": ("nullable", "string"), "cue": ("nullable", "string"),
        "speakerEntity": ("nullable", ("range", 0, 2**31 - 1))})),
    "nlpModel": "string",
    "extractionCut": "boolean",
    "dateline": ("object", set(), {"place": ("nullable", "string"), "agency": ("nullable", "string"),
                                   "date": ("nullable", "string")}),
    "similarity": "number",
})}


def extension_problems(doc) -> list[str]:
    """What the types cannot say: offsets inside the body, speakerEntity an
    index of the extension's entities."""
    ext, body = doc[EXTENSION], doc["bodies"][0]["value"]
    problems = [f"quote {i}: offsets {q['start']}..{q['end']} outside the body"
                for i, q in enumerate(ext["quotes"]) if not 0 <= q["start"] <= q["end"] <= len(body)]
    problems += [f"quote {i}: speakerEntity {q['speakerEntity']} is no entity"
                 for i, q in enumerate(ext["quotes"])
                 if q["speakerEntity"] is not None and q["speakerEntity"] >= len(ext["entities"])]
    return problems


def valid(doc, extended=True) -> list[str]:
    """Everything wrong with a converted document, as JSON text would carry it."""
    doc = json.loads(json.dumps(doc, ensure_ascii=False))
    problems = ninjs_problems(doc, NEWS_PIPELINE if extended else None)
    return problems or (extension_problems(doc) if extended else [])


# --- the seed article --------------------------------------------------------

def names(doc, key):
    return [item["name"] for item in doc.get(key, [])]


def test_seed_article_is_valid_ninjs(seed_record):
    doc = to_ninjs(seed_record)
    assert valid(doc) == []
    assert doc["uri"] == article_uri("seed") and doc["standard"]["version"] == "3.2"
    assert doc["headlines"] == [{"contentType": "text/plain", "value": seed_record["headline"]}]
    assert doc["bodies"][0]["value"] == seed_record["body"]
    assert {"John Kerry", "Brett McGurk", "Khalid al-Obeidi", "Francois Hollande"} <= set(names(doc, "people"))
    assert {"Mosul", "Raqqa", "Baghdad", "Iraq", "Syria"} <= set(names(doc, "places"))
    assert {"Interpol", "Reuters"} <= set(names(doc, "organisations"))
    assert "Iraqi" in names(doc, "subjects")  # NORP: no array of its own
    assert {"role": "content-sha256", "value": seed_record["content_hash"]} in doc["altIds"]
    assert {"role": "article-id", "value": "seed"} in doc["altIds"]
    assert "versionCreated" not in doc and "by" not in doc  # a plain-text file says neither
    quotes = doc[EXTENSION]["quotes"]
    assert len(quotes) == len(seed_record["quotes"])
    kerry = next(q for q in quotes if q["text"].startswith("We talked about"))
    assert (kerry["speaker"], kerry["speakerMention"]) == ("John Kerry", "Kerry")
    assert seed_record["body"][kerry["start"]:kerry["end"]] == kerry["text"]
    for ours, theirs in zip(quotes, seed_record["quotes"]):
        assert (ours["text"], ours["start"], ours["end"], ours["type"], ours["cue"]) == \
            (theirs["text"], theirs["start"], theirs["end"], theirs["type"], theirs["cue"])


def test_seed_article_without_the_extension_is_plain_ninjs(seed_record):
    doc = to_ninjs(seed_record, extension=False)
    assert ninjs_problems(json.loads(json.dumps(doc))) == []  # no extension allowed at all
    assert EXTENSION not in doc and doc["standard"]["schema"] == NINJS_SCHEMA
    extended = to_ninjs(seed_record)
    assert ninjs_problems(extended) != []  # the extended one is not plain ninjs 3.2: it says so in standard
    assert {k: v for k, v in extended.items() if k not in (EXTENSION, "standard")} == \
        {k: v for k, v in doc.items() if k != "standard"}


# --- edge cases ----------------------------------------------------------------

BASE = {
    "id": "wire-1", "url": None, "source": None, "published": None,
    "headline": "Vote due", "body": "“We will vote on Friday,” the speaker said.",
    "content_hash": "ab" * 32, "entity_mentions": [], "entities": [],
    "quotes": [{"text": "We will vote on Friday,", "start": 1, "end": 24, "type": "direct",
                "speaker": "the speaker", "speaker_mention": None, "cue": "said"}],
    "nlp_model": "en_news_sm-0.4.1",
}
ENTITIES = [{"name": "Dana Whitfield", "label": "PERSON", "mentions": 2, "aliases": ["Whitfield"]},
            {"name": "Reuters", "label": "ORG", "mentions": 1, "aliases": []},
            {"name": "Zürich", "label": "GPE", "mentions": 1, "aliases": []},
            {"name": "Zürich", "label": "LOC", "mentions": 1, "aliases": []},
            {"name": "Alps", "label": "LOC", "mentions": 1, "aliases": []},
            {"name": "Geneva Airport", "label": "FAC", "mentions": 1, "aliases": []},
            {"name": "World Cup", "label": "EVENT", "mentions": 1, "aliases": []},
            {"name": "iPhone", "label": "PRODUCT", "mentions": 1, "aliases": []},
            {"name": "Swiss", "label": "NORP", "mentions": 3, "aliases": []},
            {"name": "Clean Air Act", "label": "LAW", "mentions": 1, "aliases": []}]
NEW_FIELDS = {"authors": ["Dana Whitfield", "Sam Lee"], "language": "de", "credit": "Reuters",
              "dateline": {"place": "ZÜRICH", "agency": "Reuters", "date": "Nov 30"}, "extraction_cut": True,
              "entities": ENTITIES,
              "quotes": [dict(BASE["quotes"][0], speaker="Dana Whitfield", speaker_entity=0)]}
UTC = timezone.utc

EDGE_CASES = [
    ("no published time", {}, lambda d: "versionCreated" not in d),
    ("published as epoch ms", {"published": 1416787200123},
     lambda d: d["versionCreated"] == "2014-11-24T00:00:00.123Z"),
    ("published as fastavro's datetime", {"published": datetime(2014, 11, 24, tzinfo=UTC)},
     lambda d: d["versionCreated"] == "2014-11-24T00:00:00Z"),
    ("published with another offset", {"published": datetime(2014, 11, 24, 1, tzinfo=timezone(timedelta(hours=2)))},
     lambda d: d["versionCreated"] == "2014-11-23T23:00:00Z"),
    ("published before 1970", {"published": -1000}, lambda d: d["versionCreated"] == "1969-12-31T23:59:59Z"),
    ("published in 1850", {"published": -3786825600000}, lambda d: d["versionCreated"] == "1850-01-01T00:00:00Z"),
    ("no url", {}, lambda d: [a["role"] for a in d["altIds"]] == ["article-id", "content-sha256"]),
    ("a url", {"url": "https://example.org/a?b=1"},
     lambda d: {"role": "url", "value": "https://example.org/a?b=1"} in d["altIds"] and d["uri"].startswith("urn:uuid:")),
    ("no entities, no quotes", {"entities": [], "quotes": []},
     lambda d: not {"people", "organisations", "places", "subjects"} & d.keys() and d[EXTENSION]["quotes"] == []),
    ("non-ASCII id and text", {"id": "files/Zürich 東京.txt", "headline": "Zürich: “Ja” 🎉",
                               "body": "„Grüße aus 東京 🎉“, sagte sie.",
                               "quotes": [dict(BASE["quotes"][0], text="Grüße aus 東京 🎉", start=1, end=15)]},
     lambda d: d["uri"].isascii() and d["bodies"][0]["charCount"] == 28 and d["bodies"][0]["wordCount"] == 6
     and d["headlines"][0]["value"] == "Zürich: “Ja” 🎉"
     and d["bodies"][0]["value"][1:15] == d[EXTENSION]["quotes"][0]["text"]),  # offsets count code points
    ("without the new fields", {"source": "Example Wire"},
     lambda d: not {"by", "language", "located"} & d.keys()
     and d["infoSources"] == [{"name": "Example Wire", "role": "publisher"}]
     and not {"extractionCut", "dateline"} & d[EXTENSION].keys()
     and d[EXTENSION]["quotes"][0]["speakerEntity"] is None),
    ("with every new field", NEW_FIELDS,
     lambda d: d["by"] == "Dana Whitfield and Sam Lee" and d["language"] == "de" and d["located"] == "ZÜRICH"
     and d["infoSources"] == [{"name": "Reuters", "role": "dateline-agency"}, {"name": "Reuters", "role": "credit"}]
     and d[EXTENSION]["extractionCut"] is True and d[EXTENSION]["dateline"]["date"] == "Nov 30"
     and d[EXTENSION]["quotes"][0]["speakerEntity"] == 0
     and d[EXTENSION]["entities"][0] == {"name": "Dana Whitfield", "label": "PERSON", "mentions": 2,
                                         "aliases": ["Whitfield"]}),
    ("every entity label", {"entities": ENTITIES},
     lambda d: (names(d, "people"), names(d, "organisations"), names(d, "places"), names(d, "events"),
                names(d, "objects"), names(d, "subjects"))
     == (["Dana Whitfield"], ["Reuters"], ["Zürich", "Alps", "Geneva Airport"], ["World Cup"], ["iPhone"],
         ["Swiss", "Clean Air Act"])),
    ("new fields present but empty", {"authors": [], "language": None, "dateline": None, "credit": None},
     lambda d: not {"by", "language", "located", "infoSources"} & d.keys()),
    ("three authors", {"authors": ["A. One", "B. Two", " ", "C. Three"]}, lambda d: d["by"] == "A. One, B. Two and C. Three"),
    ("a speaker_entity out of range", {"quotes": [dict(BASE["quotes"][0], speaker_entity=5)]},
     lambda d: d[EXTENSION]["quotes"][0]["speakerEntity"] is None),
    ("a duplicate (enrich --keep-duplicates)", {"duplicate_of": "wire-0", "similarity": 0.8125},
     lambda d: d["associations"][0]["uri"] == article_uri("wire-0") and d[EXTENSION]["similarity"] == 0.8125),
    ("a kept article (enrich --keep-duplicates)", {"duplicate_of": None, "similarity": None},
     lambda d: "associations" not in d and "similarity" not in d[EXTENSION]),
    ("an old record without extraction_cut", {"extraction_cut": None}, lambda d: "extractionCut" not in d[EXTENSION]),
]


@pytest.mark.parametrize("changes, expected", [c[1:] for c in EDGE_CASES], ids=[c[0] for c in EDGE_CASES])
def test_edge_cases_are_valid_and_mapped(changes, expected):
    record = dict(copy.deepcopy(BASE), **copy.deepcopy(changes))
    doc = to_ninjs(record)
    assert valid(doc) == []
    assert valid(to_ninjs(record, extension=False), extended=False) == []
    assert expected(doc), json.dumps(doc, ensure_ascii=False, indent=1)


def test_the_uri_is_stable_and_distinct():
    assert article_uri("wire-1") == to_ninjs(BASE)["uri"] == to_ninjs(dict(BASE, headline="Changed"))["uri"]
    assert article_uri("wire-1") != article_uri("wire-2")


@pytest.mark.parametrize("published, expected", [
    (None, None), (0, "1970-01-01T00:00:00Z"), (1, "1970-01-01T00:00:00.001Z"),
    (datetime(2026, 11, 20, 9, 30), "2026-11-20T09:30:00Z"),  # naive: taken as UTC
    (datetime(2026, 11, 20, 9, 30, 0, 999999, tzinfo=UTC), "2026-11-20T09:30:00.999Z"),
    (10**18, None),  # past year 9999: no datetime holds it
])
def test_ninjs_datetime(published, expected):
    assert ninjs_datetime(published) == expected


@pytest.mark.parametrize("published", [True, "2026-11-20T09:30:00Z", 1.5])
def test_ninjs_datetime_refuses_other_types(published):
    with pytest.raises(TypeError):
        ninjs_datetime(published)


def test_byline():
    assert byline(None) is None and byline([]) is None and byline(["A"]) == "A"


# --- the checker itself ----------------------------------------------------------

def good_doc() -> dict:
    return json.loads(json.dumps(to_ninjs(dict(BASE, **NEW_FIELDS, published=1416787200000, url="https://e.org/x"))))


def change(path, value):
    """A change to a copy of good_doc: path of keys/indexes; value DELETE removes."""
    def apply(doc):
        *parents, last = path
        target = doc
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
        return doc
    return apply


DELETE = object()
BAD = [
    ("no uri", change(["uri"], DELETE), "required property uri is missing"),
    ("a relative uri", change(["uri"], "wire-1"), "not an absolute URI"),
    ("a uri with a space", change(["uri"], "urn:x:a b"), "characters a URI cannot have"),
    ("a uri with non-ASCII", change(["uri"], "urn:x:zürich"), "characters a URI cannot have"),
    ("a broken urn:uuid", change(["uri"], "urn:uuid:1234"), "urn:uuid"),
    ("a bad percent escape", change(["uri"], "http://e.org/%zz"), "characters a URI cannot have"),
    ("a date without T", change(["versionCreated"], "2014-11-24 00:00:00Z"), "not an RFC 3339 date-time"),
    ("a date without offset", change(["versionCreated"], "2014-11-24T00:00:00"), "not an RFC 3339 date-time"),
    ("a date only", change(["versionCreated"], "2014-11-24"), "not an RFC 3339 date-time"),
    ("month 13", change(["versionCreated"], "2014-13-01T00:00:00Z"), "no such calendar date"),
    ("February 29 of 2014", change(["versionCreated"], "2014-02-29T00:00:00Z"), "no such calendar date"),
    ("hour 24", change(["versionCreated"], "2014-11-24T24:00:00Z"), "no such time of day"),
    ("offset +25:00", change(["versionCreated"], "2014-11-24T00:00:00+25:00"), "no such UTC offset"),
    ("a null date (absent is how unknown is said)", change(["versionCreated"], None), "is not of type string"),
    ("epoch ms as the date", change(["versionCreated"], 1416787200000), "is not of type string"),
    ("a type outside the enumeration", change(["type"], "article"), "is not one of"),
    ("representationType of ninjs 1.x", change(["representationType"], "complete"), "is not one of"),
    ("the 1.x headline", change(["headline"], "Vote due"), "headline: not a property of ninjs 3.2"),
    ("the 1.x body_text", change(["body_text"], "x"), "body_text: not a property of ninjs 3.2"),
    ("the 2.x versioncreated", change(["versioncreated"], "2014-11-24T00:00:00Z"), "not a property of ninjs 3.2"),
    ("quotes at the top level", change(["quotes"], []), "quotes: not a property of ninjs 3.2"),
    ("a headline without value", change(["headlines", 0, "value"], DELETE), "headlines[0]: required property value"),
    ("a headline with text", change(["headlines", 0, "text"], "x"), "headlines[0].text: not a property"),
    ("headlines as a string", change(["headlines"], "Vote due"), "headlines: is not an array"),
    ("a float charCount", change(["bodies", 0, "charCount"], 4.0), "is not of type integer"),
    ("a string wordCount", change(["bodies", 0, "wordCount"], "7"), "is not of type integer"),
    ("a person with a label", change(["people", 0, "label"], "PERSON"), "people[0].label: not a property"),
    ("a place with a bad uri", change(["places", 0, "uri"], "Zürich"), "not an absolute URI"),
    ("relevance over 100", change(["subjects", 0, "relevance"], 101), "from 0 to 100"),
    ("confidence as a boolean", change(["subjects", 0, "confidence"], True), "from 0 to 100"),
    ("urgency 0", change(["urgency"], 0), "from 1 to 9"),
    ("an altId value as a number", change(["altIds", 0, "value"], 1), "is not of type string"),
    ("a null language", change(["language"], None), "language: None is not of type string"),
    ("a language name", change(["language"], "German"), "not a BCP 47 language tag"),
    ("by as a list", change(["by"], ["Dana Whitfield"]), "by: ['Dana Whitfield'] is not of type string"),
    ("a standard with a date", change(["standard", "date"], "2025"), "standard.date: not a property"),
    ("renditions, not checked here", change(["renditions"], []), "does not check"),
    ("contactInfo, not checked here", change(["people", 0, "contactInfo"], []), "does not check"),
    ("an association without name", change(["associations"], [{"uri": "urn:x:y"}]), "required property name"),
    ("the extension claiming IPTC's schema", change(["standard", "schema"], NINJS_SCHEMA), "no extended schema"),
    ("the extension without standard", change(["standard"], DELETE), "no extended schema"),
    ("an extension quote of unknown type", change([EXTENSION, "quotes", 0, "type"], "quoted"), "is not one of"),
    ("an extension quote without speaker", change([EXTENSION, "quotes", 0, "speaker"], DELETE), "speaker is missing"),
    ("an extension field nobody declared", change([EXTENSION, "confidence"], 1), "not a property"),
]


def test_the_checker_passes_the_good_document():
    assert valid(good_doc()) == []


@pytest.mark.parametrize("breaks, says", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_the_checker_rejects_a_bad_document(breaks, says):
    problems = ninjs_problems(breaks(good_doc()), NEWS_PIPELINE)
    assert any(says in p for p in problems), problems


def test_the_checker_rejects_what_is_not_an_object():
    assert ninjs_problems([]) == [": is not an object"]
    assert "required property uri is missing" in ninjs_problems({})[0]


def test_extension_offsets_are_checked():
    doc = good_doc()
    doc[EXTENSION]["quotes"][0]["end"] = 10_000
    doc[EXTENSION]["quotes"][0]["speakerEntity"] = 99
    assert len(extension_problems(doc)) == 2
