"""Headline and body clean-up for scraped news text.

In: a title (may be empty) and the raw article text. Out: a `CleanArticle`
with one headline and a body of paragraphs separated by blank lines, with the
repeated title lines, photo credits, captions, bylines, share widgets and
read-more links taken out, and what the bylines, dateline and credit lines
say (`authors`, `dateline`, `credit`; the patterns are in `bylines.py`).
Quotation marks are kept exactly as written, since quote extraction depends
on them.

The body is what it was before bylines were read: a dateline stays in it,
and byline shapes that were not removed before ("Written by ...",
"(Reporting by ...; Editing by ...)") are reported but not removed, since a
changed body would change the content hash of articles already stored and
let their copies through as new.

Encoding repair is ftfy's. The rest is written here rather than taken from a
library: trafilatura and newspaper work on HTML, while our input is text that
an extractor already produced; what is left to do is line-level and
news-specific.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import ftfy

from .bylines import (
    MAX_AUTHORS, Dateline, agency_in_brackets, agency_name, closing_credit, find_dateline, parse_byline, sign_off,
)

_SPACES = re.compile(r"[^\S\n]+")  # runs of whitespace other than newlines
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_KEY_DROP = re.compile(r"[\W_]+")

_AGENCIES = (
    r"(?:AP|A\.P\.|Associated Press|Reuters|AFP|Getty(?: Images)?|EPA|"
    r"Shutterstock|PA|Bloomberg|iStock(?:photo)?|Xinhua|DPA|Anadolu)"
)
# Whole paragraphs that are a credit, caption, byline or widget, not body text.
_BOILERPLATE_LINES = [
    # "AP photo", "Reuters photo", "AP Photo/Jane Doe", "File photo: AFP"
    rf"(?:{_AGENCIES}\s+)?(?:file\s+)?(?:photo|photograph|image|picture|video)s?"
    r"(?:\s*(?:[:/]|by|credit:?)\s*[^.]{0,80})?\.?",
    rf"{_AGENCIES}\s+(?:file\s+)?(?:photo|photograph|image|picture)s?(?:\s*[:/].{{0,80}})?\.?",
    r"\(?(?:photo|image|picture)\s*(?:credit)?\s*:\s*[^.]{0,80}\)?\.?",
    r"image (?:copyright|caption)\b.{0,200}",
    rf"\(?{_AGENCIES}\)?",
    # Bylines: "By Jane Doe", "By JANE DOE, Associated Press" (names only, so
    # "By contrast, ..." is not one).
    # Each name is words separated by spaces, so there is one way to read
    # a run of capitals ("By X - DCYIEYVILW - ..." once took minutes).
    r"(?-i:[Bb]y\s+(?:[A-Z][\w.'-]*\s+){1,3}[A-Z][\w.'-]*"
    r"(?:\s*(?:,|and|\||-)\s*[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,4})*)",
    r"(?:share|tweet|email|print|pin|comment|save)(?:\s+(?:this|on\s+\w+|article|story))?(?:\s*[:|/]\s*"
    r"(?:facebook|twitter|linkedin|email|whatsapp|reddit|print|x)\b.*)?",
    r"share (?:this|on|via)\b.{0,60}",
    r"(?:click|tap) (?:here )?to (?:share|email|print|tweet)\b.{0,60}",
    r"follow (?:us|me|him|her) on (?:twitter|facebook|instagram)\b.{0,80}",
    r"read (?:the rest|more|the full story|full article)(?: here)?\b.{0,80}",
    r"(?:continue|keep) reading\b.{0,40}",
    r"(?:advertisement|advertising|sponsored content|related(?: articles| stories)?:?)",
    r"sign up for (?:our|the)\b.{0,80}newsletter.{0,40}",
    r"(?:terms of (?:use|service)|privacy policy|cookie policy|all rights reserved)\b.{0,60}",
    # breadcrumbs: "BHG.com / Videos / Holiday / How to ..."
    r"[^/»>|]{0,40}(?:\s+[/»>|]\s+[^/»>|]{0,60}){2,}",
    r"(?:facebook|twitter|linkedin|whatsapp|reddit|email)(?:\s*[|/,]?\s*"
    r"(?:facebook|twitter|linkedin|whatsapp|reddit|email|print))*",
]
_BOILERPLATE = re.compile(r"^\s*(?:" + "|".join(_BOILERPLATE_LINES) + r")\s*$", re.IGNORECASE)
# A boilerplate paragraph is short; long paragraphs are body text whatever
# they start with ("By the end of the year, ..." must stay).
_BOILERPLATE_MAX_WORDS = 14

# Credits inside a paragraph: "(AP Photo/Jane Doe)", "(Getty Images)",
# "(Photo: Reuters)".
_INLINE_CREDIT = re.compile(
    rf"\s*\((?:{_AGENCIES}(?:\s+(?:photo|images?))?(?:\s*/\s*[^)]{{1,60}})?|"
    r"(?:photo|image|picture)s?\s*(?:credit)?\s*[:/]\s*[^)]{1,60})\)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CleanArticle:
    """A normalised article: one headline, body paragraphs joined by blank
    lines; the byline's authors, the dateline and the wire agency credited,
    when the text has them."""

    headline: str
    body: str
    authors: tuple[str, ...] = ()
    dateline: Dateline | None = None
    credit: str | None = None


def normalize_text(text: str) -> str:
    """Repair mojibake ("PeÃ±a" -> "Peña"), decode HTML entities, unify line
    ends and spaces; keep paragraph breaks and quotation marks as written."""
    text = ftfy.fix_text(text, uncurl_quotes=False, unescape_html=False, normalization="NFC")
    text = html.unescape(text)
    text = _ZERO_WIDTH.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)  # also turns no-break spaces into spaces
    return text


_SENTENCE_END = tuple(".!?:;\"”’)]")
_WRAPPED_LINE_WORDS = 8


class _Paragraph:
    """Lines joined into one paragraph so far. What deciding whether the next
    line continues it needs is kept as it grows (its comparison key in
    pieces, its word count, its last line), so a text of thousands of
    wrapped lines costs time linear in its length, not in its square."""

    def __init__(self, line: str):
        self.lines, self.keys = [line], [comparison_key(line)]
        self.key_length, self.words = len(self.keys[0]), len(line.split())

    def continued_by(self, following: str) -> bool:
        """Is `following` the rest of a sentence that a line break cut?"""
        key = comparison_key(following)
        if len(key) == self.key_length and "".join(self.keys) == key:
            return False  # a title printed twice
        if following[:1].islower():
            return True
        return not self.lines[-1].endswith(_SENTENCE_END) and self.words >= _WRAPPED_LINE_WORDS

    def add(self, line: str) -> None:
        self.lines.append(line)
        self.keys.append(comparison_key(line))
        self.key_length += len(self.keys[-1])
        self.words += len(line.split())

    def text(self) -> str:
        return " ".join(self.lines)


def paragraphs(text: str) -> list[str]:
    """Split text into paragraphs. Blank lines separate paragraphs; a single
    line break joins lines of wrapped prose but separates short lines that
    stand alone (a title, a caption, a credit)."""
    out = []
    for block in _PARAGRAPH_BREAK.split(normalize_text(text)):
        current = None  # nothing joins across a blank line
        for line in (line.strip() for line in block.split("\n")):
            if not line:
                continue
            if current is not None and current.continued_by(line):
                current.add(line)
                continue
            if current is not None:
                out.append(current.text())
            current = _Paragraph(line)
        if current is not None:
            out.append(current.text())
    return out


def paragraph_bounds(text: str):
    """[(start, end)] of the paragraphs of `text` (separated by blank lines)."""
    bounds, start = [], 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        if m.start() > start:
            bounds.append((start, m.start()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def comparison_key(line: str) -> str:
    """What two title lines must share to count as the same title: letters and
    digits, case-folded, ignoring whitespace and punctuation."""
    return _KEY_DROP.sub("", line.casefold())


# Calls to like, follow or share anywhere in a short paragraph mark a widget.
_SOCIAL_CALL = re.compile(
    r"\b(?:like us|follow us|like on facebook|share on (?:facebook|twitter)|share this with|"
    r"by clicking the share|subscribe to our)\b",
    re.IGNORECASE,
)
_SOCIAL_MAX_WORDS = 30


def is_boilerplate(paragraph: str) -> bool:
    """True for a caption, photo credit, byline, share widget or read-more link."""
    words = len(paragraph.split())
    if words <= _SOCIAL_MAX_WORDS and _SOCIAL_CALL.search(paragraph):
        return True
    if words > _BOILERPLATE_MAX_WORDS:
        return False
    return bool(_BOILERPLATE.match(paragraph))


def strip_inline_credits(paragraph: str) -> str:
    """Remove photo credits embedded in a paragraph: "(AP Photo/Jane Doe)"."""
    return _INLINE_CREDIT.sub("", paragraph).strip()


# Page titles carry the site or section: "Title | Site", "Site » Title".
_TITLE_PARTS = re.compile(r"\s+[|»·]\s+|\s+[-–—]\s+(?=[^-–—]{0,40}$)")
# Title repeats are looked for among the first few paragraphs only: a
# scraped page puts them above the story, sometimes after a byline.
_TITLE_WINDOW = 4
_MIN_PREFIX_KEY = 20


def envelope_headline(title: str) -> str:
    """A page or envelope title -> the headline: the longest part when the
    title joins the headline with a site or section name; "" when the title
    is only a section label ("| What's Cooking")."""
    title = " ".join(normalize_text(title).split())
    if title[:1] in "|»·":
        return ""
    parts = [p.strip() for p in _TITLE_PARTS.split(title) if p.strip()]
    return max(parts, key=len) if parts else ""


def repeats_title(paragraph: str, key: str) -> bool:
    """Is this paragraph the headline again (case, spacing and punctuation
    aside, or one cut short where the other goes on)?"""
    para_key = comparison_key(paragraph)
    if not para_key or not key:
        return False
    if para_key == key:
        return True
    shorter, longer = sorted((para_key, key), key=len)
    return len(shorter) >= _MIN_PREFIX_KEY and longer.startswith(shorter) and len(longer) <= 1.5 * len(shorter)


def _is_prose(paragraph: str) -> bool:
    """A sentence of the story, not a byline, breadcrumb or widget."""
    return len(paragraph.split()) >= _WRAPPED_LINE_WORDS and paragraph.rstrip().endswith(tuple(".!?\"”’"))


# Bylines are looked for among the first paragraphs (after a standfirst and
# a caption or two, whether or not the story has started: the "has the
# story started" test takes a standfirst for the story) and in the last
# ones, where Reuters puts "(Reporting by ...)" and wires their "— AFP" or
# copyright line; a "By ..." line in the middle is a caption or a teaser
# for another story.
_BYLINE_WINDOW = 8
_CLOSING_WINDOW = 3
# A wire's closing credit is the last line, or the end of the last paragraph
# with a copyright line or a share widget after it.
_CREDIT_WINDOW = 2
# A dateline opens the story, after at most a caption or two.
_DATELINE_WINDOW = 3


def clean_article(text: str, title: str | None = None) -> CleanArticle:
    """Normalise an article.

    `title`: the headline when the envelope gives one; otherwise (or when it
    is only a site or section name) the first non-empty line of `text` is the
    headline. Lines repeating the headline near the top of the body, and
    boilerplate anywhere, are dropped. Authors, dateline and credit are
    read from the paragraphs, before and after clean-up, without changing
    the body.
    """
    paras = paragraphs(text)
    headline = envelope_headline(title) if title else ""
    if not headline:
        headline = paras.pop(0) if paras else ""
    key = comparison_key(headline)
    body, kept, bylines = [], [], []
    story_started = False
    for index, para in enumerate(paras):
        if index < _TITLE_WINDOW and not story_started and repeats_title(para, key):
            continue
        closing = index >= len(paras) - _CLOSING_WINDOW
        if index < _BYLINE_WINDOW or closing:
            byline = parse_byline(para)
            if byline:
                bylines.append(byline)
        if is_boilerplate(para):
            continue
        story_started = story_started or _is_prose(para)
        if len(kept) < _DATELINE_WINDOW:
            kept.append(para)  # as written: the body loses "(Reuters)" with the other inline credits
        para = strip_inline_credits(para)
        if para:
            body.append(para)
    authors = []
    for byline in bylines:
        authors.extend(name for name in byline.authors if name not in authors)
    signed = sign_off(paras[-1]) if paras else None  # "-- Bryan Denson" closing the story
    if signed and signed not in authors:
        authors.append(signed)
    dateline = next(filter(None, map(find_dateline, kept)), None)
    credits = [agency_name(dateline.agency) if dateline and dateline.agency else None]
    credits += [byline.credit for byline in bylines]
    credits += [agency_in_brackets(kept[0]) if kept else None]
    credits += [closing_credit(para) for para in reversed(paras[-_CREDIT_WINDOW:])]
    return CleanArticle(
        headline=headline, body="\n\n".join(body), authors=tuple(authors[:MAX_AUTHORS]), dateline=dateline,
        credit=next(filter(None, credits), None),
    )
