"""The live job under a steady wire: latency, memory over time, idle CPU.

Starts the embedded broker and `python -m pipeline run` in live mode (the
real bundled model) as a separate process, then feeds unique articles at a
fixed rate and reads the sink topic as a consumer would:
- latency: sink receive time minus the input message's timestamp (set by
  the feeding producer when it sends; the job copies it to the record);
- memory: the job's resident set size, sampled every few seconds;
- idle CPU: the job's CPU time over a quiet stretch after the load;
- control: the same load on one endless pipeline (no segments), to show
  what the segments buy, side by side in the same run.
"""
from __future__ import annotations

import glob
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

import psutil

from pipeline.kafka import admin, clients, formats
from pipeline.dev.broker import EmbeddedBroker

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wire_texts(data: str) -> tuple[list[str], str]:
    """Article texts for the wire and where they come from: the BBC news
    articles in the data directory (news-wire length), else the samples."""
    files = sorted(glob.glob(os.path.join(data, "bbc", "*", "*.txt")))
    label = f"{len(files)} BBC articles from {data}"
    if not files:
        files = sorted(glob.glob(os.path.join(ROOT, "samples", "*.txt"))) + [
            os.path.join(ROOT, "tests", "fixtures", "seed_article.txt")
        ]
        label = f"{len(files)} sample articles (no BBC data at {data})"
    texts, seen = [], set()
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        same = " ".join(text.split()).lower()
        if same not in seen:  # the BBC set holds exact copies; the job would drop them
            seen.add(same)
            texts.append(text)
    return texts, label.replace(f"{len(files)} ", f"{len(texts)} distinct of {len(files)} ", 1)


def article(texts: list[str], n: int) -> bytes:
    """The n-th message of the wire: a text, with a line that makes every
    repeat of it a different article (so none is dropped as an exact copy)."""
    text = texts[n % len(texts)]
    if n >= len(texts):
        text += f"\n\nThis report was updated for the {n // len(texts) + 1}th time at desk {n}."
    return text.encode("utf-8")


@dataclass
class Samples:
    """What a load phase measured."""

    latencies: list[float] = field(default_factory=list)  # seconds, in arrival order
    arrivals: list[float] = field(default_factory=list)  # when each arrived (monotonic seconds)
    duplicates: int = 0  # of them, articles that came out as duplicate events
    rss: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, bytes)
    sent: int = 0
    received: set = field(default_factory=set)


