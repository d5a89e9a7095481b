"""Scaling the job: one process against raw spaCy, two processes against
one, live latency with two workers, and a killed member's partitions taken
over. Everything runs on the embedded broker (Tansu, in memory) with the
real bundled model, each job as a separate `python -m pipeline run`.

The machine is small (2 cores) and shared, so the two sides of a
comparison are measured in the same run, in alternating rounds (A, B, A,
B, ...), and every ratio is printed as its median with the min-max of the
rounds.

1. catch-up, 1 process vs raw nlp.pipe: the articles are queued on a fresh
   4-partition topic; A = `run --until-end --partitions all` from start
   to exit; B = a subprocess that loads the same model and runs
   `nlp.pipe(bodies, batch_size=16)` over the same normalised bodies (as
   `normalized_record` makes them). Both are timed from process start to
   exit, so both pay the interpreter, the imports and the model load; the
   job also pays Beam's start-up, its Kafka clients and an empty poll of
   each partition before it stops. Ratio = raw seconds / job seconds (the job's throughput as a
   fraction of raw spaCy's). Also shown, without the start and the model
   load: the job's rate of records out after its first batch of them (a
   bundle's records come out together) against nlp.pipe's articles/s.
2. 2 processes vs 1: the same queue; A = `run --workers 2 --until-end`
   (`--partitions group`), B = one `run --until-end --partitions group`.
   Each run must write every input key to the output topic, none twice.
   Ratio = 1-process seconds / 2-process seconds; also the ratio of their
   rates of records out after the first batch (without start and stop).
3. live, 2 workers: `run --workers 2` without a bound, a steady wire; a
   consumer reads the output and duplicates topics: latency = receive time
   minus the input message's Kafka timestamp (the job copies it to what it
   writes). The wire is benchmarks/live.py's: the BBC articles, then the
   same again with a changed last line (near copies: duplicate events, no
   NLP), so the latency of articles that went through the NLP is shown
   apart.
4. rebalance: two `run` processes of one group (--session-timeout 6),
   10 articles/s; once their logs show they split the partitions, one is
   killed (SIGKILL). Timeline: the kill, the session timeout, the
   survivor's log line taking the partitions, and the first record of
   those partitions on the output topic. Then the wire stops and drains:
   articles lost (must be 0) and written twice (at most what the killed
   member had written but not committed: its output beyond the offsets
   its group had committed at the kill).

For items 1 and 2 the wire is the distinct BBC articles (benchmarks/live.py
wire_texts) less those the job's duplicate judge drops as near copies of
an earlier one (a few revisions), so that the job and raw spaCy parse the
same articles; `--scale-articles N` takes N of them spread over the
categories. Messages go to partition n % 4, so the partitions carry the same
number. Without the BBC data the samples are used, and the table says so.
Our consumers fetch with fetch_max_wait_ms=50, so they add little to the
latencies they measure.
"""
from __future__ import annotations

import json
import os
import resource
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARTITIONS = 4
MODEL = "en_news_sm"
BATCH = 16  # the job's --nlp-batch-size default
BOUND = "--until-end"  # how the catch-up runs stop
CATCHUP_SINK_WAIT_MS = 500  # see Sink
SESSION_TIMEOUT = 6.0
REBALANCE_RATE = 10.0
AFTER_KILL_S = 40.0  # the wire goes on this long after the kill
ASSIGNED = re.compile(r"this process reads partitions (\[[\d, ]*\]|none)")


# ---------------------------------------------------------------- the wire

