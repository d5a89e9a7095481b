"""A news site on 127.0.0.1 for `ingest`'s tests and `make demo`.

`FeedServer` serves, on an ephemeral loopback port, sample stories written
for this project as RSS 2.0, RSS 1.0 and Atom feeds (with full text, and with
links to article pages full of furniture: navigation, a cookie banner, ads,
"Read more" asides, a footer), an IPTC ninjs feed and a NewsML-G2 newsItem,
plus the hostile cases under /bad/ (a slow server, one that trickles, a 404, a redirect loop, a
20 MB page, an image, malformed XML, a page that is no article) and, for
each, a feed whose second item links to it. Every answer has an ETag and a
Last-Modified and honours If-None-Match / If-Modified-Since with a 304.
`put()` changes or adds a resource while it runs; `hits` counts requests.

`python -m pipeline.dev.feeds` serves until Ctrl-C and prints the URLs.
"""
from __future__ import annotations

import calendar
import hashlib
import html
import json
import sys
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = "127.0.0.1"
SITE = "Loopback Gazette"
HUGE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class SampleStory:
    slug: str
    title: str
    author: str
    published: str  # ISO-8601, UTC
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


STORIES = (
    SampleStory(
        "harbour-bridge", "Harbour bridge reopens after two years of repairs", "Mara Lindqvist",
        "2026-11-20T09:30:00Z",
        ("The old harbour bridge reopened to traffic on Friday morning, two years after engineers found cracks in "
         "three of its steel girders and closed it to everything heavier than a bicycle.",
         "\"We replaced every bolt we could reach and a few we could not,\" said Ingrid Palm, the city's chief "
         "engineer, as the first bus rolled across to applause from a small crowd on the quay.",
         "The repairs cost 41 million euros, about a third more than the council budgeted in 2024. Councillors "
         "from the opposition said the overrun showed the project had been planned in a hurry.",
         "Ferry operators, who carried twice their usual number of passengers while the bridge was shut, said "
         "they expected to cut two of their evening crossings from January."),
    ),
    SampleStory(
        "orchard-frost", "Late frost wipes out half of valley's apple blossom", "Tomas Eriksen",
        "2026-11-19T06:15:00Z",
        ("Growers in the Aster valley lost about half of this season's apple blossom after temperatures fell to "
         "minus four degrees on two consecutive nights, the regional farmers' union said on Thursday.",
         "\"You cannot fight a frost like that with candles and fans,\" said Petra Holm, who farms 30 hectares "
         "near the river. \"We lit everything we had and still watched the flowers turn brown.\"",
         "The union asked the agriculture ministry to bring forward disaster payments, which usually arrive only "
         "after the harvest has been weighed in the autumn.",
         "A ministry spokesman said officials would visit the valley next week to assess the damage before "
         "deciding whether the losses met the threshold for emergency aid."),
    ),
    SampleStory(
        "library-night", "City library to stay open until midnight during exams", "Jonas Berg",
        "2026-11-18T14:00:00Z",
        ("The central library will stay open until midnight for the four weeks of the university exam period, "
         "the culture department announced on Wednesday, after students collected 6,000 signatures.",
         "Head librarian Agnes Ward said the extra hours would be staffed by volunteers and two security guards, "
         "and that the cafe on the ground floor would serve coffee until eleven.",
         "\"Half of our students share a room with two or three people,\" said Samir Okafor, who started the "
         "petition. \"A quiet desk at ten in the evening is the difference between passing and failing.\"",
         "The department said it would decide in February whether to keep the late hours for the summer exams."),
    ),
    SampleStory(
        "wind-auction", "Offshore wind auction draws record bids", "Lena Virtanen",
        "2026-11-17T11:45:00Z",
        ("An auction for three offshore wind sites drew eleven bids, the most ever for a single round, the "
         "energy regulator said on Tuesday, as developers compete for the last shallow-water areas in the bay.",
         "The regulator's director, Henrik Sand, said the winning bids would be announced in December and that "
         "the sites could supply power to about 900,000 homes once built.",
         "Fishing associations said they had not been consulted on the cable routes and would challenge the "
         "decision in court if the routes crossed their main spawning grounds.",
         "Analysts said the number of bids showed that falling turbine prices had revived interest after two "
         "years in which several projects were cancelled."),
    ),
    SampleStory(
        "museum-fossil", "Schoolchildren find fossil fish in museum's car park", "Oskar Nilsen",
        "2026-11-16T08:00:00Z",
        ("A class of ten-year-olds on a museum trip found a fossil fish in a slab of limestone that had been "
         "used as an edging stone in the museum's own car park for more than forty years.",
         "\"They were bored waiting for the bus, so they started looking at the stones,\" said their teacher, "
         "Clara Dahl. \"One of them shouted that a stone had a skeleton in it.\"",
         "The museum's curator of palaeontology, Erik Lund, said the fish was about 150 million years old and "
         "belonged to a species the museum had no specimen of until now.",
         "The slab has been lifted and will go on display in the spring, with the names of the pupils on the "
         "label."),
    ),
)
UPDATED_PARAGRAPH = ("Update: the council said on Saturday that a weight limit of 30 tonnes would apply to the "
                     "bridge until a final inspection in March.")


