"""Quotations and reported speech, with their speakers.

In: a parsed spaCy `Doc` of an article body (tagger, parser and NER) and the
article's `EntityResolver`. Out: `Quote`s with the quoted text, character
offsets into the body, a type (direct, partial, indirect), the cue ("said",
"was quoted as saying"), the words naming the speaker at the cue ("he",
"Kerry") and the speaker they resolve to ("John Kerry").

How it works, in order:
1. quotation marks (“…”, "…", the typewriter ''…'' and ``…'', and the
   single ‘…’ and '…' of British copy, told apart from apostrophes) are
   paired paragraph by paragraph (a quote may run over several paragraphs
   when each continuation paragraph opens with a mark; an unclosed mark
   closes at the end of its paragraph); marks of the other kind inside a
   quote are the speaker's own. A quote's text joins its paragraphs with a
   space, without the continuation marks (its offsets span them);
2. each quoted span looks for a cue verb in its own sentence(s), in a short
   sentence right after it, or in a sentence ending with a colon right before
   it; failing that a sign-off ("-Commissioner X") or a name introduced
   with a colon. A quote with no cue of its own, or sharing the cue of the
   quote before it in the paragraph ("A," he said. "B."), continues that
   utterance: one Quote whose text joins the pieces with a space;
3. the speaker is the cue's subject (climbing "was quoted as saying" and
   "went on to say" to the verb that has it), cut at appositions;
4. pronouns resolve to the person last quoted or named before the cue
   (only names that read as people: not "the Commons", not "a factory in
   Derby", and of the pronoun's gender where a title tells it); surnames
   to the full name used in the article, a description to the person in
   apposition ("its president, Tom Bradshaw");
5. cue verbs with a clausal complement and no quotation marks in it give the
   reported speech ("X said that ...", "accused Y of ...", "urged Y to ...",
   "spoke about ...", "called the plan a disaster"), taken on to the end of
   a partial quote of the same cue and over what the parser split off the
   clause up to a comma; not what was seen happen ("saw him leave"), an
   open question ("to determine whether"), the writer's supposition
   ("Assuming he ..."), nor a clause nested in another that says mostly the
   same ("said he expects X" is one attribution).
Transcripts ("PENCE: Well, look, ...") are read before the marks: a paragraph
opening with a speaker's name in capitals and a colon is a direct quote of
that person, running on over unlabelled paragraphs up to the next speaker.
Quoted spans that find no cue and look like titles or scare quotes, and
names and titles after "dubbed", "titled", "known as", "so-called" (or
capitalised after "called"), are not quotes, and do not keep the clause
around them from being reported speech. Never raises on odd input:
unbalanced marks are handled best effort. The work is linear in the length of the text whatever it holds (issue 15:
thousands of marks, one endless sentence): lookups go through per-document
indexes (`_Article`; the tokens that may be cues are found on the Doc's
arrays of word hashes, not by building every Token), and the reported
clauses read, which overlap where
cues are nested, are capped at CLAUSE_TOKENS_PER_TOKEN times the tokens
(`extract_quotes_and_cut` says when that cut the extraction short).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from dataclasses import dataclass, fields

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
    text email message blog broadcast explain call
    criticise criticize summarise apologise apologize scream shriek whimper moan groan mutter murmur
    mumble sob wail gasp sigh grumble stammer chuckle bellow""".split()
)
# Verbs that attribute a view or finding without quoting it: reported speech only.
BELIEF_VERBS = frozenset(
    """believe think feel fear hope expect worry estimate show find indicate learn understand rule
    recommend propose accuse criticize blame hint imply signal suspect doubt recognize realize
    speculate wonder question forecast project determine know suppose assume figure reckon
    acknowledge predict conclude calculate discover see view consider hear gather notice sense
    want contend surmise envision imagine anticipate criticise recognise realise""".split()
)
# Adverbs that attribute their clause to an unnamed source.
HEARSAY_ADVERBS = frozenset("reportedly allegedly purportedly supposedly ostensibly".split())
# Verbs whose direct object is what was said: "announced a new plan".
OBJECT_CONTENT_VERBS = frozenset(
    "announce deny confirm predict reveal admit claim report propose reject dispute criticize criticise praise cite"
    # a stance, a topic or a demand voiced: "mentioned the deficit", "opposed the bill"
    " mention note oppose express discuss recommend reference demand highlight acknowledge tout condemn denounce"
    " decry lament outline champion promote defend back offer describe question show".split()
)
# Verbs whose reported content is an infinitive: "vowed to fight on".
COMMISSIVE_VERBS = frozenset(
    "promise pledge vow threaten refuse offer vote decline urge agree"
    # what someone means to do: "wants to cut taxes", "plans to run"
    " want plan hope seek intend aim wish decide propose".split()
)
# Verbs whose object is the one spoken to: "told reporters that ...".
_ADDRESSING = frozenset("tell ask inform remind assure notify warn advise instruct urge convince persuade".split())
# Verbs that tell someone to do something: "urged the council to act".
DIRECTIVE_VERBS = frozenset(
    "ask urge call tell warn encourage advise instruct challenge remind implore beg".split()
)
# Verbs whose content is the object of a preposition: "spoke about the
# economy", "pointed to the jobs report", "railed against the tax code".
PREP_CONTENT = {
    "speak": ("about", "of", "on"), "talk": ("about", "of"), "comment": ("on",),
    "point": ("to",), "rail": ("against",), "complain": ("about", "of"),
    "ask": ("about", "for"), "warn": ("about", "of", "against"), "write": ("about", "of"),
    "testify": ("about", "on"), "argue": ("for", "against"), "advocate": ("for",),
    "lobby": ("for", "against"), "campaign": ("for", "against"), "agree": ("with", "on"),
    "disagree": ("with", "on"), "boast": ("about", "of"), "brag": ("about", "of"), "joke": ("about",),
    "speculate": ("about", "on"), "protest": ("against",), "object": ("to",),
}
# Verbs of blame or praise whose content is the charge after "of" or "for":
# "accused Clinton of lying", "slammed the senator for voting against it".
CHARGING_VERBS = frozenset("accuse blame criticize criticise praise fault slam blast attack".split())

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
# Trimmed from the end of a reported clause, with whitespace.
_TRAILING_PUNCT = ",;:—–-"
# "..." -Commissioner X: a dash and a name after the quote, running to the end
# of the paragraph or to the next quote ("..." ― Ann Lee "..." ― Bo Ruiz).
# Matched at a position (pattern.match(text, pos, endpos)), so that no copy of
# the rest of the paragraph is made for each quote; "\s*(?:\.\s*)?" is
# "\s*\.?\s*" without the two ways to split a run of spaces.
_SIGN_OFF = re.compile(r"[\s,.]*[-–—―]+\s*([A-Z][^\n“\"]{1,80}?)\s*(?:\.\s*)?(?:$|(?=[“\"]|''|``))")
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
        # (dataclasses.asdict deep-copies each field: 25 µs a quote against 7)
        return {name: getattr(self, name) for name in _QUOTE_FIELDS}

    def extend(self, other: "Quote") -> None:
        """Take in the next piece of the same utterance ("A," he said. "B.")."""
        self.text = f"{self.text} {other.text}"
        self.end = other.end


_QUOTE_FIELDS = tuple(f.name for f in fields(Quote))


# --------------------------------------------------------------------------
# 1. Pairing quotation marks


