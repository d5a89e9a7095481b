"""All configuration of the pipeline, in one PipelineOptions subclass.

`NewsPipelineOptions` is what Beam sees on any runner; `python -m pipeline`
builds its command line from the same definitions (`flags.py`), so a flag
means the same thing everywhere.
"""
from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

from .flags import add_article_args, add_stream_args


class NewsPipelineOptions(PipelineOptions):
    """The pipeline's own options, next to Beam's."""

    @classmethod
    def _add_argparse_args(cls, parser):
        add_article_args(parser)
        add_stream_args(parser)
