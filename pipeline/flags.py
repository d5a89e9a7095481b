"""Argument definitions shared by the command line and the Beam options.

Kept free of Beam and spaCy imports so that the light commands (`broker`,
`feed`, `consume`, every `--help`) start fast and need no model;
`options.NewsPipelineOptions` registers the same flags with Beam.
"""
from __future__ import annotations

import argparse
import math

from .dedup import DAY_MS, DEFAULT_HORIZON_MS, THRESHOLD
from datetime import datetime, timezone

from .news.articles import DEFAULT_MAX_ARTICLE_BYTES, DEFAULT_MAX_FUTURE_MS, EARLIEST_PUBLISHED_MS
from .news.enrich import DEFAULT_MAX_TOKENS
from .news.nlp import DEFAULT_MODEL

LOG_LEVELS = ("debug", "info", "warning", "error")


def add_article_args(parser) -> None:
    """Flags about reading and understanding articles (enrich and run)."""
    parser.add_argument(
        "--spacy-model",
        default=DEFAULT_MODEL,
        help="spaCy 3 pipeline name or path (default: the bundled %(default)s)",
    )
    parser.add_argument(
        "--max-article-bytes",
        type=int,
        default=DEFAULT_MAX_ARTICLE_BYTES,
        help="larger messages are refused (default: %(default)s)",
    )
    parser.add_argument("--earliest-published", type=date_ms, default=EARLIEST_PUBLISHED_MS, metavar="DATE",
                        help="published times before this ISO date are not trusted: left out of the record, with a "
                        "warning (default: 1800-01-01)")
    parser.add_argument("--max-future", type=duration_ms, default=DEFAULT_MAX_FUTURE_MS, metavar="DURATION",
                        help="published times further than this past now are not trusted (default: "
                        f"{_duration_text(DEFAULT_MAX_FUTURE_MS)})")


def add_batch_args(parser) -> None:
    """--nlp-batch-size and --max-tokens (enrich and run)."""
    parser.add_argument("--nlp-batch-size", type=_positive_int, default=16,
                        help="articles per spaCy nlp.pipe batch; the job batches at most what one poll of a partition "
                        "brought, so no article waits for later ones (default: %(default)s)")
    parser.add_argument("--max-tokens", type=_positive_int, default=DEFAULT_MAX_TOKENS,
                        help="tokens of a body searched for entities and quotes; a longer article is written whole, "
                        "with what its first tokens gave and extraction_cut set (default: %(default)s)")


def add_log_args(parser) -> None:
    """--log-level, on every command."""
    parser.add_argument("--log-level", choices=LOG_LEVELS, default="warning",
                        help="what the job logs; other libraries' chatter shows only at debug (default: %(default)s)")


def add_broker_args(parser) -> None:
    """--broker-timeout, on every command that talks to Kafka."""
    parser.add_argument("--broker-timeout", type=positive(float), default=10.0, metavar="SECONDS",
                        help="give up with one line (exit status 2) when no broker answers within this long at start "
                        "(default: %(default)s)")


def positive(kind):
    """int or float -> an argparse type: a finite number above 0 ("nan" and
    "inf" parse as floats, and would turn a timeout or an interval into
    never)."""

    def parse(text: str):
        value = _number(kind, text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be at least 1, not {value}" if kind is int
                                             else f"must be above 0, not {text}")
        return value

    return parse


