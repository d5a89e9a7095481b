"""Command line: `python -m pipeline COMMAND ...` (`--help` on each)."""
from __future__ import annotations

import argparse
import functools
import json
import sys

from .news.articles import ArticleError, parse_file
from . import logs
from .ingest import cli as ingest_cli
from .flags import (
    add_article_args, add_batch_args, add_broker_args, add_dedup_args, add_log_args, add_stream_args, non_negative, positive,
    unknown_flags_message,
)


def _read_inputs(paths, max_bytes):
    """Paths (or stdin when none) -> RawArticles and ArticleErrors, in order."""
    if not paths:
        yield from parse_file(sys.stdin.buffer.read(), "<stdin>", max_bytes)
        return
    for path in paths:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as exc:
            yield ArticleError(f"{path}: cannot read: {exc.strerror}", "read")
            continue
        yield from parse_file(data, path, max_bytes)


def cmd_enrich(args) -> int:
    """Print one JSON record (or, with --format ninjs, ninjs document) per
    article, duplicates dropped (or, with --keep-duplicates, marked); errors
    go to stderr, one line each."""
    from .dedup.judge import Deduplicator
    from .dedup.memory_store import MemoryStore
    from .news.enrich import Enricher, normalized_record
    from .news.ninjs import to_ninjs
    from .news.nlp import ModelError, load_model

    try:
        nlp = load_model(args.spacy_model)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    enricher = Enricher(nlp, batch_size=args.nlp_batch_size, max_tokens=args.max_tokens)
    judge = Deduplicator(MemoryStore(), args.dedup_threshold, args.dedup_horizon)
    failures = 0
    inputs = list(_read_inputs(args.paths, args.max_article_bytes))
    for exc in (i for i in inputs if isinstance(i, ArticleError)):
        print(f"error: {exc}", file=sys.stderr)
        failures += 1
    raws = [i for i in inputs if not isinstance(i, ArticleError)]
    # judged before the NLP, as in the streaming job: a dropped copy costs no parsing
    kept = []
    for position, raw in enumerate(raws):
        try:
            rec = normalized_record(raw)
        except ArticleError as exc:
            print(f"error: {raw.id}: {exc} (stage: {exc.stage})", file=sys.stderr)
            failures += 1
            continue
        # event time: the published time, else the position in the input
        event_ms = rec["published"] if rec["published"] is not None else position
        verdict = judge.judge(rec["id"], f"input/{position}", event_ms, rec["content_hash"], rec["body"])
        if verdict.duplicate and not args.keep_duplicates:
            continue
        kept.append((rec, verdict))
    annotated = enricher.annotate_many(rec for rec, _ in kept)
    for (rec, verdict), (_, result) in zip(kept, annotated):
        if isinstance(result, ArticleError):
            print(f"error: {rec['id']}: {result} (stage: {result.stage})", file=sys.stderr)
            failures += 1
            continue
        if args.keep_duplicates:
            result = dict(result, duplicate_of=verdict.duplicate_of,
                          similarity=round(verdict.similarity, 4) if verdict.duplicate else None)
        if args.format == "ninjs":
            result = to_ninjs(result)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 1 if failures else 0


def cmd_broker(args) -> int:
    """Run the embedded broker until interrupted; print its address."""
    import signal
    import threading

    from .dev.broker import BrokerError, EmbeddedBroker

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        broker = EmbeddedBroker(args.port).start()
    except BrokerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(broker.bootstrap, flush=True)
    print(f"embedded Tansu broker on {broker.bootstrap} (in memory; Ctrl-C stops it)", file=sys.stderr, flush=True)
    try:
        while not stop.wait(0.5):
            if not broker.running:
                print(f"error: the broker exited; log: {broker.log_path}", file=sys.stderr)
                return 1
    finally:
        broker.stop()
    return 0


def cmd_feed(args) -> int:
    """Send articles from files to a topic, one message per article."""
    from .kafka.admin import ensure_topics
    from .kafka.clients import BrokerUnreachable, make_producer, send_all, wait_for_broker
    from .kafka.formats import file_messages, paced

    try:
        wait_for_broker(args.bootstrap_servers, args.broker_timeout)
    except BrokerUnreachable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ensure_topics(args.bootstrap_servers, [args.topic], args.partitions)
    messages = []
    for path in args.paths:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as exc:
            print(f"error: {path}: cannot read: {exc.strerror}", file=sys.stderr)
            return 2
        messages.extend(file_messages(path, data))
    producer = make_producer(args.bootstrap_servers)
    try:
        sent = send_all(producer, args.topic, ((k, v, None) for k, v in paced(messages, args.rate)))
    finally:
        producer.close()
    print(f"sent {sent} messages to {args.topic}", file=sys.stderr)
    return 0


