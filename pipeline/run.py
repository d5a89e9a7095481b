"""Building and running the streaming job.

entry point (`python -m pipeline run`) -> run() -> build_pipeline() -> the
transforms in transforms.py. All flags, ours and Beam's, go through
`NewsPipelineOptions`, so the same command line works on any runner.
"""
from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from .kafka_io import ensure_topics
from .options import NewsPipelineOptions
from .transforms import (
    DEAD_LETTER, DUPLICATES, CommitOffsets, DecodeArticles, DropDuplicates, EnrichArticles, ReadArticleMessages,
    WriteArticles, WriteDeadLetters, acknowledge,
)

# Without --runner we run on Beam's FnApiRunner: it is what the DirectRunner
# falls back to here anyway, and naming it skips the DirectRunner's attempt to
# download the Prism runner binary, which fails (or hangs) offline.
LOCAL_RUNNER = "FnApiRunner"


def build_pipeline(pipeline: beam.Pipeline, opts: NewsPipelineOptions) -> None:
    """Add the whole job to `pipeline`: read, decode, enrich, write, dead
    letters, commit."""
    bootstrap = opts.bootstrap_servers
    messages = pipeline | "ReadArticleMessages" >> ReadArticleMessages(
        bootstrap, opts.input_topic, opts.group_id, opts.start,
        until_idle=opts.until_idle if opts.until_idle is not None else float("inf"),
        max_records=opts.max_records,
    )
    decoded = messages | "DecodeArticles" >> DecodeArticles(opts.max_article_bytes)
    enriched = decoded.articles | "EnrichArticles" >> EnrichArticles(opts.spacy_model)
    unique = enriched.records | "DropDuplicates" >> DropDuplicates(opts.state_dir)
    written = unique.unique | "WriteArticles" >> WriteArticles(bootstrap, opts.output_topic)
    dropped = unique[DUPLICATES] | "AcknowledgeDuplicates" >> beam.Map(lambda dup: acknowledge(dup[0]))
    failures = (decoded[DEAD_LETTER], enriched[DEAD_LETTER]) | "AllFailures" >> beam.Flatten()
    dead = failures | "WriteDeadLetters" >> WriteDeadLetters(bootstrap, opts.dead_letter_topic)
    acks = (written, dropped, dead) | "AllAcknowledged" >> beam.Flatten()
    acks | "CommitOffsets" >> CommitOffsets(bootstrap, opts.group_id)


def run(argv=None) -> beam.runners.runner.PipelineResult:
    """Parse flags, check the bounds, run the job to completion."""
    options = PipelineOptions(argv)
    opts = options.view_as(NewsPipelineOptions)
    standard = options.view_as(StandardOptions)
    if opts.until_idle is None and opts.max_records is None:
        raise SystemExit(
            "error: live mode (no --until-idle / --max-records) is not built yet; "
            "give a bound for a run that catches up and stops"
        )
    if standard.runner is None:
        standard.runner = LOCAL_RUNNER
    ensure_topics(opts.bootstrap_servers, [opts.output_topic, opts.dead_letter_topic])
    pipeline = beam.Pipeline(options=options)
    build_pipeline(pipeline, opts)
    result = pipeline.run()
    result.wait_until_finish()
    return result