def non_negative(text: str) -> float:
    """argparse type: a finite number, 0 or more."""
    value = _number(float, text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def _number(kind, text: str):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a {'whole ' if kind is int else ''}number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, not {text}")
    return value


_positive_int = positive(int)


def seconds_within(low: float, high: float):
    """-> an argparse type: a number of seconds from `low` to `high`."""

    def parse(text: str) -> float:
        value = _number(float, text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:g} to {high:g} seconds, not {text}")
        return value

    return parse


# A session shorter than two heartbeats (sent every 0.5 s at least) expires
# between them; Kafka brokers refuse sessions over group.max.session.timeout.ms
# (30 minutes unless configured), and a member whose session was refused never
# gets a partition.
SESSION_TIMEOUT_RANGE = (1.0, 1800.0)


def fraction(text: str) -> float:
    """argparse type: a number above 0 and at most 1 (a similarity: "nan"
    would make every comparison a near copy)."""
    value = _number(float, text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, not {text}")
    return value


def date_ms(text: str) -> int:
    """An ISO date or time ('1800-01-01', '2020-05-01T12:00:00Z') -> epoch ms (UTC when no zone is given)."""
    try:
        moment = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date: {text!r} (e.g. 1800-01-01)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def partition_choice(text: str):
    """--partitions: 'group', 'all', or a list of partition numbers."""
    text = str(text).strip().lower()
    if text in ("group", "all"):
        return text
    try:
        numbers = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"--partitions takes group, all or numbers like 0,2; not {text!r}") from None
    if not numbers or numbers[0] < 0:
        raise argparse.ArgumentTypeError(f"--partitions takes group, all or numbers like 0,2; not {text!r}")
    return ",".join(map(str, numbers))


def dedup_store(text: str) -> str:
    """--dedup-store: a redis:// or rediss:// URL, or a directory path."""
    text = str(text)
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme in ("redis", "rediss"):
        if not text.lower().startswith(("redis://", "rediss://")) or len(text.split("://", 1)[1]) == 0:
            raise argparse.ArgumentTypeError(f"not a Redis URL: {text!r} (e.g. redis://127.0.0.1:6379/0)")
        return text
    if "://" in text:
        raise argparse.ArgumentTypeError(f"--dedup-store takes a directory or a redis:// URL, not {text!r}")
    if not text.strip():
        raise argparse.ArgumentTypeError("--dedup-store must not be empty")
    return text


def duration_ms(text: str) -> int:
    """'7d', '36h', '90m', '45s' or plain seconds -> milliseconds."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    text = str(text).strip().lower()
    try:
        if text and text[-1] in units:
            return int(float(text[:-1]) * units[text[-1]] * 1000)
        return int(float(text) * 1000)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 7d, 36h, 90m, 45s)") from None


def _duration_text(ms: int) -> str:
    """Milliseconds -> the shortest of '7d', '36h', '90m', '45s' that is exact."""
    for unit, size in (("d", DAY_MS), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms / 1000}s"


def add_dedup_args(parser) -> None:
    """Flags of duplicate detection (enrich --keep-duplicates and run)."""
    parser.add_argument("--dedup-threshold", type=fraction, default=THRESHOLD, metavar="J",
                        help="estimated Jaccard similarity of word shingles at and above which an article is a near "
                        "copy of an earlier one (default: %(default)s, chosen on the BBC pairs)")
    parser.add_argument("--dedup-horizon", type=duration_ms, default=DEFAULT_HORIZON_MS, metavar="DURATION",
                        help="forget articles this far behind the newest event time, e.g. 7d, 36h "
                        f"(default: {_duration_text(DEFAULT_HORIZON_MS)})")


def add_stream_args(parser) -> None:
    """Flags of the streaming job (`run`): topics, start position, bounds."""
    parser.add_argument("--bootstrap-servers", default="127.0.0.1:9092", metavar="HOST:PORT[,...]",
                        help="Kafka bootstrap servers (default: %(default)s)")
    parser.add_argument("--input-topic", default="articles-raw", help="raw articles (default: %(default)s)")
    parser.add_argument("--output-topic", default="articles", help="Avro article records (default: %(default)s)")
    parser.add_argument("--dead-letter-topic", default="articles-dead-letter",
                        help="messages that could not be processed, with the reason (default: %(default)s)")
    parser.add_argument("--group-id", default="news-pipeline",
                        help="consumer group under which offsets are committed (default: %(default)s)")
    parser.add_argument("--start", choices=("earliest", "latest", "committed"), default="committed",
                        help="where to start reading: committed falls back to earliest (default: %(default)s)")
    parser.add_argument("--until-idle", type=non_negative, default=None, metavar="SECONDS",
                        help="bounded run: stop once no new record arrived for this long")
    parser.add_argument("--until-end", action="store_true",
                        help="bounded run: read what each partition holds when the run starts, then stop (no idle "
                        "wait; what producers write meanwhile is left for the next run)")
    parser.add_argument("--max-records", type=int, default=None, metavar="N",
                        help="bounded run: stop after N records from each partition")
    parser.add_argument("--segment-seconds", type=positive(float), default=300.0, metavar="SECONDS",
                        help="live mode on the local runner: restart the readers (from the committed offsets) "
                        "this often, which frees what the runner keeps per bundle (default: %(default)s)")
    parser.add_argument("--progress-seconds", type=non_negative, default=5.0, metavar="SECONDS",
                        help="live mode on the local runner: print a progress line this often; 0: never "
                        "(default: %(default)s)")
    parser.add_argument("--metrics-port", type=int, default=None, metavar="PORT",
                        help="serve Prometheus metrics on 127.0.0.1:PORT (local runner; default: none)")
    parser.add_argument("--state-dir", default="state",
                        help="where the embedded duplicate store keeps its file (default: %(default)s)")
    parser.add_argument("--dedup-store", type=dedup_store, default=None, metavar="URL",
                        help="shared duplicate store for several workers, redis://HOST:PORT/DB "
                        "(default: the embedded store under --state-dir)")
    parser.add_argument("--partitions", type=partition_choice, default="group", metavar="group|all|N[,N...]",
                        help="which input partitions this process reads: group (shared with the other processes "
                        "running with the same --group-id, rebalanced as they come and go), all, or a fixed list "
                        "such as 0,2 (default: %(default)s; a distributed runner always reads all)")
    parser.add_argument("--session-timeout", type=seconds_within(*SESSION_TIMEOUT_RANGE), default=6.0, metavar="SECONDS",
                        help="--partitions group: a process silent this long (killed) loses its partitions to the "
                        "others; from 1 to 1800 (default: %(default)s)")
    parser.add_argument("--create-topics", action="store_true",
                        help="create missing output, dead-letter, duplicates, quotes and entities topics (default: a "
                        "missing one is an error naming it)")
    parser.add_argument("--duplicates-topic", default=None,
                        help="write an Avro `duplicate` event for each dropped article here (default: none)")
    parser.add_argument("--quotes-topic", default=None,
                        help="write an Avro `quote` event for each quote of each written article here, keyed by "
                        "speaker (default: none)")
    parser.add_argument("--entities-topic", default=None,
                        help="write an Avro `entity` event for each distinct entity of each written article here, "
                        "keyed by name and label (default: none)")
    add_dedup_args(parser)
    add_broker_args(parser)
    add_log_args(parser)


def parse_run_flags(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """`run` flags -> (ours, parsed as Beam would, without importing it; the
    flags that are not ours: Beam's, or mistakes only Beam can tell apart).
    A bad value of one of ours exits with status 2, as argparse does."""
    parser = argparse.ArgumentParser(prog="python -m pipeline run", add_help=False, allow_abbrev=False)
    add_article_args(parser)
    add_batch_args(parser)
    add_stream_args(parser)
    ours, rest = parser.parse_known_args(list(argv))
    return ours, [arg for arg in rest if arg.startswith("-")]


def written_topics(opts) -> list[str]:
    """Parsed `run` flags -> the topics the job writes to (which must exist)."""
    return [opts.output_topic, opts.dead_letter_topic] + [
        t for t in (opts.duplicates_topic, opts.quotes_topic, opts.entities_topic) if t]


def unknown_flags_message(unknown: list[str]) -> str:
    return (f"error: unknown flag{'s' if len(unknown) > 1 else ''} {' '.join(unknown)} (neither the job's nor "
            "Apache Beam's; `run --help` lists the job's)")


# Runners that run the job in this process (Beam's FnApiRunner, which the
# DirectRunner falls back to here).
LOCAL_RUNNERS = {"fnapirunner", "directrunner", "switchingdirectrunner", "direct"}


def is_local_runner(runner: str | None) -> bool:
    """--runner value (None: not given) -> whether the job runs in this process."""
    return runner is None or runner.lower() in LOCAL_RUNNERS
