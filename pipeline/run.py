"""Building and running the streaming job.

entry point (`python -m pipeline run`) -> run() -> build_pipeline() -> the
composites in pipeline.transforms. All flags, ours and Beam's, go through
`NewsPipelineOptions`, so the same command line works on any runner.

Three ways it runs:
- bounded (--until-idle / --until-end / --max-records): one pipeline that catches up and
  stops;
- live on a distributed runner (Flink, Dataflow, ...): one streaming
  pipeline whose readers never stop;
- live on the local runner: a chain of pipelines ("segments") that each read
  for --segment-seconds, then finish, commit and hand over to the next, which
  goes on from the committed offsets. Why: the FnApiRunner keeps every
  poll's metrics until a pipeline ends (~21 KB per poll, a few polls a
  second even when idle: gigabytes a day), as a chain of generators one
  level deeper per bundle, so that reading them at the end raises
  RecursionError after about a thousand bundles (seen in `make bench`). The
  job counts a local segment's work with its own totals instead of reading
  those metrics, and a segment also ends after SEGMENT_BUNDLES bundles,
  which bounds that memory. Measured by `make bench`: memory stays flat.
  SIGINT/SIGTERM end the current segment cleanly (what was written is
  committed) and stop.
"""
from __future__ import annotations

import signal
import sys
import threading
import time

import logging

import apache_beam as beam
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions

from . import progress
from .flags import is_local_runner, written_topics
from .kafka import admin
from .kafka.admin import require_topics
from .kafka.clients import commit_start, committed_offsets, read_to_end, wait_for_broker
from .kafka.membership import GroupMembership
from .news.articles import TimeWindow
from .options import NewsPipelineOptions
from .transforms import (
    DEAD_LETTER, DUPLICATES, RESTART, STOP, AnnotateArticles, DecodeArticles, DropDuplicates, NormalizeArticles,
    ReadArticleMessages, WriteArticles, WriteDeadLetters, WriteDuplicateEvents, WriteEntityEvents, WriteQuoteEvents,
    counters, request_stop,
)
from .transforms.read import forget_commits

_LOG = logging.getLogger(__name__)

# Without --runner we run on Beam's FnApiRunner: it is what the DirectRunner
# falls back to here anyway, and naming it skips the DirectRunner's attempt to
# download the Prism runner binary, which fails (or hangs) offline.
LOCAL_RUNNER = "FnApiRunner"
# Bundles per live segment: a bundle polls each partition of the segment
# once, so a segment ends after this many polls per partition. The runner
# holds ~21 KB per poll until the segment ends: 1500 bundles of 4 partitions
# are ~130 MB (measured: a segment of 2,500 bundles of 4 partitions grew the
# process by 210 MB and ended cleanly; no metrics are read). Each hand-over
# stalls the wire for 1.5-2.5 s (setting up the next pipeline), so fewer is
# better: at 10 articles/s on 2 partitions a segment now lasts ~255 s
# instead of ~2 minutes. (It was 600 polls in all before that: with two
# partitions, a segment and its stall every 45 s.)
SEGMENT_BUNDLES = 1500
# how often a member of a group done with its partitions under --until-end
# asks whether the others are done too (each asking costs a consumer's
# connection to the broker)
_GROUP_END_POLL_S = 0.25
# ... and when it stops waiting although the topic is not read: the group's
# commits have not moved for this long. Nobody is reading what is left: a
# producer's clock behind ours, or a record stamped before the run started
# but appended after the segments' ends were taken. Leaving then costs the
# others at most a rebalance; waiting on would never end.
_GROUP_END_STALL_S = 60.0