# -- documents -------------------------------------------------------------

def _rfc822(iso: str) -> str:
    return formatdate(calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")), usegmt=True)


def _html_paragraphs(story: SampleStory) -> str:
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in story.paragraphs)


def article_page(story: SampleStory, base: str) -> str:
    """A page with the story and the furniture extractors must drop."""
    others = "".join(f'<li><a href="{base}/articles/{s.slug}.html">{html.escape(s.title)}</a></li>'
                     for s in STORIES if s.slug != story.slug)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(story.title)} | {SITE}</title>
<meta property="og:title" content="{html.escape(story.title)}">
<meta name="author" content="{html.escape(story.author)}">
<meta property="article:published_time" content="{story.published}">
<script>window.dataLayer = [];</script><style>.ad {{ color: red }}</style>
</head><body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience and to show you
personalised advertising. <button>Accept all cookies</button> <a href="{base}/privacy">Manage preferences</a></div>
<header class="site-header"><a class="logo" href="{base}/">{SITE}</a>
<nav class="main-nav"><ul><li><a href="{base}/news">News</a></li><li><a href="{base}/world">World</a></li>
<li><a href="{base}/business">Business</a></li><li><a href="{base}/sport">Sport</a></li>
<li><a href="{base}/subscribe">Subscribe</a></li></ul></nav></header>
<div class="ad ad-banner">Advertisement: Spring sale on garden furniture, up to 70% off. Shop now!</div>
<main><article class="story">
<h1>{html.escape(story.title)}</h1>
<p class="byline">By <span class="author">{html.escape(story.author)}</span>,
<time datetime="{story.published}">{story.published[:10]}</time></p>
<div class="story-body">{_html_paragraphs(story)}</div>
<div class="share">Share this story: <a href="{base}/share/fb">Facebook</a> <a href="{base}/share/x">X</a>
<a href="{base}/share/mail">Email</a></div>
</article>
<aside class="read-more"><h2>Read more</h2><ul>{others}</ul></aside>
<div class="newsletter">Sign up for our morning newsletter and never miss a story.
<form><input type="email"><button>Sign up</button></form></div>
</main>
<footer class="site-footer"><p>&copy; 2026 {SITE}. All rights reserved.</p>
<ul><li><a href="{base}/terms">Terms of use</a></li><li><a href="{base}/privacy">Privacy policy</a></li>
<li><a href="{base}/contact">Contact us</a></li></ul></footer>
</body></html>"""


def not_article_page(base: str) -> str:
    """A section front: links and furniture, no story."""
    links = "".join(f'<li><a href="{base}/articles/{s.slug}.html">{html.escape(s.title)}</a></li>' for s in STORIES)
    return f"""<!DOCTYPE html><html><head><title>News | {SITE}</title></head><body>
