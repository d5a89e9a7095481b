"""`make run`: the job in live mode, on a given Kafka or on the embedded broker.

With BOOTSTRAP (--bootstrap-servers) it runs against that cluster. Without,
it starts the embedded Tansu broker on 127.0.0.1:9092 (in memory, gone when
this stops), creates the topics and says how to feed it from another shell.
Either way it runs until Ctrl-C or SIGTERM, printing a progress line every
few seconds; any other flag goes to `python -m pipeline run`. With --feeds
"URL ..." (make run FEEDS="..."), `python -m pipeline ingest` polls those
sources into the input topic beside it, every --feed-interval seconds.
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys

from apache_beam.options.pipeline_options import PipelineOptions

from ..kafka import admin
from ..options import NewsPipelineOptions
from ..run import run
from .broker import BrokerError, EmbeddedBroker


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.dev.live", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap-servers", default="", help="Kafka to run against (default: embedded)")
    parser.add_argument("--embedded-port", type=int, default=9092,
                        help="port of the embedded broker (default: %(default)s)")
    parser.add_argument("--feeds", default="", help="sources for `ingest`, separated by spaces (default: none)")
    parser.add_argument("--feed-interval", type=float, default=60.0,
                        help="seconds between two polls of a source (default: %(default)s)")
    args, rest = parser.parse_known_args(argv)
    logging.getLogger("kafka").setLevel(logging.ERROR)
    with contextlib.ExitStack() as stack:
        bootstrap = args.bootstrap_servers
        if not bootstrap:
            try:
                bootstrap = stack.enter_context(EmbeddedBroker(args.embedded_port)).bootstrap
            except BrokerError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            # the topic names as `run` will read them from the same flags
            opts = PipelineOptions(rest).view_as(NewsPipelineOptions)
            admin.ensure_topics(bootstrap, [opts.input_topic, opts.output_topic, opts.dead_letter_topic])
            print(f"embedded broker on {bootstrap}; feed it from another shell, e.g.\n"
                  f"  .venv/bin/python -m pipeline feed --bootstrap-servers {bootstrap} "
                  f"--topic {opts.input_topic} --rate 2 samples/*.txt\n"
                  f"  .venv/bin/python -m pipeline consume --bootstrap-servers {bootstrap} "
                  f"--topic {opts.output_topic} --from-beginning", file=sys.stderr, flush=True)
        if args.feeds.split():
            opts = PipelineOptions(rest).view_as(NewsPipelineOptions)
            ingest = subprocess.Popen([sys.executable, "-m", "pipeline", "ingest", "--bootstrap-servers", bootstrap,
                                       "--topic", opts.input_topic, "--state-dir", os.path.join(opts.state_dir, "ingest"),
                                       "--interval", str(args.feed_interval), *args.feeds.split()])
            stack.callback(ingest.wait)
            stack.callback(ingest.terminate)
            print(f"ingest polls {len(args.feeds.split())} sources into {opts.input_topic} every "
                  f"{args.feed_interval:g} s", file=sys.stderr, flush=True)
        print("live mode: Ctrl-C stops it after committing what was written", file=sys.stderr, flush=True)
        totals = run(["--bootstrap-servers", bootstrap, "--create-topics", *rest])
    print("stopped; " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
