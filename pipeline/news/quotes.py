"""Quotations and reported speech, with their speakers.

In: a parsed spaCy `Doc` of an article body (tagger, parser and NER) and the
article's `EntityResolver`. Out: `Quote`s with the quoted text, character
offsets into the body, a type (direct, partial, indirect), the cue ("said",
"was quoted as saying"), the words naming the speaker at the cue ("he",
"Kerry") and the speaker they resolve to ("John Kerry").

How it works, in order:
1. quotation marks (“…”, "…", and the typewriter ''…'' and ``…'') are
   paired paragraph by paragraph (a quote may run over several paragraphs
   when each continuation paragraph opens with a mark; an unclosed mark
   closes at the end of its paragraph);
2. each quoted span looks for a cue verb in its own sentence(s), in a short
   sentence right after it, or in a sentence ending with a colon right before
   it; failing that a sign-off ("-Commissioner X") or a name introduced
   with a colon. A quote with no cue of its own, or sharing the cue of the
   quote before it in the paragraph ("A," he said. "B."), continues that
   utterance: one Quote whose text joins the pieces with a space;
3. the speaker is the cue's subject (climbing "was quoted as saying" and
   "went on to say" to the verb that has it), cut at appositions;
4. pronouns resolve to the person last quoted or named before the cue;
   surnames to the full name used in the article;
5. cue verbs with a clausal complement and no quotation marks in it give the
   reported speech ("X said that ...").
Transcripts ("PENCE: Well, look, ...") are read before the marks: a paragraph
opening with a speaker's name in capitals and a colon is a direct quote of
that person, running on over unlabelled paragraphs up to the next speaker.
Quoted spans that find no cue and look like titles or scare quotes are not
quotes. Never raises on odd input: unbalanced marks are handled best effort.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import asdict, dataclass

from .entities import EntityResolver, canonical, clean_name, name_key
from .normalize import paragraph_bounds

# Verbs that introduce what someone said or wrote (lemmas).
SPEECH_VERBS = frozenset(
    """say tell add insist tweet write state explain argue claim note declare warn suggest ask
    reply respond answer announce acknowledge admit agree allege assert boast caution comment
    complain concede conclude confirm contend continue counter deny describe emphasize emphasise
    exclaim joke maintain mention observe post predict proclaim promise quote recall remark
    reiterate report retort reveal scoff shout stress testify urge vow whisper yell recount
    lament muse plead demand charge assure inform caution posit opine point clarify highlight
    underscore reassure remind repeat restate summarize confess disclose divulge relay convey notify
    advise instruct request beg implore advocate reason hypothesize theorize guess bet insinuate
    quip tease taunt rail rant thunder pronounce aver decry denounce condemn rebut refute counsel
    text email message blog broadcast explain call""".split()
)
# Verbs that attribute a view or finding without quoting it: reported speech only.
BELIEF_VERBS = frozenset(
    """believe think feel fear hope expect worry estimate show find indicate learn understand rule
    recommend propose accuse criticize blame hint imply signal suspect doubt recognize realize
    speculate wonder question forecast project determine know suppose assume figure reckon
    acknowledge predict conclude calculate discover see view consider hear gather notice sense
    want contend surmise envision imagine anticipate""".split()
)
# Adverbs that attribute their clause to an unnamed source.
HEARSAY_ADVERBS = frozenset("reportedly allegedly purportedly supposedly ostensibly".split())
# Verbs whose direct object is what was said: "announced a new plan".
OBJECT_CONTENT_VERBS = frozenset(
    "announce deny confirm predict reveal admit claim report propose reject dispute criticize praise cite".split()
)
# Verbs whose reported content is an infinitive: "vowed to fight on".
COMMISSIVE_VERBS = frozenset("promise pledge vow threaten refuse offer vote decline urge agree".split())

OPEN_MARKS = "“„«"
CLOSE_MARKS = "”»"
STRAIGHT = '"'
# Typewriter text (the New York Times archive, text converted from LaTeX or
# the Penn Treebank) writes double quotes as two characters: ''...'' or
# ``...''. They pair like the one-character marks above.
DOUBLED_OPEN = "``"
DOUBLED = "''"
# Mark tokens, as spaCy splits them, that may open or close a quotation.
OPENING_TOKENS = frozenset(OPEN_MARKS) | {STRAIGHT, DOUBLED, DOUBLED_OPEN}
CLOSING_TOKENS = frozenset(CLOSE_MARKS) | {STRAIGHT, DOUBLED}
MARK_TOKENS = OPENING_TOKENS | CLOSING_TOKENS
PRONOUNS = frozenset("he she him her".split())
_TRAILING_PUNCT = re.compile(r"[\s,;:—–-]+$")
# "..." -Commissioner X: a dash and a name after the quote, running to the end
# of the paragraph or to the next quote ("..." ― Ann Lee "..." ― Bo Ruiz).
_SIGN_OFF = re.compile(r"^[\s,.]*[-–—―]+\s*([A-Z][^\n“\"]{1,80}?)\s*\.?\s*(?:$|(?=[“\"]|''|``))")
_SUBJECTS = ("nsubj", "nsubjpass")  # a clausal subject is never a speaker
# Dependencies we climb from a cue to the verb that carries the subject:
# "was quoted as saying" (pcomp, prep), "went on to say" (xcomp), "and said" (conj).
_CLIMB = ("xcomp", "advcl", "pcomp", "prep", "conj", "acl")
# Parts of a subject phrase that are not the speaker's name.
_CUT_FROM_SPEAKER = ("appos", "relcl", "acl", "punct", "advcl", "parataxis", "advmod", "preconj")


@dataclass
class Quote:
    text: str
    start: int
    end: int
    type: str  # direct | partial | indirect
    speaker: str | None = None
    speaker_mention: str | None = None
    cue: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def extend(self, other: "Quote") -> None:
        """Take in the next piece of the same utterance ("A," he said. "B.")."""
        self.text = f"{self.text} {other.text}"
        self.end = other.end


# --------------------------------------------------------------------------
# 1. Pairing quotation marks


def _opens_straight(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    return before.isspace() or before in "([{—–-/:;,"


def _opens_line(text: str, i: int) -> bool:
    """A closing mark that starts a line and touches a word: scraped text
    sometimes turns the opening mark the wrong way (”Fear. I am ...”)."""
    line_start = text.rfind("\n", 0, i) + 1
    return not text[line_start:i].strip() and text[i + 1 : i + 2].isalnum()


def mark_at(text: str, i: int):
    """The quotation mark starting at text[i] -> (kind, width), kind being
    "open", "close" or "either" (a straight mark); (None, 1) for no mark."""
    if text.startswith(DOUBLED_OPEN, i):
        return "open", 2
    if text.startswith(DOUBLED, i):
        return "either", 2
    ch = text[i]
    if ch in OPEN_MARKS:
        return "open", 1
    if ch in CLOSE_MARKS:
        return "close", 1
    if ch == STRAIGHT:
        return "either", 1
    return None, 1


def mark_width_before(text: str, i: int) -> int:
    """Width of the quotation mark ending just before text[i] (0 for none)."""
    for width in (2, 1):
        if i >= width:
            kind, found = mark_at(text, i - width)
            if kind is not None and found == width:
                return width
    return 0


def quoted_spans(text: str):
    """Character spans (start, end) of quoted content, marks excluded.

    A quote left open at the end of a paragraph continues when the next
    paragraph opens with a mark (the newswire convention for long quotes);
    otherwise it ends with its paragraph.
    """
    spans = []
    paras = paragraph_bounds(text)
    open_at = None  # content start of the quote being read
    for index, (p_start, p_end) in enumerate(paras):
        i = p_start
        if open_at is not None:
            # a continuation paragraph: skip its opening mark
            kind, width = mark_at(text, i)
            if kind in ("open", "either"):
                i += width
        while i < p_end:
            kind, width = mark_at(text, i)
            if open_at is None:
                if (
                    kind == "open"
                    or (kind == "either" and _opens_straight(text, i))
                    or (kind == "close" and _opens_line(text, i))
                ):
                    open_at = i + width
            elif kind in ("close", "either"):
                spans.append((open_at, i))
                open_at = None
            elif kind == "open":
                # a second opening mark while open: the first never closed
                spans.append((open_at, i))
                open_at = i + width
            i += width
        if open_at is not None:
            nxt = paras[index + 1][0] if index + 1 < len(paras) else None
            continues = nxt is not None and mark_at(text, nxt)[0] in ("open", "either")
            if not continues:
                spans.append((open_at, p_end))
                open_at = None
    return [(s, e) for s, e in spans if text[s:e].strip()]


# --------------------------------------------------------------------------
# 2-4. Cues, speakers and their resolution


# Irregular forms of the verbs above; regular ones are derived in _forms().
_IRREGULAR = {
    "said": "say", "told": "tell", "wrote": "write", "written": "write", "thought": "think",
    "felt": "feel", "found": "find", "shown": "show", "knew": "know", "spoke": "speak",
    "spoken": "speak", "besought": "beseech",
}


def _forms(verbs) -> dict:
    """Inflected form -> lemma for regular verbs ("insists", "tweeted",
    "arguing"), so cues are found whether or not the pipeline lemmatizes."""
    table = {}
    for verb in verbs:
        stem = verb[:-1] if verb.endswith("e") else verb
        ies = verb[:-1] + "ie" if verb.endswith("y") and verb[-2] not in "aeiou" else verb
        for form in (verb, verb + "s", ies + "s", verb + "es", stem + "ed", ies.rstrip("e") + "ed",
                     verb + "ed", verb + "d", stem + "ing", verb + "ing",
                     verb + verb[-1] + "ed", verb + verb[-1] + "ing"):
            table.setdefault(form, verb)
    table.update(_IRREGULAR)
    return table


_VERB_FORMS = _forms(SPEECH_VERBS | BELIEF_VERBS | COMMISSIVE_VERBS | OBJECT_CONTENT_VERBS)
_VERB_LEMMAS = frozenset(_VERB_FORMS.values())


def _lemma(token) -> str:
    lemma = token.lemma_.lower() if token.lemma_ else ""
    if lemma in _VERB_LEMMAS:
        return lemma
    return _VERB_FORMS.get(token.lower_, lemma or token.lower_)


def is_cue(token, verbs=SPEECH_VERBS) -> bool:
    """A verb of saying (or believing, with `verbs`) used as a verb."""
    if token.lower_ == "called" and token.i >= 2 and token.doc[token.i - 2].lower_ == "so":
        return False  # "so-called" marks a scare quote, not speech
    return _lemma(token) in verbs and (token.tag_.startswith("VB") or token.pos_ in ("VERB", "AUX"))


def _subject_of(verb):
    """The subject token of a cue verb, climbing to the verb that has one."""
    current = verb
    for _ in range(4):
        for child in current.children:
            if child.dep_ in _SUBJECTS and not child.is_space:
                # "who said": the person is the noun the relative clause hangs on
                if child.tag_ in ("WP", "WDT") and current.dep_ == "relcl":
                    return current.head
                return child
        if current.dep_ == "relcl":
            return current.head
        if current.dep_ in _CLIMB and current.head is not current:
            current = current.head
        else:
            break
    for child in verb.children:  # "it was said by X"
        if child.dep_ == "agent":
            for grandchild in child.children:
                if grandchild.dep_ == "pobj":
                    return grandchild
    return _name_before(verb)


def _name_before(verb):
    """When the parse gives a cue no subject: the last person or organisation
    named before it in its sentence ("Brett McGurk, the envoy, told ...")."""
    names = [e for e in verb.sent.ents if e.end <= verb.i and e.label_ in ("PERSON", "ORG")]
    if not names:
        return None
    name = names[-1]
    between = verb.doc[name.end : verb.i]
    if any(t.is_sent_start or t.text in MARK_TOKENS for t in between) or len(between) > 12:
        return None
    return name.root


def _mention_span(head):
    """The words naming a speaker: the subject phrase without appositions,
    relative clauses or anything after a comma."""
    doc = head.doc
    cut = set()
    for child in head.children:
        # a hyphen inside a name ("al-Obeidi") is punctuation we keep
        if child.dep_ == "punct" and child.text not in ",;:()—–":
            continue
        if child.dep_ in _CUT_FROM_SPEAKER:
            cut.update(t.i for t in child.subtree)
    keep = [t.i for t in head.subtree if t.i not in cut and not t.is_space]
    left = head.i
    while left - 1 in keep and doc[left - 1].text not in ",;(—–":
        left -= 1
    right = head.i
    while right + 1 in keep and doc[right + 1].text not in ",;(—–":
        right += 1
    span = doc[left : right + 1]
    # "Kerry's spokesman": drop a trailing possessive marker
    while len(span) > 1 and span[-1].tag_ == "POS":
        span = span[:-1]
    return span


def _cue_phrase(cue):
    """The words of the cue: "said", "was quoted as saying", "according to",
    "called for"."""
    doc = cue.doc
    if cue.lower_ == "according" and cue.i + 1 < len(doc):
        return doc[cue.i : cue.i + 2]
    # "was quoted as saying": extend to the passive verb it hangs on, or
    # from it to the "saying" that hangs on it
    head = cue
    if cue.dep_ == "pcomp" and cue.head.lower_ == "as" and _lemma(cue.head.head) == "quote":
        head = cue.head.head
    elif _lemma(cue) == "quote":
        for prep in cue.children:
            if prep.lower_ == "as":
                saying = [c for c in prep.children if _lemma(c) == "say"]
                if saying:
                    start = _cue_start(cue)
                    return doc[start : saying[0].i + 1]
    start = _cue_start(head)
    if _lemma(cue) == "call" and cue.i + 1 < len(doc) and doc[cue.i + 1].lower_ == "for":
        return doc[start : cue.i + 2]  # "called for"
    return doc[start : cue.i + 1]


def _cue_start(head) -> int:
    """Index of the first auxiliary or negation in front of a cue verb."""
    start = head.i
    for child in head.lefts:
        if child.dep_ in ("aux", "auxpass", "neg") and child.i >= start - 3:
            start = min(start, child.i)
    return start


class SpeakerResolver:
    """Names for speaker mentions: entities, surnames, pronouns, descriptions."""

    def __init__(self, doc, entities: EntityResolver):
        self.doc = doc
        self.entities = entities
        # (char offset, canonical name) of each PERSON mention, in order
        self.people = [(e.start_char, canonical(e, entities)) for e in doc.ents if e.label_ == "PERSON"]
        self.speakers = []  # (char offset, name) of resolved person speakers

    def _last_person_before(self, offset: int):
        last_speaker = next(((o, n) for o, n in reversed(self.speakers) if o < offset), None)
        last_named = next(((o, n) for o, n in reversed(self.people) if o < offset), None)
        if last_speaker and last_named:
            # a person named after the last quote's speaker is more likely meant
            return last_named[1] if last_named[0] > last_speaker[0] else last_speaker[1]
        latest = last_speaker or last_named
        return latest[1] if latest else None

    def resolve(self, mention, at: int):
        """A mention span -> (speaker name or description, is_person)."""
        if mention is None:
            return None, False
        words = mention.text.strip()
        if words.lower() in PRONOUNS:
            name = self._last_person_before(at)
            return (name or words), name is not None
        people = [e for e in mention.ents if e.label_ == "PERSON"]
        if people:
            return canonical(people[0], self.entities), True
        for token in reversed(mention):
            if token.tag_.startswith("NNP"):
                full = self.entities.knows_surname(token.text)
                if full:
                    return full, True
        others = [e for e in mention.ents if e.label_ in ("ORG", "GPE", "NORP", "FAC")]
        named = [t for t in mention if t.dep_ not in ("det", "poss") and not t.is_punct]
        if others and len(others[0]) >= len(named):
            # the mention is the organisation's name ("the Pentagon"), not a
            # description that contains one ("Nigerian officials")
            return clean_name(others[0].text, others[0].label_), False
        return words, False

    def note(self, at: int, name: str | None, is_person: bool):
        if name and is_person:
            bisect.insort(self.speakers, (at, name))  # transcripts are read first, out of text order


def _token_span(doc, start: int, end: int):
    span = doc.char_span(start, end, alignment_mode="expand")
    return span if span is not None and len(span) else None


class _Article:
    """Per-document lookups shared by the steps below."""

    def __init__(self, doc):
        self.doc = doc
        self.text = doc.text
        self.paras = paragraph_bounds(self.text)

    def paragraph_of(self, offset: int):
        for start, end in self.paras:
            if start <= offset < end:
                return start, end
        return self.paras[-1] if self.paras else (0, len(self.text))


def _in_any(i: int, token_ranges) -> bool:
    return any(s <= i < e for s, e in token_ranges)


def _find_cue(art, q_tokens, quote_ranges, allow_prev_colon=True):
    """Best cue token for a quote: in the quote's sentences, a short sentence
    right after it, or a sentence ending in a colon right before it."""
    doc = art.doc
    first, last = q_tokens[0], q_tokens[-1]
    # a quote may run over paragraphs: its cue can be in any of them
    p_start, _ = art.paragraph_of(first.idx)
    _, p_end = art.paragraph_of(last.idx)
    sents = {first.sent.start: first.sent, last.sent.start: last.sent}
    after = doc[last.sent.end] if last.sent.end < len(doc) else None
    if after is not None and after.idx < p_end:
        following = after.sent
        # "... ended here." he said.  -- a short cue sentence after the quote
        if len(following) <= 12:
            sents[following.start] = following
    before = first.sent.start - 1
    if allow_prev_colon and before >= 0 and doc[before].idx >= p_start:
        previous = doc[before].sent
        if any(t.text == ":" for t in previous[-2:]):
            sents[previous.start] = previous
    best, best_score = None, None
    for sent in sents.values():
        for token in sent:
            if _in_any(token.i, quote_ranges) or not (token.idx >= p_start and token.idx < p_end):
                continue
            according = token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to"
            if not (according or is_cue(token)):
                continue
            distance = min(abs(token.i - first.i), abs(token.i - last.i))
            linked = first.i in {t.i for t in token.subtree} if not according else False
            score = distance - (50 if linked else 0)
            if best_score is None or score < best_score:
                best, best_score = token, score
    return best


def _speaker_token(cue):
    if cue.lower_ == "according":
        to = cue.doc[cue.i + 1]
        for child in to.children:
            if child.dep_ == "pobj":
                # "according to figures released by the ministry": the ministry
                for acl in child.children:
                    for agent in (c for c in acl.children if c.dep_ == "agent"):
                        for who in agent.children:
                            if who.dep_ == "pobj":
                                return who
                return child
        return None
    return _subject_of(cue)


def _colon_intro(art, q_start: int):
    """'And from Chairwoman X:' before a quote paragraph -> a mention of X."""
    doc = art.doc
    p_start, _ = art.paragraph_of(q_start)
    head = art.text[p_start:q_start].rstrip()
    head = head[: len(head) - mark_width_before(head, len(head))].strip()
    if head.endswith(":"):
        intro = _token_span(doc, p_start, q_start)
    else:
        prev = [b for b in art.paras if b[1] <= p_start]
        if head or not prev or not art.text[prev[-1][0] : prev[-1][1]].rstrip().endswith(":"):
            return None
        intro = _token_span(doc, *prev[-1])
    if intro is None or len(intro) > 25:
        return None
    names = [e for e in intro.ents if e.label_ in ("PERSON", "ORG")]
    return names[-1] if names else None


def _sign_off(art, q_end: int):
    """'"..." -Commissioner X' (at the end of the paragraph or right before
    the next quote) -> the span naming X."""
    _, p_end = art.paragraph_of(q_end)
    rest = art.text[q_end:p_end]
    kind, width = mark_at(rest, 0) if rest else (None, 0)
    rest = rest[width:] if kind in ("close", "either") else rest
    match = _SIGN_OFF.match(rest)
    if not match:
        return None
    if match.end() < len(rest.rstrip()) and not all(w[:1].isupper() for w in match.group(1).split()):
        return None  # before another quote only a bare name signs off, not "Obama said,"
    offset = q_end + (len(art.text[q_end:p_end]) - len(rest)) + match.start(1)
    return _token_span(art.doc, offset, offset + len(match.group(1)))


def _looks_like_title(text: str) -> bool:
    """'War and Peace', 'Make America Great Again': capitalised words, no
    sentence punctuation at the end."""
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    if not words or len(words) > 8 or text.rstrip()[-1:] in ".?!,":
        return False
    small = {"a", "an", "the", "and", "or", "of", "in", "on", "for", "to", "at", "by", "with"}
    return all(w[0].isupper() or w.lower() in small for w in words)


def _quote_type(art, start: int) -> str:
    """direct when the quote is a sentence of its own, partial when it is
    woven into the writer's sentence."""
    inner = art.text[start:].lstrip()
    if not inner[:1].isupper() and not inner[:1].isdigit():
        return "partial"
    mark = start - (mark_width_before(art.text, start) or 1)
    before = art.text[: max(mark, 0)].rstrip()
    if not before or before[-1] in ".?!:,;\n" or before.endswith(("said", "says")):
        return "direct"
    p_start, _ = art.paragraph_of(start)
    return "direct" if mark <= p_start else "partial"