def cmd_consume(args) -> int:
    """Print the messages of a topic as JSON lines (Avro records decoded)."""
    from .kafka.clients import BrokerUnreachable, read_topic, wait_for_broker
    from .kafka.formats import display

    try:
        wait_for_broker(args.bootstrap_servers, args.broker_timeout)
    except BrokerUnreachable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        for message in read_topic(args.bootstrap_servers, args.topic, args.from_beginning, args.idle_timeout, args.max):
            print(json.dumps(display(message, args.format), ensure_ascii=False), flush=True)
    except RuntimeError as exc:  # the topic does not exist
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from .news.record import LEGACY_READS

    for name, count in sorted(LEGACY_READS.items()):
        print(f"note: {count} {name} records carried the byte-reversed schema fingerprint that versions before 0.2 "
              "wrote; decoded all the same", file=sys.stderr)
    return 0


def cmd_run(args, beam_args) -> int:
    """Run the streaming job; our flags and Beam's both go to Beam's options."""
    from .kafka.admin import MissingTopics
    from .kafka.clients import BrokerUnreachable

    workers_flag, beam_args = _take_workers(beam_args)
    if workers_flag > 1:
        # checks the flags itself, importing Beam only when one is not ours
        from .workers import run_workers

        progress_every = float(_value_of(beam_args, "--progress-seconds") or 5.0)
        return run_workers(workers_flag, beam_args, progress_every)
    try:
        membership = _join_group_early(beam_args)
    except (BrokerUnreachable, MissingTopics) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        # importing Beam takes ~1 s, which the group's first join now fills
        from .options import unknown_flags
        from .run import UnsupportedOptions, run

        unknown = unknown_flags(beam_args)
        if unknown:
            print(unknown_flags_message(unknown), file=sys.stderr)
            return 2
        try:
            totals, membership = run(beam_args, membership=membership), None  # (run closed it)
        except (BrokerUnreachable, MissingTopics, UnsupportedOptions) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    finally:
        if membership is not None:
            membership.close()
    for name, value in sorted(totals.items()):
        print(f"{name}: {value}", file=sys.stderr)
    return 0


def _join_group_early(argv: list[str]):
    """`run` flags -> this process's consumer-group membership, started now,
    or None. A group's first join takes seconds (the embedded broker holds it
    for half the session timeout, Kafka for group.initial.rebalance.delay.ms),
    during which the job imports Beam and loads its model. Only for a run
    with --partitions group whose flags are all ours (so that none can be
    refused after joining: a member that joins and leaves makes the others
    rebalance twice), once the broker answers and the topics the job writes
    exist (raises BrokerUnreachable or MissingTopics as run() would)."""
    import threading

    from .flags import parse_run_flags, written_topics
    from .kafka.admin import require_topics
    from .kafka.clients import wait_for_broker
    from .kafka.membership import GroupMembership

    ours, foreign = parse_run_flags(argv)
    if ours.partitions != "group" or foreign:  # (a --runner, too, is Beam's flag)
        return None
    wait_for_broker(ours.bootstrap_servers, ours.broker_timeout)
    require_topics(ours.bootstrap_servers, written_topics(ours), ours.create_topics)
    membership = GroupMembership(ours.bootstrap_servers, ours.input_topic, ours.group_id, threading.Event(),
                                 int(ours.session_timeout * 1000))
    membership.start()
    return membership