def build_pipeline(pipeline: beam.Pipeline, opts: NewsPipelineOptions, stop_at: float | None = None,
                   max_polls: int | None = None, partitions: list[int] | None = None) -> None:
    """Add the whole job to `pipeline`: read, decode, normalise, drop
    duplicates, find entities and quotes, write records and dead letters. It
    stays one fused stage (no Flatten or grouping): the reader commits a
    bundle's offsets after its writes. Every step that can fail for one
    message has a dead-letter output, each written by its own writer."""
    bootstrap, dlq = opts.bootstrap_servers, opts.dead_letter_topic
    messages = pipeline | "ReadArticleMessages" >> ReadArticleMessages(
        bootstrap, opts.input_topic, opts.group_id, opts.start,
        until_idle=opts.until_idle, max_records=opts.max_records, stop_at=stop_at, max_polls=max_polls,
        partitions=partitions, until_end=opts.until_end,
    )
    window = TimeWindow(opts.earliest_published, opts.max_future)
    decoded = messages | "DecodeArticles" >> DecodeArticles(opts.max_article_bytes, window)
    normalized = decoded.articles | "NormalizeArticles" >> NormalizeArticles()
    # duplicates are dropped before the NLP, which is nearly all of an article's cost
    unique = normalized.records | "DropDuplicates" >> DropDuplicates(
        opts.dedup_store or opts.state_dir, opts.dedup_threshold, opts.dedup_horizon)
    annotated = unique.unique | "AnnotateArticles" >> AnnotateArticles(opts.spacy_model, opts.nlp_batch_size, opts.max_tokens)
    failures = {
        "Decode": decoded[DEAD_LETTER],
        "Normalize": normalized[DEAD_LETTER],
        "Judge": unique[DEAD_LETTER],
        "Extract": annotated[DEAD_LETTER],
        "Encode": annotated.records | "WriteArticles" >> WriteArticles(bootstrap, opts.output_topic, dlq),
    }
    if opts.duplicates_topic:
        failures["EncodeDuplicate"] = unique[DUPLICATES] | "WriteDuplicateEvents" >> WriteDuplicateEvents(
            bootstrap, opts.duplicates_topic, dlq)
    if opts.quotes_topic:
        failures["EncodeQuotes"] = annotated.records | "WriteQuoteEvents" >> WriteQuoteEvents(
            bootstrap, opts.quotes_topic, dlq)
    if opts.entities_topic:
        failures["EncodeEntities"] = annotated.records | "WriteEntityEvents" >> WriteEntityEvents(
            bootstrap, opts.entities_topic, dlq)
    for step, failed in failures.items():
        failed | f"Write{step}Failures" >> WriteDeadLetters(bootstrap, dlq)


def _run_once(options: PipelineOptions, opts: NewsPipelineOptions, stop_at: float | None = None,
              max_polls: int | None = None, partitions: list[int] | None = None, local: bool = False) -> dict:
    """Build and run the pipeline once -> its counters by name. `local`: it
    runs in this process, whose own totals (progress.PROGRESS, which every
    counter also adds to) then give the counters: querying the local
    runner's metrics took 1.2-1.6 s at the end of each live segment, a stall
    the wire felt (issue 17's latency)."""
    started = time.monotonic()
    before = progress.PROGRESS.snapshot()[0] if local else None
    pipeline = beam.Pipeline(options=options)
    build_pipeline(pipeline, opts, stop_at, max_polls, partitions)
    result = pipeline.run()
    result.wait_until_finish()
    finished = time.monotonic()
    if before is not None:
        after = progress.PROGRESS.snapshot()[0]
        found = {name: value - before.get(name, 0) for name, value in after.items() if value != before.get(name, 0)}
    else:
        found = counters(result)
    _LOG.info("pipeline ran %.1f s; its counters took %.2f s", finished - started, time.monotonic() - finished)
    return found


class UnsupportedOptions(ValueError):
    """Flags this job cannot honour as given."""


def check_options(options: PipelineOptions) -> None:
    """Refuse, with the reason, options that would make the job silently
    do something else than asked."""
    standard = options.view_as(StandardOptions)
    direct = options.view_as(DirectOptions)
    if is_local_runner(standard.runner) and (direct.direct_num_workers or 1) != 1:
        raise UnsupportedOptions(
            "--direct_num_workers other than 1 is refused: Beam's local runner then drops the Kafka readers' "
            "deferred work and the job stops after one poll (run several `run` processes instead)")


def run(argv=None, out=sys.stderr, membership: GroupMembership | None = None) -> dict:
    """Parse flags and run the job (bounded, or live until stopped); return
    the pipeline's counters by name. Progress lines of a live local run go
    to `out`. `membership`: this process's group membership, already
    started (the command line joins before it imports Beam), for a local
    run with --partitions group; the run closes it. Raises
    UnsupportedOptions, BrokerUnreachable when no broker answers within
    --broker-timeout, or MissingTopics when a topic it writes to does not
    exist and --create-topics was not given."""
    options = PipelineOptions(argv)
    opts = options.view_as(NewsPipelineOptions)
    standard = options.view_as(StandardOptions)
    if standard.runner is None:
        standard.runner = LOCAL_RUNNER
    check_options(options)
    STOP.clear()  # a stop asked of an earlier run in this process is not one of this run
    RESTART.clear()
    wait_for_broker(opts.bootstrap_servers, opts.broker_timeout)
    require_topics(opts.bootstrap_servers, written_topics(opts), opts.create_topics)
    bounded = opts.until_idle is not None or opts.max_records is not None or opts.until_end
    if not is_local_runner(standard.runner):
        # a distributed runner spreads the partitions over its workers itself
        standard.streaming = not bounded
        return _run_once(options, opts)
    return _run_locally(options, opts, bounded, out, membership)


