"""Documents to stories, safely; the seen-once store; limits of the fetcher
(no broker needed here)."""
import gzip
import json

import pytest

from pipeline.dev.feeds import STORIES, FeedServer, newsml
from pipeline.ingest.documents import DocumentError, parse_document, parse_feed, parse_json, parse_newsml, sniff
from pipeline.ingest.fetch import FetchError, Fetcher, Limits, _gunzip
from pipeline.ingest.html import ExtractError, extract_article, fragment_text
from pipeline.ingest.state import SeenStore, content_hash

ENTITY_BOMB = """<!DOCTYPE {root} [
<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY secret SYSTEM "file:///etc/hostname">
]>"""


def test_rss_091_with_its_doctype_and_latin_1():
    data = ("""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old wire</title><link>http://old.test/</link><description>d</description>
<language>en</language><item><title>Caf\u00e9 opens</title><link>http://old.test/cafe</link>
<description>A caf\u00e9 opened in the old town.</description></item></channel></rss>""").encode("latin-1")
    [story] = parse_document(data, "http://old.test/rss.xml").stories
    assert (story.title, story.link, story.text, story.summary, story.source, story.language) == \
        ("Caf\u00e9 opens", "http://old.test/cafe", None, "A caf\u00e9 opened in the old town.", "Old wire", "en")


def test_a_feed_with_entities_expands_nothing_and_reads_no_file():
    data = ('<?xml version="1.0"?>\n' + ENTITY_BOMB.format(root="rss") +
            '<rss version="2.0"><channel><title>t</title><item><title>&e;</title><link>http://x.test/1</link>'
            '<description>&secret;</description></item></channel></rss>').encode()
    parsed = parse_feed(data, "http://x.test/feed")
    for story in parsed.stories:
        assert len(story.title or "") < 100 and "\n" not in (story.summary or "")


@pytest.mark.parametrize("root", ["newsItem"])
def test_newsml_with_entities_is_refused(root):
    data = ('<?xml version="1.0"?>\n' + ENTITY_BOMB.format(root=root) +
            '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x"><contentMeta>'
            '<headline>&e;</headline></contentMeta></newsItem>').encode()
    with pytest.raises(DocumentError) as caught:
        parse_newsml(data, "bomb.xml")
    assert caught.value.kind == "unsafe_xml"


def test_a_news_message_with_a_withdrawn_item():
    item = newsml(STORIES[0]).split("?>", 1)[1]
    withdrawn = item.replace("stat:usable", "stat:canceled").replace(STORIES[0].slug, "gone")
    data = (f'<?xml version="1.0"?><newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header/><itemSet>'
            f'{item}{withdrawn}</itemSet></newsMessage>').encode()
    parsed = parse_document(data, "wire.xml")
    assert [s.id for s in parsed.stories] == [f"urn:newsml:loopback.test:2026:{STORIES[0].slug}"]
    assert parsed.stories[0].text == STORIES[0].text and parsed.stories[0].authors == (STORIES[0].author,)
    assert [kind for kind, _ in parsed.skipped] == ["withdrawn"]


