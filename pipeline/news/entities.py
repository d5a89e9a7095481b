"""Named-entity mentions and the distinct entities of an article.

In: a parsed spaCy `Doc` of the article body. Out: mention dicts (text,
label, character offsets into the body) and a list of distinct entities with
mention counts, where a short mention of a person resolves to the full name
used elsewhere in the article ("Kerry" -> "John Kerry").
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict

# Labels that name something; dates, numbers and amounts are kept as
# mentions but are not "entities" a reader would follow across articles.
NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
# Honorifics and titles in front of a name are not part of it ("Chairwoman
# Maria Lopez" is Maria Lopez; "Former Deputy Prime Minister Dr Ann Lee" is
# Ann Lee); the NER sometimes includes them. One title at a time is taken
# off, with the words that qualify it, for as long as a name is left after.
_ABBREVIATED = (r"(?:mr|mrs|ms|mx|miss|dr|prof|sir|dame|lord|lady|rev|revd|sen|rep|gov|gen|col|lt|sgt|capt|st|cllr"
                r"|det|insp|supt|cpl|maj|adm|cmdr)\.?")
_TITLE = (r"(?:president|chairman|chairwoman|chairperson|chair|senator|representative|congressman|congresswoman"
          r"|governor|mayor|commissioner|ambassador|director|chief|pope|king|queen|prince|princess|sheikh|coach"
          r"|captain|professor|doctor|councilman|councilwoman|councillor|councilor|alderman|speaker|chancellor"
          r"|premier|treasurer|judge|justice|general|attorney|baron|baroness|duke|duchess|earl|countess|bishop"
          r"|archbishop|cardinal|rabbi|imam|pastor|reverend|detective|inspector|superintendent|constable|sergeant"
          r"|lieutenant|colonel|admiral|commander|sheriff)")
# "Foreign Minister", "Home Secretary", "Secretary of State": an office named
# by one word before or after it
_OFFICE = r"(?:[a-z]+\s+)?(?:minister|secretary)(?:\s+of\s+(?:the\s+)?[a-z]+)?"
_QUALIFIER = r"(?:(?:former|acting|interim|deputy|shadow|assistant|vice|outgoing|incoming)\s+|(?:then|ex)-)"
_ONE_TITLE = rf"(?:{_OFFICE}|{_ABBREVIATED}|{_TITLE})"
_HONORIFIC = re.compile(
    rf"^{_QUALIFIER}*{_ONE_TITLE}(?:\s+(?:and|&)\s+{_ONE_TITLE})?(?:\s+|(?<=\.))(?=\S)", re.IGNORECASE)
# a name has at most a few titles before it: a bound on the work
_MAX_TITLES = 4


def clean_name(text: str, label: str) -> str:
    """Surface form -> the form we name an entity by (no possessive, no
    leading 'the', no honorific)."""
    text = _POSSESSIVE.sub("", " ".join(text.split())).strip()
    if label == "PERSON":
        for _ in range(_MAX_TITLES):
            shorter = _HONORIFIC.sub("", text, count=1)
            if shorter == text:
                break
            text = shorter
    elif label in {"ORG", "GPE", "LOC", "FAC", "EVENT", "NORP"}:
        text = _LEADING_THE.sub("", text)
    return text


def name_key(word: str) -> str:
    """Compare name parts loosely: 'al-Obeidi' and 'Obeidi' share the key."""
    return word.casefold().split("-")[-1].strip(".")


class EntityResolver:
    """Maps person mentions of an article to the fullest name used for them.

    Built from all PERSON mentions first, so "Kerry" early in a text still
    resolves to "John Kerry" written later.
    """

    def __init__(self, person_names):
        full = sorted({n for n in person_names if n}, key=lambda n: (-len(n.split()), n))
        self._by_last: dict[str, str] = {}
        self._by_first: dict[str, set] = defaultdict(set)
        for name in full:
            words = name.split()
            if len(words) >= 2:
                self._by_last.setdefault(name_key(words[-1]), name)
                self._by_first[words[0].casefold()].add(name)

    def person(self, name: str) -> str:
        """A person's mention -> the full name it refers to in this article."""
        words = name.split()
        if not words:
            return name
        if len(words) == 1:
            by_last = self._by_last.get(name_key(words[0]))
            if by_last:
                return by_last
            firsts = self._by_first.get(words[0].casefold(), set())
            if len(firsts) == 1:
                return next(iter(firsts))
            return name
        longer = self._by_last.get(name_key(words[-1]))
        if longer and len(longer.split()) > len(words) and longer.endswith(words[-1]):
            return longer
        return name

    def knows_surname(self, word: str) -> str | None:
        """A lone word that is the surname of a person named in full, or None."""
        return self._by_last.get(name_key(word))


