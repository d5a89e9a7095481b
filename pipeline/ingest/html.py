"""HTML to article text.

In: a whole page (`extract_article`) or a fragment that is already the
story, such as a feed's content:encoded (`fragment_text`). Out: plain text,
one paragraph per block, paragraphs separated by a blank line, or an
`ExtractError` saying why there is no article. Pages go through trafilatura
(see evaluation/extractors.py for how it compares); fragments need no
boilerplate removal, only structure, so lxml reads them directly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Below this many characters of prose (paragraphs of sentences), what an
# extractor kept from a page is a teaser, a cookie notice or a list of
# links, not a story. On the newspaper3k pages, 128 of 131 articles pass.
MIN_ARTICLE_CHARS = 120

_BLOCKS = {"p", "div", "section", "article", "blockquote", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr",
           "dd", "dt", "figcaption", "header", "footer", "ul", "ol", "table"}
_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "form", "button", "nav"}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


class ExtractError(ValueError):
    """No article text in the HTML; `kind` is `not_article` or `malformed`."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class PageArticle:
    """What a page gave: text, and the metadata the page itself states."""

    text: str
    title: str | None = None
    published: str | None = None  # ISO date or date-time, as the page says
    authors: tuple[str, ...] = ()
    language: str | None = None


def fragment_text(html: str) -> str:
    """An HTML fragment -> text with one paragraph per block element."""
    import lxml.html
    from lxml import etree

    if not html or not html.strip():
        return ""
    if "<" not in html:  # plain text with entities at most
        return _tidy(lxml.html.fromstring(f"<p>{html}</p>").text_content())
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    parts: list[str] = []
    _walk(root, parts)
    return _tidy("".join(parts))


def _walk(node, parts: list[str]) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in _SKIP:
        # a skipped element's tail is still text of its parent
        parts.append(node.tail or "")
        return
    block = tag in _BLOCKS
    if block:
        parts.append("\n\n")
    if tag == "br":
        parts.append("\n")
    parts.append(node.text or "")
    for child in node:
        _walk(child, parts)
    if block:
        parts.append("\n\n")
    parts.append(node.tail or "")


def _tidy(text: str) -> str:
    """Collapse runs of spaces, trim lines, at most one blank line between paragraphs."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    out, blank = [], False
    for line in lines:
        if not line:
            blank = bool(out)
            continue
        if blank:
            out.append("")
        out.append(line)
        blank = False
    return "\n".join(out).strip()


def _folded(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _is_prose(block: str) -> bool:
    """A paragraph of sentences, not a link label, menu entry or headline
    (a section front yields only those). Long blocks without spaces count
    too: Chinese, Japanese and Thai write sentences without them."""
    if re.search(r"[\u3002\uff01\uff1f]", block):
        return len(block) >= 20
    if len(block.split()) < 10:
        return False
    return re.search(r"[.!?\"\u201d\u2019)]\s|[.!?\"\u201d)]$", block) is not None


def extract_article(html: bytes | str, url: str | None = None, min_chars: int = MIN_ARTICLE_CHARS) -> PageArticle:
    """A whole page -> its article text and metadata, via trafilatura.
    Raises ExtractError when the page holds no article."""
    import warnings

    import trafilatura

    try:
        with warnings.catch_warnings():
            # dateutil warns about every unknown zone name a page states ("EST"): page noise, not ours
            warnings.simplefilter("ignore")
            doc = trafilatura.bare_extraction(html, url=url, include_comments=False, include_tables=False,
                                              include_images=False, include_links=False, with_metadata=True,
                                              # its cache is process-wide: in a long run it would strip a
                                              # paragraph because another story had it
                                              deduplicate=False)
    except (ValueError, TypeError) as exc:  # trafilatura raises these on input lxml cannot read
        raise ExtractError("malformed", f"cannot read the page: {exc}") from exc
    text = (doc.text if doc is not None else None) or ""
    # trafilatura puts one block per line; the envelope separates paragraphs by a blank line
    blocks = [line.strip() for line in text.split("\n") if line.strip()]
    title = doc.title if doc is not None else None
    if blocks and title and _folded(blocks[0]) == _folded(title):
        blocks = blocks[1:]  # the page's own headline: the envelope carries it as the title
    text = "\n\n".join(blocks)
    prose = sum(len(b) for b in blocks if _is_prose(b))
    if prose < min_chars:
        found = f"{prose} characters of prose in {len(text)} of text" if text else "no text"
        raise ExtractError("not_article", f"not an article: {found} after removing the page furniture")
    authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
    return PageArticle(text=text, title=doc.title or None, published=doc.date or None, authors=authors,
                       language=doc.language or None)
