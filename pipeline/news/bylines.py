"""Bylines, datelines and wire credits in news text.

In: paragraphs of an article (strings). Out: the person names of a byline
("By Dana Whitfield, Staff Writer" -> ("Dana Whitfield",)), the dateline at
the start of the story ("LONDON, Nov 30 (AFP) -" -> Dateline("LONDON",
"AFP", "Nov 30")) and the wire agency credited ("Associated Press").

Decisions:
- Editors are not authors: in "Reporting by X; Editing by Y" only X (and
  "Writing by" names) count; "Additional reporting by" names are
  contributors, not authors, and are left out too.
- Names are kept as written, except a name written all in capitals
  ("BY JANE DOE"), which is title-cased ("Jane Doe"); "MCDONALD" becomes
  "Mcdonald", a known loss.
- An affiliation after the names ("Staff Writer", "CNN", "| Reuters") is not a
  name; a known wire agency there is the credit.
- A dateline needs a place: in capitals ("NEW YORK —"), or any case when a
  known agency in brackets follows ("Washington (CNN) —"). Without an
  agency it must end in a dash: "Paris, France:" and "NEW DELHI:" are not
  read (transcripts print "JAKE TAPPER: ...", and "Update: ..." leads in
  stories); "(CNN) —" alone has no place, so it gives the credit only.
- `credit` is the agency's usual name ("AP" -> "Associated Press");
  `Dateline.agency` is the agency as the dateline writes it.

Every input is cut to a bounded length before any pattern sees it, and the
patterns have no nested or overlapping repetition, so the work is linear in
the text whatever it holds (a byline pattern once backtracked for minutes on
"By X - DCYIEYVILW - ...").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_AUTHORS = 20
MAX_NAME_CHARS = 200
# A byline is a short line; a longer paragraph is story text whatever it
# starts with ("By the end of the year, ..."). Reuters' closing
# "(Reporting by ...; Editing by ...)" lines are the longest kind.
MAX_BYLINE_CHARS = 400
MAX_BYLINE_WORDS = 60
# A dateline's place, region, date and agency fit well within this.
_DATELINE_HEAD = 120
_CREDIT_LINE_CHARS = 300

# Known wire agencies and news services: how they are written -> the name
# `credit` gives them. Keys are case-folded.
_AGENCY_NAMES = {
    "ap": "Associated Press", "a.p": "Associated Press", "associated press": "Associated Press",
    "the associated press": "Associated Press",
    "reuters": "Reuters", "thomson reuters": "Reuters",
    "afp": "AFP", "agence france-presse": "AFP", "agence france presse": "AFP",
    "bloomberg": "Bloomberg", "bloomberg news": "Bloomberg",
    "upi": "UPI", "united press international": "UPI",
    "dpa": "dpa", "xinhua": "Xinhua", "anadolu": "Anadolu", "anadolu agency": "Anadolu",
    "efe": "EFE", "ansa": "ANSA", "kyodo": "Kyodo", "kyodo news": "Kyodo", "yonhap": "Yonhap",
    "tass": "TASS", "pti": "PTI", "ians": "IANS", "aap": "AAP", "pa": "PA Media", "pa media": "PA Media",
    "press association": "PA Media", "the canadian press": "The Canadian Press", "canadian press": "The Canadian Press",
    "cnn": "CNN", "bbc": "BBC", "bbc news": "BBC",
}
# Words that make a piece of a byline an affiliation or a role, not a name.
_ROLE_WORDS = {
    "staff", "writer", "writers", "reporter", "reporters", "correspondent", "correspondents", "editor",
    "editors", "contributor", "contributing", "columnist", "producer", "journalist", "critic", "analyst",
    "special", "senior", "chief", "political", "business", "photographer", "bureau", "desk", "team",
    "press", "news", "times", "post", "magazine", "media", "network", "newspapers", "journal", "herald",
    "tribune", "daily", "agency", "service", "wire", "wires", "reports", "report", "online", "digital",
    "com", "inc", "ltd", "group",
}
# Lower-case words inside a name: "Ludwig van Beethoven", "Khalid al-Obeidi".
_PARTICLES = {"de", "da", "das", "del", "della", "der", "di", "do", "dos", "du", "la", "le", "van", "von",
              "bin", "bint", "ibn", "al", "el", "y", "ter", "ten", "st."}
# Capitalised words that start a sentence, not a name ("By The Numbers").
_NOT_NAMES = {"the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their", "our", "my",
              "your", "in", "on", "at", "for", "all", "now", "then", "far", "way", "means", "contrast", "comparison",
              "default", "design", "law", "night", "day", "email", "phone", "mail", "us", "me", "him", "them",
              "updated", "posted", "published", "share", "photo", "photos", "video", "image", "images",
              # page furniture next to a byline: "By A | More Articles", "View author archive"
              "more", "articles", "article", "comments", "comment", "view", "follow", "print", "tweet", "read",
              "sign", "subscribe", "related", "posts", "bio", "home", "menu", "search", "contact", "about"}
_ROLE_PREFIX = re.compile(
    r"(?:(additional|further|other|editing|edited|compiled|translated|graphics|photos?|video|illustrations?)"
    r"\s+)?(?:(?:reporting|reported|writing|written|words|text|story)\s+)?by:?\s", re.IGNORECASE)
# Between names: commas, semicolons, bars, slashes, bullets; "and", "&" and
# a spaced dash. Each alternative is fixed text or a class run bounded by
# other text, so the split is linear.
_SEPARATORS = re.compile(r"[,;|/•·]|\s(?:and|AND|&|with|WITH)\s|\s[-–—]+\s")
# "Updated 3:45 PM ET", "Posted: Dec 1" and the rest of the line after them.
_STAMP = re.compile(r"\b(?:updated|posted|published|last modified)\b", re.IGNORECASE)
_BRACKETED = re.compile(r"\([^()]*\)")
_WORD_OK = re.compile(r"[^\W\d_][\w.'’-]*")  # one word of a name: a letter, then letters and . ' -
# Words that end a name in a byline: "By Jane Doe on December 4, 2014".
_AFTER_NAME = {"on", "at", "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june",
               "jul", "july", "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november",
               "dec", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
               "mon", "tue", "wed", "thu", "fri", "sat", "sun"}
_DASHES = {"-", "--", "–", "—", "•", "|"}
_CREDENTIALS = {"md", "phd", "rn", "rd", "mph", "mba", "esq", "dds"}
_PARTICLE_JOINED = re.compile(r"(?:al|el|bin|ibn|d|de|di|da|van|von)['’-][^\W\d_]|(?:de|di|da|du|la|le|van|von)[A-Z]")
_IN_PLACE = re.compile(r"\s(?:in|from)\s")  # "Andy Bruce in London"


@dataclass(frozen=True)
class Dateline:
    """Where a story was filed, as its first line says: place, agency, date."""

    place: str
    agency: str | None = None
    date: str | None = None

    def to_dict(self) -> dict:
        return {"place": self.place, "agency": self.agency, "date": self.date}


def agency_name(text: str) -> str | None:
    """A wire agency as written ("AP", "The Associated Press") -> its usual
    name ("Associated Press"); None when it is not a known agency."""
    return _AGENCY_NAMES.get(" ".join(text[:60].split()).strip(" .").casefold())


def _agency_of(piece: str) -> str | None:
    """An affiliation -> the wire agency it starts with: "Reuters",
    "Associated Press Writer" -> "Associated Press", "BBC political
    editor" -> "BBC"; None for "Staff Writer"."""
    words = piece[:60].split()
    for length in (3, 2, 1):
        if len(words) >= length:
            found = agency_name(" ".join(words[:length]))
            if found:
                return found
    return None


