"""`make demo`: the whole job on one machine, start to finish.

Starts the embedded broker on a free loopback port, creates the topics, sends
a wire of articles (the seed article, an exact copy of it, a re-issue of it
in samples/, the other demo articles there and messages that cannot be read
in samples/bad/), then lets `ingest --once` read a news site served on
loopback (pipeline/dev/feeds.py: RSS and Atom feeds with full text and with
links to article pages, an IPTC ninjs feed and a NewsML-G2 item, which carry
some stories twice), runs the job until the wire is idle, and prints what
came out: one line per article record, the quote and entity events, the
duplicate events, then the dead letters with their reasons.
"""
from __future__ import annotations

import argparse
import glob
import logging
import os
import sys
import tempfile

from ..kafka import admin, clients, formats
from ..kafka import headers as dlq
from .. import logs
from ..ingest import cli as ingest_cli
from .broker import EmbeddedBroker
from .feeds import FeedServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED = os.path.join(ROOT, "tests", "fixtures", "seed_article.txt")


def wire_files() -> list[str]:
    samples = os.path.join(ROOT, "samples")  # seed-reissue.txt is among them
    return [SEED, SEED] + sorted(
        glob.glob(os.path.join(samples, "*.txt")) + glob.glob(os.path.join(samples, "*.jsonl"))
        + glob.glob(os.path.join(samples, "bad", "*"))
    )


def summary(value: dict) -> str:
    quotes = "; ".join(f"{q['speaker'] or '?'}: \u201c{q['text'][:48]}\u201d" for q in value["quotes"] if q["type"] != "indirect")
    people = ", ".join(e["name"] for e in value["entities"] if e["label"] == "PERSON")
    return f"{value['id']}\n    headline: {value['headline']}\n    people:   {people}\n    quotes:   {quotes}"


def main() -> int:
    logs.configure("warning")  # before Beam is imported: it announces optional libraries at import
    logging.getLogger("kafka").setLevel(logging.ERROR)  # consumers without a group say so at WARNING
    from ..run import run
    model = os.environ.get("NEWS_MODEL", "en_news_sm")
    with EmbeddedBroker() as broker, tempfile.TemporaryDirectory(prefix="news-demo-") as state:
        print(f"embedded broker on {broker.bootstrap}")
        admin.ensure_topics(broker.bootstrap, ["articles-raw", "articles", "articles-dead-letter",
                                                  "articles-duplicates", "articles-quotes", "articles-entities"])
        producer = clients.make_producer(broker.bootstrap)
        messages = []
        for path in wire_files():
            with open(path, "rb") as f:
                messages.extend((k, v, None) for k, v in formats.file_messages(os.path.relpath(path, ROOT), f.read()))
        # a few ms apart, like a wire: event times then follow the order above
        clients.send_all(producer, "articles-raw", formats.paced(messages, rate=200))
        producer.close()
        print(f"fed {len(messages)} messages to articles-raw")
        with FeedServer() as site:
            feeds = [site.url(path) for path in ("/rss2-links.xml", "/atom-full.xml", "/ninjs.json", "/newsml.xml")]
            print(f"ingest --once from a news site on {site.base}: {' '.join(p.rsplit('/', 1)[1] for p in feeds)}")
            parser = argparse.ArgumentParser(prog="python -m pipeline")
            ingest_cli.add_parser(parser.add_subparsers())
            args = parser.parse_args(["ingest", "--bootstrap-servers", broker.bootstrap, "--topic", "articles-raw",
                                      "--state-dir", os.path.join(state, "ingest"), "--once", *feeds])
            if ingest_cli.main(args) != 0:
                print("ingest: some sources failed (see above)")
        print("running the pipeline until the wire is idle ...\n")
        totals = run(["--bootstrap-servers", broker.bootstrap, "--until-idle", "3", "--state-dir", state,
                      "--duplicates-topic", "articles-duplicates", "--quotes-topic", "articles-quotes",
                      "--entities-topic", "articles-entities", "--create-topics",
                      "--spacy-model", model])
        print("articles (Avro records from the topic 'articles', decoded):")
        for message in clients.read_topic(broker.bootstrap, "articles", True, 2.0, None):
            print("  " + summary(formats.display(message)["value"]))
        quotes = list(clients.read_topic(broker.bootstrap, "articles-quotes", True, 2.0, None))
        print(f"\nquote events (Avro on 'articles-quotes', keyed by speaker): {len(quotes)}; those by people:")
        for message in quotes:
            event = formats.display(message)["value"]
            if event["speaker_entity"] and event["speaker_entity"]["label"] == "PERSON" and event["type"] != "indirect":
                print(f"  [{message.key.decode()}] {event['speaker_entity']['name']} "
                      f"({event['speaker_mention']}, {event['cue']}): \u201c{event['text'][:60]}\u201d")
        entities = list(clients.read_topic(broker.bootstrap, "articles-entities", True, 2.0, None))
        print(f"\nentity events (Avro on 'articles-entities', keyed by name|label): {len(entities)}")
        duplicates = list(clients.read_topic(broker.bootstrap, "articles-duplicates", True, 2.0, None))
        print(f"\nduplicates (Avro events on 'articles-duplicates'): {len(duplicates)}")
        for message in duplicates:
            event = formats.display(message)["value"]
            print(f"  {event['id']} ({event['source']}): {event['kind']} copy of {event['duplicate_of']}, "
                  f"similarity {event['similarity']:.2f}")
        dead = list(clients.read_topic(broker.bootstrap, "articles-dead-letter", True, 2.0, None))
        print(f"\ndead letters (topic 'articles-dead-letter'): {len(dead)}")
        for message in dead:
            headers = dict(message.headers)
            reason = headers[dlq.DLQ_EXCEPTION_MESSAGE].decode(errors="replace")
            print(f"  {message.key.decode(errors='replace')}: [{headers[dlq.DLQ_STAGE].decode()}] {reason}")
        print("\ncounters: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
