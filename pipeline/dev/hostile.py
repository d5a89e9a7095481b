"""A hostile wire: messages an attacker or a broken scraper sends, mixed
with good news articles, for chaos runs (`make chaos`).

In: a message count and a seed. Out: `Case`s, each one Kafka message (key,
value, headers) of a named kind, whether it is a good article, and what is
expected of it: the *accounting id* (the id its article record, or its
duplicate event, would be keyed by if it were written) and the outcomes that
are acceptable (written, duplicate, dead-lettered). The same seed gives the
same bytes. Standard library only: no Beam, no spaCy, no Kafka client.

Every kind is a small function of a `Wire` (a seeded random.Random, the next
unique key, the good articles made so far) returning a `Made`. Envelopes carry
an "id" equal to the message key unless the id itself is the attack; plain
text is named by its key (or, with no key, by where it was read).
"""
from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

WRITTEN, DUPLICATE, DEAD = "written", "duplicate", "dead"
OUTCOMES = (WRITTEN, DUPLICATE, DEAD)
_W, _D, _X = frozenset({WRITTEN}), frozenset({DUPLICATE, WRITTEN}), frozenset({DEAD})
_WX = frozenset({WRITTEN, DEAD})  # readable but odd: written, or refused with a reason
_ANY = frozenset(OUTCOMES)


@dataclass(frozen=True)
class Expected:
    """What an input should become.

    id: the accounting id (None: the message has no key and no id of its
    own, so the pipeline names it by where it was read, topic/partition/offset,
    known only once sent). also: other ids a record of it may fairly carry
    (an id the pipeline repaired or coerced). outcomes: acceptable ends."""

    id: str | None
    outcomes: frozenset
    also: tuple = ()
    note: str = ""


@dataclass
class Case:
    """One message of the corpus and what is expected of it."""

    kind: str
    key: bytes | None
    value: bytes
    headers: list
    good: bool
    expected: Expected


@dataclass(frozen=True)
class Made:
    """What a kind function returns (the corpus adds the kind and `good`)."""

    key: bytes | None
    value: bytes
    headers: list
    expected: Expected


# ---------------------------------------------------------------- good stories
#
# Short news stories from templates. A slot every few words (names, places,
# numbers) keeps two stories' 5-word shingles apart, so the duplicate judge
# (Jaccard >= 0.5) never takes two generated stories for copies by chance.

FIRST = """Amara Lena Tomasz Priya Jonas Mireille Kwame Sofia Rafael Ingrid Diego Hana Oskar Leila Mateo
Nadia Viktor Chloe Tariq Elif Bruno Yuki Samuel Ana Felix Zainab Marco Irene Henrik Noor Pablo Greta
Idris Martina Lukas Beatriz Omar Freya Dmitri Aisha""".split()
LAST = """Okafor Lindqvist Moreau Castillo Nakamura Brennan Haddad Kowalski Ferreira Oyelaran Novak
Richter Delgado Sato Mensah Varga Petrov Alvarez Fischer Duarte Osei Kaplan Lund Mbeki Rossi Quinn
Tanaka Hughes Silva Abara Jansen Costa Wright Hoffmann Bianchi Demir Nilsen Garcia Walsh Romero""".split()
PLACES = """Lisbon Kisumu Tampere Valparaiso Leeds Gdansk Cebu Mombasa Porto Tromso Cork Bergen Lyon
Antwerp Salvador Durban Hobart Nagoya Tbilisi Quito Izmir Split Ghent Aarhus Kumasi Plovdiv Bilbao
Dundee Halifax Regina Cusco Arequipa Mendoza Rosario Tartu Riga Kaunas Brno Graz Turku Malmo""".split()
ORGS = ["city council", "port authority", "water board", "transport ministry", "health trust",
        "regional assembly", "teachers' union", "chamber of commerce", "housing agency", "fire service",
        "energy regulator", "university senate", "farmers' cooperative", "airport operator",
        "environment agency", "police commission", "hospital board", "rail operator"]
ROLES = ["spokeswoman", "spokesman", "chair", "director", "chief executive", "deputy mayor", "mayor",
         "treasurer", "chief engineer", "president", "head of operations", "minister"]
THINGS = ["bridge", "tram line", "ferry terminal", "flood barrier", "school", "clinic", "library",
          "sewage plant", "wind farm", "harbour wall", "bus depot", "market hall", "stadium", "reservoir",
          "cycle lane", "housing estate", "power station", "museum", "ring road", "hospital wing"]