def _without_addresses(text: str) -> str:
    """Drop words holding an "@": twitter handles and e-mail addresses."""
    return " ".join(w for w in text.split() if "@" not in w)


def _title_case(name: str) -> str:
    """A name written in capitals -> title case; any other name as written."""
    letters = [c for c in name if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return name.title()
    return name


def person_name(piece: str, first: bool = True) -> str | None:
    """One piece of a byline -> the person's name, or None when the piece
    is not a name. Drops a trailing role ("Dana Whitfield Staff Writer"),
    handles, e-mail addresses, time stamps, a dateline's place and the
    place a reporter filed from ("Andy Bruce in London"). A piece after
    the first that ends in a role is an affiliation ("By A, Live Science
    Contributor"), and so is "X Staff" ("Motley Fool Staff")."""
    piece = piece[:MAX_BYLINE_CHARS]
    stamp = _STAMP.search(piece)
    if stamp:
        piece = piece[: stamp.start()]
    piece = _without_addresses(piece)
    piece = _BRACKETED.sub(" ", piece)
    place = _IN_PLACE.search(piece)
    if place:
        piece = piece[: place.start()]
    name, words = [], piece.split()
    for index, word in enumerate(words):
        folded = word.casefold().strip(".,:")
        if folded in _ROLE_WORDS:
            if not first or folded == "staff" and index == len(words) - 1:
                return None
            break
        # where the name ends: a date or time ("on December 4"), a dash, or a
        # dateline's place in capitals after a name in mixed case
        if name and folded in _AFTER_NAME or word[:1].isdigit() or word in _DASHES:
            break
        if len(word) > 2 and word.replace("-", "").isalpha() and word.isupper() and any(not w.isupper() for w in name):
            break
        if len(name) >= 2 and word in ("The", "THE"):  # "Joanne Anderson The Mississippi Press"
            break
        name.append(word.rstrip(",:"))
    while name and name[-1].casefold().replace(".", "") in _CREDENTIALS:
        name.pop()
    if name and len(name[-1]) > 3 and name[-1].endswith(".") and name[-1][:-1].isalpha():
        name[-1] = name[-1][:-1]  # a sentence's full stop ("- Elise Viebeck."), not an initial or "Jr."
    if not 2 <= len(name) <= 5 or name[0].casefold() in _NOT_NAMES or name[0].casefold() in _PARTICLES:
        return None
    for word in name:
        if word.casefold() in _PARTICLES:
            continue
        if not _WORD_OK.fullmatch(word) or word.casefold() in _NOT_NAMES:
            return None
        if not word[0].isupper() and _PARTICLE_JOINED.match(word) is None:  # "al-Obeidi", "deCasparis"
            return None
    return _title_case(" ".join(name))[:MAX_NAME_CHARS]


def _is_affiliation(piece: str) -> bool:
    words = piece.casefold().replace(".", " ").split()
    return bool(words) and (_agency_of(piece) is not None or any(w in _ROLE_WORDS for w in words))


@dataclass(frozen=True)
class Byline:
    """What a byline says: its authors and the agency it credits."""

    authors: tuple[str, ...] = ()
    credit: str | None = None


def parse_byline(paragraph: str) -> Byline | None:
    """A paragraph -> the Byline it is, or None when it is not one.

    Bylines: "By A", "By A and B", "By A, B and C, Staff Writers",
    "BY A | Reuters", "Written by A", "(Reporting by A in Paris; Editing by
    B)", "A, Associated Press". Not bylines: "By the time he arrived",
    "By 2030 ...", "By contrast, ...", photo credits ("By A/WireImage").
    """
    text = " ".join(paragraph[: MAX_BYLINE_CHARS + 1].split())
    if len(text) > MAX_BYLINE_CHARS or len(text.split()) > MAX_BYLINE_WORDS:
        return None
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    text = _name_repeated(text)
    contact = _CONTACT.match(text)
    if contact:  # Bloomberg: "To contact the reporter on this story: A in Atlanta at a@..."
        names = None if contact.group(1) else _names(text[contact.end():])[0]
        return Byline(tuple(names[:MAX_AUTHORS])) if names else None
    authors, credit, seen_role = [], None, False
    for segment in text.split(";"):
        segment = segment.strip()
        role = _ROLE_PREFIX.match(segment)
        if role:
            seen_role = True
            if role.group(1):  # editing, additional reporting, photos: not authors
                continue
            names, agency = _names(segment[role.end():])
        elif not authors and not seen_role:
            names, agency = _name_then_agency(segment)
        else:
            continue
        if names is None:
            continue
        authors.extend(n for n in names if n not in authors)
        credit = credit or agency
    if not authors and not credit:
        return None
    return Byline(tuple(authors[:MAX_AUTHORS]), credit)


_CONTACT = re.compile(r"to contact the (?:(editors?)|reporters?|writers?|authors?) (?:responsible for|on|of|for) "
                      r"this (?:story|article):?\s", re.IGNORECASE)


def _name_repeated(text: str) -> str:
    """ "Lucy Berry | lberry@al.com By Lucy Berry | ... AL.com" (a content
    system that prints the author's name, then the byline) -> the byline
    alone; any other text as it is."""
    head, by, tail = text.partition(" By ")
    if by and not _ROLE_PREFIX.match(text):
        name = person_name(_SEPARATORS.split(head, maxsplit=1)[0])
        if name and name == person_name(_SEPARATORS.split(tail, maxsplit=1)[0]):
            return "By " + tail
    return text


def _names(rest: str) -> tuple[list[str] | None, str | None]:
    """The part after "By" -> (names, agency); names None when the first
    piece is not a person's name."""
    if _photo_credit(rest):
        return None, None
    pieces = [p.strip() for p in _SEPARATORS.split(rest)]
    names, agency = [], None
    for index, piece in enumerate(pieces):
        if not piece:
            continue
        name = person_name(piece, first=not names)
        if name:
            if name not in names:
                names.append(name)
            continue
        if _agency_of(piece) or index and _is_affiliation(piece):  # "By Reuters Staff", "..., CNN"
            agency = agency or _agency_of(piece)
            continue
        if not names:
            return None, None
        break  # what follows the names is not a list of names
    return names, agency


_PHOTO_AGENCY = re.compile(r"(?i:getty(?: images)?|wireimage|filmmagic|shutterstock|istock(?:photo)?|"
                           r"ap photo|reuters photo|afp photo|epa|corbis|alamy|rex features|rex)")


def _photo_credit(text: str) -> bool:
    """ "Kevin Mazur/WireImage", "Carlos Barria / Reuters.": a photographer,
    a slash and a picture or wire agency."""
    head, slash, agency = text.rpartition("/")
    agency = agency.strip().rstrip(".")
    return bool(slash) and (_PHOTO_AGENCY.fullmatch(agency) is not None or agency_name(agency) is not None)


def _name_then_agency(segment: str) -> tuple[list[str] | None, str | None]:
    """"Dana Whitfield, Associated Press", "Stevie Martin | Staff Writer |
    Tuesday, 25 November 2014" (no "By"): a byline only when a known agency
    or a role follows exactly one name, and nothing but a date after that."""
    pieces = [p.strip() for p in _SEPARATORS.split(segment)]
    if len(pieces) < 2 or _photo_credit(segment) or not all(_is_date(p) for p in pieces[2:]):
        return None, None
    name = person_name(pieces[0])
    words = pieces[1].casefold().split()
    if not name or not 1 <= len(words) <= 4:
        return None, None
    agency = _agency_of(pieces[1])
    if agency is None and words[-1].strip(".") not in _ROLE_WORDS:
        return None, None
    return [name], agency


def _is_date(piece: str) -> bool:
    """ "5 days ago", "Tuesday", "25 November 2014", "12.29.14"."""
    words = piece.casefold().split()
    return bool(words) and (words[0][:1].isdigit() or words[0].strip(".,") in _AFTER_NAME)


def sign_off(paragraph: str) -> str | None:
    """A last paragraph that is a dash and a name ("-- Bryan Denson") -> the
    name; None for anything else ("— AFP", "—Warmly, Michael", "-- Bryan
    Denson is director of marketing")."""
    text = " ".join(paragraph[:MAX_NAME_CHARS].split())
    rest = text.lstrip("-–— ")
    if rest == text or len(text) - len(rest) > 4 or "," in rest:  # "—Warmly, Michael" signs a letter
        return None
    name = person_name(rest)
    return name if name and len(name.split()) == len(rest.split()) else None


# A dateline: PLACE[, Region][/PLACE2][, Date] [(Agency)] followed by a dash
# or a colon. The head of the paragraph is cut at its first dash, colon or
# closing bracket, and the pieces are checked one by one.
_DATELINE_END = re.compile(r"\)|\s?[–—]|\s?--|\s-\s|:\s")
# Capitals opening a paragraph that are a label, not a place.
_LABELS = {"UPDATE", "UPDATED", "BREAKING", "BREAKING NEWS", "WATCH", "EXCLUSIVE", "NOTE", "EDITOR'S NOTE",
           "EDITORS NOTE", "WARNING", "CORRECTION", "ANALYSIS", "OPINION", "LIVE", "VIDEO", "PHOTOS", "PHOTO",
           "READ", "READ MORE", "LISTEN", "SPOILER", "SPOILERS", "FILE", "ADVERTISEMENT", "ALERT", "FACT CHECK",
           "RELATED", "SEE ALSO", "ICYMI", "TRANSCRIPT", "SUMMARY", "UPDATE 1", "CLOSE", "MENU", "SHARE"}
_AGENCY_AT_END = re.compile(r"\(([^()]{1,40})\)$")
_MONTH = re.compile(
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s\d{1,2}"
    r"|\d{1,2}\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?", re.IGNORECASE)


def _place(text: str, capitals_only: bool) -> bool:
    """Is `text` a place name: one to four words, each starting with a capital
    (or all in capitals when `capitals_only`), "/" joining two places?"""
    for part in text.split("/"):
        words = part.split()
        if not 1 <= len(words) <= 4:
            return False
        for word in words:
            if not _WORD_OK.fullmatch(word.rstrip(".")) or not word[0].isupper():
                return False
            if capitals_only and any(c.islower() for c in word):
                return False
    return True


def find_dateline(paragraph: str) -> Dateline | None:
    """The dateline at the start of a paragraph, or None.

    "WASHINGTON (Reuters) - ..." -> Dateline("WASHINGTON", "Reuters", None);
    "KYIV, Ukraine, Dec. 1 (Reuters) -" -> place "KYIV, Ukraine", date
    "Dec. 1"; "NEW YORK — ..." -> no agency. A mention of "(Reuters)" later
    in a sentence is not a dateline: the place must open the paragraph.
    Without an agency, only a dash ends one, not a colon ("JAKE TAPPER:
    ..." in a transcript looks just like "NEW DELHI: ..."); "--" needs a
    space after it ("SIEGEL--Jerome Arthur, 98" is a death notice), and
    what follows a dash must not start in lower case ("ICYMI – this").
    """
    head = paragraph[:_DATELINE_HEAD].lstrip()
    end = _DATELINE_END.search(head)
    if not end:
        return None
    if end.group() == ")":
        # the agency's bracket; a dash or colon must follow it, or the
        # story's first word ("(CNN)The ...", "(PTI) The ...")
        stripped = head[end.end():].lstrip()
        if not (stripped[:1] in ("-", "–", "—", ":") or stripped[:1].isupper()):
            return None
        prefix = head[: end.end()]
    else:
        prefix = head[: end.start()]
        after = head[end.end():]
        if end.group().endswith("--") and after[:1] != " " or after.lstrip()[:1].islower():
            return None  # "SIEGEL--Jerome Arthur, 98", "ICYMI – this is"
    dashed = end.group().strip() != ":"
    prefix = prefix.strip()
    agency = None
    bracket = _AGENCY_AT_END.search(prefix)
    if bracket:
        agency = " ".join(bracket.group(1).split())
        prefix = prefix[: bracket.start()].strip()
        if not agency or not (agency_name(agency) or _place(agency, capitals_only=True)):
            return None
    if "(" in prefix or ")" in prefix or not prefix:
        return None
    if agency is None and not dashed:  # "NEW DELHI: ..." or "JAKE TAPPER: ..."
        return None
    parts = [p.strip() for p in prefix.split(",")]
    date = None
    if len(parts) > 1 and _MONTH.fullmatch(parts[-1]):
        date = parts.pop()
    if not 1 <= len(parts) <= 3 or len(parts[0].split()) > 3:
        return None
    known = agency is not None and agency_name(agency) is not None
    if not _place(parts[0], capitals_only=not known) or parts[0].upper() in _LABELS or len(parts[0]) < 2:
        return None
    # a region after the place: "Lebanon", "N.H.", "Indonesia/JAKARTA"; not
    # more words in capitals, which is a headline ("X FAVOR Y, BUT ...")
    if not all(_place(p, capitals_only=False) and not (len(p.split()) > 1 and p.isupper()) for p in parts[1:]):
        return None
    return Dateline(place=", ".join(parts), agency=agency, date=date)


def agency_in_brackets(paragraph: str) -> str | None:
    """ "(CNN) — ..." or "(Reuters) - ...": the agency credited at the start
    of a story that has no place in its dateline."""
    head = paragraph[:_DATELINE_HEAD].lstrip()
    if not head.startswith("("):
        return None
    close = head.find(")")
    if close < 0:
        return None
    return agency_name(head[1:close])


# Closing credit lines: "— AFP", "-- Reuters", "Copyright 2016 The
# Associated Press. All rights reserved.", "© 2016 Reuters".
_COPYRIGHT = re.compile(r"(?:copyright|©|\(c\))\s?(?:©\s?)?(?:\d{4}\s)?(?:by\s)?", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.,;]\s|[,;]|\.$")
_TRAILING_DASH = re.compile(r"[-–—]{1,2}\s?([^-–—]{2,40})$")


def closing_credit(paragraph: str) -> str | None:
    """A closing paragraph -> the agency it credits, or None: a line that
    is only an agency ("AFP", "— AFP"), a copyright line, or a dash and an
    agency ending the last paragraph ("... said. — AFP")."""
    text = " ".join(paragraph[-_CREDIT_LINE_CHARS:].split())
    whole = agency_name(text.strip("-–—() ."))
    if whole:
        return whole
    copyright_ = _COPYRIGHT.match(text)
    if copyright_:
        rest = _CLAUSE_END.split(text[copyright_.end():], maxsplit=1)[0]
        return _agency_of(rest)
    dash = _TRAILING_DASH.search(text)
    if dash:
        return agency_name(dash.group(1))
    return None


def split_names(value: str) -> list[str | None]:
    """An envelope's byline string ("By A, B and C, CNN", "A; B") -> the
    names, without a leading "By" and without affiliations; the pieces are
    trusted to be names (no shape check), but bounded: a piece longer than
    MAX_NAME_CHARS is not a name, and stands as None in the list."""
    text = " ".join(value[: MAX_AUTHORS * (MAX_NAME_CHARS + 8)].split())
    role = _ROLE_PREFIX.match(text)
    if role and not role.group(1):
        text = text[role.end():]
    names = []
    for piece in _SEPARATORS.split(text):
        piece = "".join(c for c in _without_addresses(piece) if c.isprintable())
        if len(piece) > MAX_NAME_CHARS:
            names.append(None)
            continue
        if not piece or _is_affiliation(piece) and not person_name(piece):
            continue
        piece = _title_case(piece)
        if piece not in names:
            names.append(piece)
    return names


def envelope_name(value: str) -> str | None:
    """One name from an envelope's list of authors -> the name with its
    spaces folded and control characters dropped, capitals title-cased;
    None when nothing is left or it is longer than MAX_NAME_CHARS."""
    text = " ".join(value[: 4 * MAX_NAME_CHARS].split())
    text = "".join(c for c in text if c.isprintable())
    if not text or len(text) > MAX_NAME_CHARS:
        return None
    return _title_case(text)