<nav><a href="{base}/">Home</a> <a href="{base}/news">News</a></nav>
<h1>Latest news</h1><ul>{links}</ul>
<footer>&copy; 2026 {SITE}. All rights reserved.</footer></body></html>"""


def rss2(base: str, stories, full_text: bool, title: str = f"{SITE} - top stories") -> str:
    items = []
    for s in stories:
        link = f"{base}/articles/{s.slug}.html"
        body = (f"<content:encoded><![CDATA[{_html_paragraphs(s)}]]></content:encoded>" if full_text else "")
        items.append(f"""<item><title>{html.escape(s.title)}</title><link>{link}</link>
<guid isPermaLink="true">{link}</guid><pubDate>{_rfc822(s.published)}</pubDate>
<dc:creator>{html.escape(s.author)}</dc:creator>
<description>{html.escape(s.paragraphs[0][:90])}...</description>{body}</item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>{html.escape(title)}</title><link>{base}/</link><description>Sample feed</description>
<language>en</language>{''.join(items)}</channel></rss>"""


def rss1(base: str, stories) -> str:
    seq = "".join(f'<rdf:li rdf:resource="{base}/articles/{s.slug}.html"/>' for s in stories)
    items = "".join(f"""<item rdf:about="{base}/articles/{s.slug}.html"><title>{html.escape(s.title)}</title>
<link>{base}/articles/{s.slug}.html</link><description>{html.escape(s.paragraphs[0][:80])}...</description>
<dc:date>{s.published}</dc:date><dc:creator>{html.escape(s.author)}</dc:creator></item>""" for s in stories)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="{base}/rss1.rdf"><title>{SITE} (RSS 1.0)</title><link>{base}/</link>
<description>Sample RSS 1.0 feed</description><items><rdf:Seq>{seq}</rdf:Seq></items></channel>{items}</rdf:RDF>"""


def atom(base: str, stories, full_text: bool, updated: dict | None = None) -> str:
    updated = updated or {}
    entries = []
    for s in stories:
        link = f"{base}/articles/{s.slug}.html"
        when = updated.get(s.slug, s.published)
        body = (f'<content type="html">{html.escape(_html_paragraphs(s))}</content>' if full_text
                else f"<summary>{html.escape(s.paragraphs[0][:90])}...</summary>")
        entries.append(f"""<entry><title>{html.escape(s.title)}</title><id>tag:loopback.test,2026:{s.slug}</id>
<link rel="alternate" href="{link}"/><published>{s.published}</published><updated>{when}</updated>
<author><name>{html.escape(s.author)}</name></author>{body}</entry>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{SITE} (Atom)</title><id>tag:loopback.test,2026:feed</id>
<updated>2026-11-20T10:00:00Z</updated><link rel="self" href="{base}/atom.xml"/>{''.join(entries)}</feed>"""


def ninjs(stories) -> str:
    """A ninjs feed: the first story as ninjs 1.x, the others as ninjs 2.0."""
    docs = []
    for n, s in enumerate(stories):
        if n == 0:
            docs.append({"uri": f"urn:loopback:ninjs:{s.slug}", "type": "text", "version": "1", "language": "en",
                         "headline": s.title, "byline": f"By {s.author}", "firstcreated": s.published,
                         "versioncreated": s.published, "pubstatus": "usable",
                         "body_html": _html_paragraphs(s)})
        else:
            docs.append({"uri": f"urn:loopback:ninjs:{s.slug}", "type": "text", "language": "en",
                         "headlines": [{"role": "main", "value": s.title}], "by": s.author,
                         "firstcreated": s.published, "versioncreated": s.published,
                         "bodies": [{"role": "main", "contenttype": "text/plain", "value": s.text}]})
    docs.append({"uri": "urn:loopback:ninjs:withdrawn", "type": "text", "headline": "Withdrawn story",
                 "pubstatus": "canceled", "body_text": "This story was withdrawn."})
    return json.dumps({"items": docs}, indent=1)


def newsml(story: SampleStory) -> str:
    """One NewsML-G2 newsItem with an XHTML body."""
    body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in story.paragraphs)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:newsml:loopback.test:2026:{story.slug}"
 version="1" standard="NewsML-G2" standardversion="2.33" conformance="power" xml:lang="en">
 <catalogRef href="http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_38.xml"/>
 <itemMeta><itemClass qcode="ninat:text"/><provider literal="{SITE}"/>
  <versionCreated>{story.published}</versionCreated><firstCreated>{story.published}</firstCreated>
  <pubStatus qcode="stat:usable"/></itemMeta>
 <contentMeta><contentCreated>{story.published}</contentCreated>
  <creator><name>{html.escape(story.author)}</name></creator><language tag="en"/>
  <headline>{html.escape(story.title)}</headline><by>By {html.escape(story.author)}</by></contentMeta>
 <contentSet><inlineXML contenttype="application/xhtml+xml">
  <html xmlns="http://www.w3.org/1999/xhtml"><head><title>{html.escape(story.title)}</title></head>
  <body>{body}</body></html></inlineXML></contentSet>