ACTIONS = ["rebuild", "close", "expand", "sell", "repair", "replace", "inspect", "reopen", "relocate", "fund"]
PARTICIPLES = ["rebuilt", "closed", "expanded", "sold", "repaired", "replaced", "inspected", "reopened",
               "relocated", "funded"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
REASONS = ["the old one is failing", "costs have doubled", "residents asked for it", "the law now requires it",
           "the money is finally there", "the storm damage was worse than feared", "traffic keeps growing",
           "inspectors found cracks", "the lease runs out", "demand has outgrown it"]
CONCERNS = ["noise", "the cost", "the timetable", "parking", "the loss of trees", "rents", "flooding",
            "safety", "jobs", "the tender process"]

TITLES = [
    "{Place} {org_t} votes to {action} {thing}",
    "{Place} to {action} {thing} at cost of {money}",
    "{n} jobs at stake as {place} {thing} faces {concern_t} review",
    "{Person} quits {place} {org_t} over {thing} plan",
    "Residents of {place} split over {thing} after {day} vote",
    "{Place} {thing} {participle} after {n}-year campaign",
    "{org_T} in {place} warns of {money} gap",
    "Inquiry into {place} {thing} hears from {person}",
]
SENTENCES = [
    "{Person}, the {role} of the {place} {org}, said on {day} that the {thing} would be {participle} by {month} {year}.",
    "\u201cWe have to {action} the {thing} because {reason},\u201d {person} told reporters in {place}.",
    "\"We have to {action} the {thing} because {reason},\" {person} told reporters in {place}.",
    "Officials in {place} put the cost at {money}, up from {money2} when the plan was first drawn up in {year2}.",
    "The {org} voted {n1} to {n2} on {day} to {action} the {thing} on {street} Street.",
    "{Person} said the {thing} had been {participle2} twice since {month} {year2} and was still not fit for use.",
    "About {n3} residents came to a meeting at the {place} {venue} on {day} evening, many of them worried about {concern}.",
    "\u201cNobody asked us about {concern},\u201d said {person}, who has lived on {street} Street for {n4} years.",
    "{Person2}, a {role} at the {org}, said work would start in {month} and take about {n4} months.",
    "The {thing} in {place} carries about {n5} people a day, according to figures from the {org}.",
    "Critics, among them {person}, say the money would be better spent on the {thing2} in {place2}.",
    "In a statement, the {org} said it had received {n3} objections and would answer each of them by {month}.",
    "{Person} of the {org} said that {n1} contractors had bid for the work and that {n2} remained in the running.",
    "The last time {place} {participle} a {thing}, in {year2}, the work ran {n4} months late and {money2} over budget.",
    "\u201cIt is a good day for {place},\u201d {person} said. \u201cThe {thing} was overdue.\u201d",
    "Opposition members on the {org} said they would ask the auditor to review the {money} contract.",
    "{Person2} told the {place} {paper} that the decision would be challenged in court before {month}.",
    "Shops near the {thing} on {street} Street reported sales down by {pct} percent during the last closure.",
    "A report by the {org} in {year2} found that {pct} percent of the {thing}'s {parts} needed repair.",
    "Neighbouring {place2} {participle} its own {thing2} last year for {money2}, {person} noted.",
]
VENUES = ["town hall", "community centre", "sports club", "public library", "parish hall", "high school"]
STREETS = """Harbour Mill Station Church Bridge Market Castle Union Garden Albion Victoria Quarry Ferry
Chapel Tanner Cooper Weaver Salt""".split()
PAPERS = ["Herald", "Courier", "Gazette", "Chronicle", "Evening Post", "Observer", "Tribune"]
PARTS = ["joints", "cables", "windows", "pipes", "beams", "roofs", "pumps", "bearings"]
SOURCES = ["Example Wire", "Harbour Times", "Daily Ledger", "Northern Courier", "Metro Desk", "City Bulletin"]
BASE_TIME = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)  # fixed: the corpus must not depend on the clock


@dataclass(frozen=True)
class Story:
    """A generated news story: headline, paragraphs, publication time."""

    title: str
    paragraphs: tuple
    published: datetime
    url: str
    source: str

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def published_iso(self) -> str:
        return self.published.isoformat().replace("+00:00", "Z")


def _slots(rng: random.Random) -> dict:
    """One fresh set of slot values for a story."""
    person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    person2 = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    place, place2 = rng.sample(PLACES, 2)
    org = rng.choice(ORGS)
    thing, thing2 = rng.sample(THINGS, 2)
    act = rng.randrange(len(ACTIONS))
    return {
        "person": person, "Person": person, "person2": person2, "Person2": person2,
        "place": place, "Place": place, "place2": place2, "org": org, "org_t": org.title(),
        "org_T": ("The " + org).title(), "role": rng.choice(ROLES), "thing": thing, "thing2": thing2,
        "action": ACTIONS[act], "participle": PARTICIPLES[act], "participle2": rng.choice(PARTICIPLES),
        "day": rng.choice(DAYS), "month": rng.choice(MONTHS), "year": rng.randint(2027, 2031),
        "year2": rng.randint(1994, 2025), "reason": rng.choice(REASONS), "concern": rng.choice(CONCERNS),
        "concern_t": rng.choice(CONCERNS).replace("the ", ""), "money": f"{rng.randint(2, 950)}.{rng.randint(1, 9)} million euros",
        "money2": f"{rng.randint(2, 950)}.{rng.randint(1, 9)} million euros", "n": rng.randint(12, 4800),
        "n1": rng.randint(5, 31), "n2": rng.randint(1, 12), "n3": rng.randint(40, 2600),
        "n4": rng.randint(3, 48), "n5": f"{rng.randint(1, 95)},{rng.randint(100, 999)}",
        "pct": rng.randint(3, 71), "street": rng.choice(STREETS), "venue": rng.choice(VENUES),
        "paper": rng.choice(PAPERS), "parts": rng.choice(PARTS),
    }


def make_story(rng: random.Random, serial: int, sentences: tuple[int, int] = (3, 6)) -> Story:
    """A short, distinct news story; `sentences` bounds its length."""
    slots = _slots(rng)
    title = rng.choice(TITLES).format(**slots)
    chosen = rng.sample(range(len(SENTENCES)), min(len(SENTENCES), rng.randint(*sentences)))
    paras = []
    for index in chosen:
        # refresh a few slots between sentences: long stories stay distinct
        slots.update({k: v for k, v in _slots(rng).items() if k in ("n1", "n2", "n3", "n4", "pct", "money2",
                                                                     "year2", "street", "person2", "Person2")})
        paras.append(SENTENCES[index].format(**slots))
    published = BASE_TIME + timedelta(seconds=serial * 37 + rng.randint(0, 30))
    slug = "-".join(title.lower().split()[:6]).replace("'", "")
    return Story(title, tuple(paras), published, f"https://news.example/{published:%Y/%m/%d}/{slug}-{serial}",
                 rng.choice(SOURCES))