def _strip(text: str, start: int, end: int):
    """Trim whitespace around [start, end) of text."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# A transcript's speaker label at a paragraph start: "PENCE: ", "JAKE TAPPER: ",
# after the opening mark a quoted transcript puts on each paragraph.
_TURN = re.compile(r"([\"“]?)[ \t]*([A-Z][A-Z.'’-]*(?: [A-Z][A-Z.'’-]*){0,2}):[ \t]+(?=\S)")
_STAGE_DIRECTION = re.compile(r"[\"“]?\s*[(\[][^\n]*[)\]]\W*")  # "(CROSSTALK.)"


def transcript_turns(text: str, paras, entities: EntityResolver):
    """Paragraphs of a transcript -> [(start, end, label, speaker)], content
    offsets without the label. A label counts when the article names the
    person ("PENCE" with "Mike Pence" in the text), or in a dialogue: at least
    two labels that each open two or more paragraphs ("WALLACE"). Capitalised
    headings ("CORRECTION:", "READ MORE:") are neither. A turn in a quoted
    transcript runs on over the unlabelled paragraphs after it that open with
    a mark, up to a stage direction or the next speaker."""
    found = []
    for index, (p_start, p_end) in enumerate(paras):
        m = _TURN.match(text, p_start, p_end)
        if m and sum(c.isalpha() for c in m.group(2)) >= 2 and len(text[m.end() : p_end].split()) >= 3:
            found.append((index, m))
    keys = [name_key(m.group(2).split()[-1]) for _, m in found]
    counts = Counter(keys)
    recurring = {k for k, n in counts.items() if n >= 2}
    dialogue = len(recurring) >= 2
    fullest = {}  # surname key -> the longest label written for that person
    for key, (_, m) in zip(keys, found):
        if len(m.group(2).split()) > len(fullest.get(key, "").split()):
            fullest[key] = m.group(2)
    accepted = []
    for key, (index, m) in zip(keys, found):
        speaker = entities.knows_surname(key)
        if speaker is None and dialogue and key in recurring:
            speaker = fullest[key].title()
        if speaker is not None:
            # the model may take the capitalised label itself for the person's name
            accepted.append((index, m, speaker.title() if speaker.isupper() else speaker))
    turns = []
    for n, (index, m, speaker) in enumerate(accepted):
        end = paras[index][1]
        opened = bool(m.group(1))
        if opened and n + 1 < len(accepted):
            for p_start, p_end in paras[index + 1 : accepted[n + 1][0]]:
                if mark_at(text, p_start)[0] not in ("open", "either") or _STAGE_DIRECTION.fullmatch(text, p_start, p_end):
                    break
                end = p_end
        if opened:
            end -= mark_width_before(text, end)  # the mark that closes the quoted transcript
        start, end = _strip(text, m.end(), end)
        turns.append((start, end, m.group(2), speaker))
    return turns


def extract_quotes(doc, entities: EntityResolver) -> list[Quote]:
    """Doc -> quotes in text order (see the module docstring)."""
    art = _Article(doc)
    resolver = SpeakerResolver(doc, entities)
    quotes: list[Quote] = []
    turn_ranges, quote_ranges = [], []
    for s, e, label, speaker in transcript_turns(art.text, art.paras, entities):
        quotes.append(Quote(art.text[s:e], s, e, "direct", speaker, label, None))
        resolver.note(s, speaker, True)
        turn_ranges.append((art.paragraph_of(s)[0], e))
        tokens = _token_span(doc, s, e)
        if tokens is not None:
            quote_ranges.append((tokens.start, tokens.end))
    spans = []
    for s, e in quoted_spans(art.text):
        s, e = _strip(art.text, s, e)
        tokens = _token_span(doc, s, e)
        # marks inside a transcript turn are quotes within the speech, or the
        # transcript's own paragraph marks
        if tokens is not None and not any(s < t_end and t_start < e for t_start, t_end in turn_ranges):
            spans.append((s, e, tokens))
    quote_ranges += [(t.start, t.end) for _, _, t in spans]
    cue_tokens = set()
    previous = None  # (paragraph start, cue index, Quote) of the last quote kept
    cue_of = {}  # cue token index -> first quote it introduces
    for s, e, tokens in spans:
        cue = _find_cue(art, tokens, quote_ranges)
        p_start, _ = art.paragraph_of(s)
        signed = _sign_off(art, e) if cue is None else None
        if previous and previous[0] == p_start and signed is None and (cue is None or cue.i == previous[1]):
            # the same utterance goes on after its cue, or with no cue of its own
            previous[2].extend(Quote(art.text[s:e], s, e, previous[2].type))
            continue
        mention, cue_text, speaker, is_person = None, None, None, False
        if cue is not None:
            subject = _speaker_token(cue)
            if subject is not None and not _in_any(subject.i, quote_ranges):
                mention = _mention_span(subject)
            cue_text = _cue_phrase(cue).text
            cue_tokens.add(cue.i)
        if mention is None:
            mention = (signed if cue is None else _sign_off(art, e)) or _colon_intro(art, s)
        if mention is not None:
            speaker, is_person = resolver.resolve(mention, mention.start_char)
        if speaker is None and cue is None:
            text = art.text[s:e]
            if len(text.split()) < 6 or _looks_like_title(text):
                continue  # a title or scare quote, not something said
        elif _looks_like_title(art.text[s:e]) and len(art.text[s:e].split()) <= 4 and cue is None:
            continue
        mention_text = mention.text if mention is not None else None
        resolver.note(s, speaker, is_person)
        # a quote signed with a dash ("...” ― Ann Lee) stands on its own
        kind = "direct" if signed is not None else _quote_type(art, s)
        quote = Quote(art.text[s:e], s, e, kind, speaker, mention_text, cue_text)
        quotes.append(quote)
        if cue is not None:
            cue_of.setdefault(cue.i, quote)
        previous = (p_start, cue.i if cue is not None else None, quote)
    partial_cues = {i for i, q in cue_of.items() if q.type == "partial"}
    quotes.extend(_reported_speech(art, resolver, quote_ranges, cue_tokens, partial_cues))
    quotes.sort(key=lambda q: q.start)
    return quotes


def _reported_speech(art, resolver, quote_ranges, used_cues, partial_cues):
    """'X said (that) ...': the reported clause, whether it holds no quoted
    words or only partial quotes ("... is “only a matter of time.”")."""
    doc = art.doc
    found = []
    for token in doc:
        if (token.i in used_cues and token.i not in partial_cues) or _in_any(token.i, quote_ranges):
            continue
        according = token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to"
        hearsay = nominal = False
        if according:
            content = _according_content(token)
        elif token.lower_ in HEARSAY_ADVERBS and token.dep_ == "advmod":
            content = _clause_span(token.head, exclude=token)
            hearsay = True
        elif is_cue(token, _REPORTING):
            content = _reported_clause(token)
            if content is None and token.i in partial_cues:
                content = _right_complement(token)
        elif _lemma(token) in NOMINAL_CUES and token.tag_ in ("NN", "NNS"):
            clause = next((c for c in token.children if c.dep_ in ("acl", "ccomp", "relcl")
                           and any(m.lower_ == "that" and m.dep_ == "mark" for m in c.children)), None)
            if clause is None:
                continue
            content = _clause_span(clause, exclude=token)
            nominal = True
        else:
            continue
        if content is None or len(content) < 3:
            continue
        if any(_in_any(t.i, quote_ranges) for t in content) and token.i not in partial_cues:
            continue  # a direct quote's own clause, not reported speech
        subject = None if hearsay else (_owner(token) if nominal else _speaker_token(token))
        if subject is not None and subject.i in range(content.start, content.end):
            continue
        if subject is None and not hearsay and not according and content.start < token.i:
            continue  # "CLAUSE, ... agreed" with nobody agreeing: a misparse
        mention = _mention_span(subject) if subject is not None else None
        speaker, is_person = resolver.resolve(mention, token.idx)
        start, end = content.start_char, content.end_char
        text = _TRAILING_PUNCT.sub("", art.text[start:end])
        if not text:
            continue
        resolver.note(start, speaker, is_person)
        found.append(
            Quote(text, start, start + len(text), "indirect", speaker,
                  mention.text if mention is not None else None, _cue_phrase(token).text)
        )
    return found


_REPORTING = SPEECH_VERBS | BELIEF_VERBS | COMMISSIVE_VERBS | OBJECT_CONTENT_VERBS


def _reported_clause(cue):
    """The clause a reporting verb introduces, or None:
    "said (that) CLAUSE" (ccomp), "vowed to ACT" (xcomp of a commissive verb),
    "CLAUSE, he said." (the cue hangs on the clause as parataxis), "announced
    a plan" and "cited two reports" (the object), "called for an inquiry"."""
    for child in cue.children:
        if child.dep_ == "ccomp" or (child.dep_ == "xcomp" and _lemma(cue) in COMMISSIVE_VERBS):
            return _clause_span(child, exclude=cue)
    if cue.dep_ == "parataxis" and cue.head.i < cue.i:
        return _clause_span(cue.head, exclude=cue)
    for child in cue.children:
        if child.dep_ == "dobj" and _lemma(cue) in OBJECT_CONTENT_VERBS and not child.tag_.startswith("PRP"):
            return _clause_span(child, exclude=cue)
        if child.dep_ == "prep" and child.lower_ == "for" and _lemma(cue) == "call":
            # "called for an inquiry": the demand is what was said
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return _clause_span(objects[0], exclude=cue)
    return _after_colon(cue)