def _apply_start(opts: NewsPipelineOptions, start: str, partitions: list[int] | None, grouped: bool) -> None:
    """Commit --start earliest|latest for this process's first partitions.
    A member of a consumer group given only part of the topic joined others
    that may already be reading it: moving their offsets would skip (latest)
    or repeat (earliest) what they did, so it applies --start only where the
    group has committed nothing, as Kafka's auto.offset.reset does. A process
    that holds every partition (alone, a fixed list, --partitions all) moves
    them all: that is how a run replays or skips a topic."""
    if grouped:
        committed = committed_offsets(opts.bootstrap_servers, opts.input_topic, opts.group_id)
        if set(partitions) != set(committed):
            partitions = [p for p in partitions if committed.get(p) is None]
            if not partitions:
                return
    commit_start(opts.bootstrap_servers, opts.input_topic, opts.group_id, start, partitions)
    forget_commits(opts.bootstrap_servers, opts.group_id, opts.input_topic)


class _Share:
    """Which partitions this process reads, segment by segment: all, a fixed
    list, or what the consumer group assigns (kafka/membership.py)."""

    def __init__(self, opts: NewsPipelineOptions, membership: GroupMembership | None = None):
        self.fixed = None if opts.partitions in ("group", "all") else [int(p) for p in opts.partitions.split(",")]
        self.membership = None
        if opts.partitions != "group":
            if membership is not None:
                membership.close()
        elif membership is not None:
            membership.interrupting(RESTART)
            self.membership = membership
        else:
            self.membership = GroupMembership(opts.bootstrap_servers, opts.input_topic, opts.group_id, RESTART,
                                              int(opts.session_timeout * 1000))
            self.membership.start()

    def begin(self) -> list[int] | None:
        """The partitions of the next segment (None: all of them; [] when
        stopped before an assignment came)."""
        if self.membership is None:
            RESTART.clear()
            return self.fixed
        while not STOP.is_set():
            partitions = self.membership.begin_segment(timeout=1.0)
            if partitions is not None:
                return partitions
        return []

    def end(self) -> None:
        if self.membership is not None:
            self.membership.end_segment()

    def wait_for_change(self) -> None:
        if self.membership is not None:
            self.membership.wait_for_change(1.0)

    def close(self) -> None:
        if self.membership is not None:
            self.membership.close()


def _run_locally(options: PipelineOptions, opts: NewsPipelineOptions, bounded: bool, out,
                 membership: GroupMembership | None = None) -> dict:
    """Segments of the job on the local runner, each over this process's
    share of the partitions, until stopped; a bounded run ends after the
    first segment that was not cut short by a rebalance."""
    # every segment goes on from the committed offsets; so --start is
    # committed once, for the partitions of the first segment (with a group:
    # the partitions this process is given when it joins)
    start, opts.start = opts.start, "committed"
    began = time.time()  # --until-end in a group: what is produced later is not waited for
    progress.PROGRESS.reset()
    restore = _stop_on_signals()
    reporter = (progress.Reporter(opts.progress_seconds, out, bootstrap=opts.bootstrap_servers)
                if opts.progress_seconds > 0 and not bounded else None)
    if reporter:
        reporter.start()
    totals: dict[str, int] = {}
    metrics = None
    if opts.metrics_port is not None:
        from . import monitoring

        metrics = monitoring.serve(opts.metrics_port)
        _LOG.info("metrics on http://127.0.0.1:%d/metrics", metrics.server_port)
    _load_in_background(opts.spacy_model, opts.nlp_batch_size, opts.max_tokens)
    share = _Share(opts, membership)

    def _group_read_to_end() -> bool:
        """--until-end in a group, this member's partitions read to their
        end: wait until the whole topic is (True), or until the group
        rebalances first (False). A member that left now would make the
        others rebalance: a segment cut short and the next started after the
        group's next join (~half the session timeout), or, for a member done
        meanwhile, its leave held behind that join (measured: its close took
        3.0 s, against 0.1 s when all leave together)."""
        said = False
        commits, moved, looked = None, time.monotonic(), 0.0
        while not STOP.is_set():
            if _read_to_end(opts, began):
                return True
            if not said:
                _LOG.info("%s: partitions %s read to their end; waiting for the rest of group %s",
                          opts.input_topic, share.membership.assigned, opts.group_id)
                said = True
            if time.monotonic() - looked >= _GROUP_END_STALL_S / 10:  # each look is a connection
                looked = time.monotonic()
                now = _group_commits(opts)
                if now is None or now != commits:
                    commits, moved = now, looked
                elif looked - moved > _GROUP_END_STALL_S:
                    _LOG.warning("%s: group %s has committed nothing for %.0f s and the topic is not read "
                                 "to its end; this member stops waiting", opts.input_topic, opts.group_id,
                                 looked - moved)
                    return True
            if RESTART.wait(_GROUP_END_POLL_S):
                return False
        return True

    try:
        while not STOP.is_set():
            if not _wait_for_topic(opts.bootstrap_servers, opts.input_topic):
                break
            partitions = share.begin()
            reading = partitions if partitions is not None else admin.partitions_of(opts.bootstrap_servers,
                                                                                    opts.input_topic)
            progress.PROGRESS.set_assigned(opts.input_topic, reading)
            if start != "committed" and partitions != []:
                _apply_start(opts, start, partitions, grouped=share.membership is not None)
                start = "committed"
            try:
                if partitions == []:
                    if bounded or STOP.is_set():
                        break  # more members than partitions: nothing for this one
                    share.end()
                    share.wait_for_change()
                    continue
                if bounded:
                    segment = _run_once(options, opts, partitions=partitions, local=True)
                else:
                    segment = _run_once(options, opts, stop_at=time.time() + opts.segment_seconds,
                                        max_polls=SEGMENT_BUNDLES * max(1, len(reading)), partitions=partitions,
                                        local=True)
            finally:
                share.end()
            for name, value in segment.items():
                totals[name] = totals.get(name, 0) + value
            if bounded and not RESTART.is_set():
                if not (opts.until_end and share.membership is not None) or _group_read_to_end():
                    break
                continue  # the group rebalanced meanwhile: this member may have been given unread partitions
            if opts.until_end and share.membership is not None and _read_to_end(opts, began):
                # the rebalance came from a member that finished and left:
                # nothing is left to read, so no new segment (nor the wait
                # for the group to settle, ~2.5 s, and a segment's start)
                break
    finally:
        share.close()
        if metrics is not None:
            metrics.shutdown()
        if reporter:
            reporter.stop()
        restore()
    return totals