# ---------------------------------------------------------------- helpers


class Wire:
    """What a kind function draws on: the seeded rng, this message's unique
    key, and the good articles made so far (originals for copies)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.serial = 0
        self.key = ""
        self.originals: list[tuple[str, Story, bool]] = []  # (key, story, sent as an envelope)

    def story(self, sentences=(3, 6)) -> Story:
        return make_story(self.rng, self.serial, sentences)

    def trace(self) -> list:
        """Ordinary headers a producer might set."""
        return [("trace", f"t-{self.serial}".encode())] if self.rng.random() < 0.6 else []


def envelope(w: Wire, story: Story | None = None, **fields) -> dict:
    """A JSON envelope of `story` (a new one by default) with id = the key;
    `fields` replace fields (a value of ... removes the field)."""
    story = story or w.story()
    env = {"id": w.key, "url": story.url, "source": story.source, "published": story.published_iso,
           "title": story.title, "text": story.text}
    for name, value in fields.items():
        if value is ...:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def dumps(obj, ascii_only: bool = False) -> bytes:
    """JSON bytes as a careless producer writes them (NaN and Infinity allowed)."""
    return json.dumps(obj, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def plain(story: Story) -> bytes:
    return f"{story.title}\n\n{story.text}".encode()


def made(w: Wire, value: bytes, outcomes, headers=None, key=..., id=...,
         also=(), note="") -> Made:
    """A Made keyed by the wire's key unless `key` says otherwise; the
    accounting id is the key's text unless `id` says otherwise."""
    key = w.key.encode() if key is ... else key
    if id is ...:
        id = w.key
    return Made(key, value, w.trace() if headers is None else headers, Expected(id, frozenset(outcomes), also, note))


def _raw_json(w: Wire, story: Story, **raw) -> bytes:
    """An envelope whose fields in `raw` are written as given (raw JSON text,
    e.g. NaN or an integer of 5,000 digits), the others as JSON."""
    env = envelope(w, story, **{name: ... for name in raw})
    body = json.dumps(env, ensure_ascii=False)[:-1]
    return (body + "".join(f", {json.dumps(name)}: {text}" for name, text in raw.items()) + "}").encode()


# ---------------------------------------------------------------- good articles


def good_envelope(w: Wire) -> Made:
    story = w.story()
    w.originals.append((w.key, story, True))
    return made(w, dumps(envelope(w, story)), _W)


def good_plain(w: Wire) -> Made:
    story = w.story()
    w.originals.append((w.key, story, False))
    return made(w, plain(story), _W)


def good_long(w: Wire) -> Made:
    story = w.story(sentences=(12, 20))
    w.originals.append((w.key, story, True))
    return made(w, dumps(envelope(w, story)), _W)


def _original(w: Wire):
    if not w.originals:
        return None
    return w.rng.choice(w.originals[-200:])  # recent ones: syndication copies follow soon


def copy_exact(w: Wire) -> Made:
    """An earlier good article again under a new id, a few minutes later."""
    found = _original(w)
    if found is None:
        return good_envelope(w)
    _, story, as_envelope = found
    later = dict(story.__dict__, published=story.published + timedelta(minutes=w.rng.randint(1, 90)))
    copy = Story(**later)
    return made(w, dumps(envelope(w, copy)) if as_envelope else plain(copy), _D)


def copy_near(w: Wire) -> Made:
    """An earlier good article with one number changed and an update line added."""
    found = _original(w)
    if found is None:
        return good_envelope(w)
    _, story, as_envelope = found
    paras = list(story.paragraphs)
    words = paras[0].split()
    digits = [i for i, word in enumerate(words) if any(c.isdigit() for c in word)]
    if digits:
        i = w.rng.choice(digits)
        words[i] = "".join(str((int(c) + 1) % 10) if c.isdigit() else c for c in words[i])
        paras[0] = " ".join(words)
    paras.append(f"This story was updated at {w.rng.randint(10, 23)}:{w.rng.randint(10, 59)} with more details.")
    copy = Story(story.title, tuple(paras), story.published + timedelta(minutes=w.rng.randint(5, 300)),
                 story.url + "?updated=1", story.source)
    return made(w, dumps(envelope(w, copy)) if as_envelope else plain(copy), _D)


def copy_reformatted(w: Wire) -> Made:
    """An earlier article's words with other bytes: CRLF, extra blank lines, NBSPs."""
    found = _original(w)
    if found is None:
        return good_plain(w)
    _, story, _ = found
    text = f"  {story.title}\r\n\r\n\r\n" + "\r\n\r\n\r\n".join(p.replace(" ", "\u00a0", 2) for p in story.paragraphs)
    return made(w, text.encode(), _D)


# ---------------------------------------------------------------- published time
#
# A time that is not a time is metadata gone wrong, not an unreadable
# article: written with the time left out, or dead-lettered, are both fair.


def published_nan(w: Wire) -> Made:
    return made(w, _raw_json(w, w.story(), published="NaN"), _WX)


def published_infinity(w: Wire) -> Made:
    return made(w, _raw_json(w, w.story(), published=w.rng.choice(["Infinity", "-Infinity"])), _WX)


def published_1e300(w: Wire) -> Made:
    return made(w, _raw_json(w, w.story(), published=w.rng.choice(["1e300", "1.7976931348623157e308"])), _WX)


def published_neg_1e300(w: Wire) -> Made:
    return made(w, _raw_json(w, w.story(), published="-1e300"), _WX)


