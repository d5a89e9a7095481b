"""`python -m pipeline ingest`: news sources -> JSON envelopes on the raw topic.

`add_parser(subparsers)` defines the command and its flags; `main(args)`
runs it and returns the exit status (0 all well; 1 some source or item
failed, see the log; 2 no broker or a source that names nothing). Light to
import: the fetchers, parsers and Kafka clients load only in `main`.
"""
from __future__ import annotations

import argparse
import sys

from ..flags import add_broker_args, add_log_args, duration_ms, non_negative, positive

DESCRIPTION = (
    "Poll news sources and put one JSON envelope per story (id, url, source, published, title, text, authors, "
    "language) on TOPIC. A SOURCE is an http(s) URL of an RSS 0.9x/1.0/2.0 or Atom feed (a feed item without its "
    "full text has its linked page fetched and the article text extracted), of an IPTC ninjs JSON document or "
    "feed, of a NewsML-G2 newsItem or newsMessage, or of an article page; a file of any of these; or a directory "
    "(dir://PATH or a plain path) whose new files are read. Each story is sent once, across polls and restarts "
    "(remembered under --state-dir), and again, with the same id, when its text or updated time changes. "
    "Without --once, polls every --interval seconds until SIGINT or SIGTERM, with a progress line per source."
)
EPILOG = ("Exit status: 0 when all went well; 1 (--once) when a source or an item could not be read or sent (each "
          "said once on stderr, counted in its source's progress line); 2 when no broker answered within "
          "--broker-timeout or a SOURCE names nothing.")


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the `ingest` command to `subparsers` (argparse's add_subparsers())."""
    parser = subparsers.add_parser("ingest", help="poll feeds, ninjs, NewsML-G2, pages and directories into a topic",
                                   description=DESCRIPTION, epilog=EPILOG, allow_abbrev=False)
    parser.add_argument("--bootstrap-servers", required=True, metavar="HOST:PORT[,...]")
    parser.add_argument("--topic", required=True, help="the raw topic (created when missing)")
    parser.add_argument("--partitions", type=positive(int), default=3,
                        help="partitions of a topic created here (default: %(default)s)")
    parser.add_argument("--state-dir", default="state",
                        help="where what was sent is remembered (ingest.sqlite3) (default: %(default)s)")
    parser.add_argument("--horizon", type=duration_ms, default=30 * 86400 * 1000, metavar="DURATION",
                        help="forget a story not seen in its source for this long (default: 30d)")
    parser.add_argument("--once", action="store_true", help="poll every source once and stop")
    parser.add_argument("--interval", type=positive(float), default=300.0, metavar="SECONDS",
                        help="seconds between two polls of a source; a failing source waits longer, doubling "
                        "up to an hour (default: %(default)s)")
    parser.add_argument("--connect-timeout", type=positive(float), default=5.0, metavar="SECONDS",
                        help="to open an HTTP connection (default: %(default)s)")
    parser.add_argument("--read-timeout", type=positive(float), default=15.0, metavar="SECONDS",
                        help="for a whole HTTP answer, headers and body (default: %(default)s)")
    parser.add_argument("--max-page-bytes", type=positive(int), default=5_000_000, metavar="BYTES",
                        help="larger feeds, documents, pages and files are refused (default: %(default)s)")
    parser.add_argument("--max-redirects", type=positive(int), default=5,
                        help="redirects followed for one request; a loop fails at once (default: %(default)s)")
    parser.add_argument("--host-delay", type=non_negative, default=1.0, metavar="SECONDS",
                        help="at least this long between two requests to one host (default: %(default)s)")
    parser.add_argument("--max-article-bytes", type=positive(int), default=1_000_000, metavar="BYTES",
                        help="a larger envelope is not sent (the job would refuse it) (default: %(default)s)")
    parser.add_argument("--poll-budget", type=positive(float), default=120.0, metavar="SECONDS",
                        help="live mode: one poll of a source stops fetching pages after this long and leaves the "
                        "rest for its next poll, so that a source of many slow pages does not hold up the others "
                        "(default: %(default)s)")
    parser.add_argument("--settle", type=non_negative, default=2.0, metavar="SECONDS",
                        help="live mode: a directory's file is read once it has not changed for this long "
                        "(default: %(default)s)")
    parser.add_argument("sources", nargs="+", metavar="SOURCE",
                        help="http(s) URL, file, directory or dir://PATH (see above)")
    add_broker_args(parser)
    add_log_args(parser)
    parser.set_defaults(func=main)
    return parser


def main(args) -> int:
    """Run `ingest` with parsed `args`; returns the exit status."""
    import logging
    import signal
    import threading
    from collections import Counter

    from ..kafka.admin import ensure_topics
    from ..kafka.clients import BrokerUnreachable, make_producer, send_all, wait_for_broker
    from .fetch import Fetcher, Limits
    from .runner import Ingester, SendError
    from .sources import make_source
    from .state import SeenStore

    try:
        sources = [make_source(s, args.max_page_bytes) for s in args.sources]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        wait_for_broker(args.bootstrap_servers, args.broker_timeout)
    except BrokerUnreachable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ensure_topics(args.bootstrap_servers, [args.topic], args.partitions)
    producer = make_producer(args.bootstrap_servers)

    def send(messages) -> None:
        from kafka.errors import KafkaError

        try:
            # a short wait: during an outage the loop goes on to the other sources and sends again later
            send_all(producer, args.topic, ((k, v, None) for k, v in messages), timeout=5.0)
        except KafkaError as exc:
            raise SendError(str(exc) or type(exc).__name__) from exc

    def progress(line: str) -> None:
        print(f"ingest: {line}", file=sys.stderr, flush=True)

    store = SeenStore(args.state_dir, horizon_s=args.horizon / 1000)
    limits = Limits(connect_timeout=args.connect_timeout, read_timeout=args.read_timeout,
                    max_bytes=args.max_page_bytes, max_redirects=args.max_redirects, host_gap=args.host_delay)
    ingester = Ingester(sources, store, Fetcher(limits), send, interval=args.interval,
                        max_article_bytes=args.max_article_bytes, settle_s=0.0 if args.once else args.settle,
                        poll_budget_s=float("inf") if args.once else args.poll_budget, progress=progress)
    try:
        if args.once:
            reports = ingester.run_once()
            sent = sum(r.new + r.updated for r in reports)
            errors = sum(r.error_count for r in reports)
            progress(f"sent {sent} stories to {args.topic} ({errors} errors)")
            return 1 if errors else 0
        stop = threading.Event()
        previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            logging.getLogger("pipeline.ingest").info("polling %d sources every %g s", len(sources), args.interval)
            ingester.run_forever(stop)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        totals = sum((s.totals for s in ingester.states), start=Counter())
        progress(f"stopped; sent {totals['new'] + totals['updated']} stories to {args.topic}")
        return 0
    finally:
        producer.close()
        store.close()