def _read_to_end(opts: NewsPipelineOptions, began: float) -> bool:
    """Has the group read the input topic as it was when this run `began`
    (epoch seconds)? False when the broker cannot say (the next segment
    waits for it as usual)."""
    from kafka.errors import KafkaError

    try:
        return read_to_end(opts.bootstrap_servers, opts.input_topic, opts.group_id, produced_by=began)
    except (KafkaError, OSError, RuntimeError) as exc:
        _LOG.info("could not tell whether %s was read to its end (%s): reading on", opts.input_topic, exc)
        return False


def _group_commits(opts: NewsPipelineOptions) -> dict | None:
    """The group's commits on the input topic; None when the broker cannot
    say (a stall is not counted through it)."""
    from kafka.errors import KafkaError

    try:
        return committed_offsets(opts.bootstrap_servers, opts.input_topic, opts.group_id)
    except (KafkaError, OSError, RuntimeError) as exc:
        _LOG.info("could not read the commits of group %s (%s)", opts.group_id, exc)
        return None


def _load_in_background(model: str, batch_size: int, max_tokens) -> None:
    """Load the spaCy pipeline and the language detector, and make the
    Enricher (0.17 s: a tokenizer and a lemma table), in a thread, so that
    they load while the consumer group assigns this process its partitions
    (a group's first join waits about 3 s; the model takes about 2 s) and
    Beam builds the pipeline; the annotating DoFn's setup then finds them
    loaded (news.nlp.shared_model waits for a load in progress). A model
    that cannot load is logged here and fails the job in that setup."""

    def load():
        from .news.nlp import ModelError
        from .transforms.understand import shared_enricher

        try:
            shared_enricher(model, batch_size, max_tokens)
        except (ModelError, OSError, ImportError) as exc:
            _LOG.debug("loading %s ahead of the pipeline failed (its setup will say why): %s", model, exc)

    threading.Thread(target=load, name="load-model", daemon=True).start()


def _wait_for_topic(bootstrap: str, topic: str) -> bool:
    """Wait until `topic` exists (saying so once); False if asked to stop first."""
    from .kafka.admin import partitions_of

    said = False
    while not STOP.is_set():
        try:
            partitions_of(bootstrap, topic, timeout=2.0)
        except RuntimeError:
            if not said:
                _LOG.warning("input topic %s not found on %s (a memory broker restarted?); waiting for it", topic,
                             bootstrap)
                said = True
            STOP.wait(2.0)
            continue
        if said:
            _LOG.warning("input topic %s is back", topic)
        return True
    return False


def _stop_on_signals():
    """SIGINT and SIGTERM ask the readers to stop; returns what undoes that.
    (Signal handlers can only be set from the main thread; elsewhere the
    caller stops the run with transforms.request_stop().)"""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.signal(sig, lambda *_: request_stop()) for sig in (signal.SIGINT, signal.SIGTERM)}
    return lambda: [signal.signal(sig, handler) for sig, handler in previous.items()]