def published_1e20(w: Wire) -> Made:
    """Past the range of a 64-bit millisecond count (Avro long)."""
    return made(w, _raw_json(w, w.story(), published=w.rng.choice(["1e20", "-1e20", "99999999999999999999"])), _WX)


def published_year1_tz(w: Wire) -> Made:
    """A time whose UTC instant is before year 1."""
    when = w.rng.choice(["0001-01-01T00:00:00+14:00", "0001-01-01T05:00:00+12:00", "0001-01-01T00:00:00+00:01"])
    return made(w, dumps(envelope(w, published=when)), _WX)


def published_year9999(w: Wire) -> Made:
    when = w.rng.choice(["9999-12-31", "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59-14:00"])
    return made(w, dumps(envelope(w, published=when)), _WX)


def published_epoch_1e15(w: Wire) -> Made:
    """Epoch milliseconds of the year 33658: a long, but no datetime."""
    value = w.rng.choice([10**15, 1e15, 9 * 10**15])
    return made(w, dumps(envelope(w, published=value)), _WX)


def published_negative(w: Wire) -> Made:
    return made(w, dumps(envelope(w, published=w.rng.choice([-1, -86400, -62135596800, -1.5]))), _WX)


def published_bool(w: Wire) -> Made:
    return made(w, dumps(envelope(w, published=w.rng.choice([True, False]))), _WX)


def published_container(w: Wire) -> Made:
    value = w.rng.choice([["2026-11-20T09:30:00Z"], {"iso": "2026-11-20T09:30:00Z"}, [], {}])
    return made(w, dumps(envelope(w, published=value)), _WX)


def published_text(w: Wire) -> Made:
    value = w.rng.choice(["yesterday", "2026-13-45T99:99:99Z", "Fri, 20 Nov 2026 09:30:00 GMT", "now", "\u0662\u0660\u0662\u0666"])
    return made(w, dumps(envelope(w, published=value)), _WX)


# ---------------------------------------------------------------- JSON structure


def deep_nesting(w: Wire) -> Made:
    """A valid article with an extra field nested thousands of levels deep."""
    depth = w.rng.randint(1_000, 60_000)
    opener, closer = w.rng.choice([("[", "]"), ('{"a":', "}")])
    nested = opener * depth + "0" * (opener == '{"a":') + closer * depth
    return made(w, _raw_json(w, w.story(), meta=nested), _WX)


def deep_nesting_truncated(w: Wire) -> Made:
    """Nesting thousands of levels deep that never closes."""
    depth = w.rng.randint(1_000, 60_000)
    opener = w.rng.choice(["[", '{"a":', '{"a":['])
    head = json.dumps(envelope(w), ensure_ascii=False)[:-1] + ', "meta": '
    return made(w, (head + opener * depth).encode(), _X)


def huge_integer(w: Wire) -> Made:
    """An integer literal of over 4,300 digits (Python's int limit)."""
    digits = "9" + "".join(w.rng.choice("0123456789") for _ in range(w.rng.randint(4_301, 20_000)))
    field_name = w.rng.choice(["views", "published", "word_count"])
    return made(w, _raw_json(w, w.story(), **{field_name: digits}), _WX)


def duplicate_json_keys(w: Wire) -> Made:
    """The same key twice: most parsers keep the last."""
    story, decoy = w.story(), w.story()
    env = json.dumps(envelope(w, story), ensure_ascii=False)[:-1]
    value = env + f', "text": {json.dumps(decoy.text)}, "id": {json.dumps(w.key)}}}'
    return made(w, value.encode(), _WX)


def key_case(w: Wire) -> Made:
    """Field names in other case: "TEXT", "Title", "ID"."""
    story = w.story()
    env = {"ID": w.key, "Url": story.url, "PUBLISHED": story.published_iso, "Title": story.title,
           w.rng.choice(["TEXT", "Text", "BODY", "Content"]): story.text}
    return made(w, dumps(env), _WX)


def json_not_object(w: Wire) -> Made:
    """JSON whose top level is a list, string, number, null or bool."""
    story = w.story()
    value = w.rng.choice([
        [envelope(w, story)], story.text, 42, None, True, [], 3.14, "",
    ])
    return made(w, dumps(value), _WX)


def jsonl_batch(w: Wire) -> Made:
    """Two envelopes in one message, one per line (a batch sent as one)."""
    lines = [dumps(envelope(w)), dumps(envelope(w, id=w.key + "-second"))]
    return made(w, b"\n".join(lines), _WX)


def trailing_garbage(w: Wire) -> Made:
    tail = w.rng.choice([b"garbage", b"}", b"\x00\x00", b",", b"<!-- -->"])
    return made(w, dumps(envelope(w)) + tail, _WX)


def bom_json(w: Wire) -> Made:
    """UTF-8 byte order mark(s) before the JSON."""
    return made(w, b"\xef\xbb\xbf" * w.rng.choice([1, 1, 2]) + dumps(envelope(w)), _WX)


# ---------------------------------------------------------------- wrong types


def _wrong(w: Wire, field_name: str, choices) -> bytes:
    return dumps(envelope(w, **{field_name: w.rng.choice(choices)}))


def text_wrong_type(w: Wire) -> Made:
    story = w.story()
    value = w.rng.choice([list(story.paragraphs), 12345, 1.5, {"body": story.text}, True, False])
    return made(w, dumps(envelope(w, story, text=value)), _X)


def text_null(w: Wire) -> Made:
    return made(w, dumps(envelope(w, text=None)), _X)