# Nouns that carry what someone said or holds: "his claim that ...".
NOMINAL_CUES = frozenset(
    """claim statement report argument assertion belief view warning promise pledge suggestion
    allegation accusation announcement assessment prediction estimate finding conclusion
    comment remark message testimony insistence contention admission""".split()
)


def _owner(noun):
    """Whose claim: the possessive ("his claim") or the agent ("a claim by X")."""
    for child in noun.children:
        if child.dep_ == "poss":
            return child
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in ("by", "from", "of"):
            for who in child.children:
                if who.dep_ == "pobj" and (who.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") or who.tag_.startswith("NNP")):
                    return who
    return None


def _right_complement(cue):
    """What follows a cue in its own phrase ("called the plan “a disaster”"):
    its complements to the right, as one run."""
    doc = cue.doc
    right = [c for c in cue.rights if c.dep_ not in ("punct", "cc", "conj", "advcl", "prep", "npadvmod")]
    if not right:
        return None
    start = right[0].left_edge.i
    end = max(c.right_edge.i for c in right)
    while end > start and doc[end].is_punct and doc[end].text not in CLOSING_TOKENS:
        end -= 1
    return doc[start : end + 1]


def _after_colon(cue):
    """'X said: CONTENT' with no quotation marks: the rest of the paragraph."""
    doc = cue.doc
    k = cue.i + 1
    while k < len(doc) and k <= cue.i + 4 and doc[k].text != ":" and not doc[k].is_space:
        k += 1
    if k >= len(doc) or doc[k].text != ":":
        return None
    start = k + 1
    end = start
    while end < len(doc) and not doc[end].is_space:
        end += 1
    while end > start and doc[end - 1].is_punct and doc[end - 1].text not in CLOSING_TOKENS:
        end -= 1
    return doc[start:end] if end - start >= 3 else None


def _clause_span(head, exclude):
    """The words of the clause under `head`: its subtree without the cue's
    own words, as the contiguous run around `head`, trimmed of punctuation.
    Whitespace tokens (paragraph breaks) and the cue end the run."""
    doc = head.doc
    skip = {t.i for t in exclude.subtree if not head.is_ancestor(t) and t.i != head.i}
    inside = {t.i for t in head.subtree} - skip
    start = end = head.i
    while start - 1 in inside and not doc[start - 1].is_space:
        start -= 1
    while end + 1 in inside and not doc[end + 1].is_space:
        end += 1
    while start < end and (doc[start].is_punct and doc[start].text not in OPENING_TOKENS):
        start += 1
    while end > start and (doc[end].dep_ == "cc" or (doc[end].is_punct and doc[end].text not in CLOSING_TOKENS)):
        end -= 1
    span = doc[start : end + 1]
    # keep a quotation inside the clause whole: take in its closing mark
    text = span.text
    if text.count("“") > text.count("”"):
        for k in range(end + 1, min(end + 4, len(doc))):
            if doc[k].text == "”":
                span = doc[start : k + 1]
                break
    return span


def _according_content(according):
    """'According to X, CONTENT.' or 'CONTENT, according to X.' -> CONTENT."""
    sent = according.sent
    phrase_end = max(t.i for t in according.subtree) + 1
    phrase_end = max(phrase_end, according.i + 2)
    doc = according.doc
    if according.i <= sent.start + 1:
        start = phrase_end
        while start < sent.end and doc[start].is_punct:
            start += 1
        end = sent.end
    else:
        start, end = sent.start, according.i
    while end > start and doc[end - 1].is_punct:
        end -= 1
    return doc[start:end] if end > start else None