def _opens_straight(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    return before.isspace() or before in "([{—–-/:;,"


def _opens_line(text: str, i: int) -> bool:
    """A closing mark that starts a line and touches a word (or an
    ellipsis): scraped text sometimes turns the opening mark the wrong way
    (”Fear. I am ...”)."""
    # the word may come after an ellipsis ("” … he delivered")
    j = i + 1
    while j < len(text) and j < i + 6 and text[j] in " ….":
        j += 1
    if not text[j : j + 1].isalnum() or (j > i + 1 and "…" not in text[i + 1 : j] and "..." not in text[i + 1 : j]):
        return False
    # only whitespace back to the line start; walking back stops at the first
    # other character, so a line of marks is not read once per mark
    k = i - 1
    while k >= 0 and text[k] != "\n":
        if not text[k].isspace():
            return False
        k -= 1
    return True


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


# Single quotation marks (‘…’ and '…'), the main style of British and
# Commonwealth copy. The same characters are apostrophes (don't, Jones' car,
# the '90s, rock 'n' roll), so a single mark opens a quote only before a
# word and after a space, bracket or dash, and only when a mark that can
# close it follows in the paragraph (or the next paragraph opens with one);
# inside double-quoted speech (and doubles inside single) the inner marks
# are the speaker's own quotes, not ours.
SINGLE_OPEN = "‘‛"
SINGLE_CLOSE = "’"
SINGLE_STRAIGHT = "'"
SINGLE_MARKS = SINGLE_OPEN + SINGLE_CLOSE + SINGLE_STRAIGHT
# Words written with their first letters left out: 'n' (rock 'n' roll), 'em, 'tis.
_ELIDED = frozenset("n em tis twas til cause cos coz bout nuff round cept".split())
_OPENS_AFTER = "([{—–-/\"“"
# Any character that starts a quotation mark, double or single.
_MARK_CHAR = re.compile("[" + re.escape(OPEN_MARKS + CLOSE_MARKS + STRAIGHT + "`" + SINGLE_MARKS) + "]")


def _single_opens(text: str, i: int, p_start: int, p_end: int) -> bool:
    """Can the single mark at text[i] open a quote? Not an apostrophe
    in front of an elided word ('em, 'n', the '90s)."""
    if text[i] not in SINGLE_OPEN and text[i] != SINGLE_STRAIGHT:
        return False
    if i > p_start and not text[i - 1].isspace() and text[i - 1] not in _OPENS_AFTER:
        return False
    nxt = text[i + 1 : i + 2]
    if not nxt or nxt.isspace() or nxt in SINGLE_MARKS:
        return False
    if nxt.isdigit():
        # the '90s, '60s: two digits and an s
        return not (text[i + 2 : i + 3].isdigit() and text[i + 3 : i + 4] == "s")
    k = i + 1
    while k < p_end and k < i + 6 and text[k].isalpha():
        k += 1
    if text[i + 1 : k].lower() in _ELIDED and not text[k : k + 1].isalpha():
        return False
    return True


def _single_closes(text: str, i: int, p_end: int) -> int:
    """Can the single mark at text[i] close a quote? 0 for no, 1 for a weak
    close that may be a plural possessive (the players' union), 2 for yes."""
    if text[i] not in SINGLE_CLOSE and text[i] != SINGLE_STRAIGHT:
        return 0
    if i == 0 or text[i - 1].isspace():
        return 0
    nxt = text[i + 1 : i + 2] if i + 1 < p_end else ""
    if nxt.isalnum():
        return 0  # inside a word: don't, Trump’s
    if text[i - 1] in "sS" and nxt.isspace() and text[i + 2 : i + 3].isalnum():
        return 1
    return 2


def quoted_spans(text: str):
    """Character spans (start, end) of quoted content, marks excluded.

    Double marks (“…”, "…", ''…'', ``…'') and single ones (‘…’, '…') pair
    with their own kind; marks of the other kind inside a quote are quotes
    within it. A quote left open at the end of a paragraph continues when the
    next paragraph opens with a mark of its kind (the newswire convention
    for long quotes); otherwise it ends with its paragraph.
    """
    spans = []
    paras = paragraph_bounds(text)
    open_at = None  # content start of the quote being read
    single = False  # is the open quote single-marked?
    for index, (p_start, p_end) in enumerate(paras):
        nxt = paras[index + 1][0] if index + 1 < len(paras) else None
        single_next = nxt is not None and _single_opens(text, nxt, nxt, len(text))
        # positions of the marks that may close a single quote, to tell an
        # opening mark from an apostrophe by looking ahead (bisection, so a
        # paragraph of marks is read once)
        closers = [j for j in _single_positions(text, p_start, p_end) if _single_closes(text, j, p_end)]
        weak = None  # the last weak closing mark passed over in the open single quote
        i = p_start
        if open_at is not None:
            # a continuation paragraph: skip its opening mark
            if single:
                i += 1
            else:
                kind, width = mark_at(text, i)
                if kind in ("open", "either"):
                    i += width
        while i < p_end:
            # jump to the next character that may be a mark: the others do nothing
            found = _MARK_CHAR.search(text, i, p_end)
            if found is None:
                break
            i = found.start()
            kind, width = mark_at(text, i)
            if kind is None and text[i] in SINGLE_MARKS and (open_at is None or single):
                if open_at is not None:
                    closes = _single_closes(text, i, p_end)
                    later = bisect_right(closers, i) < len(closers)
                    if closes == 2 or (closes == 1 and not later):
                        spans.append((open_at, i))
                        open_at, weak = None, None
                    elif closes == 1:
                        weak = i
                    elif _single_opens(text, i, p_start, p_end):
                        # a new opening mark: the open quote ended at the
                        # weak mark passed over, or opened on an apostrophe
                        if weak is not None:
                            spans.append((open_at, weak))
                        open_at, weak = i + 1, None
                elif _single_opens(text, i, p_start, p_end) and (
                    bisect_right(closers, i) < len(closers) or single_next
                ):
                    open_at, single, weak = i + 1, True, None
                i += 1
                continue
            if open_at is None:
                if (
                    kind == "open"
                    or (kind == "either" and _opens_straight(text, i))
                    or (kind == "close" and _opens_line(text, i))
                ):
                    open_at, single = i + width, False
            elif single:
                pass  # a double mark inside single-marked speech
            elif kind in ("close", "either"):
                spans.append((open_at, i))
                open_at = None
            elif kind == "open":
                # a second opening mark while open: the first never closed
                spans.append((open_at, i))
                open_at = i + width
            i += width
        if open_at is not None:
            if single:
                continues = single_next
            else:
                continues = nxt is not None and mark_at(text, nxt)[0] in ("open", "either")
            if not continues:
                spans.append((open_at, weak if single and weak is not None else p_end))
                open_at = None
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _single_positions(text: str, start: int, end: int):
    """Offsets of the single marks (’ and ') in text[start:end]."""
    found = []
    for mark in SINGLE_CLOSE + SINGLE_STRAIGHT:
        k = text.find(mark, start, end)
        while k >= 0:
            found.append(k)
            k = text.find(mark, k + 1, end)
    found.sort()
    return found


# Reported clauses overlap where cues are nested ("A said B said C said ..."
# gives each cue the rest of the sentence, "X said: ..." the rest of the
# paragraph), so in a text of such chains their total length grows with the
# square of the sentence or paragraph length: 100 KB of them gave 9 MB of
# quotes. The clauses read for an article may hold this many times its
# tokens (plus CLAUSE_TOKENS_MIN); reported speech after that is not read and
# the extraction says it was cut. Articles of PolNeAR, BBC and newspaper3k
# read at most 0.88 times their tokens.
CLAUSE_TOKENS_PER_TOKEN = 4
CLAUSE_TOKENS_MIN = 1000

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


_VERB_FORMS = _forms(SPEECH_VERBS | BELIEF_VERBS | COMMISSIVE_VERBS | OBJECT_CONTENT_VERBS | CHARGING_VERBS
                     | DIRECTIVE_VERBS | frozenset(PREP_CONTENT))
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
    if _lemma(token) not in verbs:
        return False
    if token.tag_.startswith("VB") or token.pos_ in ("VERB", "AUX"):
        return True
    # a plural present the tagger took for a noun, right after a quote with
    # its subject after it ("”, reply Burton and Nick."); elsewhere a noun
    # with a subject is mostly a headline's or a label's ("Editor note:")
    return (token.tag_ in ("NN", "NNS") and token.i > 0 and token.doc[token.i - 1].tag_ == "''"
            and any(c.dep_ == "nsubj" and c.i > token.i for c in token.children))


def _subject_of(art, verb, quoted=None):
    """The subject token of a cue verb, climbing to the verb that has one.
    With `quoted` (the quoted tokens), a subject inside a quotation is passed
    over: the parser sometimes hangs a word of the quote on the cue as a
    second subject ("“... that, if ...,” Graham said")."""
    current = verb
    for _ in range(4):
        for child in current.children:
            if child.dep_ in _SUBJECTS and not child.is_space and (quoted is None or child.i not in quoted):
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
    return _name_before(art, verb)


def _name_before(art, verb):
    """When the parse gives a cue no subject: the last person or organisation
    named before it in its sentence ("Brett McGurk, the envoy, told ...")."""
    name = art.last_name_before(verb.i)
    if name is None or name.start < art.sent_bounds(verb.i)[0]:
        return None
    between = verb.doc[name.end : verb.i]
    if len(between) > 12 or any(t.is_sent_start or t.text in MARK_TOKENS for t in between):
        return None
    return name.root


def _mention_span(art, head):
    """The words naming a speaker: the subject phrase without appositions,
    relative clauses or anything after a comma."""
    doc = head.doc
    cut = set()
    for child in head.children:
        # a hyphen inside a name ("al-Obeidi") is punctuation we keep
        if child.dep_ == "punct" and child.text not in ",;:()—–":
            continue
        if child.dep_ in _CUT_FROM_SPEAKER:
            cut.update(art.subtree(child.i))
    keep = {i for i in art.subtree(head.i) if i not in cut and not doc[i].is_space}
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

    def __init__(self, art, entities: EntityResolver):
        self.art = art
        self.doc = art.doc
        self.entities = entities
        # names the tagger gives other labels more often than PERSON: a
        # shop or town it took for a person once ("Greggs", "Derby")
        votes = Counter()
        for e in art.ents:
            if e.label_ in _NOT_PEOPLE or e.label_ == "PERSON":
                votes[clean_name(e.text, "PERSON")] += 1 if e.label_ == "PERSON" else -1
        # (char offset, canonical name) of each PERSON mention that reads as a person, in order
        self.people = [(e.start_char, canonical(e, entities)) for e in art.ents
                       if e.label_ == "PERSON" and votes[clean_name(e.text, "PERSON")] > 0 and _reads_as_person(e)]
        # "Mr Patel" the tagger did not take for a person: a title before a
        # proper noun outside any entity names one all the same
        doc, titled = art.doc, []
        for i in art.tokens_of("titles", _TITLE_WORDS):
            t = doc[i]
            if (t.lower_.rstrip(".") in _PERSON_TITLES and t.i + 1 < len(doc) and not t.ent_type_
                    and doc[t.i + 1].tag_ == "NNP" and not doc[t.i + 1].ent_type_):
                titled.append((t.idx, entities.person(doc[t.i + 1].text)))
        if titled:
            self.people = sorted(self.people + titled)  # one sort: an insort each would be quadratic
        self._people_at = [o for o, _ in self.people]
        self.speakers = []  # (char offset, name) of resolved person speakers, sorted
        # name -> "m" or "f" where a title says so ("Mrs. Clinton", "Sir Ed Davey")
        self.gender = {}
        for e in art.ents:
            if e.label_ == "PERSON":
                words = [t.lower_.rstrip(".") for t in art.doc[max(e.start - 1, 0) : e.start + 1]]
                found = {_GENDERED_TITLES[w] for w in words if w in _GENDERED_TITLES}
                if len(found) == 1:
                    self.gender.setdefault(canonical(e, entities), found.pop())

    def _last_person_before(self, offset: int, pronoun: str = ""):
        # both lists are sorted: the last entry before `offset` by bisection,
        # not by a walk back over every later one; one whom a title gives the
        # other gender is passed over, up to _GENDER_LOOKBACK entries back
        want = "f" if pronoun in ("she", "her") else "m" if pronoun in ("he", "him") else None
        k = bisect_left(self.speakers, (offset,))
        last_speaker = self._agreeing(self.speakers, k, want)
        k = bisect_left(self._people_at, offset)
        last_named = self._agreeing(self.people, k, want)
        if last_speaker and last_named:
            # a person named after the last quote's speaker is more likely meant
            return last_named[1] if last_named[0] > last_speaker[0] else last_speaker[1]
        latest = last_speaker or last_named
        return latest[1] if latest else None

    def _agreeing(self, entries, k: int, want):
        """The last of entries[:k] ((offset, name), sorted) whose gender is
        not known to differ from `want`, or None."""
        for j in range(k - 1, max(k - 1 - _GENDER_LOOKBACK, -1), -1):
            if want is None or self.gender.get(entries[j][1], want) == want:
                return entries[j]
        return None

    def resolve(self, mention, at: int):
        """A mention span -> (speaker name or description, is_person)."""
        if mention is None:
            return None, False
        words = mention.text.strip()
        if words.lower() in PRONOUNS:
            name = self._last_person_before(at, words.lower())
            return (name or words), name is not None
        ents = self.art.ents_in(mention.start, mention.end)
        people = [e for e in ents if e.label_ == "PERSON"]
        if people:
            return canonical(people[0], self.entities), True
        for token in reversed(mention):
            if token.tag_.startswith("NNP"):
                full = self.entities.knows_surname(token.text)
                if full:
                    return full, True
        named_after = self._apposed_person(mention)
        if named_after is not None:
            # "the chancellor, Rachel Reeves, said": the title's apposition names her
            return named_after, True
        others = [e for e in ents if e.label_ in ("ORG", "GPE", "NORP", "FAC")]
        named = [t for t in mention if t.dep_ not in ("det", "poss") and not t.is_punct]
        if others and len(others[0]) >= len(named):
            # the mention is the organisation's name ("the Pentagon"), not a
            # description that contains one ("Nigerian officials")
            return clean_name(others[0].text, others[0].label_), False
        return words, False

    def _apposed_person(self, mention):
        """The person named in apposition to a description ("its president,
        Tom Bradshaw"), or None. The mention was cut at the apposition, so
        it is looked up on the mention's head."""
        head = mention.root
        for child in head.children:
            if child.dep_ == "appos" and child.i >= mention.end and child.ent_type_ == "PERSON":
                found = [e for e in self.art.ents_in(child.left_edge.i, child.right_edge.i + 1)
                         if e.label_ == "PERSON"]
                if found:
                    return canonical(found[0], self.entities)
        return None

    def note(self, at: int, name: str | None, is_person: bool):
        if name and is_person:
            insort(self.speakers, (at, name))  # transcripts are read first, out of text order


# Titles that tell a person's gender, for "he" and "she".
_GENDERED_TITLES = {
    **dict.fromkeys("mr sir lord king prince duke earl baron congressman chairman councilman".split(), "m"),
    **dict.fromkeys("mrs ms miss dame lady queen princess duchess countess baroness congresswoman chairwoman "
                    "councilwoman".split(), "f"),
}
# Titles that only go before a person's name.
_PERSON_TITLES = frozenset("mr mrs ms dr".split())
# How many people back a pronoun looks for one of its gender (a bound, so the
# work stays linear).
_GENDER_LOOKBACK = 8

# Labels of names that are not people: a pronoun never resolves to them.
_NOT_PEOPLE = frozenset({"ORG", "GPE", "FAC", "LOC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART"})
# Before a place, not a person: "in Derby", "at Greggs".
_PLACE_BEFORE = frozenset("in at near outside inside across around".split())


def _reads_as_person(ent) -> bool:
    """Can a PERSON entity be a person a pronoun points back to? Not after
    "the" ("the Commons"), nor right after "in", "at" ("a factory in Derby")
    unless a possessive follows ("in Smith's view")."""
    doc = ent.doc
    before = doc[ent.start - 1] if ent.start else None
    after = doc[ent.end] if ent.end < len(doc) else None
    if before is not None and before.lower_ == "the":
        return False  # "in the Commons", "the Hilton": a person's name takes no article
    if before is not None and before.lower_ in _PLACE_BEFORE and (after is None or after.tag_ != "POS"):
        return False
    return True


def _token_span(doc, start: int, end: int):
    span = doc.char_span(start, end, alignment_mode="expand")
    return span if span is not None and len(span) else None


class _Article:
    """Per-document lookups shared by the steps below. Each is built once
    (the costly ones on first use) and answers by bisection or an array
    lookup, so that no step walks the whole document, its paragraphs, a
    sentence or the entity list again for every quote or token: that made
    the work grow with the square of the length (issue 15)."""

    def __init__(self, doc):
        self.doc = doc
        self.text = doc.text
        self.paras = paragraph_bounds(self.text)
        self._para_starts = [start for start, _ in self.paras]
        self._para_ends = [end for _, end in self.paras]
        self.ents = list(doc.ents)  # doc.ents builds every span on each call
        self._ent_starts = [e.start for e in self.ents]
        self._names = self._name_ends = None
        self._token_starts = None
        self._sent_start = self._sent_end = None
        self._tin = self._tout = self._order = None
        self._spaces = None
        self._rstripped: dict[int, int] = {}
        self._punct_runs: dict[int, int] = {}
        self._tokens_of: dict[str, list] = {}

    def tokens_of(self, key: str, words) -> list:
        """Indices, in order, of the tokens whose lower-case form or lemma
        is one of `words` (a superset of those the checks below accept):
        found on the document's arrays of hashes, so the steps that look
        for cues build Token objects for these tokens only, not for every
        token of the document. Cached under `key`."""
        found = self._tokens_of.get(key)
        if found is None:
            found = _tokens_with(self.doc, words)
            self._tokens_of[key] = found
        return found

    def paragraph_of(self, offset: int):
        """The paragraph holding a character offset; the last paragraph for
        an offset between paragraphs or past them."""
        k = bisect_right(self._para_starts, offset) - 1
        if k >= 0 and offset < self._para_ends[k]:
            return self.paras[k]
        return self.paras[-1] if self.paras else (0, len(self.text))

    def quote_text(self, start: int, end: int) -> str:
        """The words of a quote at text[start:end] that may run over
        paragraphs: the paragraphs' pieces joined by a space, without the
        opening mark of each continuation paragraph."""
        k = bisect_right(self._para_starts, start)  # the first paragraph starting after `start`
        if k >= len(self.paras) or self._para_starts[k] >= end:
            return self.text[start:end]
        pieces = [self.text[start : min(self._para_ends[k - 1], end)]] if k else []
        while k < len(self.paras) and self._para_starts[k] < end:
            p_start, p_end = self.paras[k]
            kind, width = mark_at(self.text, p_start)
            if kind in ("open", "either"):
                p_start += width
            elif self.text[p_start] in SINGLE_OPEN + SINGLE_STRAIGHT:
                p_start += 1
            pieces.append(self.text[p_start : min(p_end, end)])
            k += 1
        return " ".join(piece.strip() for piece in pieces if piece.strip())

    def paragraph_before(self, offset: int):
        """The last paragraph ending at or before `offset`, or None."""
        k = bisect_right(self._para_ends, offset)
        return self.paras[k - 1] if k else None

    def tokens_between(self, start: int, end: int):
        """Token index range [i, j) of the tokens starting at a character
        offset in [start, end)."""
        if self._token_starts is None:
            self._token_starts = [t.idx for t in self.doc]
        return bisect_left(self._token_starts, start), bisect_left(self._token_starts, end)

    def sent_bounds(self, i: int):
        """(start, end) token indices of the sentence of token i, as
        `token.sent` gives them (which walks the sentence on every call)."""
        if self._sent_start is None:
            n = len(self.doc)
            starts, ends = [0] * n, [0] * n
            for sent in self.doc.sents:
                a, b = sent.start, sent.end
                starts[a:b] = [a] * (b - a)
                ends[a:b] = [b] * (b - a)
            self._sent_start, self._sent_end = starts, ends
        return self._sent_start[i], self._sent_end[i]

    def ents_in(self, start: int, end: int):
        """Entities within tokens [start, end), as `Span.ents` gives them."""
        k = bisect_left(self._ent_starts, start)
        found = []
        while k < len(self.ents) and self.ents[k].end <= end:
            found.append(self.ents[k])
            k += 1
        return found

    def last_name_before(self, i: int):
        """The last PERSON or ORG entity ending at or before token i, or None."""
        if self._names is None:
            self._names = [e for e in self.ents if e.label_ in ("PERSON", "ORG")]
            self._name_ends = [e.end for e in self._names]
        k = bisect_right(self._name_ends, i)
        return self._names[k - 1] if k else None

    def _tree(self):
        # entry and exit times of a depth-first walk over the dependency
        # heads: a is an ancestor of b when b's entry lies within a's
        n = len(self.doc)
        heads = [i + h for i, h in enumerate(self.doc.to_array("HEAD").astype("int64").tolist())]
        children = [[] for _ in range(n)]
        roots = []
        for i, h in enumerate(heads):
            (roots if h == i else children[h]).append(i)
        tin, tout, order = [-1] * n, [-1] * n, []
        for root in roots:
            stack = [root]
            while stack:
                node = stack.pop()
                if node >= 0:
                    tin[node] = len(order)
                    order.append(node)
                    stack.append(~node)
                    stack.extend(children[node])
                else:
                    tout[~node] = len(order)
        self._tin, self._tout, self._order = tin, tout, order

    def subtree(self, i: int) -> list:
        """Indices of token i and its descendants (`token.subtree`, which
        is a Python generator per token), in no particular order."""
        if self._tin is None:
            self._tree()
        return self._order[self._tin[i] : self._tout[i]]

    def dominates(self, a: int, b: int) -> bool:
        """Is token a token b or one of its ancestors (b in a's subtree)?"""
        if self._tin is None:
            self._tree()
        return self._tin[a] <= self._tin[b] < self._tout[a]

    def next_space(self, i: int) -> int:
        """Index of the first whitespace token at or after i (len(doc) for none)."""
        if self._spaces is None:
            self._spaces = [t.i for t in self.doc if t.is_space]
        k = bisect_left(self._spaces, i)
        return self._spaces[k] if k < len(self._spaces) else len(self.doc)

    def punct_run_start(self, end: int) -> int:
        """Start of the run of punctuation tokens (closing marks excepted)
        that ends just before token `end`; cached, as several cues in one
        paragraph ask about the same end."""
        found = self._punct_runs.get(end)
        if found is None:
            doc, found = self.doc, end
            while found > 0 and doc[found - 1].is_punct and doc[found - 1].text not in CLOSING_TOKENS:
                found -= 1
            self._punct_runs[end] = found
        return found

    def rstrip_end(self, start: int, end: int) -> int:
        """start + len(text[start:end].rstrip()), without the copy."""
        found = self._rstripped.get(end)
        if found is None:
            found = end
            while found > 0 and self.text[found - 1].isspace():
                found -= 1
            self._rstripped[end] = found
        return max(start, found)


_HASHES: dict[frozenset, object] = {}


def _tokens_with(doc, words) -> list:
    """Indices of the tokens of `doc` whose LOWER or LEMMA attribute is one
    of `words` (the lemma also capitalised or in capitals, as a lemmatizer
    may leave it)."""
    import numpy  # a spaCy dependency; here, as importing this module loads no spaCy

    hashes = _HASHES.get(words)
    if hashes is None:
        from spacy.strings import hash_string

        variants = {v for w in words for v in (w, w.capitalize(), w.upper())}
        hashes = _HASHES[words] = numpy.array(sorted(hash_string(w) for w in variants), dtype="uint64")
    if not len(doc):
        return []
    table = doc.to_array(["LOWER", "LEMMA"])
    # membership by bisection in the sorted hashes (numpy.isin hashes the
    # whole word list again on every call)
    last = len(hashes) - 1
    hit = None
    for column in (table[:, 0], table[:, 1]):
        at = numpy.minimum(numpy.searchsorted(hashes, column), last)
        found = hashes[at] == column
        hit = found if hit is None else hit | found
    return numpy.flatnonzero(hit).tolist()


class _TokenSet:
    """Token indices inside the given [start, end) ranges: a flag per token,
    where a list of ranges costs its length for each question."""

    def __init__(self, n: int, ranges):
        self.flags = bytearray(n)
        for start, end in ranges:
            start, end = max(start, 0), min(end, n)
            if start < end:
                self.flags[start:end] = b"\x01" * (end - start)

    def __contains__(self, i: int) -> bool:
        return 0 <= i < len(self.flags) and self.flags[i] == 1


class _Intervals:
    """Does [s, e) overlap any of the given ranges? By bisection over their
    starts and the running maximum of their ends."""

    def __init__(self, ranges):
        ranges = sorted(ranges)
        self.starts = [start for start, _ in ranges]
        self.reach = []
        for _, end in ranges:
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def overlaps(self, s: int, e: int) -> bool:
        k = bisect_left(self.starts, e)  # the ranges starting before e
        return k > 0 and self.reach[k - 1] > s


def _is_according(token) -> bool:
    doc = token.doc
    return token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to"


class _Cues:
    """The tokens outside quotes that may introduce one (a verb of saying,
    "according to"), in text order: each quote's search looks among these
    near it instead of reading every token of its sentences."""

    def __init__(self, art, quoted: _TokenSet):
        self.at = []
        self.according = set()
        doc = art.doc
        for i in art.tokens_of("cues", _CUE_WORDS):
            if i in quoted:
                continue
            token = doc[i]
            if _is_according(token):
                self.at.append(token.i)
                self.according.add(token.i)
            elif is_cue(token):
                self.at.append(token.i)


# A cue whose subtree holds the quote wins over a nearer one by this many tokens.
_LINK_BONUS = 50


def _find_cue(art, q_tokens, cues: _Cues, allow_prev_colon=True):
    """Best cue token for a quote: in the quote's sentences, a short sentence
    right after it, or a sentence ending in a colon right before it.

    The best is the candidate with the lowest score, the distance to the
    quote less _LINK_BONUS when the quote hangs on it, the first of equals in
    the order the sentences are listed. Only candidates within the nearest
    distance plus the bonus can have the lowest score, so only they are
    scored: a quote costs the log of the cue count, not its sentence length."""
    doc = art.doc
    first, last = q_tokens[0].i, q_tokens[-1].i
    # a quote may run over paragraphs: its cue can be in any of them
    p_start, _ = art.paragraph_of(doc[first].idx)
    _, p_end = art.paragraph_of(doc[last].idx)
    sents = {}  # sentence start -> end, in the order they are searched
    for start, end in (art.sent_bounds(first), art.sent_bounds(last)):
        sents[start] = end
    after = art.sent_bounds(last)[1]
    if after < len(doc) and doc[after].idx < p_end:
        start, end = art.sent_bounds(after)
        # "... ended here." he said.  -- a short cue sentence after the quote
        if end - start <= 12:
            sents[start] = end
    before = art.sent_bounds(first)[0] - 1
    if allow_prev_colon and before >= 0 and doc[before].idx >= p_start:
        start, end = art.sent_bounds(before)
        if any(doc[k].text == ":" for k in range(max(start, end - 2), end)):
            sents[start] = end
    lo, hi = art.tokens_between(p_start, p_end)
    windows = [(max(start, lo), min(end, hi)) for start, end in sents.items()]
    windows = [(a, b) for a, b in windows if a < b]

    def distance(c):
        return first - c if c < first else (c - last if c > last else min(c - first, last - c))

    at = cues.at
    nearest = None
    for a, b in windows:
        near = []
        k = bisect_left(at, min(b, first)) - 1
        if k >= 0 and at[k] >= a:
            near.append(at[k])  # the last candidate before the quote
        k = bisect_left(at, max(a, last + 1))
        if k < len(at) and at[k] < b:
            near.append(at[k])  # the first candidate after it
        near += at[bisect_left(at, max(a, first)) : bisect_left(at, min(b, last + 1))]  # inside (none, as a rule)
        for c in near:
            if nearest is None or distance(c) < nearest:
                nearest = distance(c)
    if nearest is None:
        return None
    reach = nearest + _LINK_BONUS
    best, best_score = None, None
    for a, b in windows:
        for c in at[bisect_left(at, max(a, first - reach)) : bisect_left(at, min(b, last + reach + 1))]:
            d = distance(c)
            if d > reach:
                continue
            linked = c not in cues.according and art.dominates(c, first)
            score = d - (_LINK_BONUS if linked else 0)
            if best_score is None or score < best_score:
                best, best_score = c, score
    # a cue right before the quote, with nothing but punctuation and an
    # adverb between, introduces it whatever the parse ("Trump said,
    # adding later, “NATO is ...”": the parser hangs the quote on "said")
    k = bisect_left(at, first) - 1
    if k >= 0 and at[k] != best and at[k] not in cues.according and at[k] >= lo and first - at[k] <= 5:
        if all(t.text in ",:—–-" or t.tag_.startswith("RB") or t.text in MARK_TOKENS or t.text in SINGLE_MARKS
               for t in doc[at[k] + 1 : first]):
            return doc[at[k]]
    return doc[best]


def _speaker_token(art, cue, quoted=None):
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
    return _subject_of(art, cue, quoted)


def _colon_intro(art, q_start: int):
    """'And from Chairwoman X:' before a quote paragraph -> a mention of X."""
    doc, text = art.doc, art.text
    p_start, _ = art.paragraph_of(q_start)
    # the paragraph's words before the quote, less the opening mark; read
    # from the end, as a copy of them for each quote of a long paragraph
    # would cost its length each time
    end = art.rstrip_end(p_start, q_start)
    width = mark_width_before(text[max(p_start, end - 2) : end], min(2, end - p_start))
    if not width and end > p_start and text[end - 1] in SINGLE_MARKS:
        width = 1
    end -= width
    end = art.rstrip_end(p_start, end)
    if end > p_start and text[end - 1] == ":":
        intro = _token_span(doc, p_start, q_start)
    else:
        prev = art.paragraph_before(p_start)
        if end > p_start or prev is None:
            return None
        prev_end = art.rstrip_end(*prev)
        if not (prev_end > prev[0] and text[prev_end - 1] == ":"):
            return None
        intro = _token_span(doc, *prev)
    if intro is None or len(intro) > 25:
        return None
    names = [e for e in art.ents_in(intro.start, intro.end) if e.label_ in ("PERSON", "ORG")]
    return names[-1] if names else None


def _sign_off(art, q_end: int):
    """'"..." -Commissioner X' (at the end of the paragraph or right before
    the next quote) -> the span naming X."""
    text = art.text
    _, p_end = art.paragraph_of(q_end)
    if p_end <= q_end:
        return None
    pos = q_end
    kind, width = mark_at(text[q_end : min(p_end, q_end + 2)], 0)
    if kind in ("close", "either"):
        pos += width
    elif text[q_end] in SINGLE_MARKS:
        pos += 1
    match = _SIGN_OFF.match(text, pos, p_end)
    if not match:
        return None
    if match.end() < art.rstrip_end(pos, p_end) and not all(w[:1].isupper() for w in match.group(1).split()):
        return None  # before another quote only a bare name signs off, not "Obama said,"
    offset = match.start(1)
    return _token_span(art.doc, offset, offset + len(match.group(1)))


def _looks_like_title(text: str) -> bool:
    """'War and Peace', 'Make America Great Again': capitalised words, no
    sentence punctuation at the end."""
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    if not words or len(words) > 8 or text.rstrip()[-1:] in ".?!,":
        return False
    small = {"a", "an", "the", "and", "or", "of", "in", "on", "for", "to", "at", "by", "with"}
    return all(w[0].isupper() or w.lower() in small for w in words)


# Words that put a name, a title or a coined phrase in quotation marks:
# "dubbed ‘Rwanda Lite’", "a memoir titled ‘The Long Road Home’".
_NAMING_WORDS = frozenset("dubbed titled entitled nicknamed labelled labeled christened".split())
# ... after "as": "known as", "billed as".
_NAMING_AS = frozenset("known billed styled branded".split())


def _named_as(art, tokens) -> bool:
    """Is the quoted span (tokens, marks excluded) a name or title rather
    than speech? A short span after "dubbed" (or "dubbed the scheme"),
    "titled", right after "known as" or "so-called", or a span capitalised like a title after "called"
    ("a book called ‘War Games’", not "called it ‘a disgrace’")."""
    doc = art.doc
    text = tokens.text
    n_words = len(text.split())
    if n_words > 8 or text.rstrip()[-1:] in ".?!":
        return False
    k = tokens.start - 1
    while k >= 0 and (doc[k].text in MARK_TOKENS or doc[k].text in SINGLE_MARKS):
        k -= 1
    if k < 0:
        return False
    word = doc[k].lower_
    if word == "as" and k >= 1 and doc[k - 1].lower_ in _NAMING_AS:
        return n_words <= 6
    # "dubbed the scheme ‘Rwanda Lite’": the naming word a few words back
    for j in range(k, max(k - 4, -1), -1):
        if doc[j].is_punct or doc[j].is_space:
            break
        if doc[j].lower_ in _NAMING_WORDS:
            return n_words <= 6
    if word == "called":
        so_called = k >= 2 and doc[k - 2].lower_ == "so" or k >= 1 and doc[k - 1].lower_ == "so-"
        return so_called or _looks_like_title(text)
    if n_words <= 6 and _looks_like_title(text.rstrip().rstrip(",")):
        # a programme, book or slogan named in the writer's sentence: after
        # "on", "of", "in" ("on “Fox News Sunday,”") or in front of the noun
        # it names ("his “Keepin' It Real” radio program")
        if word in _TITLE_BEFORE:
            return True
        k = tokens.end
        while k < len(doc) and (doc[k].text in MARK_TOKENS or doc[k].text in SINGLE_MARKS or doc[k].text == ","):
            k += 1
        if k < len(doc) and doc[k].tag_ in ("NN", "NNS") and doc[k - 1].text != ",":
            return True
    return word == "so-called"


# Prepositions before a title in quotation marks: "appeared on ‘Question Time’".
_TITLE_BEFORE = frozenset("on of in at from aboard".split())


def _quote_type(art, start: int) -> str:
    """direct when the quote is a sentence of its own, partial when it is
    woven into the writer's sentence."""
    text = art.text
    i = start
    # an editor's bracket may come before the first word of a quoted
    # sentence ("[W]e are reminded"), and an ellipsis says the words before
    # were left out ("… overall, I think"): then only the place of the quote
    # tells whether it stands as a sentence
    elided = False
    while i < len(text) and (text[i].isspace() or text[i] in "….["):
        elided = elided or text[i] in "…."
        i += 1
    if not elided and not text[i : i + 1].isupper() and not text[i : i + 1].isdigit():
        return "partial"
    k = start  # the quote's words may begin after a space ("” … he said")
    while k > 0 and text[k - 1].isspace():
        k -= 1
    mark = k - (mark_width_before(text, k) or 1)
    # the text before the mark, read from its end (a copy of it would cost
    # the length of the article for each quote)
    end = art.rstrip_end(0, max(mark, 0))
    if text[max(0, end - 6) : end] in (" that,", " that") or text[max(0, end - 5) : end] == " that":
        return "partial"  # "said that, “Of course ...”": the quote completes the writer's clause
    if end == 0 or text[end - 1] in ".?!:,;\n" or text[max(0, end - 4) : end] in ("said", "says"):
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


def _trim_end(text: str) -> str:
    """text without the whitespace and ,;:—–- at its end."""
    end = len(text)
    while end and (text[end - 1].isspace() or text[end - 1] in _TRAILING_PUNCT):
        end -= 1
    return text[:end]


# A transcript's speaker label at a paragraph start: "PENCE: ", "JAKE TAPPER: ",
# after the opening mark a quoted transcript puts on each paragraph.
_TURN = re.compile(r"([\"“]?)[ \t]*([A-Z][A-Z.'’-]*(?: [A-Z][A-Z.'’-]*){0,2}):[ \t]+(?=\S)")
_WORD_CHAR = re.compile(r"\w")


def _is_stage_direction(text: str, start: int, end: int) -> bool:
    r"""Is text[start:end] a stage direction ("(CROSSTALK.)"), in full: an
    optional opening mark, a bracket, one line, a closing bracket and nothing
    but punctuation after it? (The regex [\"“]?\s*[(\[][^\n]*[)\]]\W*,
    which backtracks over the line once per closing bracket.)"""
    i = start
    if i < end and text[i] in "\"“":
        i += 1
    while i < end and text[i].isspace():
        i += 1
    if i >= end or text[i] not in "([":
        return False
    i += 1
    tail = end  # start of the run of non-word characters that ends the text
    while tail > i and not _WORD_CHAR.match(text, tail - 1):
        tail -= 1
    line_end = text.find("\n", i, end)
    line_end = end if line_end < 0 else line_end
    # the closing bracket is in that run and on the bracket's line
    return any(text[j] in ")]" for j in range(tail, line_end))


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
                if mark_at(text, p_start)[0] not in ("open", "either") or _is_stage_direction(text, p_start, p_end):
                    break
                end = p_end
        if opened:
            end -= mark_width_before(text, end)  # the mark that closes the quoted transcript
        start, end = _strip(text, m.end(), end)
        turns.append((start, end, m.group(2), speaker))
    return turns


class _Budget:
    """Tokens of reported clauses that may still be read; `cut` once a
    clause was left unread for want of them."""

    def __init__(self, tokens: int):
        self.left = tokens
        self.cut = False

    def spend(self, tokens: int) -> bool:
        """Take `tokens` from the budget: False (and cut) when it has not got them."""
        if tokens > self.left:
            self.cut = True
            return False
        self.left -= tokens
        return True


def extract_quotes(doc, entities: EntityResolver) -> list[Quote]:
    """Doc -> quotes in text order (see the module docstring)."""
    return extract_quotes_and_cut(doc, entities)[0]


def extract_quotes_and_cut(doc, entities: EntityResolver) -> tuple[list[Quote], bool]:
    """Doc -> (quotes in text order, whether the clause budget ran out and
    reported speech after that point was not read; see CLAUSE_TOKENS_PER_TOKEN)."""
    budget = _Budget(CLAUSE_TOKENS_PER_TOKEN * len(doc) + CLAUSE_TOKENS_MIN)
    art = _Article(doc)
    resolver = SpeakerResolver(art, entities)
    quotes: list[Quote] = []
    turn_ranges, quote_ranges = [], []
    for s, e, label, speaker in transcript_turns(art.text, art.paras, entities):
        quotes.append(Quote(art.quote_text(s, e), s, e, "direct", speaker, label, None))
        resolver.note(s, speaker, True)
        turn_ranges.append((art.paragraph_of(s)[0], e))
        tokens = _token_span(doc, s, e)
        if tokens is not None:
            quote_ranges.append((tokens.start, tokens.end))
    turns = _Intervals(turn_ranges)
    spans = []
    for s, e in quoted_spans(art.text):
        s, e = _strip(art.text, s, e)
        tokens = _token_span(doc, s, e)
        # marks inside a transcript turn are quotes within the speech, or the
        # transcript's own paragraph marks
        if tokens is not None and not turns.overlaps(s, e):
            spans.append((s, e, tokens))
    quote_ranges += [(t.start, t.end) for _, _, t in spans]
    quoted = _TokenSet(len(doc), quote_ranges)
    cues = _Cues(art, quoted) if spans else None
    cue_tokens = set()
    previous = None  # (paragraph start, cue index, Quote) of the last quote kept
    cue_of = {}  # cue token index -> first quote it introduces
    pieces = {}  # id of a Quote that goes on -> (Quote, texts of its pieces)
    dropped = []  # token ranges of quoted spans that are titles or scare quotes
    for s, e, tokens in spans:
        if _named_as(art, tokens):
            dropped.append((tokens.start, tokens.end))
            continue  # a name, title or coined phrase, not something said
        cue = _find_cue(art, tokens, cues)
        p_start, _ = art.paragraph_of(s)
        signed = _sign_off(art, e) if cue is None else None
        if previous and previous[0] == p_start and signed is None and (cue is None or cue.i == previous[1]):
            # the same utterance goes on after its cue, or with no cue of its
            # own; the pieces are joined once at the end (Quote.extend for
            # each of thousands of pieces would copy the text each time)
            quote = previous[2]
            pieces.setdefault(id(quote), (quote, [quote.text]))[1].append(art.quote_text(s, e))
            quote.end = e
            continue
        mention, cue_text, speaker, is_person = None, None, None, False
        if cue is not None:
            subject = _speaker_token(art, cue, quoted)
            if subject is not None and subject.i not in quoted:
                mention = _mention_span(art, subject)
            cue_text = _cue_phrase(cue).text
            cue_tokens.add(cue.i)
        if mention is None:
            mention = (signed if cue is None else _sign_off(art, e)) or _colon_intro(art, s)
        if mention is not None:
            speaker, is_person = resolver.resolve(mention, mention.start_char)
        if speaker is None and cue is None:
            text = art.text[s:e]
            if len(text.split()) < 6 or _looks_like_title(text):
                dropped.append((tokens.start, tokens.end))
                continue  # a title or scare quote, not something said
        elif _looks_like_title(art.text[s:e]) and len(art.text[s:e].split()) <= 4 and cue is None:
            dropped.append((tokens.start, tokens.end))
            continue
        mention_text = mention.text if mention is not None else None
        resolver.note(s, speaker, is_person)
        # a quote signed with a dash ("...” ― Ann Lee) stands on its own
        kind = "direct" if signed is not None else _quote_type(art, s)
        quote = Quote(art.quote_text(s, e), s, e, kind, speaker, mention_text, cue_text)
        quotes.append(quote)
        if cue is not None:
            cue_of.setdefault(cue.i, quote)
        previous = (p_start, cue.i if cue is not None else None, quote)
    for quote, texts in pieces.values():
        quote.text = " ".join(texts)
    # cue -> the partial quote it introduces (a dict is a set of its keys below)
    partial_cues = {i: q for i, q in cue_of.items() if q.type == "partial"}
    if dropped:
        # a scare quote or title is part of the writer's sentence: a reported
        # clause around it ("said the ‘reform’ failed") is reported speech
        drop = _Intervals(dropped)
        quoted = _TokenSet(len(doc), [r for r in quote_ranges if not drop.overlaps(*r)])
    quotes.extend(_reported_speech(art, resolver, quoted, cue_tokens, partial_cues, budget))
    quotes.sort(key=lambda q: q.start)
    return quotes, budget.cut


def _reported_speech(art, resolver, quoted, used_cues, partial_cues, budget: _Budget):
    """'X said (that) ...': the reported clause, whether it holds no quoted
    words or only partial quotes ("... is “only a matter of time.”"). Stops
    when the clauses read use up the budget."""
    doc = art.doc
    found, cue_at = [], []  # the clauses, and the offset of each one's cue
    for i in art.tokens_of("reporting", _REPORTING_WORDS):
        token = doc[i]
        if (token.i in used_cues and token.i not in partial_cues) or token.i in quoted:
            continue
        according = _is_according(token)
        hearsay = nominal = False
        if according:
            content = _according_content(art, token)
        elif token.lower_ in HEARSAY_ADVERBS and token.dep_ == "advmod":
            content = _clause_span(art, token.head, exclude=token)
            hearsay = True
        elif is_cue(token, _REPORTING):
            if _writers_supposition(token):
                continue
            content = _reported_clause(art, token)
            if content is not None and not _states_content(token, content):
                content = None
            if content is None and token.i in partial_cues:
                content = _right_complement(token)
        elif _lemma(token) in NOMINAL_CUES and token.tag_ in ("NN", "NNS"):
            clause = next((c for c in token.children if c.dep_ in ("acl", "ccomp", "relcl")
                           and any(m.lower_ == "that" and m.dep_ == "mark" for m in c.children)), None)
            if clause is None:
                continue
            content = _clause_span(art, clause, exclude=token)
            nominal = True
        else:
            continue
        subject = None if hearsay else (_owner(token) if nominal else _speaker_token(art, token))
        pieces = None
        if subject is not None and not (according or nominal) and (
                content is None or content.start <= subject.i < content.end or content.start <= token.i < content.end):
            # "A, he said, B": the parse hangs the cue inside its clause
            pieces = _interrupted(art, token, subject)
            if pieces is not None:
                content = pieces[0]
        if content is None:
            continue
        if not budget.spend(len(content) + (len(pieces[-1]) if pieces and len(pieces) > 1 else 0)):
            break
        if len(content) < 3:
            continue
        if token.i not in partial_cues and any(i in quoted for p in (pieces or [content])
                                               for i in range(p.start, p.end)):
            continue  # a direct quote's own clause, not reported speech
        if token.i in partial_cues and pieces is None:
            content = _take_in(art, content, partial_cues[token.i])
        if subject is not None and subject.i in range(content.start, content.end):
            continue
        if subject is None and not hearsay and not according and content.start < token.i:
            continue  # "CLAUSE, ... agreed" with nobody agreeing: a misparse
        mention = _mention_span(art, subject) if subject is not None else None
        speaker, is_person = resolver.resolve(mention, token.idx)
        start, end = content.start_char, content.end_char
        text = _trim_end(art.text[start:end])
        if not text:
            continue
        end = start + len(text)
        if pieces is not None and len(pieces) > 1:
            # the words after the cue go on with the clause: one text, the
            # offsets spanning the cue between (as for "“A,” he said, “B.”")
            more = _trim_end(art.text[pieces[1].start_char : pieces[1].end_char])
            text, end = f"{text} {more}", pieces[1].start_char + len(more)
        resolver.note(start, speaker, is_person)
        found.append(
            Quote(text, start, end, "indirect", speaker,
                  mention.text if mention is not None else None, _cue_phrase(token).text)
        )
        cue_at.append(token.idx)
    return _without_nested(found, cue_at)


# How many clauses before a nested one are looked at for the clause it lies
# in (a bound, so the work stays linear).
_NESTED_LOOKBACK = 4


def _without_nested(found, cue_at):
    """Reported clauses less those nested in another one: a clause whose cue
    and words lie inside another clause and make up at least half of it
    says again what the clause around it says ("Fowler said he expects
    Clinton to recover": one attribution, "he expects Clinton to recover",
    not a second one "Clinton to recover" for "expects"). A short clause
    nested in a long one is kept ("said the council, which fears X, met")."""
    order = sorted(range(len(found)), key=lambda k: found[k].start)
    starts = [found[k].start for k in order]
    dropped = set()
    for k, quote in enumerate(found):
        j = bisect_right(starts, cue_at[k])
        for m in range(j - 1, max(j - 1 - _NESTED_LOOKBACK, -1), -1):
            outer = found[order[m]]
            if order[m] == k or order[m] in dropped or not outer.start <= cue_at[k] < outer.end:
                continue
            if outer.start <= quote.start and quote.end <= outer.end + 2 and (
                    quote.end - quote.start >= 0.5 * (outer.end - outer.start)):
                dropped.add(k)
                break
    return [q for k, q in enumerate(found) if k not in dropped]


# Verbs of perceiving: "saw the man get out", "will see themselves paying
# more" report what was seen, not what anyone said or holds.
_PERCEPTION = frozenset("see hear watch notice feel".split())
# Verbs of finding out, and words that open an embedded question: "trying
# to determine whether ..." asks, where "questioned whether ..." doubts aloud.
_KNOWING = frozenset("know determine find learn understand figure discover realize realise".split())
_QUESTION_WORDS = frozenset("whether if how what who whom why where when which".split())


def _writers_supposition(cue) -> bool:
    """"Assuming he spent the night there, ...": a participle of belief
    opening the sentence with no subject of its own is the writer's
    supposition, whoever the main clause is about."""
    lemma = _lemma(cue)
    if lemma not in BELIEF_VERBS or lemma in SPEECH_VERBS or cue.tag_ != "VBG":
        return False
    if any(c.dep_ in _SUBJECTS for c in cue.children):
        return False
    k = cue.i - 1
    while k >= 0 and (cue.doc[k].is_punct or cue.doc[k].is_space) and not cue.doc[k].is_sent_end:
        k -= 1
    return (k < 0 or cue.doc[k].is_sent_end or cue.doc[k + 1].is_sent_start or cue.is_sent_start) and cue.head.i > cue.i


def _states_content(cue, content) -> bool:
    """Does the clause found for a cue say what someone said, held or
    demanded? Not what was seen happen ("saw the man get out", "see their
    taxes go up"), nor an open question a belief verb asks ("to determine
    whether anyone accessed the files", "know how it works")."""
    lemma = _lemma(cue)
    if lemma in SPEECH_VERBS:
        return True
    if lemma in _PERCEPTION:
        head = content.root
        if head.tag_ in ("VB", "VBG") and not any(c.dep_ in ("aux", "mark") for c in head.children):
            return False
    if lemma in _KNOWING and content[0].lower_ in _QUESTION_WORDS:
        return False
    return True


def _take_in(art, content, quote):
    """The reported clause of a cue, taken on to the end of the partial
    quote of the same cue that begins inside it or right after it ("said she
    has “the quality for the job” and “the steadiness”"), within its
    sentence: the quoted words are part of what the clause reports."""
    doc = art.doc
    if quote.end <= content.end_char or quote.start < content.start_char:
        return content
    _, sent_end = art.sent_bounds(content.end - 1)
    if quote.start >= content.end_char:
        # or right after it, past a comma and the opening mark: "would owe
        # $212 billion, “equal to the budgets of three states”"
        k = content.end
        while k < sent_end and doc[k].idx < quote.start and (doc[k].is_punct or doc[k].text in SINGLE_MARKS):
            k += 1
        if k >= sent_end or doc[k].idx < quote.start or k - content.end > 3:
            return content
    end = content.end
    while end < sent_end and doc[end].idx < quote.end:
        end += 1
    # and the closing mark of the last quoted piece, when the clause holds its opening mark
    opened = sum(doc[k].text in OPEN_MARKS or doc[k].text == DOUBLED_OPEN for k in range(content.start, end))
    closed = sum(doc[k].text in CLOSE_MARKS for k in range(content.start, end))
    if opened > closed:
        for k in range(end, min(end + 3, sent_end)):
            if doc[k].text in CLOSE_MARKS:
                end = k + 1
                break
    return doc[content.start : end]


def _interrupted(art, cue, subject):
    """'A, he said, B.' or 'A, said Ann Lee, B.': the speaker and cue set off
    by commas inside the sentence of what was said -> [A] or [A, B] (B left
    out when it opens with "and" or "but": a clause of the writer's as often
    as not); None for any other shape."""
    doc = cue.doc
    sent_start, sent_end = art.sent_bounds(cue.i)
    lo = min(subject.left_edge.i, _cue_start(cue))
    hi = max(subject.right_edge.i, cue.i)
    if hi - lo > 12 or lo - 1 <= sent_start or doc[lo - 1].text != ",":
        return None
    if any(c.dep_ in ("dobj", "ccomp", "xcomp", "attr", "oprd", "dative") and c.i > hi for c in cue.children):
        return None  # the cue's own complement follows: "In May, she said X"
    left = _trim_span(doc, sent_start, lo - 1)
    if left is None or len(left) < 3 or any(t.is_space for t in left):
        return None
    if not any(t.dep_ in _SUBJECTS for t in left):
        return None  # "In an August speech, Trump attacked ...": not a clause
    if left[-1].dep_ == "cc" or any(t.tag_ in ("WDT", "WP", "WRB") or t.dep_ == "relcl"
                                    for t in doc[left.end - 1 : lo]):
        return None  # "..., which he said ...": the cue is in a relative clause
    # "But when Congress cut funding, Mexico said, ...": a subordinate clause
    # alone is not what was said; it needs the main clause after the cue
    first = left[1] if len(left) > 1 and left[0].dep_ == "cc" else left[0]
    needs_more = first.dep_ == "mark" or first.tag_ == "WRB"
    # after the cue: a few words of its own ("Tuesday", "in an interview"), then a comma
    k = hi + 1
    while k < sent_end and k <= hi + 5 and doc[k].text != "," and not doc[k].is_punct:
        k += 1
    if k >= sent_end or doc[k].text != ",":
        return [left] if not needs_more and (k >= sent_end or doc[k].is_punct) else None
    right = _trim_span(doc, k + 1, sent_end)
    if (right is None or right[0].dep_ == "cc" or any(t.is_space for t in right)
            or any(_lemma(t) in SPEECH_VERBS and t.tag_.startswith("VB") for t in right)):
        # the words after the cue are the writer's, or another attribution's
        return None if needs_more else [left]
    return [left, right]


def _trim_span(doc, start, end):
    """doc[start:end] without the punctuation at its ends, or None if empty."""
    while start < end and doc[start].is_punct and doc[start].text not in OPENING_TOKENS:
        start += 1
    while end > start and doc[end - 1].is_punct and doc[end - 1].text not in CLOSING_TOKENS:
        end -= 1
    return doc[start:end] if end > start else None


_REPORTING = (SPEECH_VERBS | BELIEF_VERBS | COMMISSIVE_VERBS | OBJECT_CONTENT_VERBS | CHARGING_VERBS | DIRECTIVE_VERBS
              | frozenset(PREP_CONTENT))


def _reported_clause(art, cue):
    """The clause a reporting verb introduces, or None:
    "said (that) CLAUSE" (ccomp), "vowed to ACT" (xcomp of a commissive verb),
    "urged the council to ACT" (a directive), "CLAUSE, he said." (the cue
    hangs on the clause as parataxis), "announced a plan" and "cited two
    reports" (the object), "accused X of Y" (the one blamed and the charge),
    "spoke about X" (PREP_CONTENT), "called for an inquiry", "called the plan
    a disaster"; a clause or object after the cue runs on (_run_on)."""
    if _lemma(cue) in DIRECTIVE_VERBS:
        found = _directive(cue)
        if found is not None:
            return found
    # a clause after the cue before one in front of it: "On “Fox News
    # Sunday,” Pence said X" parses the programme as a clause as well
    clauses = [c for c in cue.children
               if c.dep_ == "ccomp" or (c.dep_ == "xcomp" and _lemma(cue) in COMMISSIVE_VERBS)]
    clauses.sort(key=lambda c: c.i < cue.i)
    for child in clauses:
        span = _clause_span(art, child, exclude=cue)
        if child.i < cue.i:
            return span
        if _lemma(cue) not in _ADDRESSING:
            # "said his tweet to invite her was only a joke": the parser took
            # the clause's subject for the cue's object
            doc = cue.doc
            objects = [c for c in cue.children if c.dep_ == "dobj" and cue.i < c.i < span.start]
            if (objects and not objects[0].tag_.startswith("PRP")
                    and doc[objects[0].left_edge.i - 1].tag_ != "IN"  # "said via email that ..."
                    and not any(t.lower_ == "that" for t in doc[objects[0].right_edge.i + 1 : span.start])):
                span = doc[objects[0].left_edge.i : span.end]
        return _run_on(art, cue, span)
    if cue.dep_ == "parataxis" and cue.head.i < cue.i:
        return _clause_span(art, cue.head, exclude=cue)
    for child in cue.children:
        if child.dep_ == "dobj" and _lemma(cue) in OBJECT_CONTENT_VERBS and not child.tag_.startswith("PRP"):
            return _run_on(art, cue, _clause_span(art, child, exclude=cue))
        if child.dep_ == "prep" and child.lower_ in ("of", "for") and _lemma(cue) in CHARGING_VERBS:
            # "accused Clinton of lying about her emails": the charge is the content
            objects = [c for c in child.children if c.dep_ in ("pcomp", "pobj")]
            if objects:
                span = _clause_span(art, objects[0], exclude=cue)
                whom = [c for c in cue.children if c.dep_ == "dobj" and cue.i < c.i < child.i]
                if whom:
                    span = cue.doc[whom[0].left_edge.i : span.end]
                return _run_on(art, cue, span)
        if child.dep_ == "prep" and child.lower_ in PREP_CONTENT.get(_lemma(cue), ()) and child.i > cue.i:
            # "spoke about the economy": what the speaker spoke about
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                return _run_on(art, cue, _clause_span(art, objects[0], exclude=cue))
        if child.dep_ == "prep" and child.lower_ == "for" and _lemma(cue) == "call":
            # "called for an inquiry", "called for scrapping the tax": the
            # demand is what was said
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                return _run_on(art, cue, _clause_span(art, objects[0], exclude=cue))
    if _lemma(cue) == "call":
        return _called(art, cue)
    return _after_colon(art, cue)


def _directive(cue):
    """"urged the council to act", "called on Lee to resign", "asked voters
    to stay home": whom the speaker addressed and what they were to do, or
    None when no infinitive follows the verb."""
    doc = cue.doc
    if any(c.dep_ in ("auxpass", "nsubjpass") for c in cue.children):
        return None  # "was asked to leave": the one asked is the subject, not the speaker
    act = next((c for c in cue.children if c.i > cue.i and c.dep_ in ("xcomp", "advcl", "ccomp")
                and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)), None)
    if act is None:
        return None
    start = act.left_edge.i
    for child in cue.children:
        if child.dep_ == "dobj" and cue.i < child.i < act.i:
            start = child.left_edge.i
        elif child.dep_ == "prep" and child.lower_ == "on" and cue.i < child.i < act.i:
            start = child.i + 1  # "called on": the one called on, not "on"
    end = act.right_edge.i
    while end > start and doc[end].is_punct and doc[end].text not in CLOSING_TOKENS:
        end -= 1
    return doc[start : end + 1]