def catchup_texts(data: str, limit: int | None) -> tuple[list[str], str]:
    """Texts every one of which the job keeps (exact and near copies of an
    earlier one left out), `limit` of them spread over the list (its files
    are sorted by category); and where they come from."""
    from benchmarks.live import wire_texts
    from pipeline.dedup.judge import Deduplicator
    from pipeline.dedup.memory_store import MemoryStore
    from pipeline.news.articles import ArticleError, RawArticle
    from pipeline.news.enrich import normalized_record

    texts, label = wire_texts(data)
    judge = Deduplicator(MemoryStore())
    kept = []
    for n, text in enumerate(texts):
        try:
            rec = normalized_record(RawArticle(id=f"k{n}", text=text))
        except ArticleError:  # nothing left to parse: the job would dead-letter it
            continue
        if not judge.judge(rec["id"], f"wire/{n}", n, rec["content_hash"], rec["body"]).duplicate:
            kept.append(text)
    label += f", {len(texts) - len(kept)} near copies left out"
    if limit and limit < len(kept):
        kept = [kept[i * len(kept) // limit] for i in range(limit)]
        label += f", {limit} taken"
    return kept, label


def bodies_of(keys: list[str], texts: list[str]) -> list[str]:
    """The normalised bodies the job parses (plain text named by its key)."""
    from pipeline.news.articles import RawArticle
    from pipeline.news.enrich import normalized_record

    return [normalized_record(RawArticle(id=k, text=t))["body"] for k, t in zip(keys, texts)]


def produce(bootstrap: str, topic: str, messages) -> dict[bytes, tuple[int, int]]:
    """Send (key, value) pairs, message n to partition n % PARTITIONS; flush
    and check; -> key -> (partition, offset)."""
    from pipeline.kafka import clients

    producer = clients.make_producer(bootstrap)
    try:
        futures = [(key, producer.send(topic, key=key, value=value, partition=n % PARTITIONS))
                   for n, (key, value) in enumerate(messages)]
        producer.flush(60)
        return {key: (md.partition, md.offset) for key, md in ((k, f.get(timeout=60)) for k, f in futures)}
    finally:
        producer.close()


class Wire(threading.Thread):
    """Articles `first`, `first+1`, ... (benchmarks.live.article) at `rate`
    per second until stopped; notes each one's partition and offset."""

    def __init__(self, bootstrap: str, topic: str, texts: list[str], rate: float, first: int = 0,
                 count: int | None = None):
        super().__init__(daemon=True)
        self.bootstrap, self.topic, self.texts, self.rate = bootstrap, topic, texts, rate
        self.first, self.count = first, count
        self.stopped = threading.Event()
        self.sent: dict[bytes, float] = {}  # key -> when sent (monotonic)
        self.placed: dict[bytes, tuple[int, int]] = {}  # key -> (partition, offset), once acknowledged
        self.error: BaseException | None = None

    def run(self):
        from benchmarks.live import article
        from pipeline.kafka import clients, formats

        producer = clients.make_producer(self.bootstrap, linger_ms=0)
        numbers = range(self.first, self.first + self.count) if self.count is not None else _count(self.first)
        try:
            for n in formats.paced(numbers, self.rate):
                if self.stopped.is_set():
                    break
                key = f"scale-{n}".encode()
                future = producer.send(self.topic, key=key, value=article(self.texts, n), partition=n % PARTITIONS)
                self.sent[key] = time.monotonic()
                future.add_callback(lambda md, key=key: self.placed.__setitem__(key, (md.partition, md.offset)))
            producer.flush(60)
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            self.error = exc
        finally:
            producer.close()


def _count(start: int):
    while True:
        yield start
        start += 1


# ---------------------------------------------------------------- reading the sinks

@dataclass
class Seen:
    topic: str
    key: bytes
    wall: float  # receive time, epoch seconds
    mono: float  # receive time, monotonic seconds
    timestamp_ms: int  # the record's Kafka timestamp (the input message's, copied by the job)


class Sink(threading.Thread):
    """Reads `topics` from their beginning until stopped; notes every record,
    with when a poll brought it: to within `wait_ms` (a live run's latencies
    need 50 ms; a catch-up's rate does not, and polling 12 partitions every
    50 ms took 8-9 % of a core from the jobs under test)."""

    def __init__(self, bootstrap: str, topics, wait_ms: int = 50):
        super().__init__(daemon=True)
        self.bootstrap, self.topics, self.wait_ms = bootstrap, list(topics), wait_ms
        self.seen: list[Seen] = []
        self.ready, self.stopped = threading.Event(), threading.Event()
        self.error: BaseException | None = None

    def run(self):
        from kafka import TopicPartition

        from pipeline.kafka import admin, clients

        try:
            consumer = clients.make_consumer(self.bootstrap, fetch_max_wait_ms=self.wait_ms)
            parts = [TopicPartition(t, p) for t in self.topics for p in admin.partitions_of(self.bootstrap, t)]
            consumer.assign(parts)
            consumer.seek_to_beginning(*parts)
            for tp in parts:
                consumer.position(tp)
        except BaseException as exc:  # noqa: BLE001
            self.error = exc
            self.ready.set()
            return
        self.ready.set()
        try:
            while not self.stopped.is_set():
                for batch in consumer.poll(timeout_ms=self.wait_ms).values():
                    wall, mono = time.time(), time.monotonic()
                    for m in batch:
                        self.seen.append(Seen(m.topic, m.key, wall, mono, m.timestamp))
        except BaseException as exc:  # noqa: BLE001
            self.error = exc
        finally:
            consumer.close()

    def keys(self) -> set:
        return {s.key for s in list(self.seen)}

    def stop(self):
        self.stopped.set()
        self.join(10)


def read_counts(bootstrap: str, topic: str) -> Counter:
    """Every key on `topic`, with how many times it is there."""
    from pipeline.kafka import clients

    return Counter(m.key for m in clients.read_topic(bootstrap, topic, True, 1.0, None))


def dead_reasons(bootstrap: str, topic: str) -> Counter:
    """Dead letters on `topic` by stage and exception message."""
    from pipeline.kafka import clients

    found = Counter()
    for m in clients.read_topic(bootstrap, topic, True, 1.0, None):
        headers = dict(m.headers or [])
        found[f"{(headers.get('dlq.stage') or b'?').decode()}: "
              f"{(headers.get('dlq.exception.message') or b'?').decode(errors='replace')[:90]}"] += 1
    return found


def add_dead_letters(rows: list, what: str, reasons: Counter) -> None:
    """A row for the dead letters of a run (there should be none), with the commonest reason."""
    if reasons:
        rows.append((f"{what}: dead letters (the wire is clean)", str(sum(reasons.values())), "0", False))
        for reason, count in reasons.most_common(2):
            rows.append((f"  {count} x {reason}"[:64], "", "", None))


def wait_for(check, seconds: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return bool(check())


# ---------------------------------------------------------------- jobs

class Topics:
    def __init__(self, bootstrap: str, name: str):
        from pipeline.kafka import admin

        self.name = name
        self.raw, self.out, self.dlq, self.dups = (f"{name}-raw", f"{name}-out", f"{name}-dlq", f"{name}-dups")
        admin.ensure_topics(bootstrap, [self.raw, self.out, self.dlq, self.dups], partitions=PARTITIONS)

    def sinks(self):
        return (self.out, self.dups, self.dlq)


def job_command(bootstrap: str, topics: Topics, state: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "run", "--bootstrap-servers", bootstrap,
            "--input-topic", topics.raw, "--output-topic", topics.out, "--dead-letter-topic", topics.dlq,
            "--duplicates-topic", topics.dups, "--group-id", topics.name, "--create-topics",
            "--state-dir", state, "--spacy-model", MODEL, *extra]


class Process:
    """A child process of ours, its output in a log file; stopped by pid."""

    def __init__(self, command: list[str], log_path: str):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.started = time.monotonic()
        self.popen = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        self.pid = self.popen.pid

    def wait(self, timeout: float) -> int:
        try:
            return self.popen.wait(timeout)
        finally:
            if self.popen.poll() is not None:
                self.log.close()

    def text(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def tail(self, chars: int = 2500) -> str:
        return self.text()[-chars:]

    def children(self) -> list[int]:
        import psutil

        try:
            return [c.pid for c in psutil.Process(self.pid).children(recursive=True)]
        except psutil.Error:
            return []

    def stop(self, timeout: float = 90.0) -> int:
        """SIGTERM (a --workers parent passes it on); SIGKILL to it and its
        children if it has not ended within `timeout`."""
        if self.popen.poll() is None:
            kids = self.children()
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                for pid in kids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.popen.kill()
                self.popen.wait()
        self.log.close()
        return self.popen.returncode


class JobFailed(RuntimeError):
    pass


@dataclass
class Timed:
    seconds: float
    rate: float | None = None  # records out per second after the first batch of them (None: too few batches)
    complete: bool = True
    twice: int = 0
    note: str = ""
    steal: float | None = None  # percent of the machine's CPU time stolen while it ran (steal_since)
    cpu: float | None = None  # CPU seconds (user + system) of the job's processes, all of them (children_cpu)


def timed_job(broker, work: str, name: str, keys: list[bytes], values: list[bytes], *extra: str) -> Timed:
    """Queue the articles on a fresh topic, run the job on them until it
    stops by itself, from start to exit; check its output."""
    topics = Topics(broker.bootstrap, name)
    produce(broker.bootstrap, topics.raw, zip(keys, values))
    sink = Sink(broker.bootstrap, topics.sinks(), wait_ms=CATCHUP_SINK_WAIT_MS)
    sink.start()
    sink.ready.wait(30)
    command = job_command(broker.bootstrap, topics, os.path.join(work, f"{name}-state"), BOUND,
                          "--log-level", "info", *extra)
    before, cpu_before = cpu_ticks(), children_cpu()
    job = Process(command, os.path.join(work, f"{name}.log"))
    try:
        code = job.wait(max(900.0, 3.0 * len(keys)))
    except subprocess.TimeoutExpired:
        job.stop(10)
        raise JobFailed(f"{name}: did not stop within its time; log {job.log_path}:\n{job.tail()}") from None
    seconds = time.monotonic() - job.started
    steal, cpu = steal_since(before), children_cpu() - cpu_before
    if code != 0:
        raise JobFailed(f"{name}: exit status {code}; log {job.log_path}:\n{job.tail()}")
    written = read_counts(broker.bootstrap, topics.out)
    dups, dead = read_counts(broker.bootstrap, topics.dups), dead_reasons(broker.bootstrap, topics.dlq)
    everywhere = written + dups + read_counts(broker.bootstrap, topics.dlq)
    wait_for(lambda: len(sink.seen) >= sum(written.values()) + sum(dups.values()) + sum(dead.values()), 10)
    sink.stop()
    times = sorted(s.mono for s in sink.seen)
    batches = len(set(times))  # one poll's records share a receive time
    after_first = len(times) - times.count(times[0]) if times else 0
    # meaningful only when most records came out after the first batch, in several batches
    rate = after_first / (times[-1] - times[0]) if batches >= 5 and after_first >= len(times) / 2 else None
    expected = set(keys)
    missing = expected - set(written)
    twice = sum(1 for k, c in everywhere.items() if c > 1)
    extra_keys = set(written) - expected
    notes = []
    if missing:
        notes.append(f"{len(missing)} keys not written ({sum(dups.values())} duplicate events, "
                     f"{sum(dead.values())} dead letters" + (f"; {dead.most_common(1)[0][0]}" if dead else "") + ")")
    if twice:
        notes.append(f"{twice} written twice")
    if extra_keys:
        notes.append(f"{len(extra_keys)} unknown keys")
    return Timed(seconds, rate, not missing and not extra_keys, twice, " ".join(notes), steal, cpu)


def timed_raw(work: str, bodies: list[str]) -> dict:
    """nlp.pipe over `bodies` in a fresh process (loading the model), from
    start to exit; -> {"seconds", "load", "pipe", "steal"}."""
    path = os.path.join(work, "bodies.json")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(bodies, f)
    before, cpu_before, started = cpu_ticks(), children_cpu(), time.monotonic()
    done = subprocess.run([sys.executable, "-m", "benchmarks.scale", "--raw-pipe", path], cwd=ROOT,
                          capture_output=True, text=True, timeout=max(900.0, 3.0 * len(bodies)))
    seconds, steal, cpu = time.monotonic() - started, steal_since(before), children_cpu() - cpu_before
    if done.returncode != 0:
        raise JobFailed(f"raw nlp.pipe: exit status {done.returncode}:\n{done.stderr[-2500:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return dict(found, seconds=seconds, steal=steal, cpu=cpu)


def raw_pipe_main(path: str) -> int:
    """The B side of item 1, in its own process: load the model, parse."""
    started = time.monotonic()
    from pipeline.news.nlp import load_model

    with open(path, encoding="utf-8") as f:
        bodies = json.load(f)
    loaded = time.monotonic()
    nlp = load_model(MODEL)
    piped = time.monotonic()
    tokens = 0
    for doc in nlp.pipe(bodies, batch_size=BATCH):
        tokens += len(doc)
    finished = time.monotonic()
    print(json.dumps({"load": piped - loaded, "imports": loaded - started, "pipe": finished - piped,
                      "articles": len(bodies), "tokens": tokens}))
    return 0


# ---------------------------------------------------------------- summaries

def rate_text(timed: Timed) -> str:
    return "too few output batches for a rate" if timed.rate is None else f"{timed.rate:.1f} articles/s after the first"


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    """'median (min-max)'."""
    if not values:
        return "-"
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def lat_text(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{percentile(values, .5):.2f} / {percentile(values, .99):.2f} / {max(values):.2f} s"


def load_average() -> str:
    try:
        return "{:.1f}".format(os.getloadavg()[0])
    except OSError:
        return "?"


def cpu_ticks() -> tuple[int, int] | None:
    """(steal, all) CPU ticks of this machine so far, from /proc/stat; None
    where there is no such file. Steal is time the hypervisor gave another
    guest while ours wanted to run: a run with much of it is slower for
    reasons that are not the job's."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal [guest guest_nice, already counted in user]
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's children that have
    ended and been waited for, and of theirs: a run's own CPU time, which
    time stolen by the hypervisor does not inflate (the broker, still
    running, and this process's sink thread are not in it)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def steal_since(before: tuple[int, int] | None) -> float | None:
    """Percent of the CPU time since `before` (cpu_ticks()) that was stolen."""
    after = cpu_ticks()
    if before is None or after is None or after[1] <= before[1]:
        return None
    return 100.0 * (after[0] - before[0]) / (after[1] - before[1])


def stolen(share: float | None) -> str:
    """', CPU steal N %' for a progress line; '' when it is not known."""
    return "" if share is None else f", CPU steal {share:.0f} %"


def say(text: str) -> None:
    print(f"  [scale {time.strftime('%H:%M:%S')}] {text}", flush=True)


# ---------------------------------------------------------------- 1 and 2: catch-up

def catchup(data: str, limit: int | None, rounds: int, work: str, rows: list) -> None:
    from pipeline.dev.broker import EmbeddedBroker

    texts, label = catchup_texts(data, limit)
    keys = [f"scale-{n}".encode() for n in range(len(texts))]
    values = [t.encode("utf-8") for t in texts]
    bodies = bodies_of([k.decode() for k in keys], texts)
    words = statistics.mean(len(b.split()) for b in bodies)
    n = len(texts)
    say(f"catch-up wire: {label}; {n} articles, {words:.0f} words per body on average, "
        f"{PARTITIONS} partitions of {n // PARTITIONS}-{-(-n // PARTITIONS)}")
    jobs: list[Timed] = []
    raws: list[dict] = []
    twos: list[Timed] = []
    ones: list[Timed] = []
    with EmbeddedBroker() as broker:
        # 1: A = the job, 1 process, all partitions; B = raw nlp.pipe
        for r in range(rounds):
            say(f"1. round {r + 1}/{rounds} A: run {BOUND} --partitions all (load {load_average()})")
            jobs.append(timed_job(broker, work, f"c1a{r}", keys, values, "--partitions", "all"))
            say(f"   {jobs[-1].seconds:.1f} s, {rate_text(jobs[-1])}{stolen(jobs[-1].steal)} {jobs[-1].note}")
            say(f"1. round {r + 1}/{rounds} B: raw nlp.pipe (load {load_average()})")
            raws.append(timed_raw(work, bodies))
            say(f"   {raws[-1]['seconds']:.1f} s (imports {raws[-1]['imports']:.1f}, model {raws[-1]['load']:.1f}, "
                f"pipe {raws[-1]['pipe']:.1f}){stolen(raws[-1]['steal'])}")
        # 2: A = 2 workers; B = 1 process, group
        for r in range(rounds):
            say(f"2. round {r + 1}/{rounds} A: run --workers 2 {BOUND} (load {load_average()})")
            twos.append(timed_job(broker, work, f"c2a{r}", keys, values, "--workers", "2"))
            say(f"   {twos[-1].seconds:.1f} s, {rate_text(twos[-1])}{stolen(twos[-1].steal)} {twos[-1].note}")
            say(f"2. round {r + 1}/{rounds} B: run {BOUND} --partitions group (load {load_average()})")
            ones.append(timed_job(broker, work, f"c2b{r}", keys, values, "--partitions", "group"))
            say(f"   {ones[-1].seconds:.1f} s, {rate_text(ones[-1])}{stolen(ones[-1].steal)} {ones[-1].note}")
    ratio1 = [raw["seconds"] / job.seconds for job, raw in zip(jobs, raws)]
    steady1 = [job.rate / (n / raw["pipe"]) for job, raw in zip(jobs, raws) if job.rate]
    median1 = statistics.median(ratio1)
    source = "BBC" if "BBC" in label else "SAMPLES: no BBC data"
    rows.append((f"catch-up wire, {rounds} round{'s' if rounds != 1 else ''} each side, A/B alternating",
                 f"{n} articles ({source})", "", None))
    rows.append((f"1 process vs raw nlp.pipe, {n} articles: raw s / job s", f"{spread(ratio1)} x", ">= 0.85 x",
                 median1 >= 0.85))
    rows.append(("  job start->exit (s) [both sides pay start-up and model load]",
                 spread([j.seconds for j in jobs], "{:.1f}"), "", None))
    rows.append(("  raw start->exit (s): all / model load / nlp.pipe alone",
                 f"{statistics.median(r['seconds'] for r in raws):.1f} / "
                 f"{statistics.median(r['load'] for r in raws):.1f} / "
                 f"{statistics.median(r['pipe'] for r in raws):.1f}", "", None))
    rows.append(("  without start and load: job's rate after 1st output / pipe's", f"{spread(steady1)} x", "", None))
    # CPU time rather than the clock: what stolen time does not move (the clock's ratios above do)
    rows.append(("  CPU s, whole runs: raw / job", f"{spread([r['cpu'] / j.cpu for j, r in zip(jobs, raws)])} x",
                 "", None))
    rows.append(("  job's CPU beyond raw nlp.pipe's, per article (ms)",
                 spread([(j.cpu - r["cpu"]) / n * 1000 for j, r in zip(jobs, raws)], "{:.1f}"), "", None))
    ratio2 = [one.seconds / two.seconds for one, two in zip(ones, twos)]
    steady2 = [two.rate / one.rate for one, two in zip(ones, twos) if one.rate and two.rate]
    median2 = statistics.median(ratio2)
    rows.append((f"2 processes vs 1, {n} articles: 1-process s / 2-process s", f"{spread(ratio2)} x", ">= 1.7 x",
                 median2 >= 1.7))
    rows.append(("  2 processes start->exit (s)", spread([t.seconds for t in twos], "{:.1f}"), "", None))
    rows.append(("  1 process (group) start->exit (s)", spread([t.seconds for t in ones], "{:.1f}"), "", None))
    rows.append(("  without start and stop: rates after the first output, 2 / 1", f"{spread(steady2)} x", "", None))
    rows.append(("  CPU s, whole runs: 2 processes / 1 (the cost of sharing)",
                 f"{spread([two.cpu / one.cpu for one, two in zip(ones, twos)])} x", "", None))
    steals = [t.steal for t in jobs + twos + ones] + [r["steal"] for r in raws]
    steals = [share for share in steals if share is not None]
    if steals:
        rows.append(("  CPU stolen by the hypervisor during each run (%)", spread(steals, "{:.0f}"), "", None))
    runs = jobs + twos + ones
    bad = Counter(t.note for t in runs if not t.complete or t.twice)
    rows.append(("catch-up runs with every key written, none twice", f"{len(runs) - sum(bad.values())} of {len(runs)}",
                 "all", not bad))
    for note, times in bad.most_common(3):
        rows.append((f"  {times} x " + note[:58], "", "", None))


# ---------------------------------------------------------------- 3: live, 2 workers

def worker_partitions(parent: Process) -> list[int] | None:
    """Partitions each worker of a `run --workers` parent reads, from their
    metrics pages (None while one does not answer)."""
    import psutil

    from pipeline.workers import scrape

    found = []
    for pid in parent.children():
        try:
            command = psutil.Process(pid).cmdline()
        except psutil.Error:
            return None
        if "--metrics-port" not in command:
            continue
        try:
            found.append(int(scrape(int(command[command.index("--metrics-port") + 1])).get("partitions", 0)))
        except (OSError, ValueError):
            return None
    return found or None


def live(data: str, rate: float, minutes: float, work: str, rows: list) -> None:
    from benchmarks.live import wire_texts

    from pipeline.dev.broker import EmbeddedBroker

    texts, label = wire_texts(data)
    count = int(minutes * 60 * rate)
    say(f"3. live, 2 workers: {minutes:g} min at {rate:g} articles/s ({count} articles); wire: {label}, "
        f"repeated with a changed last line after {len(texts)}")
    with EmbeddedBroker() as broker:
        topics = Topics(broker.bootstrap, "live2")
        sink = Sink(broker.bootstrap, topics.sinks())
        sink.start()
        sink.ready.wait(30)
        parent = Process(job_command(broker.bootstrap, topics, os.path.join(work, "live2-state"), "--workers", "2",
                                     "--progress-seconds", "30", "--log-level", "info"),
                         os.path.join(work, "live2.log"))
        try:
            if not wait_for(lambda: worker_partitions(parent) == [2, 2] or parent.popen.poll() is not None, 180, 1):
                raise JobFailed(f"the workers did not split the partitions 2 + 2 ({worker_partitions(parent)}); "
                                f"log {parent.log_path}:\n{parent.tail()}")
            if parent.popen.poll() is not None:
                raise JobFailed(f"run --workers 2 exited with {parent.popen.returncode}:\n{parent.tail()}")
            # warm-up: 8 articles a partition, so that both workers have loaded the model
            warm = Wire(broker.bootstrap, topics.raw, texts, rate, first=0, count=32)
            warm.start()
            warm.join()
            if not wait_for(lambda: set(warm.sent) <= sink.keys(), 240, 0.5):
                raise JobFailed(f"warm-up articles did not come out; log {parent.log_path}:\n{parent.tail()}")
            time.sleep(2)
            measured_from = len(sink.seen)
            say(f"   workers ready, warmed up; feeding (load {load_average()})")
            wire = Wire(broker.bootstrap, topics.raw, texts, rate, first=32, count=count)
            started = time.monotonic()
            wire.start()
            wire.join()
            took = time.monotonic() - started
            if wire.error:
                raise JobFailed(f"the wire failed: {wire.error!r}")
            wait_for(lambda: set(wire.sent) <= sink.keys() or parent.popen.poll() is not None,
                     min(600.0, 120 + count / 5), 0.5)
            drained = set(wire.sent) <= sink.keys()
            state = worker_partitions(parent)
        finally:
            code = parent.stop()
            sink.stop()
        reasons = dead_reasons(broker.bootstrap, topics.dlq)
        seen = [s for s in sink.seen[measured_from:] if s.key in wire.sent]
        first_seen: dict[bytes, Seen] = {}
        for s in seen:
            first_seen.setdefault(s.key, s)
        missing = len(set(wire.sent) - set(first_seen))
        latencies = [s.wall - s.timestamp_ms / 1000 for s in first_seen.values()]
        by_topic = {t: [s.wall - s.timestamp_ms / 1000 for s in first_seen.values() if s.topic == t]
                    for t in topics.sinks()}
        by_minute: dict[int, list[float]] = {}
        for s in first_seen.values():
            by_minute.setdefault(int((s.mono - started) // 60), []).append(s.wall - s.timestamp_ms / 1000)
        p99 = percentile(latencies, .99) if latencies else float("inf")
        say(f"   sent {len(wire.sent)} in {took:.0f} s; drained {drained}; stop status {code}; "
            f"partitions per worker at the end {state}")
    source = "BBC" if "BBC" in label else "SAMPLES: no BBC data"
    rows.append((f"live, 2 workers, {rate:g}/s for {minutes:g} min ({source}): latency p50/p99/max",
                 lat_text(latencies),
                 "p99 < 1.5 s", p99 < 1.5))
    for topic, what in ((topics.out, "article records (NLP)"), (topics.dups, "duplicate events (no NLP)"),
                        (topics.dlq, "dead letters")):
        if by_topic[topic] or topic != topics.dlq:
            rows.append((f"  of which {what}: {len(by_topic[topic])}", lat_text(by_topic[topic]), "", None))
    rows.append(("  latency p99 by minute of the wire (s)",
                 " ".join(f"{percentile(v, .99):.1f}" for _, v in sorted(by_minute.items()))[:30], "", None))
    rows.append(("live, 2 workers: articles missing", str(missing), "0", missing == 0))
    add_dead_letters(rows, "live, 2 workers", reasons)
    rows.append(("live, 2 workers: SIGTERM exit status", str(code), "0", code == 0))


# ---------------------------------------------------------------- 4: rebalance

class LogWatch(threading.Thread):
    """Follows a log file; notes when each assignment line appeared."""

    def __init__(self, path: str):
        super().__init__(daemon=True)
        self.path = path
        self.assignments: list[tuple[float, str]] = []  # (monotonic seconds, "[0, 1]")
        self.stopped = threading.Event()

    def run(self):
        buffer = ""
        with open(self.path, encoding="utf-8", errors="replace") as f:
            while not self.stopped.is_set():
                chunk = f.read()
                if not chunk:
                    time.sleep(0.05)
                    continue
                buffer += chunk
                *lines, buffer = buffer.split("\n")
                now = time.monotonic()
                for line in lines:
                    found = ASSIGNED.search(line)
                    if found:
                        self.assignments.append((now, found.group(1)))

    def current(self) -> list[int] | None:
        if not self.assignments:
            return None
        text = self.assignments[-1][1]
        return [] if text == "none" else json.loads(text)


def rebalance(data: str, work: str, rows: list) -> None:
    from benchmarks.live import wire_texts

    from pipeline.dev.broker import EmbeddedBroker
    from pipeline.kafka import clients

    texts, label = wire_texts(data)
    say(f"4. rebalance: 2 processes of one group, --session-timeout {SESSION_TIMEOUT:g}, "
        f"{REBALANCE_RATE:g} articles/s; wire: {label}")
    members: dict[str, Process] = {}
    watches: dict[str, LogWatch] = {}
    with EmbeddedBroker() as broker:
        topics = Topics(broker.bootstrap, "rebal")
        sink = Sink(broker.bootstrap, topics.sinks())
        sink.start()
        sink.ready.wait(30)
        wire = None
        try:
            for member in ("a", "b"):
                members[member] = Process(
                    job_command(broker.bootstrap, topics, os.path.join(work, "rebal-state"), "--session-timeout",
                                str(SESSION_TIMEOUT), "--log-level", "info", "--progress-seconds", "0"),
                    os.path.join(work, f"rebal-{member}.log"))
                watches[member] = LogWatch(members[member].log_path)
                watches[member].start()

            def split():
                a, b = watches["a"].current(), watches["b"].current()
                return bool(a) and bool(b) and sorted(a + b) == list(range(PARTITIONS))

            if not wait_for(lambda: split() or any(p.popen.poll() is not None for p in members.values()), 180, 0.5) \
                    or not split():
                raise JobFailed("the two members did not split the partitions:\n"
                                + "\n".join(f"--- {m}\n{p.tail(1500)}" for m, p in members.items()))
            split_as, split_bs = watches["a"].current(), watches["b"].current()
            # warm-up: 8 articles a partition, so that both have loaded the model; then the steady wire
            warm = Wire(broker.bootstrap, topics.raw, texts, REBALANCE_RATE, first=0, count=32)
            warm.start()
            warm.join()
            if not wait_for(lambda: set(warm.sent) <= sink.keys(), 240, 0.5):
                raise JobFailed("warm-up articles did not come out:\n"
                                + "\n".join(f"--- {m}\n{p.tail(1500)}" for m, p in members.items()))
            if watches["a"].current() != split_as or watches["b"].current() != split_bs:
                say(f"   (the members' partitions changed during the warm-up: {watches['a'].current()} "
                    f"{watches['b'].current()})")
            wire = Wire(broker.bootstrap, topics.raw, texts, REBALANCE_RATE, first=32)
            wire.start()
            time.sleep(10)
            victim, survivor = "b", "a"
            taken = watches[victim].current()
            killed_at = time.monotonic()
            os.kill(members[victim].pid, signal.SIGKILL)
            members[victim].popen.wait(10)
            committed = clients.committed_offsets(broker.bootstrap, topics.raw, topics.name)
            seen_at_kill = len(sink.seen)
            say(f"   killed member {victim} (partitions {taken}) at T; committed then: {committed}")
            time.sleep(AFTER_KILL_S)
            wire.stopped.set()
            wire.join(30)
            wire_stopped = time.monotonic()
            wait_for(lambda: set(wire.sent) <= sink.keys() or members[survivor].popen.poll() is not None,
                     min(600.0, 120 + len(wire.sent) / 4), 0.5)
            drained = set(wire.sent) <= sink.keys()
            drained_at = time.monotonic()
            survivor_now = watches[survivor].current()
        finally:
            if wire is not None:
                wire.stopped.set()
            codes = {m: p.stop() for m, p in members.items()}
            for w in watches.values():
                w.stopped.set()
            sink.stop()
        written = read_counts(broker.bootstrap, topics.out)
        events = read_counts(broker.bootstrap, topics.dups)
        dead = dead_reasons(broker.bootstrap, topics.dlq)
        dead_keys = read_counts(broker.bootstrap, topics.dlq)
    # where each output came from
    partition_of = {k: pl[0] for k, pl in wire.placed.items()}
    offset_of = {k: pl[1] for k, pl in wire.placed.items()}
    taken_set = set(taken or [])
    reassigned = next((t for t, text in watches[survivor].assignments
                       if t > killed_at and set(json.loads(text) if text != "none" else []) >= taken_set), None)
    # the killed member's own last writes can reach our consumer just after the kill; anything of its
    # partitions received a second later was written by the survivor
    first_back = next((s.mono for s in sink.seen[seen_at_kill:]
                       if s.mono > killed_at + 1.0 and partition_of.get(s.key) in taken_set), None)
    late_own = sum(1 for s in sink.seen[seen_at_kill:] if s.mono <= killed_at + 1.0
                   and partition_of.get(s.key) in taken_set)
    out_keys = set(written) | set(events) | set(dead_keys)
    lost = len(set(wire.sent) - out_keys)
    twice = sorted(k for k, c in (written + events + dead_keys).items() if c > 1)
    # written but not committed at the kill: the killed member's records from beyond its group's commits
    before_kill = {s.key for s in sink.seen if s.mono <= killed_at + 1.0}
    in_flight = {k for k in before_kill if partition_of.get(k) in taken_set
                 and offset_of[k] >= (committed.get(partition_of[k]) or 0)}
    twice_outside = [k for k in twice if k not in in_flight]
    # sent to those partitions by the kill and not committed: what the survivor reads again or first
    pending = sum(1 for k, sent in list(wire.sent.items()) if sent <= killed_at and partition_of.get(k) in taken_set
                  and offset_of[k] >= (committed.get(partition_of[k]) or 0))

    def at(t):
        return "-" if t is None else f"T+{t - killed_at:.1f} s"

    timeline = (f"kill T; session timeout T+{SESSION_TIMEOUT:g} s; survivor takes {taken} at {at(reassigned)}; "
                f"first record of them at {at(first_back)}")
    say("   " + timeline)
    say(f"   wire stopped at {at(wire_stopped)}, drained {drained} at {at(drained_at)}; survivor reads "
        f"{survivor_now}; {late_own} records of the killed member reached us within 1 s of the kill; "
        f"stop statuses {codes}")
    rows.append((f"rebalance, kill -9 1 of 2 members at T, {REBALANCE_RATE:g}/s: session timeout",
                 f"T+{SESSION_TIMEOUT:g} s", "", None))
    rows.append((f"  survivor's log: takes the killed member's partitions {taken}", at(reassigned), "", None))
    rows.append(("  first record of those partitions out (output or other sink)", at(first_back), "", None))
    rows.append(("  their messages uncommitted at the kill (backlog + in flight)", str(pending), "", None))
    rows.append((f"rebalance: articles lost ({len(wire.sent)} sent)", str(lost), "0", lost == 0 and drained))
    rows.append(("rebalance: written twice / written but uncommitted at the kill",
                 f"{len(twice)} / {len(in_flight)}", "only those",
                 not twice_outside))
    if twice_outside:
        rows.append((f"  written twice though committed or not yet written at the kill", str(len(twice_outside)),
                     "", None))
    add_dead_letters(rows, "rebalance", dead)
    rows.append(("rebalance: survivor's SIGTERM exit status", str(codes[survivor]), "0", codes[survivor] == 0))


# ---------------------------------------------------------------- all of it

def run(data: str, articles: int | None = None, rounds: int = 3, rate: float = 20.0, minutes: float = 10.0,
        items=("catchup", "live", "rebalance")) -> list:
    """Run the scaling benchmarks; returns table rows (measure, value, target, ok)."""
    rows: list = []
    work = tempfile.mkdtemp(prefix="news-scale-")
    failed = False
    say(f"work directory {work}; {os.cpu_count()} cores, load average {load_average()}")
    try:
        for item, call in (("catchup", lambda: catchup(data, articles, rounds, work, rows)),
                           ("live", lambda: live(data, rate, minutes, work, rows)),
                           ("rebalance", lambda: rebalance(data, work, rows))):
            if item not in items:
                continue
            try:
                call()
            except JobFailed as exc:
                failed = True
                say(f"{item} FAILED: {exc}")
                rows.append((f"{item}: could not be measured (see above)", "failed", "", False))
    finally:
        if failed or any(ok is False for *_, ok in rows):
            for name in os.listdir(work):  # the logs say why; the rest is large
                if not name.endswith(".log"):
                    path = os.path.join(work, name)
                    shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.remove(path)
            say(f"something missed its target: the jobs' logs are kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--raw-pipe":
        raise SystemExit(raw_pipe_main(sys.argv[2]))
    raise SystemExit("usage: python -m benchmarks --only scale [--scale-articles N] ...  "
                     "(this module's own command line only serves the raw nlp.pipe side)")