def _take_workers(argv: list[str]) -> tuple[int, list[str]]:
    """(--workers N, argv without it): a flag of the command line only, not of the job."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--workers", type=int, default=1)
    known, rest = parser.parse_known_args(argv)
    return known.workers, rest


def _value_of(argv: list[str], flag: str) -> str | None:
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument(flag)
    known, _ = parser.parse_known_args(argv)
    return getattr(known, flag.lstrip("-").replace("-", "_"))


def _kafka_args(parser) -> None:
    parser.add_argument("--bootstrap-servers", required=True, metavar="HOST:PORT[,...]")
    parser.add_argument("--topic", required=True)
    add_broker_args(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__, allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", required=True)
    # no abbreviations anywhere: `--bootstrap-server` must not pass for `--bootstrap-servers`
    command = functools.partial(commands.add_parser, allow_abbrev=False)
    enrich = command(
        "enrich",
        help="print the record of each article (text files, JSON envelopes, JSON lines)",
        description="Read articles and print one JSON record per article, in input order; exact and near "
        "copies of an earlier article are left out (see --keep-duplicates). Plain text files: "
        "the first non-empty line is the title and the id is the path as given. "
        "With no PATH, read standard input.",
    )
    enrich.add_argument("paths", nargs="*", metavar="PATH")
    enrich.add_argument("--keep-duplicates", action="store_true",
                        help="print duplicates too, every record with duplicate_of (the kept article's id, or "
                        "null) and similarity")
    enrich.add_argument("--format", choices=("json", "ninjs"), default="json",
                        help="json: our record (default); ninjs: IPTC ninjs 3.2, quotes and entity details under "
                        "the newsPipeline extension")
    add_article_args(enrich)
    add_batch_args(enrich)
    add_dedup_args(enrich)
    add_log_args(enrich)
    enrich.set_defaults(func=cmd_enrich)
    broker = command(
        "broker",
        help="run the embedded Kafka-protocol broker (Tansu) on 127.0.0.1",
        description="Start the embedded Tansu broker on 127.0.0.1, print its bootstrap address on "
        "stdout and run until interrupted. Storage is in memory.",
    )
    broker.add_argument("--port", type=int, default=9092, help="TCP port on 127.0.0.1 (default: %(default)s)")
    add_log_args(broker)
    broker.set_defaults(func=cmd_broker)
    feed = command(
        "feed",
        help="send articles from files to a topic, like a wire",
        description="Send each article to TOPIC: a text file or JSON envelope as one message (its bytes "
        "unchanged, key = the path), JSON lines as one message per line (key = its id). Creates the topic "
        "when missing.",
    )
    _kafka_args(feed)
    feed.add_argument("--rate", type=positive(float), default=None, help="messages per second (default: as fast as possible)")
    feed.add_argument("--partitions", type=int, default=3, help="partitions of a topic created here (default: %(default)s)")
    feed.add_argument("paths", nargs="+", metavar="PATH")
    add_log_args(feed)
    feed.set_defaults(func=cmd_feed)
    ingest_cli.add_parser(commands)
    consume = command(
        "consume",
        help="print a topic's messages as JSON lines, Avro records decoded",
        description="Print the messages of TOPIC as JSON lines: Avro article and duplicate records decoded "
        "with schemas/*.avsc, other values as text (or base64), headers as text.",
    )
    _kafka_args(consume)
    consume.add_argument("--from-beginning", action="store_true", help="start at the oldest message, not the newest")
    consume.add_argument("--max", type=int, default=None, help="stop after N messages")
    consume.add_argument("--idle-timeout", type=non_negative, default=5.0,
                         help="stop when no message came for this many seconds (default: %(default)s)")
    consume.add_argument("--format", choices=("json", "ninjs"), default="json",
                         help="ninjs: print each article record as an IPTC ninjs 3.2 document (other messages as "
                         "with json, the default)")
    add_log_args(consume)
    consume.set_defaults(func=cmd_consume)
    run = command(
        "run",
        help="run the streaming job (Kafka in, Avro records and dead letters out)",
        description="Read raw articles from the input topic, write one Avro record per article to the "
        "output topic and what cannot be processed to the dead-letter topic, then commit offsets. "
        "Any other flag is passed to Apache Beam (e.g. --runner).",
    )
    add_stream_args(run)
    add_article_args(run)
    add_batch_args(run)
    run.add_argument("--workers", type=int, default=1, metavar="N",
                     help="run N local processes in one consumer group, sharing the partitions, with one progress "
                     "line (default: %(default)s)")
    run.set_defaults(func=cmd_run)
    return parser


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    if argv[:1] == ["run"]:
        args, _ = parser.parse_known_args(argv)  # --help and flag errors; the rest is Beam's
        logs.configure(args.log_level)
        return cmd_run(None, argv[1:])
    args = parser.parse_args(argv)
    logs.configure(getattr(args, "log_level", "warning"))
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
