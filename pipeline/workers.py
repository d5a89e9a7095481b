"""`run --workers N`: N local processes of the job in one consumer group, so
the input topic's partitions are shared between the machine's cores, with
one progress line for all of them.

Each worker is a plain `python -m pipeline run` with the same flags (and
--partitions group), serving its metrics on a loopback port; this process
reads those every --progress-seconds, prints their sum, passes SIGINT and
SIGTERM on, and ends when they have all ended (status 1 if one failed).
"""
from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from .flags import parse_run_flags, unknown_flags_message
from .net import free_port
from .progress import SHOWN

_SCRAPE_TIMEOUT_S = 2.0


def without_flag(argv: list[str], flag: str, takes_value: bool = True) -> list[str]:
    """argv less every `flag` (as `--flag V` or `--flag=V`)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == flag:
            skip = takes_value
            continue
        if arg.startswith(flag + "="):
            continue
        out.append(arg)
    return out


def scrape(port: int) -> dict[str, float]:
    """A worker's counters and summed lag, from its metrics page."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=_SCRAPE_TIMEOUT_S) as page:
        text = page.read().decode()
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_total") and sample.name.startswith("news_pipeline_"):
                found[sample.name[len("news_pipeline_"):-len("_total")]] = sample.value
            elif sample.name == "news_pipeline_consumer_lag":
                found["lag"] = found.get("lag", 0) + sample.value
            elif sample.name == "news_pipeline_assigned_partitions":
                found["partitions"] = found.get("partitions", 0) + sample.value
    return found


def start_once(argv: list[str], opts) -> list[str]:
    """Commit --start earliest|latest for the whole topic here, once, and
    give the workers `--start committed`: each worker joining the group
    would otherwise move only the offsets of its own first partitions, or
    none (see run._apply_start). (argv, our flags parsed) -> the workers' argv."""
    from .kafka.clients import commit_start, wait_for_broker

    if opts.start == "committed":
        return argv
    wait_for_broker(opts.bootstrap_servers, opts.broker_timeout)
    commit_start(opts.bootstrap_servers, opts.input_topic, opts.group_id, opts.start)
    return without_flag(argv, "--start") + ["--start", "committed"]


def run_workers(count: int, argv: list[str], every: float, out=sys.stderr) -> int:
    """Start `count` workers with `argv` (the run flags, less --workers) and
    watch them until they end; returns the exit status."""
    argv = without_flag(without_flag(without_flag(argv, "--progress-seconds"), "--metrics-port"), "--partitions")
    from .kafka.clients import BrokerUnreachable

    opts, foreign = parse_run_flags(argv)
    if foreign:
        # Beam's flags, or mistakes: only Beam can tell which. Importing it
        # takes ~1 s, which every worker pays again, so only then
        from .options import unknown_flags

        unknown = unknown_flags(argv)
        if unknown:
            print(unknown_flags_message(unknown), file=out)
            return 2
    try:
        argv = start_once(argv, opts)
    except BrokerUnreachable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ports = [free_port() for _ in range(count)]
    workers = [subprocess.Popen([sys.executable, "-m", "pipeline", "run", *argv, "--partitions", "group",
                                 "--progress-seconds", "0", "--metrics-port", str(port)]) for port in ports]

    def pass_on(signum, _frame):
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signum)

    previous = {sig: signal.signal(sig, pass_on) for sig in (signal.SIGINT, signal.SIGTERM)}
    before, then = {}, time.monotonic()
    last: dict[int, dict[str, float]] = {}  # port -> what its worker's page said last
    try:
        while any(worker.poll() is None for worker in workers):
            # waiting on a worker rather than sleeping: the job ends as soon as its last worker does
            running = next(worker for worker in workers if worker.poll() is None)
            try:
                running.wait(max(0.0, then + every - time.monotonic()) if every > 0 else None)
            except subprocess.TimeoutExpired:
                pass
            if every <= 0 or time.monotonic() - then < every:
                continue
            answering = 0
            for port in ports:
                try:
                    last[port] = scrape(port)
                    answering += 1
                except OSError:
                    # a worker still starting (or gone) has no metrics page: counted as not answering; its
                    # last totals still count, its gauges (lag, partitions) no longer do
                    last.get(port, {}).update(lag=0, partitions=0)
            now = {}
            for scraped in last.values():
                for name, value in scraped.items():
                    now[name] = now.get(name, 0) + value
            at = time.monotonic()
            rate = (now.get("read", 0) - before.get("read", 0)) / (at - then)
            totals = ", ".join(f"{name.replace('_', '-')} {int(now.get(name, 0))}" for name in SHOWN)
            print(f"workers: {answering}/{count} up, {int(now.get('partitions', 0))} partitions; {rate:.1f} msg/s, "
                  f"lag {int(now.get('lag', 0))}; totals: {totals}", file=out, flush=True)
            before, then = now, at
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    codes = [worker.wait() for worker in workers]
    failed = [n for n, code in enumerate(codes) if code != 0]
    if failed:
        print(f"error: worker{'s' if len(failed) > 1 else ''} {', '.join(map(str, failed))} ended with status "
              f"{', '.join(str(codes[n]) for n in failed)}", file=out)
        return 1
    return 0