def _called(art, cue):
    """"called the plan a disaster" (an object and what it is called):
    the judgement is the content ("called on X to act" is a directive, and
    "called the police" says nothing)."""
    deps = {c.dep_ for c in cue.children}
    if "oprd" in deps or ("dobj" in deps and any(c.dep_ in ("dobj", "acl", "amod", "oprd") and c.i > c.head.i
                                                for d in cue.children if d.dep_ == "dobj" for c in d.children)):
        # the judgement runs on over what qualifies it ("a mistake at the time")
        right = [c for c in cue.rights if c.dep_ not in ("punct", "cc", "conj", "parataxis")]
        doc = cue.doc
        start = right[0].left_edge.i
        end = start
        for c in right:
            if c.left_edge.i > end + 1 and any(doc[k].is_punct for k in range(end + 1, c.left_edge.i)):
                break  # punctuation ends the run
            end = max(end, c.right_edge.i)
        while end > start and doc[end].is_punct and doc[end].text not in CLOSING_TOKENS:
            end -= 1
        return doc[start : end + 1]
    return _after_colon(art, cue)


# Nouns that carry what someone said or holds: "his claim that ...".
NOMINAL_CUES = frozenset(
    """claim statement report argument assertion belief view warning promise pledge suggestion
    allegation accusation announcement assessment prediction estimate finding conclusion
    comment remark message testimony insistence contention admission denial charge concern fear hope
    assurance complaint demand rumor rumour speculation""".split()
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


def _after_colon(art, cue):
    """'X said: CONTENT' with no quotation marks: the rest of the paragraph."""
    doc = cue.doc
    k = cue.i + 1
    while k < len(doc) and k <= cue.i + 4 and doc[k].text != ":" and not doc[k].is_space:
        k += 1
    if k >= len(doc) or doc[k].text != ":":
        return None
    start = k + 1
    # the paragraph end and the punctuation before it are looked up, not
    # walked to, as every such cue of a paragraph shares them
    end = max(start, art.punct_run_start(art.next_space(start)))
    return doc[start:end] if end - start >= 3 else None


# Parts of a sentence after a reported clause that the parser hangs on the
# cue but that go on with what was said: "said [the deal had helped] -
# [starting his plan]", "said [A has respect] and [his comment was ...]".
_RUN_ON = frozenset("ccomp conj advcl xcomp dobj prep npadvmod attr acomp oprd dep".split())


def _run_on(art, cue, span):
    """The reported clause `span` after `cue`, taken on over the cue's later
    children that continue it (see _RUN_ON), up to the sentence end; not
    over a verb the speaker is the subject of ("said X and added Y"),
    another attribution ("and he noted Z", "according to W"), nor words set
    off by a comma ("criticized the law as a “crazy system”, during a stop
    in Flint"; "..., citing Y"), which are the writer's."""
    doc = cue.doc
    end = span.end - 1
    _, sent_end = art.sent_bounds(cue.i)
    for child in cue.rights:
        if child.i <= end or child.dep_ == "punct" or child.dep_ == "cc":
            continue
        if child.dep_ not in _RUN_ON or child.i >= sent_end:
            break
        if child.dep_ == "conj" and not any(c.dep_ in _SUBJECTS for c in child.children):
            break
        if _lemma(child) in _REPORTING or child.lower_ == "according":
            break  # another attribution: "..., citing Y", "and he noted Z", "according to W"
        if any(doc[k].is_space for k in range(end + 1, child.right_edge.i + 1)):
            break
        if any(doc[k].text in ",;" for k in range(end + 1, child.left_edge.i)):
            break  # words set off after it by a comma are the writer's
        end = child.right_edge.i
    while end > span.start and (doc[end].dep_ == "cc" or (doc[end].is_punct and doc[end].text not in CLOSING_TOKENS)):
        end -= 1
    return doc[span.start : end + 1] if end >= span.end else span


def _clause_span(art, head, exclude):
    """The words of the clause under `head`: its subtree without the cue's
    own words, as the contiguous run around `head`, trimmed of punctuation.
    Whitespace tokens (paragraph breaks) and the cue end the run."""
    doc = head.doc
    # The cue (`exclude`) and its words outside the clause are not under
    # `head`, so the subtree is the clause. It comes from the walk over the
    # tree made once per document: token.subtree, and is_ancestor for each
    # of the cue's words, cost a sentence per cue.
    inside = set(art.subtree(head.i))
    start = end = head.i
    while start - 1 in inside and not doc[start - 1].is_space:
        start -= 1
    while end + 1 in inside and not doc[end + 1].is_space:
        end += 1
    # a that-clause begins at its "that" ("said via email that ...", where
    # the parser may hang "email" on the "that")
    for child in head.lefts:
        if child.dep_ == "mark" and child.lower_ == "that" and start < child.i:
            start = child.i
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


def _according_content(art, according):
    """'According to X, CONTENT.' or 'CONTENT, according to X.' -> CONTENT."""
    sent_start, sent_end = art.sent_bounds(according.i)
    phrase_end = max(art.subtree(according.i)) + 1
    phrase_end = max(phrase_end, according.i + 2)
    doc = according.doc
    if according.i <= sent_start + 1:
        start = phrase_end
        while start < sent_end and doc[start].is_punct:
            start += 1
        end = sent_end
    else:
        start, end = sent_start, according.i
    while end > start and doc[end - 1].is_punct:
        end -= 1
    return doc[start:end] if end > start else None


# The words the look-ups above start from (see _Article.tokens_of): every
# form and lemma of a cue verb, "according", and for reported speech the
# adverbs of hearsay and the nouns of saying; the titles before a name.
_CUE_WORDS = frozenset(_VERB_FORMS) | _VERB_LEMMAS | {"according"}
_REPORTING_WORDS = _CUE_WORDS | HEARSAY_ADVERBS | NOMINAL_CUES
_TITLE_WORDS = frozenset(_PERSON_TITLES) | {t + "." for t in _PERSON_TITLES}
