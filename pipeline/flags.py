"""Argument definitions shared by the command line and the Beam options.

Kept free of Beam imports so that `python -m pipeline enrich` starts fast;
`options.NewsPipelineOptions` registers the same flags with Beam.
"""
from __future__ import annotations

from .articles import DEFAULT_MAX_ARTICLE_BYTES
from .nlp import DEFAULT_MODEL


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
    parser.add_argument(
        "--nlp-batch-size", type=int, default=16, help="articles per spaCy nlp.pipe batch (default: %(default)s)"
    )


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
    parser.add_argument("--until-idle", type=float, default=None, metavar="SECONDS",
                        help="bounded run: stop once no new record arrived for this long")
    parser.add_argument("--max-records", type=int, default=None, metavar="N",
                        help="bounded run: stop after N records from each partition")
    parser.add_argument("--segment-seconds", type=float, default=300.0, metavar="SECONDS",
                        help="live mode on the local runner: restart the readers (from the committed offsets) "
                        "this often, which frees what the runner keeps per bundle (default: %(default)s)")
    parser.add_argument("--progress-seconds", type=float, default=5.0, metavar="SECONDS",
                        help="live mode on the local runner: print a progress line this often; 0: never "
                        "(default: %(default)s)")
    parser.add_argument("--state-dir", default="state",
                        help="where the embedded duplicate store keeps its file (default: %(default)s)")
