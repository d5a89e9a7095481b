"""All configuration of the pipeline, in one PipelineOptions subclass.

`NewsPipelineOptions` is what Beam sees on any runner; `python -m pipeline`
builds its command line from the same definitions (`flags.py`), so a flag
means the same thing everywhere.
"""
from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

from .flags import add_article_args, add_batch_args, add_stream_args


class NewsPipelineOptions(PipelineOptions):
    """The pipeline's own options, next to Beam's."""

    @classmethod
    def _add_argparse_args(cls, parser):
        add_article_args(parser)
        add_batch_args(parser)
        add_stream_args(parser)


def unknown_flags(argv) -> list[str]:
    """The flags in `argv` that neither we nor any Beam options class
    declare (Beam would drop them with a warning, and the job would run with
    a default the user did not mean). Abbreviations are not accepted."""
    from apache_beam.options.pipeline_options import _BeamArgumentParser

    parser = _BeamArgumentParser(allow_abbrev=False)
    seen = set()
    for cls in _all_subclasses(PipelineOptions):
        if cls.__name__ not in seen:  # a class defined twice (a re-imported main session) adds its flags once
            seen.add(cls.__name__)
            cls._add_argparse_args(parser)
    _, unknown = parser.parse_known_args(list(argv))
    return [arg for arg in unknown if arg.startswith("-")]


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)