def test_malformed_newsml_is_a_document_error():
    with pytest.raises(DocumentError) as caught:
        parse_document(b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="x"><contentMeta>', "x.xml")
    assert caught.value.kind == "malformed"


def test_ninjs_shapes():
    lines = "\n".join(json.dumps(d) for d in [
        {"uri": "urn:a", "headlines": [{"role": "sub", "value": "Sub"}, {"role": "main", "value": "Main"}],
         "bodies": [{"contenttype": "text/html", "value": "<p>One.</p><p>Two.</p>"}],
         "by": "By Ann Lee and Bo Chan", "versioncreated": "2026-11-20T10:00:00+01:00", "language": "sv"},
        {"id": "env-1", "title": "An envelope", "text": "Plain text.", "published": "2026-11-20T09:00:00Z"},
    ])
    parsed = parse_json(lines.encode(), "wire.jsonl")
    first, second = parsed.stories
    assert (first.id, first.title, first.text, first.authors, first.language, first.published_ms) == \
        ("urn:a", "Main", "One.\n\nTwo.", ("Ann Lee", "Bo Chan"), "sv", 1795165200000)  # 2026-11-20T09:00:00Z
    assert (second.id, second.title, second.text) == ("env-1", "An envelope", "Plain text.")
    with pytest.raises(DocumentError):
        parse_json(b"{not json", "bad.json")


@pytest.mark.parametrize("data, kind", [
    (b'<?xml version="1.0"?><rss version="2.0">', "feed"),
    (b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
    (b'<rdf:RDF xmlns:rdf="x">', "feed"),
    (b'<?xml version="1.0"?><newsItem><contentSet><inlineXML><html>', "newsml"),
    (b"<!DOCTYPE html><html><body>", "html"),
    (b'  {"uri": "x"}', "json"),
    (b"Title\n\nBody", "text"),
])
def test_sniff(data, kind):
    assert sniff(data) == kind


def test_fragment_text_keeps_paragraphs_and_drops_scripts():
    html = "<div><p>One <b>bold</b> line.</p><script>x()</script><p>Two&nbsp;here<br>and there.</p></div>"
    assert fragment_text(html) == "One bold line.\n\nTwo here\nand there."
    assert fragment_text("Plain &amp; simple") == "Plain & simple"


def test_a_page_of_links_is_not_an_article():
    links = "".join(f"<li><a href='/{n}'>Headline number {n} of the day</a></li>" for n in range(30))
    with pytest.raises(ExtractError) as caught:
        extract_article(f"<html><body><h1>Latest</h1><ul>{links}</ul></body></html>")
    assert caught.value.kind == "not_article"


def test_the_store_remembers_and_forgets():
    now = [1_000_000.0]
    store = SeenStore(None, horizon_s=100, clock=lambda: now[0])
    digest = content_hash("T", "Text.")
    assert store.verdict("a", "http://x/a", digest, 5) == "new"
    store.remember("a", "http://x/a", digest, 5)
    assert store.verdict("a", "http://x/a", digest, 5) == "same"
    assert store.verdict("a", "http://x/a", digest, 6) == "updated"  # a newer updated time
    assert store.verdict("a", "http://x/a", content_hash("T", "Text, changed."), 5) == "updated"
    assert store.verdict("b", "http://x/b", digest, None) == "copy"  # the same words under another id
    assert store.unchanged_since("a", None, 5) and not store.unchanged_since("a", None, 6)
    now[0] += 101
    assert store.forget_old() == 1 and store.verdict("a", None, digest, 5) == "new"


def test_gzip_bombs_are_cut_at_the_limit():
    body = gzip.compress(b"0" * 10_000_000)
    with pytest.raises(FetchError) as caught:
        _gunzip(body, 1_000_000, "http://x.test/")
    assert caught.value.kind == "too_large"
    assert _gunzip(gzip.compress(b"small"), 1_000, "http://x.test/") == b"small"


def test_fetch_validators_and_limits():
    with FeedServer(slow_seconds=2.0) as site:
        fetcher = Fetcher(Limits(read_timeout=0.5, host_gap=0, max_bytes=1_000_000))
        first = fetcher.get(site.url("/rss2-full.xml"))
        assert first.status == 200 and first.headers["etag"]
        again = fetcher.get(site.url("/rss2-full.xml"), etag=first.headers["etag"])
        assert again.status == 304 and again.body == b""
        since = fetcher.get(site.url("/rss2-full.xml"), modified=first.headers["last-modified"])
        assert since.status == 304
        for path, kind in [("/bad/slow.html", "timeout"), ("/bad/trickle.html", "timeout"), ("/bad/huge-undeclared.html", "too_large"),
                           ("/bad/loop-a.html", "redirects"), ("/bad/missing.html", "status")]:
            with pytest.raises(FetchError) as caught:
                fetcher.get(site.url(path))
            assert caught.value.kind == kind, path
        with pytest.raises(FetchError) as caught:
            fetcher.get("file:///etc/hostname")
        assert caught.value.kind == "url"