def resolver_for(doc) -> EntityResolver:
    return EntityResolver(clean_name(e.text, e.label_) for e in doc.ents if e.label_ == "PERSON")


def canonical(ent, resolver: EntityResolver) -> str:
    name = clean_name(ent.text, ent.label_)
    return resolver.person(name) if ent.label_ == "PERSON" else name


_PLACE_PREPOSITIONS = frozenset("in near from to at outside inside around across".split())


# Titles that only ever go before a person's name (no brand or body is
# called "Councillor ..."), and words that name a body, not a person
_PERSON_ONLY_TITLES = frozenset(
    "councillor councilor cllr councilman councilwoman alderman alderwoman congressman congresswoman "
    "assemblyman assemblywoman baroness".split())
_BODY_WORDS = frozenset(
    "council committee party group club company bank hotel university college school hospital trust "
    "foundation association institute museum centre center band ward bridge street road avenue building hall "
    "park library airport station prize award act bill fund".split())


def _titled_person(ent) -> bool:
    """Is the entity such a title and a name of two to four words
    ("Councillor Ann Clark", "Cllr. Tom Reed")?"""
    words = [t for t in ent if t.text != "."]
    if not 3 <= len(words) <= 5 or words[0].lower_.rstrip(".") not in _PERSON_ONLY_TITLES:
        return False
    return all(t.tag_ == "NNP" and t.is_alpha and t.lower_ not in _BODY_WORDS for t in words[1:])


def entity_label(ent) -> str:
    """The entity's label, with two corrections. News writes places as
    "City, Country" ("in Mosul, Iraq and Raqqa, Syria"): a one-word name the
    model took for a person or organisation, followed by a comma and a
    country or city, after a place preposition or another place, is a place.
    A person's title and name the model took for something else
    ("Councillor Ann Clark" as an organisation) is a person."""
    if ent.label_ != "PERSON" and _titled_person(ent):
        return "PERSON"
    doc = ent.doc
    if ent.label_ not in ("PERSON", "ORG") or len(ent) != 1 or ent.end + 1 >= len(doc):
        return ent.label_
    if doc[ent.end].text != "," or doc[ent.end + 1].ent_type_ != "GPE" or doc[ent.end + 1].ent_iob_ != "B":
        return ent.label_
    before = doc[ent.start - 1] if ent.start > 0 else None
    if before is None:
        return ent.label_
    if before.lower_ in _PLACE_PREPOSITIONS:
        return "GPE"
    if before.lower_ in ("and", "or", ",") and ent.start >= 2 and doc[ent.start - 2].ent_type_ == "GPE":
        return "GPE"
    return ent.label_


def relabel_entities(doc) -> None:
    """Give the doc's entities the labels entity_label corrects, so that
    speakers, pronouns and the entity list all see them."""
    from spacy.tokens import Span

    ents = list(doc.ents)
    labels = [entity_label(e) for e in ents]
    if any(label != e.label_ for e, label in zip(ents, labels)):
        doc.ents = [e if label == e.label_ else Span(doc, e.start, e.end, label=label)
                    for e, label in zip(ents, labels)]


def extract_entities(doc, resolver: EntityResolver | None = None):
    """Doc -> (mentions, distinct entities), with the labels the doc's
    entities carry (relabel_entities first sets the corrected ones).

    mentions: [{text, label, start, end, canonical}] in text order.
    entities: [{name, label, mentions, aliases}], most mentioned first; the
    label is the one most mentions of that name carry.
    """
    resolver = resolver or resolver_for(doc)
    mentions = []
    by_name: dict[str, Counter] = defaultdict(Counter)
    aliases: dict[str, set] = defaultdict(set)
    for ent in doc.ents:
        text = ent.text.strip()
        if not text:
            continue
        label = ent.label_
        name = canonical(ent, resolver)
        mentions.append({"text": text, "label": label, "start": ent.start_char, "end": ent.end_char, "canonical": name})
        if label in NAME_LABELS and name:
            by_name[name][label] += 1
            aliases[name].add(clean_name(text, label))
    entities = []
    for name, labels in by_name.items():
        label, _ = labels.most_common(1)[0]
        entities.append(
            {
                "name": name,
                "label": label,
                "mentions": sum(labels.values()),
                "aliases": sorted(a for a in aliases[name] if a != name),
            }
        )
    entities.sort(key=lambda e: (-e["mentions"], e["name"]))
    return mentions, entities