class Job:
    """`python -m pipeline run` (live) as a child process on its own topics."""

    def __init__(self, bootstrap: str, name: str, state: str, log_dir: str, *extra: str):
        self.bootstrap, self.name = bootstrap, name
        self.topics = (f"{name}-raw", f"{name}-out", f"{name}-dlq", f"{name}-dups")
        admin.ensure_topics(bootstrap, self.topics, partitions=3)
        self.log_path = os.path.join(log_dir, f"{name}.log")
        command = [sys.executable, "-m", "pipeline", "run", "--bootstrap-servers", bootstrap,
                   "--input-topic", self.topics[0], "--output-topic", self.topics[1],
                   "--dead-letter-topic", self.topics[2], "--duplicates-topic", self.topics[3],
                   "--group-id", name, "--start", "latest", "--create-topics",
                   "--state-dir", state, "--progress-seconds", "30", *extra]
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        self.ps = psutil.Process(self.process.pid)
        deadline = time.monotonic() + 120
        # ready once it has committed its start positions (see run._run_live_locally)
        while None in clients.committed_offsets(bootstrap, self.topics[0], name).values():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the job did not start; log: {self.log_path}")
            time.sleep(0.5)

    def check(self) -> None:
        """Raise if the job has exited (it should run until stopped)."""
        if self.process.poll() is not None:
            raise RuntimeError(f"the job exited with {self.process.returncode}; log: {self.log_path}")

    def cpu_seconds(self) -> float:
        times = self.ps.cpu_times()
        return times.user + times.system

    def rss(self) -> int:
        return self.ps.memory_info().rss

    def stop(self) -> tuple[int, float]:
        """SIGTERM; returns (exit code, seconds it took to stop)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.log.close()
        return code, time.monotonic() - started


class SinkReader(threading.Thread):
    """Reads the sink topics (articles and duplicate events: every article of
    the wire ends in one of them) from their ends and notes each record's
    latency."""

    def __init__(self, bootstrap: str, topics, samples: Samples):
        super().__init__(daemon=True)
        self.bootstrap, self.topics, self.samples = bootstrap, topics, samples
        self.measuring = threading.Event()
        self.stopped = threading.Event()
        self.ready = threading.Event()

    def run(self):
        from kafka import TopicPartition

        consumer = clients.make_consumer(self.bootstrap)
        parts = [TopicPartition(t, p) for t in self.topics for p in admin.partitions_of(self.bootstrap, t)]
        consumer.assign(parts)
        consumer.seek_to_end(*parts)
        for tp in parts:
            consumer.position(tp)
        self.ready.set()
        try:
            while not self.stopped.is_set():
                for batch in consumer.poll(timeout_ms=50).values():
                    now_ms = time.time() * 1000
                    for m in batch:
                        self.samples.received.add(m.key)
                        if self.measuring.is_set():
                            self.samples.latencies.append((now_ms - m.timestamp) / 1000)
                            self.samples.arrivals.append(time.monotonic())
                            self.samples.duplicates += m.topic == self.topics[1]
        finally:
            consumer.close()


def feed(producer, topic: str, texts: list[str], start: int, count: int, rate: float, samples: Samples):
    """Send articles start..start+count-1 at `rate` per second, each at once."""
    for n in formats.paced(range(start, start + count), rate):
        producer.send(topic, key=f"bench-{n}".encode(), value=article(texts, n))
        samples.sent += 1
    producer.flush()


def wait_received(samples: Samples, keys: set, timeout: float, job: "Job") -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if keys <= samples.received:
            return True
        job.check()
        time.sleep(0.2)
    return False


def load(bootstrap: str, job: Job, texts, minutes: float, rate: float, idle_minutes: float, first: int):
    """Warm up, feed `minutes` at `rate`, drain, then stay idle. Returns the
    samples, the idle CPU fraction of one core and the next article number."""
    samples = Samples()
    reader = SinkReader(bootstrap, (job.topics[1], job.topics[3]), samples)
    reader.start()
    reader.ready.wait(30)
    producer = clients.make_producer(bootstrap, linger_ms=0)
    # warm-up: the model loads in the first bundle
    feed(producer, job.topics[0], texts, first, 20, rate, samples)
    warm = {f"bench-{n}".encode() for n in range(first, first + 20)}
    if not wait_received(samples, warm, 180, job):
        raise RuntimeError(f"warm-up articles did not come out; log: {job.log_path}")
    first += 20
    started = time.monotonic()
    stop_sampling = threading.Event()

    def sample_rss():
        while not stop_sampling.wait(5) and job.process.poll() is None:
            samples.rss.append((time.monotonic() - started, job.rss()))

    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    reader.measuring.set()
    count = int(minutes * 60 * rate)
    feed(producer, job.topics[0], texts, first, count, rate, samples)
    job.check()
    expected = {f"bench-{n}".encode() for n in range(first, first + count)}
    wait_received(samples, expected, 120, job)
    missing = len(expected - samples.received)
    reader.measuring.clear()
    idle_cpu = None
    if idle_minutes > 0:
        time.sleep(10)  # let the last bundles settle
        cpu0, t0 = job.cpu_seconds(), time.monotonic()
        time.sleep(idle_minutes * 60)
        job.check()
        idle_cpu = (job.cpu_seconds() - cpu0) / (time.monotonic() - t0)
    stop_sampling.set()
    sampler.join()
    reader.stopped.set()
    reader.join()
    producer.close()
    return samples, idle_cpu, missing, first + count


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def mb_per_hour(rss: list[tuple[float, int]], skip_seconds: float) -> float:
    """Least-squares slope of RSS over time, after `skip_seconds` of warm-up."""
    points = [(t, b) for t, b in rss if t >= skip_seconds] or rss
    if len(points) < 2:
        return 0.0
    return statistics.linear_regression([t for t, _ in points], [b for _, b in points]).slope * 3600 / 2**20


def window_peak(rss, start: float, end: float) -> int:
    inside = [b for t, b in rss if start <= t < end]
    return max(inside) if inside else 0


def run(data: str, minutes: float, rate: float, idle_minutes: float, control_minutes: float, segment: float) -> list:
    """Run the live benchmark; returns table rows (measure, value, target, ok)."""
    texts, label = wire_texts(data)
    words = statistics.mean(len(t.split()) for t in texts)
    rows = []
    print(f"live benchmark: {minutes:g} min at {rate:g} articles/s, then {idle_minutes:g} min idle; "
          f"wire: {label}, {words:.0f} words per article on average", flush=True)
    with EmbeddedBroker() as broker, tempfile.TemporaryDirectory(prefix="news-bench-") as work:
        job = Job(broker.bootstrap, "bench", os.path.join(work, "state"), work, "--segment-seconds", str(segment))
        try:
            samples, idle_cpu, missing, next_n = load(broker.bootstrap, job, texts, minutes, rate, idle_minutes, 0)
        finally:
            code, stop_seconds = job.stop()
        lat = samples.latencies
        p99 = percentile(lat, 0.99)
        rows.append((f"latency produce -> sink, p50 / p99 / max ({len(lat)} articles)",
                     f"{percentile(lat, .5):.2f} / {p99:.2f} / {max(lat):.2f} s", "p99 < 2 s", p99 < 2.0))
        rows.append(("articles missing (neither a record nor a duplicate event)", str(missing), "0", missing == 0))
        if lat:
            # where the slow ones were: p99 of each minute of the load
            start = samples.arrivals[0]
            minutes_p99 = {}
            for at, value in zip(samples.arrivals, lat):
                minutes_p99.setdefault(int((at - start) // 60), []).append(value)
            by_minute = " ".join(f"{percentile(v, .99):.1f}" for _, v in sorted(minutes_p99.items()))
            rows.append(("latency p99 by minute of the load (s)", by_minute[:60], "", None))
        rows.append(("of the articles out, duplicate events (the wire repeats its texts)", str(samples.duplicates),
                     "", None))
        total = minutes * 60 + idle_minutes * 60
        # peaks of an early stretch (after caches have filled) and of the end
        early = window_peak(samples.rss, 0.15 * total, 0.35 * total)
        late = window_peak(samples.rss, 0.8 * total, total + 60)
        if early and late:
            rows.append((f"resident memory peak, min {0.15 * total / 60:.0f}-{0.35 * total / 60:.0f} -> "
                         f"last {0.2 * total / 60:.0f} min",
                         f"{early / 2**20:.0f} -> {late / 2**20:.0f} MB ({late / early:.3f} x)",
                         "flat (<= 1.05 x)", late <= 1.05 * early))
        slope = mb_per_hour(samples.rss, 0.15 * total)
        rows.append((f"resident memory trend (least squares, after min {0.15 * total / 60:.0f})",
                     f"{slope:+.1f} MB/hour", "", None))
        if idle_cpu is not None:
            rows.append((f"CPU when the wire is idle ({idle_minutes:g} min)", f"{idle_cpu * 100:.2f} % of a core",
                         "< 5 %", idle_cpu < 0.05))
        rows.append(("SIGTERM: exit code, seconds to stop", f"{code}, {stop_seconds:.1f} s", "0", code == 0))
        if control_minutes > 0:
            control = Job(broker.bootstrap, "control", os.path.join(work, "state-control"), work,
                          "--segment-seconds", "1e9")
            try:
                csamples, _, _, _ = load(broker.bootstrap, control, texts, control_minutes, rate, 0, next_n)
            finally:
                control.stop()
            theirs = mb_per_hour(csamples.rss, min(240, control_minutes * 60 / 3))
            rows.append((f"control: one endless pipeline, {control_minutes:g} min: memory trend",
                         f"{theirs:+.1f} MB/hour ({theirs - slope:+.1f} vs segments)", "", None))
            rows.append(("control: one endless pipeline: latency p99", f"{percentile(csamples.latencies, .99):.2f} s",
                         "", None))
    return rows
