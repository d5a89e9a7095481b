"""`ingest` end to end: the loopback news site (pipeline/dev/feeds.py) and
files in, the real embedded broker out; envelopes read back from the topic."""
import os
import signal
import subprocess
import sys
import time

import pytest

from ingest_support import FAST, check_envelope, envelopes, ingest, new_topic
from pipeline.dev.broker import EmbeddedBroker
from pipeline.dev.feeds import STORIES, UPDATED_PARAGRAPH, FeedServer, atom, newsml, ninjs


@pytest.fixture(scope="module")
def broker():
    with EmbeddedBroker() as running:
        yield running


@pytest.fixture(scope="module")
def site():
    with FeedServer(slow_seconds=3.0) as server:
        yield server


def by_id(pairs):
    out = {}
    for key, envelope in pairs:
        assert key == envelope["id"]
        check_envelope(envelope)
        out[envelope["id"]] = envelope
    return out


FEEDS = {
    # feed path -> (stories it holds, the id of a story given its slug)
    "/rss2-full.xml": (STORIES[:2], "{base}/articles/{slug}.html"),
    "/rss2-links.xml": (STORIES[2:4], "{base}/articles/{slug}.html"),
    "/rss1.rdf": (STORIES[4:], "{base}/articles/{slug}.html"),
    "/atom-full.xml": (STORIES[:2], "tag:loopback.test,2026:{slug}"),
    "/atom-links.xml": (STORIES[2:], "tag:loopback.test,2026:{slug}"),
}


@pytest.mark.parametrize("path", list(FEEDS))
def test_a_feed_gives_one_clean_envelope_per_story(broker, site, tmp_path, path):
    topic = new_topic()
    done = ingest(broker.bootstrap, topic, tmp_path / "state", site.url(path))
    assert done.returncode == 0, done.stderr
    got = by_id(envelopes(broker.bootstrap, topic))
    stories, id_form = FEEDS[path]
    assert len(got) == len(stories)
    for story in stories:
        envelope = got[id_form.format(base=site.base, slug=story.slug)]
        # full text from the feed, or the linked page without its furniture: the story's paragraphs exactly
        assert envelope["text"] == story.text
        assert envelope["title"] == story.title
        assert envelope["url"] == site.url(f"/articles/{story.slug}.html")
        assert envelope["published"] == story.published
        assert envelope["authors"] == [story.author]
        assert envelope["source"].startswith("Loopback Gazette")
    assert f"{len(stories)} new" in done.stderr


def test_ninjs_documents_are_mapped_field_by_field(broker, site, tmp_path):
    topic = new_topic()
    done = ingest(broker.bootstrap, topic, tmp_path / "state", site.url("/ninjs.json"))
    got = by_id(envelopes(broker.bootstrap, topic))
    assert sorted(got) == sorted(f"urn:loopback:ninjs:{s.slug}" for s in STORIES[1:4])
    for story in STORIES[1:4]:  # ninjs 1.x (body_html, byline) and 2.x (headlines, bodies, by)
        envelope = got[f"urn:loopback:ninjs:{story.slug}"]
        assert (envelope["title"], envelope["text"], envelope["published"], envelope["authors"], envelope["language"]) \
            == (story.title, story.text, story.published, [story.author], "en")
    # the withdrawn document is left out, counted and said
    assert "1 withdrawn" in done.stderr and done.returncode == 0, done.stderr


def test_a_newsml_g2_file_is_mapped_field_by_field(broker, tmp_path):
    story = STORIES[0]
    path = tmp_path / "item.xml"
    path.write_text(newsml(story), encoding="utf-8")
    topic = new_topic()
    done = ingest(broker.bootstrap, topic, tmp_path / "state", path)
    assert done.returncode == 0, done.stderr
    [(key, envelope)] = envelopes(broker.bootstrap, topic)
    check_envelope(envelope)
    assert envelope == {"id": f"urn:newsml:loopback.test:2026:{story.slug}", "source": "Loopback Gazette",
                        "published": story.published, "title": story.title, "text": story.text,
                        "authors": [story.author], "language": "en"}