</newsItem>"""


MALFORMED_FEED = (b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Broken</title>'
                  b'<item><title>Unclosed <b>item</title>\n<item><<<</channel>')
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
# hostile cases: name -> path of the bad resource
BAD = {
    "slow": "/bad/slow.html",
    "missing": "/bad/missing.html",
    "redirect_loop": "/bad/loop-a.html",
    "huge": "/bad/huge.html",
    "huge_undeclared": "/bad/huge-undeclared.html",
    "image": "/bad/image.png",
    "malformed": "/bad/malformed.xml",
    "not_article": "/bad/not-article.html",
}


# -- the server --------------------------------------------------------------

@dataclass
class Resource:
    body: bytes
    content_type: str
    modified: float  # epoch seconds, for Last-Modified


class FeedServer:
    """The sample site on 127.0.0.1:<ephemeral port>; a context manager.
    `slow_seconds` is how long /bad/slow* waits before answering."""

    def __init__(self, slow_seconds: float = 5.0):
        self.slow_seconds = slow_seconds
        self.hits: dict[str, int] = {}
        self._resources: dict[str, Resource] = {}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base = ""

    # -- content ---
    def url(self, path: str) -> str:
        return self.base + path

    def put(self, path: str, body: bytes | str, content_type: str) -> None:
        """Serve `body` at `path` from now on (a new ETag and Last-Modified)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self._resources[path] = Resource(data, content_type, time.time())

    def _populate(self) -> None:
        base = self.base
        xml, rss, atom_type = "application/xml", "application/rss+xml", "application/atom+xml"
        for s in STORIES:
            self.put(f"/articles/{s.slug}.html", article_page(s, base), "text/html; charset=utf-8")
        self.put("/rss2-full.xml", rss2(base, STORIES[:2], True), rss)
        self.put("/rss2-links.xml", rss2(base, STORIES[2:4], False), rss)
        self.put("/rss1.rdf", rss1(base, STORIES[4:]), "application/rdf+xml")
        self.put("/atom-full.xml", atom(base, STORIES[:2], True), atom_type)
        self.put("/atom-links.xml", atom(base, STORIES[2:], False), atom_type)
        self.put("/ninjs.json", ninjs(STORIES[1:4]), "application/json")
        self.put("/newsml.xml", newsml(STORIES[0]), xml)
        self.put("/bad/missing-feed.xml", b"", xml)  # replaced by a 404 below
        self.put(BAD["image"], PNG, "image/png")
        self.put(BAD["malformed"], MALFORMED_FEED, xml)
        self.put(BAD["not_article"], not_article_page(base), "text/html; charset=utf-8")
        for case, path in BAD.items():
            # one good story and one whose page is the bad case
            good = STORIES[0]
            items = f"""<item><title>{html.escape(good.title)}</title><link>{base}/articles/{good.slug}.html</link>
<guid>{base}/articles/{good.slug}.html</guid><pubDate>{_rfc822(good.published)}</pubDate></item>
<item><title>Bad case {case}</title><link>{base}{path}</link><guid>{base}{path}</guid>
<pubDate>{_rfc822(good.published)}</pubDate></item>"""
            self.put(f"/bad/feed-{case}.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Bad case {case}</title><link>{base}/</link><description>x</description>
{items}</channel></rss>""", rss)

    # -- life ---
    def start(self) -> "FeedServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # the test output stays readable
                pass

            def do_GET(self):
                server._answer(self)

        self._httpd = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self._httpd.daemon_threads = True  # a handler sleeping for /bad/slow does not hold up stop()
        self.base = f"http://{LOOPBACK}:{self._httpd.server_address[1]}"
        self._populate()
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="feed-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "FeedServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?")[0]
        with self._lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            resource = self._resources.get(path)
        try:
            if path.startswith("/bad/slow"):
                time.sleep(self.slow_seconds)
                return self._send(request, 200, b"<html><body><p>late</p></body></html>", "text/html")
            if path == "/bad/trickle.html":
                return self._trickle(request)
            if path == "/bad/loop-a.html":
                return self._redirect(request, "/bad/loop-b.html")
            if path == "/bad/loop-b.html":
                return self._redirect(request, "/bad/loop-a.html")
            if path == "/bad/huge.html":
                return self._huge(request, declared=True)
            if path == "/bad/huge-undeclared.html":
                return self._huge(request, declared=False)
            if resource is None or path.startswith("/bad/missing"):
                return self._send(request, 404, b"<html><body>Not found</body></html>", "text/html")
            etag = '"' + hashlib.sha1(resource.body).hexdigest()[:16] + '"'
            modified = formatdate(resource.modified, usegmt=True)
            since = request.headers.get("If-Modified-Since")
            if request.headers.get("If-None-Match") == etag or (
                    since and "If-None-Match" not in request.headers and _not_after(resource.modified, since)):
                return self._send(request, 304, b"", None, {"ETag": etag, "Last-Modified": modified})
            return self._send(request, 200, resource.body, resource.content_type,
                              {"ETag": etag, "Last-Modified": modified})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a limit or a timeout on its side): what the bad cases are for

    def _send(self, request, status: int, body: bytes, content_type: str | None, headers: dict | None = None):
        request.send_response(status)
        if content_type:
            request.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.send_header("Content-Length", "0" if status == 304 else str(len(body)))
        request.end_headers()
        if status != 304:
            request.wfile.write(body)

    def _redirect(self, request, location: str) -> None:
        request.send_response(302)
        request.send_header("Location", location)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def _trickle(self, request) -> None:
        """A page sent one byte every 0.2 s: each read is quick, the whole is not."""
        body = b"<html><body>" + b"x" * 100 + b"</body></html>"
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        for byte in body:
            request.wfile.write(bytes([byte]))
            request.wfile.flush()
            time.sleep(0.2)

    def _huge(self, request, declared: bool) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        if declared:
            request.send_header("Content-Length", str(HUGE_BYTES))
        else:
            request.close_connection = True
            request.send_header("Connection", "close")
        request.end_headers()
        chunk = b"<p>" + b"filler " * 9360 + b"</p>\n"
        sent = 0
        while sent < HUGE_BYTES:
            request.wfile.write(chunk)
            sent += len(chunk)


def _not_after(modified: float, since: str) -> bool:
    """Was a resource changed at `modified` (epoch s) no later than the HTTP date `since`?"""
    from email.utils import parsedate_to_datetime

    try:
        return int(modified) <= parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError):
        return False


def main(argv=None) -> int:
    """Serve the sample site until Ctrl-C; print its URLs."""
    import signal

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with FeedServer() as server:
        print(server.base, flush=True)
        for path in ("/rss2-full.xml", "/rss2-links.xml", "/rss1.rdf", "/atom-full.xml", "/atom-links.xml",
                     "/ninjs.json", "/newsml.xml"):
            print(f"  {server.url(path)}", file=sys.stderr)
        print("  bad cases: " + " ".join(server.url(f"/bad/feed-{c}.xml") for c in BAD), file=sys.stderr, flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