def title_wrong_type(w: Wire) -> Made:
    return made(w, _wrong(w, "title", [2026, 3.5, ["A", "headline"], {"main": "A headline"}, True]), _WX)


def id_wrong_type(w: Wire) -> Made:
    """The id as a float, bool, list, object or a huge int: unique where it can be."""
    number = w.serial
    value = w.rng.choice([number + 0.5, True, False, [w.key], {"id": w.key}, 10**25 + number, -number])
    also = (w.key, json.dumps(value), str(value), str(value).lower(), f"{value}")
    return made(w, dumps(envelope(w, id=value)), _WX, id=str(value), also=also,
                note="record id may be the value as text or the key")


def id_empty(w: Wire) -> Made:
    """An empty id: the key names the article."""
    return made(w, dumps(envelope(w, id="")), _W)


def url_wrong_type(w: Wire) -> Made:
    return made(w, _wrong(w, "url", [{"href": "https://x.example/a"}, ["https://x.example/a"], 404, False]), _WX)


def source_wrong_type(w: Wire) -> Made:
    return made(w, _wrong(w, "source", [{"name": "Wire"}, ["Wire"], 7.0, True]), _WX)


# ---------------------------------------------------------------- strings and bytes


def _surrogate_in(w: Wire, field_name: str) -> Made:
    """An escaped lone surrogate ("\\ud800") in one field: valid JSON, no valid UTF-8."""
    lone = w.rng.choice(["\ud800", "\udfff", "\udc00x", "x\ud83d"])
    story = w.story()
    if field_name == "id":
        value = w.key + lone
        also = (w.key, w.key + "\ufffd", w.key + "?", w.key + lone.encode("utf-8", "replace").decode())
        return made(w, dumps(envelope(w, story, id=value), ascii_only=True), _WX, also=also,
                    note="the id itself is the attack: the key, or the id repaired")
    original = getattr(story, field_name, None) if field_name != "text" else story.text
    spot = w.rng.randrange(len(original) + 1)
    return made(w, dumps(envelope(w, story, **{field_name: original[:spot] + lone + original[spot:]}), ascii_only=True), _WX)


def surrogate_in_id(w: Wire) -> Made:
    return _surrogate_in(w, "id")


def surrogate_in_url(w: Wire) -> Made:
    return _surrogate_in(w, "url")


def surrogate_in_source(w: Wire) -> Made:
    return _surrogate_in(w, "source")


def surrogate_in_title(w: Wire) -> Made:
    return _surrogate_in(w, "title")


def surrogate_in_text(w: Wire) -> Made:
    return _surrogate_in(w, "text")


