"""Documents to stories: RSS/Atom feeds, IPTC ninjs, NewsML-G2, JSON
envelopes, HTML pages and plain text.

In: the bytes of one document, where it came from, its content type if
known. Out: a `Parsed` with the `Story`s it holds (a feed item without its
full text has `text` None and a `link` to fetch) and the items it had to
leave out, or a `DocumentError` when the document is unreadable as a whole.
Nothing here fetches: feedparser is handed bytes, never a URL.
"""
from __future__ import annotations

import calendar
import io
import json
import re
from dataclasses import dataclass, field

from ..news.articles import ArticleError, parse_time
from .html import ExtractError, extract_article, fragment_text

NAR = "{http://iptc.org/std/nar/2006-10-01/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# pubstatus values that withdraw a story rather than publish it
_WITHDRAWN = {"canceled", "cancelled", "withheld", "stat:canceled", "stat:withheld"}
_BY = re.compile(r"^\s*by\s+", re.IGNORECASE)
_ROOT = re.compile(rb"<([A-Za-z_][\w:.-]*)")


class DocumentError(ValueError):
    """A document that gives no story at all; `kind` for counters."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class Story:
    """One story as a source states it. `text` None: only `link`'s page
    has the text (`summary` is the feed's teaser, a last resort)."""

    id: str
    title: str | None = None
    text: str | None = None
    url: str | None = None
    link: str | None = None
    summary: str | None = None
    published_ms: int | None = None
    updated_ms: int | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    source: str | None = None


@dataclass
class Parsed:
    """The stories of one document, the (kind, message) of items left out,
    and notes worth one log line (a feed read leniently)."""

    stories: list[Story] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def sniff(data: bytes, content_type: str = "", name: str = "") -> str:
    """feed, newsml, json, html or text: what the document is, by its first
    bytes (content type and file name only break ties)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = head.lower()
    if head[:1] in (b"{", b"["):
        return "json"
    if head[:1] == b"<":
        # the root element decides (an XHTML body inside a NewsML item is no page)
        match = _ROOT.search(head)
        tag = match.group(1).split(b":")[-1].lower() if match else b""
        if tag in (b"newsitem", b"newsmessage"):
            return "newsml"
        if tag in (b"rss", b"rdf", b"feed", b"channel"):
            return "feed"
        if tag == b"html" or lower.startswith(b"<!doctype html"):
            return "html"
        return "html" if "html" in content_type or name.lower().endswith((".html", ".htm")) else "feed"
    if "json" in content_type or name.lower().endswith((".json", ".jsonl")):
        return "json"
    return "text"


def parse_document(data: bytes, location: str, content_type: str = "", name: str = "") -> Parsed:
    """Any supported document -> its stories. `location` is its URL or path."""
    kind = sniff(data, content_type, name or location)
    if kind == "feed":
        return parse_feed(data, location, content_type)
    if kind == "newsml":
        return parse_newsml(data, location)
    if kind == "json":
        return parse_json(data, location)
    if kind == "html":
        return parse_page(data, location)
    return parse_text(data, location)


# -- feeds ---------------------------------------------------------------

def parse_feed(data: bytes, location: str, content_type: str = "") -> Parsed:
    """RSS 0.9x/1.0/2.0 or Atom bytes -> stories (feedparser, no fetching)."""
    import xml.sax

    import feedparser

    headers = {"content-location": location}
    if content_type:
        headers["content-type"] = content_type
    # a file-like object: feedparser would fetch a string that looks like a URL
    feed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    out = Parsed()
    syntax = feed.get("bozo_exception") if feed.get("bozo") else None
    syntax = syntax if isinstance(syntax, xml.sax.SAXParseException) else None
    if not feed.get("version") and not feed.entries:
        why = f" ({_sax_message(syntax)})" if syntax else ""
        raise DocumentError("malformed", f"{location} is not an RSS or Atom feed{why}")
    if syntax is not None:
        if not any(e.get("link") or e.get("content") or e.get("summary") for e in feed.entries):
            raise DocumentError("malformed", f"malformed feed {location}: {_sax_message(syntax)}")
        out.notes.append(f"feed {location} is not well-formed XML ({_sax_message(syntax)}); read leniently")
    channel = feed.get("feed", {})
    source = _clean(channel.get("title")) or _host(location)
    language = channel.get("language") or None
    for number, entry in enumerate(feed.entries, 1):
        link = entry.get("link") or None
        ident = entry.get("id") or link
        title = _clean(entry.get("title"))
        text = _entry_text(entry)
        summary = fragment_text(entry.get("summary", "")) or None
        if not ident:
            if not (title or text):
                out.skipped.append(("no_text", f"{location}: item {number} has no id, link, title or text"))
                continue
            ident = _content_id(title or "", text or "")
        out.stories.append(Story(
            id=_global_id(ident, location),
            title=title,
            text=text,
            url=link,
            link=link,
            summary=summary if summary and summary != text else None,
            published_ms=_struct_ms(entry.get("published_parsed") or entry.get("updated_parsed")),
            updated_ms=_struct_ms(entry.get("updated_parsed")),
            authors=_entry_authors(entry),
            language=entry.get("language") or language,
            source=source,
        ))
    return out


def _sax_message(exc) -> str:
    return f"line {exc.getLineNumber()}, column {exc.getColumnNumber()}: {exc.getMessage()}"


def _entry_text(entry) -> str | None:
    """The full text a feed item carries (Atom content, content:encoded), or None."""
    best = ""
    for content in entry.get("content", []) or []:
        value = content.get("value", "")
        kind = content.get("type", "text/html")
        text = value.strip() if kind == "text/plain" else fragment_text(value)
        if len(text) > len(best):
            best = text
    return best or None


def _entry_authors(entry) -> tuple[str, ...]:
    names = [a.get("name", "") for a in entry.get("authors", []) or [] if isinstance(a, dict)]
    if not any(names) and entry.get("author"):
        names = [entry.get("author")]
    return _split_byline("; ".join(n for n in names if n))


def _struct_ms(value) -> int | None:
    """feedparser's UTC struct_time -> epoch milliseconds."""
    if not value:
        return None
    return calendar.timegm(value) * 1000


def _global_id(ident: str, location: str) -> str:
    """A feed's guid as an id unique beyond the feed: URIs (http:, urn:,
    tag:) stay as they are; a bare "42" is qualified by the feed."""
    ident = ident.strip()
    if re.match(r"^[a-z][a-z0-9+.-]*:", ident, re.IGNORECASE):
        return ident
    return f"{location}#{ident}"


# -- IPTC ninjs and JSON envelopes ---------------------------------------

def parse_json(data: bytes, location: str) -> Parsed:
    """ninjs 1.x/2.x documents (one, a list, or {"items": [...]}), or our own
    JSON envelopes, or JSON lines of either -> stories."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError("malformed", f"{location} is not UTF-8: {exc}") from exc
    try:
        values = [json.loads(text)]
    except ValueError:
        try:
            values = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as exc:
            raise DocumentError("malformed", f"{location} is not JSON: {exc}") from exc
    out = Parsed()
    for number, obj in enumerate(_json_items(values), 1):
        where = f"{location} item {number}"
        if not isinstance(obj, dict):
            out.skipped.append(("malformed", f"{where} is a {type(obj).__name__}, not an object"))
            continue
        try:
            story = _from_ninjs(obj, location) if _is_ninjs(obj) else _from_envelope(obj, location, number)
        except (ArticleError, TypeError, ValueError) as exc:
            out.skipped.append(("malformed", f"{where}: {exc}"))
            continue
        if story is None:
            out.skipped.append(("withdrawn", f"{where} is withdrawn (pubstatus)"))
            continue
        out.stories.append(story)
    return out


def _json_items(values):
    """Flatten lists and {"items": [...]} (each maybe {"item": {...}}) to objects."""
    for value in values:
        if isinstance(value, list):
            yield from _json_items(value)
        elif isinstance(value, dict) and isinstance(value.get("items"), list) and not _is_ninjs(value):
            yield from _json_items(value["items"])
        elif isinstance(value, dict) and isinstance(value.get("item"), dict) and len(value) <= 3:
            yield value["item"]
        elif isinstance(value, dict) and isinstance(value.get("data"), dict):
            yield from _json_items([value["data"]])
        else:
            yield value


def _is_ninjs(obj: dict) -> bool:
    return any(k in obj for k in ("uri", "body_text", "body_html", "bodies", "headlines", "versioncreated"))


def _from_ninjs(obj: dict, location: str) -> Story | None:
    """One ninjs object -> Story, field by field; None when withdrawn."""
    if str(obj.get("pubstatus", "usable")).lower() in _WITHDRAWN:
        return None
    headline = _string(obj.get("headline"))
    if headline is None and isinstance(obj.get("headlines"), list):
        headline = _pick_value(obj["headlines"])
    text = _string(obj.get("body_text"))
    if not text and obj.get("body_html"):
        text = fragment_text(_string(obj.get("body_html")) or "")
    if not text and isinstance(obj.get("bodies"), list):
        plain = [b for b in obj["bodies"] if isinstance(b, dict) and "html" not in str(b.get("contenttype", ""))]
        rich = [b for b in obj["bodies"] if isinstance(b, dict) and "html" in str(b.get("contenttype", ""))]
        text = _pick_value(plain) or fragment_text(_pick_value(rich) or "")
    uri = _string(obj.get("uri")) or _string(obj.get("guid"))
    if not uri:
        raise ValueError("ninjs document without uri")
    versioned = parse_time(obj.get("versioncreated"))
    first = parse_time(obj.get("firstcreated") or obj.get("contentcreated"))
    language = _string(obj.get("language"))
    byline = _string(obj.get("byline")) or _string(obj.get("by"))
    return Story(
        id=uri,
        title=headline,
        text=text or None,
        url=uri if uri.startswith(("http://", "https://")) else None,
        published_ms=first if first is not None else versioned,
        updated_ms=versioned,
        authors=_split_byline(byline),
        language=language,
        source=_string(obj.get("copyrightholder")) or _string(obj.get("provider")) or _host(location),
    )


def _pick_value(items: list) -> str | None:
    """The `value` of the item whose role is main (else the first)."""
    usable = [i for i in items if isinstance(i, dict) and isinstance(i.get("value"), str)]
    for item in usable:
        if str(item.get("role", "")).lower() in ("main", "hld:main", "bodytext"):
            return item["value"]
    return usable[0]["value"] if usable else None


def _from_envelope(obj: dict, location: str, number: int) -> Story:
    """Our own envelope (id, url, source, published, title, text) -> Story."""
    text = obj.get("text") or obj.get("body") or obj.get("content")
    if not isinstance(text, str):
        raise ValueError("neither a ninjs document nor an envelope with text")
    ident = _string(obj.get("id")) or f"{location}#{number}"
    authors = obj.get("authors")
    return Story(
        id=ident,
        title=_string(obj.get("title") or obj.get("headline")),
        text=text,
        url=_string(obj.get("url")),
        published_ms=parse_time(obj.get("published")),
        authors=tuple(a for a in authors if isinstance(a, str)) if isinstance(authors, list) else (),
        language=_string(obj.get("language")),
        source=_string(obj.get("source")) or _host(location),
    )


# -- NewsML-G2 -----------------------------------------------------------

def parse_newsml(data: bytes, location: str) -> Parsed:
    """A NewsML-G2 newsItem, or a newsMessage of them -> stories. Parsed with
    defusedxml: no DTD, no entities, nothing fetched."""
    from xml.etree.ElementTree import ParseError

    import defusedxml
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise DocumentError("unsafe_xml", f"{location}: refused ({type(exc).__name__}: {exc})") from exc
    except ParseError as exc:
        raise DocumentError("malformed", f"malformed XML in {location}: {exc}") from exc
    if root.tag == f"{NAR}newsItem":
        items = [root]
    elif root.tag == f"{NAR}newsMessage":
        items = root.findall(f"{NAR}itemSet/{NAR}newsItem")
    else:
        raise DocumentError("malformed", f"{location}: root element {root.tag} is not a NewsML-G2 newsItem")
    out = Parsed()
    for number, item in enumerate(items, 1):
        try:
            story = _from_news_item(item, location)
        except (ArticleError, ValueError) as exc:
            out.skipped.append(("malformed", f"{location} newsItem {number}: {exc}"))
            continue
        if story is None:
            out.skipped.append(("withdrawn", f"{location} newsItem {number} is withdrawn (pubStatus)"))
            continue
        out.stories.append(story)
    return out


def _from_news_item(item, location: str) -> Story | None:
    from xml.etree.ElementTree import tostring

    guid = item.get("guid")
    if not guid:
        raise ValueError("newsItem without guid")
    meta = item.find(f"{NAR}itemMeta")
    content = item.find(f"{NAR}contentMeta")
    status = meta.find(f"{NAR}pubStatus") if meta is not None else None
    if status is not None and status.get("qcode", "").lower() in _WITHDRAWN:
        return None
    versioned = parse_time(_text_of(meta, "versionCreated"))
    first = parse_time(_text_of(meta, "firstCreated") or _text_of(content, "contentCreated"))
    headline = None
    if content is not None:
        headlines = content.findall(f"{NAR}headline")
        main = [h for h in headlines if h.get("role", "hld:main") in ("hld:main", "main")]
        chosen = (main or headlines or [None])[0]
        headline = " ".join("".join(chosen.itertext()).split()) if chosen is not None else None
    bylines = [" ".join("".join(b.itertext()).split()) for b in (content.findall(f"{NAR}by") if content is not None else [])]
    if not any(bylines) and content is not None:
        bylines = [_text_of(c, "name") or "" for c in content.findall(f"{NAR}creator")]
    language = None
    if content is not None and content.find(f"{NAR}language") is not None:
        language = content.find(f"{NAR}language").get("tag")
    language = language or item.get(XML_LANG)
    text = ""
    for inline in item.findall(f"{NAR}contentSet/{NAR}inlineXML"):
        markup = "".join(tostring(child, encoding="unicode") for child in inline)
        # namespaced XHTML/NITF tags -> plain names, so the fragment reader knows its blocks
        markup = re.sub(r"<(/?)(?:ns\d+:|[\w]+:)?", r"<\1", markup)
        text = fragment_text(markup)
        if text:
            break
    if not text:
        for inline in item.findall(f"{NAR}contentSet/{NAR}inlineData"):
            text = (inline.text or "").strip()
            if text:
                break
    link = guid if guid.startswith(("http://", "https://")) else None
    provider = meta.find(f"{NAR}provider") if meta is not None else None
    provider = (provider.get("literal") or provider.get("qcode")) if provider is not None else None
    return Story(
        id=guid,
        title=headline or None,
        text=text or None,
        url=link,
        published_ms=first if first is not None else versioned,
        updated_ms=versioned,
        authors=_split_byline("; ".join(b for b in bylines if b)),
        language=language,
        source=provider or _host(location),
    )


def _text_of(parent, name: str) -> str | None:
    if parent is None:
        return None
    node = parent.find(f"{NAR}{name}")
    return node.text.strip() if node is not None and node.text and node.text.strip() else None


# -- pages and plain text ------------------------------------------------

def parse_page(data: bytes, location: str) -> Parsed:
    """One HTML page that is a story -> a Story (its URL or path the id)."""
    try:
        page = extract_article(data, url=location if "://" in location else None)
    except ExtractError as exc:
        raise DocumentError(exc.kind, f"{location}: {exc}") from exc
    return Parsed([Story(id=location, title=page.title, text=page.text,
                         url=location if location.startswith(("http://", "https://")) else None,
                         published_ms=_iso_ms(page.published), authors=page.authors, language=page.language,
                         source=_host(location))])


def parse_text(data: bytes, location: str) -> Parsed:
    """Plain UTF-8 text: the first non-empty line is the title."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError("malformed", f"{location} is neither a known format nor UTF-8 text") from exc
    lines = text.strip().split("\n", 1)
    title = lines[0].strip() if lines and lines[0].strip() else None
    body = lines[1].strip() if len(lines) > 1 else ""
    if not body:
        raise DocumentError("no_text", f"{location} has no text after its title line")
    return Parsed([Story(id=location, title=title, text=body, source=_host(location))])


# -- helpers -------------------------------------------------------------

def _iso_ms(value: str | None) -> int | None:
    try:
        return parse_time(value)
    except ArticleError:
        return None


def _string(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _split_byline(byline: str | None) -> tuple[str, ...]:
    """'By Jane Doe and John Roe' -> ('Jane Doe', 'John Roe')."""
    if not byline:
        return ()
    names = []
    for part in re.split(r";|,|\band\b|&", _BY.sub("", byline)):
        name = _BY.sub("", part).strip()
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _host(location: str) -> str:
    from urllib.parse import urlsplit

    if "://" in location:
        return urlsplit(location).hostname or location
    return location


def _content_id(title: str, text: str) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(f"{title}\n{text}".encode("utf-8")).hexdigest()[:32]
