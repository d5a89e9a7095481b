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