def raw_surrogate_bytes(w: Wire) -> Made:
    """CESU-8 / WTF-8: a surrogate encoded as three bytes (\\xed\\xa0\\x80)."""
    value = plain(w.story())
    spot = w.rng.randrange(len(value) // 2, len(value))
    return made(w, value[:spot] + w.rng.choice([b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xed\xa0\xbd\xed\xb8\x80"]) + value[spot:], _X)


def overlong_utf8(w: Wire) -> Made:
    """Overlong encodings ("/" as \\xc0\\xaf) and other invalid UTF-8."""
    value = plain(w.story())
    bad = w.rng.choice([b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf", b"\xc1\xbf", b"\xf8\x88\x80\x80\x80", b"\xff"])
    return made(w, value[:40] + bad + value[40:], _X)


def utf16_json(w: Wire) -> Made:
    codec = w.rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
    return made(w, json.dumps(envelope(w), ensure_ascii=False).encode(codec), _WX)


def gzip_value(w: Wire) -> Made:
    return made(w, gzip.compress(dumps(envelope(w)), mtime=0), _WX)


def nul_bytes(w: Wire) -> Made:
    """NUL bytes, raw in plain text or in a JSON string (where they are invalid)."""
    story = w.story()
    if w.rng.random() < 0.5:
        text = plain(story)
        spot = w.rng.randrange(len(text))
        return made(w, text[:spot] + b"\x00" * w.rng.randint(1, 50) + text[spot:], _WX)
    return made(w, dumps(envelope(w, story)).replace(b". ", b".\x00 ", 1), _WX)


def control_chars(w: Wire) -> Made:
    """C0/C1 controls, DEL, line and paragraph separators inside the text."""
    story = w.story()
    junk = "".join(w.rng.choice("\x01\x02\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9b\u2028\u2029\r") for _ in range(30))
    text = story.text
    spot = w.rng.randrange(len(text))
    return made(w, dumps(envelope(w, story, text=text[:spot] + junk + text[spot:])), _WX)


def unicode_mix(w: Wire) -> Made:
    """Emojis, right-to-left text, combining marks piled on letters."""
    story = w.story()
    zalgo = "".join(c + "".join(chr(w.rng.randint(0x300, 0x36F)) for _ in range(w.rng.randint(1, 12)))
                    for c in "breaking")
    extra = w.rng.choice([
        "\U0001f525\U0001f4f0 Residents \U0001f3d8\ufe0f reacted \U0001f44d\U0001f3fd on social media.",
        "\u05d4\u05e2\u05d9\u05e8\u05d9\u05d9\u05d4 \u05d0\u05d9\u05e9\u05e8\u05d4 \u202e\u05d0\u05ea \u05d4\u05ea\u05d5\u05db\u05e0\u05d9\u05ea\u202c.",
        "\u0642\u0627\u0644 \u0627\u0644\u0645\u062a\u062d\u062f\u062b \u0625\u0646 \u0627\u0644\u0639\u0645\u0644 \u0633\u064a\u0628\u062f\u0623 \u0642\u0631\u064a\u0628\u0627.",
        f"Update: {zalgo} news from the \U0001f1ea\U0001f1fa summit.",
    ])
    return made(w, dumps(envelope(w, story, text=story.text + "\n\n" + extra, title=extra[:20] + " " + story.title)), _W)


def mojibake(w: Wire) -> Made:
    """UTF-8 read as Latin-1 and encoded again (Ã© for é)."""
    story = w.story()
    text = story.text.replace("e", "\u00e9", 3) + "\n\nCaf\u00e9 owners in the na\u00efve r\u00e9gion were not consulted."
    broken = text.encode("utf-8").decode("latin-1")
    return made(w, dumps(envelope(w, story, text=broken)), _W)


def html_soup(w: Wire) -> Made:
    """A page's HTML instead of extracted text."""
    story = w.story()
    paras = "".join(f"<p class=\"x\">{p}</p>\n" for p in story.paragraphs)
    page = (f"<!DOCTYPE html><html><head><title>{story.title} | Site</title><script>var a='<p>';</script>"
            f"<style>p{{color:red}}</style></head><body><nav>Home &raquo; News</nav><h1>{story.title}</h1>"
            f"{paras}<div class=ad>Advertisement</div><iframe src=x></iframe><p>&nbsp;&amp;&#x1F600;&bogus;</p></body></html>")
    if w.rng.random() < 0.5:
        return made(w, page.encode(), _WX)
    return made(w, dumps(envelope(w, story, text=page)), _WX)


def quote_bomb(w: Wire) -> Made:
    """About 20 KB of quotation marks after a headline."""
    marks = w.rng.choice(['"', "\u201c", "''", '"\u201d'])
    size = w.rng.randint(15_000, 25_000) // len(marks)
    story = w.story()
    body = story.paragraphs[0] + "\n\n" + marks * size
    if w.rng.random() < 0.5:
        return made(w, f"{story.title}\n\n{body}".encode(), _WX)
    return made(w, dumps(envelope(w, story, text=body)), _WX)


def byline_bomb(w: Wire) -> Made:
    """A short paragraph (under 15 words) the byline pattern backtracks on:
    a name, then " - " and runs of capitals, then a character that ends no
    match. Its cost grows exponentially with the runs' length (3 runs of 8
    capitals: ~2 s, of 10: ~35 s, of 12: hours); these stay at 8-10 so a run
    shows the slowdown without stalling for good."""
    story = w.story()
    runs = " - ".join("".join(w.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(w.rng.randint(8, 10)))
                      for _ in range(3))
    bomb = f"By {rng_name(w)} - {runs}!"
    return made(w, plain_with(story, bomb), _WX)


def breadcrumb_bomb(w: Wire) -> Made:
    """A paragraph of many " / " separated words (the breadcrumb pattern)."""
    story = w.story()
    crumbs = " / ".join(w.rng.choice(["News", "World", "a", "b", "Local", "x y"]) for _ in range(w.rng.randint(12, 400)))
    return made(w, plain_with(story, crumbs + " /"), _WX)


def wrapped_lines_bomb(w: Wire) -> Made:
    """Thousands of lowercase lines in one paragraph: each joins the last.
    (Quadratic in the clean-up today: 3,000 lines ~7 s, 12,000 ~2 min; a
    1 MB message would take about half an hour. These stay at 1,500-5,000.)"""
    story = w.story()
    lines = "\n".join(f"and then {w.rng.choice(LAST).lower()} went on {w.rng.randrange(10**6)}"
                      for _ in range(w.rng.randint(1_500, 5_000)))
    return made(w, plain_with(story, lines), _WX)


def rng_name(w: Wire) -> str:
    return f"{w.rng.choice(FIRST)} {w.rng.choice(LAST)}"


def plain_with(story: Story, paragraph: str) -> bytes:
    """A plain-text story with `paragraph` inserted after its first paragraph."""
    paras = list(story.paragraphs)
    paras.insert(1, paragraph)
    return (story.title + "\n\n" + "\n\n".join(paras)).encode()


# ---------------------------------------------------------------- size and shape


def oversize_value(w: Wire) -> Made:
    """A value over 1 MiB (the broker accepted it; Kafka's default limit is 1 MiB)."""
    story = w.story()
    filler = (story.text + "\n\n") * (w.rng.randint(1_100_000, 1_600_000) // (len(story.text) + 2) + 1)
    return made(w, dumps(envelope(w, story, text=filler)), _X)


def long_line_no_spaces(w: Wire) -> Made:
    """About 1 MB of text on one line without a space."""
    story = w.story()
    word = "".join(w.rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(997))
    return made(w, (story.title + "\n\n").encode() + word.encode() * w.rng.randint(900, 995), _X)


def long_id(w: Wire) -> Made:
    """An id of about 100 KB (the record's key would be as long)."""
    long = w.key + "-" + "".join(w.rng.choice("abcdef0123456789") for _ in range(w.rng.randint(90_000, 110_000)))
    return made(w, dumps(envelope(w, id=long)), _WX, id=long, also=(w.key,))


def title_huge(w: Wire) -> Made:
    story = w.story()
    return made(w, dumps(envelope(w, story, title=(story.title + " ") * w.rng.randint(2_000, 4_000))), _WX)


def many_paragraphs(w: Wire) -> Made:
    """Tens of thousands of one-word paragraphs."""
    story = w.story()
    paras = "\n\n".join(w.rng.choice(["Yes.", "No.", "Maybe.", "Ok.", "Wait."]) for _ in range(w.rng.randint(5_000, 40_000)))
    # (two of them may well be near copies of each other)
    return made(w, dumps(envelope(w, story, text=story.paragraphs[0] + "\n\n" + paras)), _ANY)


def whitespace_only_text(w: Wire) -> Made:
    """Text of spaces, tabs, no-break, ideographic and zero-width characters."""
    chars = " \t\n\r\u00a0\u2000\u2003\u3000\u200b\u200c\u200d\u2060\ufeff\u180e"
    text = "".join(w.rng.choice(chars) for _ in range(w.rng.randint(1, 400)))
    if w.rng.random() < 0.5:
        return made(w, text.encode(), _X)
    return made(w, dumps(envelope(w, text=text, title=...)), _X)


def title_only(w: Wire) -> Made:
    story = w.story()
    if w.rng.random() < 0.5:
        return made(w, story.title.encode(), _X)
    return made(w, dumps(envelope(w, story, text=story.title)), _X)


def boilerplate_only(w: Wire) -> Made:
    """Credits, share widgets and read-more links, nothing else."""
    lines = ["AP Photo", "Share this", "Advertisement", "Reuters", "Read more", "Follow us on Twitter",
             "Getty Images", "Share on Facebook | Twitter | Email", "Photo: AFP", "Sign up for our newsletter"]
    body = "\n\n".join(w.rng.sample(lines, w.rng.randint(2, len(lines))))
    return made(w, f"{rng_name(w)}'s report\n\n{body}".encode(), _X)


def empty_value(w: Wire) -> Made:
    return made(w, w.rng.choice([b"", b" ", b"\n", b"{}", b"null"]), _X)


# ---------------------------------------------------------------- keys and headers


def null_key_plain(w: Wire) -> Made:
    """No key, plain text: named by where it was read."""
    return made(w, plain(w.story()), _W, key=None, id=None)


def null_key_envelope(w: Wire) -> Made:
    """No key, an envelope with its own id."""
    return made(w, dumps(envelope(w)), _W, key=None)


def empty_key(w: Wire) -> Made:
    """An empty key (b""), plain text: named by where it was read."""
    return made(w, plain(w.story()), _W, key=b"", id=None)


def key_invalid_utf8(w: Wire) -> Made:
    """A key that is not UTF-8: the article is named by its repaired text."""
    key = w.key.encode() + w.rng.choice([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80"])
    return made(w, plain(w.story()), _W, key=key, id=key.decode("utf-8", "replace"),
                also=(key.decode("latin-1"), w.key))


def header_null_value(w: Wire) -> Made:
    return made(w, dumps(envelope(w)), _W, headers=[("trace", None), ("content-type", None)])


def header_binary(w: Wire) -> Made:
    blob = bytes(w.rng.randrange(256) for _ in range(w.rng.randint(1, 300)))
    return made(w, dumps(envelope(w)), _W, headers=[("trace", blob), ("\u00fcml\u00e4ut-\U0001f4a5", b"\xff\xfe")])


def headers_1000(w: Wire) -> Made:
    headers = [(f"h{i}", str(i).encode()) for i in range(w.rng.randint(1_000, 2_000))]
    return made(w, dumps(envelope(w)), _WX, headers=headers)


def header_empty_key(w: Wire) -> Made:
    return made(w, dumps(envelope(w)), _W, headers=[("", b"x"), ("", b""), ("", None)])


def dlq_header_null(w: Wire) -> Made:
    """dlq.* headers whose value is null, on a good fresh article."""
    names = ["dlq.topic", "dlq.partition", "dlq.offset", "dlq.stage", "dlq.exception.class"]
    chosen = w.rng.sample(names, w.rng.randint(1, len(names)))
    headers = [(name, None) for name in chosen]
    if "dlq.topic" not in chosen and w.rng.random() < 0.5:
        headers += [("dlq.topic", b"articles-raw")]
    w.rng.shuffle(headers)
    return made(w, dumps(envelope(w)), _WX, headers=headers)


def forged_dlq_headers(w: Wire) -> Made:
    """A fresh article whose headers claim it is a dead letter put back
    (dlq.topic/partition/offset), some of them nonsense."""
    topic = w.rng.choice([b"articles-raw", b"chaos-raw", b"\xff\xfe", b"", "t\u00f6pic".encode()])
    partition = w.rng.choice([b"0", b"1", b"2", b"-1", b"abc", b"99999999999999999999", b"\xd9\xa1"])
    offset = w.rng.choice([b"0", b"7", str(w.rng.randint(0, 10**6)).encode(), b"-5", b"1e3", b"\xd9\xa3"])
    headers = [("dlq.topic", topic), ("dlq.partition", partition), ("dlq.offset", offset)]
    if w.rng.random() < 0.5:
        headers += [("dlq.stage", b"extract"), ("dlq.exception.class", b"ArticleError"),
                    ("dlq.exception.message", b"forged")]
    return made(w, dumps(envelope(w)), _WX, headers=headers)


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Kind:
    """A kind of message: its function, whether it is a good article, its
    share of the wire (weight) and how many at most one corpus holds (cap:
    for the costly ones)."""

    make: Callable[[Wire], Made]
    good: bool = False
    weight: float = 1.0
    cap: int | None = None


KINDS: dict[str, Kind] = {
    # good articles, and deliberate copies of them
    "good_envelope": Kind(good_envelope, True, 10.0),
    "good_plain": Kind(good_plain, True, 5.0),
    "good_long": Kind(good_long, True, 0.6),
    "copy_exact": Kind(copy_exact, True, 0.6),
    "copy_near": Kind(copy_near, True, 0.6),
    "copy_reformatted": Kind(copy_reformatted, True, 0.4),
    # published time
    "published_nan": Kind(published_nan),
    "published_infinity": Kind(published_infinity),
    "published_1e300": Kind(published_1e300),
    "published_neg_1e300": Kind(published_neg_1e300),
    "published_1e20": Kind(published_1e20),
    "published_year1_tz": Kind(published_year1_tz),
    "published_year9999": Kind(published_year9999),
    "published_epoch_1e15": Kind(published_epoch_1e15),
    "published_negative": Kind(published_negative),
    "published_bool": Kind(published_bool),
    "published_container": Kind(published_container),
    "published_text": Kind(published_text),
    # JSON structure
    "deep_nesting": Kind(deep_nesting),
    "deep_nesting_truncated": Kind(deep_nesting_truncated),
    "huge_integer": Kind(huge_integer),
    "duplicate_json_keys": Kind(duplicate_json_keys),
    "key_case": Kind(key_case),
    "json_not_object": Kind(json_not_object),
    "jsonl_batch": Kind(jsonl_batch),
    "trailing_garbage": Kind(trailing_garbage),
    "bom_json": Kind(bom_json),
    # wrong types
    "text_wrong_type": Kind(text_wrong_type),
    "text_null": Kind(text_null),
    "title_wrong_type": Kind(title_wrong_type),
    "id_wrong_type": Kind(id_wrong_type),
    "id_empty": Kind(id_empty),
    "url_wrong_type": Kind(url_wrong_type),
    "source_wrong_type": Kind(source_wrong_type),
    # strings and bytes
    "surrogate_in_id": Kind(surrogate_in_id),
    "surrogate_in_url": Kind(surrogate_in_url),
    "surrogate_in_source": Kind(surrogate_in_source),
    "surrogate_in_title": Kind(surrogate_in_title),
    "surrogate_in_text": Kind(surrogate_in_text),
    "raw_surrogate_bytes": Kind(raw_surrogate_bytes),
    "overlong_utf8": Kind(overlong_utf8),
    "utf16_json": Kind(utf16_json),
    "gzip_value": Kind(gzip_value),
    "nul_bytes": Kind(nul_bytes),
    "control_chars": Kind(control_chars),
    "unicode_mix": Kind(unicode_mix),
    "mojibake": Kind(mojibake),
    "html_soup": Kind(html_soup),
    "quote_bomb": Kind(quote_bomb, cap=8),
    "byline_bomb": Kind(byline_bomb, cap=8),
    "breadcrumb_bomb": Kind(breadcrumb_bomb, cap=8),
    "wrapped_lines_bomb": Kind(wrapped_lines_bomb, cap=4),
    # size and shape
    "oversize_value": Kind(oversize_value, cap=3),
    "long_line_no_spaces": Kind(long_line_no_spaces, cap=3),
    "long_id": Kind(long_id, cap=5),
    "title_huge": Kind(title_huge, cap=5),
    "many_paragraphs": Kind(many_paragraphs, cap=5),
    "whitespace_only_text": Kind(whitespace_only_text),
    "title_only": Kind(title_only),
    "boilerplate_only": Kind(boilerplate_only),
    "empty_value": Kind(empty_value),
    # keys and headers
    "null_key_plain": Kind(null_key_plain),
    "null_key_envelope": Kind(null_key_envelope),
    "empty_key": Kind(empty_key),
    "key_invalid_utf8": Kind(key_invalid_utf8),
    "header_null_value": Kind(header_null_value),
    "header_binary": Kind(header_binary),
    "headers_1000": Kind(headers_1000, cap=20),
    "header_empty_key": Kind(header_empty_key),
    "dlq_header_null": Kind(dlq_header_null),
    "forged_dlq_headers": Kind(forged_dlq_headers),
}
GOOD_SHARE = 0.45  # of the wire, good articles (copies included)


def _plan(n: int, rng: random.Random) -> list[str]:
    """The kinds of n messages, in wire order: every kind once when n allows,
    then good and hostile kinds by weight within their share, caps kept."""
    names = list(KINDS)
    plan = names[:] if n >= len(names) else rng.sample(names, n)
    counts = {name: plan.count(name) for name in names}

    def fill(pool: list[str], slots: int):
        weights = [KINDS[name].weight for name in pool]
        for _ in range(max(0, slots)):
            open_pool = [(name, wt) for name, wt in zip(pool, weights)
                         if KINDS[name].cap is None or counts[name] < KINDS[name].cap]
            name = rng.choices([p for p, _ in open_pool], [wt for _, wt in open_pool])[0]
            counts[name] += 1
            plan.append(name)

    good_kinds = [name for name in names if KINDS[name].good]
    bad_kinds = [name for name in names if not KINDS[name].good]
    left = n - len(plan)
    good_now = sum(counts[name] for name in good_kinds)
    good_slots = min(left, max(0, round(n * GOOD_SHARE) - good_now))
    fill(good_kinds, good_slots)
    fill(bad_kinds, left - good_slots)
    rng.shuffle(plan)
    return plan


def corpus(n: int, seed: int = 0) -> list[Case]:
    """n messages of every kind (when n >= len(KINDS)), good and hostile
    mixed, deterministic for a seed. Keys (where a kind has one) are unique."""
    rng = random.Random(seed)
    wire = Wire(rng)
    cases = []
    for serial, name in enumerate(_plan(n, rng)):
        wire.serial = serial
        wire.key = f"{name}-{seed}-{serial:05d}"
        kind = KINDS[name]
        out = kind.make(wire)
        cases.append(Case(name, out.key, out.value, list(out.headers), kind.good, out.expected))
    return cases


def kinds() -> list[str]:
    """Every kind's name, good ones first."""
    return [n for n, k in KINDS.items() if k.good] + [n for n, k in KINDS.items() if not k.good]