def test_a_directory_source_reads_new_files_once(broker, site, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "wire.json").write_text(ninjs(STORIES[1:2]), encoding="utf-8")
    (inbox / "item.xml").write_text(newsml(STORIES[0]), encoding="utf-8")
    (inbox / "page.html").write_bytes(site_page(site, STORIES[3]))
    (inbox / "note.txt").write_text(f"{STORIES[2].title}\n\n{STORIES[2].text}\n", encoding="utf-8")
    (inbox / ".hidden.json").write_text(ninjs(STORIES[4:]), encoding="utf-8")
    (inbox / "half-written.xml.part").write_text("<newsItem", encoding="utf-8")
    topic, state = new_topic(), tmp_path / "state"
    first = ingest(broker.bootstrap, topic, state, f"dir://{inbox}")
    got = by_id(envelopes(broker.bootstrap, topic))
    assert first.returncode == 0, first.stderr
    assert "4 new, 0 updated, 0 unchanged, 1 withdrawn" in first.stderr  # the ninjs feed's withdrawn item
    assert sorted(e["title"] for e in got.values()) == sorted(s.title for s in STORIES[:4])
    assert got[str(inbox / "note.txt")]["text"] == STORIES[2].text
    assert got[str(inbox / "page.html")]["text"] == STORIES[3].text
    # a new file arrives; the old ones are not read again
    (inbox / "later.xml").write_text(newsml(STORIES[4]), encoding="utf-8")
    second = ingest(broker.bootstrap, topic, state, str(inbox))
    assert second.returncode == 0, second.stderr
    later = envelopes(broker.bootstrap, topic)
    assert sorted(e["title"] for _, e in later) == sorted(s.title for s in STORIES)
    assert "1 new" in second.stderr


def site_page(site, story) -> bytes:
    from pipeline.dev.feeds import article_page

    return article_page(story, site.base).encode("utf-8")


def test_a_story_is_sent_once_across_restarts(broker, site, tmp_path):
    topic, state = new_topic(), tmp_path / "state"
    sources = [site.url("/rss2-links.xml"), site.url("/atom-full.xml")]
    first = ingest(broker.bootstrap, topic, state, *sources)
    assert first.returncode == 0, first.stderr
    page = f"/articles/{STORIES[2].slug}.html"
    pages_fetched = site.hits.get(page, 0)
    assert len(envelopes(broker.bootstrap, topic)) == 4
    # a new process, the same state: nothing new goes out, and the feeds answer 304
    second = ingest(broker.bootstrap, topic, state, *sources)
    assert second.returncode == 0, second.stderr
    assert len(envelopes(broker.bootstrap, topic)) == 4
    assert second.stderr.count("0 new") == 2 and "not modified" in second.stderr
    assert site.hits.get(page, 0) == pages_fetched  # no page fetched again either


def test_an_updated_story_is_sent_again_with_its_id(broker, site, tmp_path):
    topic, state = new_topic(), tmp_path / "state"
    path = "/atom-updated.xml"
    site.put(path, atom(site.base, STORIES[:2], True), "application/atom+xml")
    assert ingest(broker.bootstrap, topic, state, site.url(path)).returncode == 0
    changed = type(STORIES[0])(STORIES[0].slug, STORIES[0].title, STORIES[0].author, STORIES[0].published,
                               STORIES[0].paragraphs + (UPDATED_PARAGRAPH,))
    site.put(path, atom(site.base, [changed, STORIES[1]], True, updated={changed.slug: "2026-11-21T08:00:00Z"}),
             "application/atom+xml")
    again = ingest(broker.bootstrap, topic, state, site.url(path))
    assert again.returncode == 0, again.stderr
    assert "0 new, 1 updated, 1 unchanged" in again.stderr
    sent = envelopes(broker.bootstrap, topic)
    ids = [key for key, _ in sent]
    assert len(sent) == 3 and ids.count(f"tag:loopback.test,2026:{changed.slug}") == 2
    latest = [e for k, e in sent if k == f"tag:loopback.test,2026:{changed.slug}"]
    assert {e["text"] for e in latest} == {STORIES[0].text, changed.text}


BAD_CASES = [
    # (case, source path, error kind counted, the log line says)
    ("slow page", "/bad/feed-slow.xml", "timeout", "did not answer within 1 s"),
    ("page 404", "/bad/feed-missing.xml", "status", "HTTP 404"),
    ("page redirect loop", "/bad/feed-redirect_loop.xml", "redirects", "redirect loop"),
    ("20 MB page", "/bad/feed-huge.xml", "too_large", "over the limit of 5000000"),
    ("20 MB page, no length", "/bad/feed-huge_undeclared.xml", "too_large", "over the limit of 5000000"),
    ("image page", "/bad/feed-image.xml", "content_type", "content type image/png"),
    ("page that is no article", "/bad/feed-not_article.xml", "not_article", "not an article"),
    ("slow feed", "/bad/slow-feed.xml", "timeout", "did not answer within 1 s"),
    ("feed 404", "/bad/missing-feed.xml", "status", "HTTP 404"),
    ("feed is an image", "/bad/image.png", "content_type", "content type image/png"),
    ("malformed feed XML", "/bad/malformed.xml", "malformed", "malformed feed"),
    ("feed redirect loop", "/bad/loop-a.html", "redirects", "redirect loop"),
]


@pytest.mark.parametrize("case, path, kind, said", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_is_a_log_line_and_a_counter_never_a_crash(broker, site, tmp_path, case, path, kind, said):
    topic = new_topic()
    started = time.monotonic()
    done = ingest(broker.bootstrap, topic, tmp_path / "state", site.url(path), site.url("/rss2-full.xml"))
    assert time.monotonic() - started < 60
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert said in done.stderr, done.stderr
    assert f"{kind} 1" in done.stderr or f"failed ({kind}:" in done.stderr, done.stderr  # the counter
    lines = [line for line in done.stderr.splitlines() if said in line and "WARNING" in line]
    assert len(lines) == 1, done.stderr  # one clear line
    got = by_id(envelopes(broker.bootstrap, topic))
    # the good feed beside it is untouched; a feed of bad cases still gives its good story
    expected = {site.url(f"/articles/{s.slug}.html") for s in STORIES[:2]}
    assert set(got) == expected


def test_unreachable_broker_is_one_line_and_status_2(site, tmp_path):
    from pipeline.net import free_port

    done = ingest(f"127.0.0.1:{free_port()}", "raw", tmp_path / "state", site.url("/rss2-full.xml"),
                  extra=["--broker-timeout", "1"])
    assert done.returncode == 2 and "no Kafka broker" in done.stderr and "Traceback" not in done.stderr


def test_a_source_that_names_nothing_is_refused(broker, tmp_path):
    done = ingest(broker.bootstrap, new_topic(), tmp_path / "state", tmp_path / "nowhere")
    assert done.returncode == 2 and "neither an http(s) URL" in done.stderr


def test_live_mode_polls_logs_errors_once_and_stops_on_sigterm(broker, site, tmp_path):
    topic = new_topic()
    feed = "/live.xml"
    site.put(feed, atom(site.base, STORIES[:1], True), "application/atom+xml")
    argv = [sys.executable, "-m", "pipeline.ingest", "--bootstrap-servers", broker.bootstrap, "--topic", topic,
            "--state-dir", str(tmp_path / "state"), "--interval", "0.5", "--log-level", "info", *FAST,
            site.url(feed), site.url("/bad/missing-feed.xml")]
    process = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while len(envelopes(broker.bootstrap, topic, idle=0.5)) < 1 and time.monotonic() < deadline:
            time.sleep(0.3)
        # a second story appears in the feed while it runs
        site.put(feed, atom(site.base, STORIES[:2], True), "application/atom+xml")
        while len(envelopes(broker.bootstrap, topic, idle=0.5)) < 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        time.sleep(2.5)  # a few more polls of the failing source (its back-off: 0.5, 1, 2 s)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    got = by_id(envelopes(broker.bootstrap, topic))
    assert sorted(got) == sorted(f"tag:loopback.test,2026:{s.slug}" for s in STORIES[:2])
    assert stderr.count("HTTP 404") >= 3  # in the progress lines, one per poll
    warnings = [line for line in stderr.splitlines() if "WARNING" in line and "missing-feed" in line]
    assert len(warnings) == 1, stderr  # logged once: the state did not change
    assert "next poll in" in stderr and "stopped; sent 2 stories" in stderr
    assert "1 new" in stderr and "not modified" in stderr


def test_the_ingest_cli_imports_nothing_heavy():
    probe = ("import sys, pipeline.ingest.cli\n"
             "heavy = [m for m in ('spacy', 'apache_beam', 'trafilatura', 'feedparser', 'kafka', 'lxml') "
             "if m in sys.modules]\nprint(heavy)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_a_broker_outage_is_logged_once_and_nothing_is_lost(site, tmp_path):
    from pipeline.dev.proxy import CuttableProxy
    from pipeline.net import free_port

    proxy_port = free_port()
    with EmbeddedBroker(advertised_port=proxy_port) as hidden:
        proxy = CuttableProxy(proxy_port, hidden.port).start()
        topic, feed = new_topic(), "/outage.xml"
        site.put(feed, atom(site.base, STORIES[:1], True), "application/atom+xml")
        argv = [sys.executable, "-m", "pipeline.ingest", "--bootstrap-servers", hidden.bootstrap, "--topic", topic,
                "--state-dir", str(tmp_path / "state"), "--interval", "0.5", *FAST, site.url(feed)]
        log = tmp_path / "ingest.log"
        process = subprocess.Popen(argv, stderr=open(log, "w"), text=True)
        try:
            deadline = time.monotonic() + 60
            while not envelopes(hidden.bootstrap, topic, idle=0.5) and time.monotonic() < deadline:
                time.sleep(0.3)
            proxy.cut()
            site.put(feed, atom(site.base, STORIES[:2], True), "application/atom+xml")
            time.sleep(22)  # two failed sends (5 s to flush, 5 s for the futures) at least
            proxy.restore()
            # the producer may deliver the held batch itself once the broker is back; ingest knows
            # only when its own next send succeeds
            while "recovered" not in log.read_text() and time.monotonic() < deadline + 60:
                time.sleep(0.5)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
            stderr = log.read_text()
        got = {key for key, _ in envelopes(hidden.bootstrap, topic)}
        proxy.cut()
    assert got == {f"tag:loopback.test,2026:{s.slug}" for s in STORIES[:2]}, stderr
    outage = [line for line in stderr.splitlines() if "WARNING" in line and "did not take" in line]
    assert len(outage) == 1, stderr
    assert "recovered" in stderr and process.returncode == 0
    assert stderr.count("failed (send:") >= 2, stderr  # failed more than once, logged once


def test_a_poll_past_its_budget_leaves_pages_for_the_next_poll(broker, site, tmp_path):
    from pipeline.ingest.fetch import Fetcher, Limits
    from pipeline.ingest.runner import Ingester
    from pipeline.ingest.sources import make_source
    from pipeline.ingest.state import SeenStore
    from pipeline.kafka.clients import make_producer, send_all

    topic = new_topic()
    producer = make_producer(broker.bootstrap)
    store = SeenStore(str(tmp_path / "state"))
    ingester = Ingester([make_source(site.url("/atom-links.xml"))], store, Fetcher(Limits(host_gap=0)),
                        lambda messages: send_all(producer, topic, ((k, v, None) for k, v in messages)),
                        poll_budget_s=0.0)
    try:
        counts = []
        for _ in range(4):
            report = ingester.poll(ingester.states[0])
            counts.append((report.new, report.unchanged, report.deferred, report.not_modified))
    finally:
        producer.close()
        store.close()
    # one page a poll: each poll gets one story further, none is fetched twice; the feed's ETag is kept
    # only once nothing waits, and then the feed answers 304
    assert counts == [(1, 0, 2, False), (1, 1, 1, False), (1, 2, 0, False), (0, 0, 0, True)]
    assert len(envelopes(broker.bootstrap, topic)) == 3
