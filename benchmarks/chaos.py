"""`make chaos`: the live job on a hostile wire, killed, restarted and cut
off from its broker; then every input accounted for.

1. Starts the embedded broker (Tansu, in memory) behind a small TCP proxy
   on 127.0.0.1: the broker advertises the proxy's address, so every client
   (the job's and ours) reaches it only through the proxy.
2. Feeds most of a corpus from pipeline.dev.hostile (good articles mixed
   with dozens of kinds of hostile message) to the input topic.
3. Runs `python -m pipeline run` live (no bound) as a separate process,
   SIGKILLs it at three random moments while it works and restarts it each
   time (that is the scenario, not a "restart needed").
4. Cuts the proxy (every connection closed, new ones refused) for 20 s,
   then restores it.
5. Feeds the rest, waits until the job is idle (no new output for 20 s and
   its group has read everything), then SIGTERMs it.
6. Reads the output, duplicates and dead-letter topics and accounts for
   every input: its accounting id is a key on the output topic or on the
   duplicates topic, or it is on the dead-letter topic (matched by the
   dlq.partition/dlq.offset the pipeline added, or by its unique key). An
   id several inputs share (e.g. "True") must also match the record's
   timestamp: every input is sent with a timestamp of its own, and the job
   copies it to what it writes.

Meanwhile a supervisor counts crashes (the job exited and we did not signal
it) and restarts needed (after a crash, or a stall: input pending and no
output for --stall-seconds), restarting the job each time, up to
--max-restarts. It prints one table; the exit status is 1 when anything was
lost, the job crashed or needed a restart.
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from pipeline.dev import hostile
from pipeline.dev.broker import LOOPBACK, EmbeddedBroker, free_port, tansu_binary
from pipeline.kafka import admin, clients

TOPICS = {"input": "chaos-raw", "output": "chaos-out", "dead": "chaos-dlq", "duplicates": "chaos-dups"}
GROUP = "chaos"
PARTITIONS = 3
FIRST_PART = 0.7  # of the corpus, fed before the job starts; the rest after the outage
READER_BATCH = 20  # records a reader polls at once (transforms/read.py): how far past a commit a culprit can be


# ---------------------------------------------------------------- broker and proxy


class ProxiedBroker(EmbeddedBroker):
    """The embedded broker listening on a port of its own but advertising
    `advertised_port` (the proxy's): clients that bootstrap through the proxy
    keep coming back through it."""

    def __init__(self, advertised_port: int):
        super().__init__()
        self.advertised_port = advertised_port

    def command(self) -> list[str]:
        return [
            tansu_binary(), "broker",
            "--listener-url", f"tcp://{LOOPBACK}:{self.port}",  # loopback only
            "--advertised-listener-url", f"tcp://{LOOPBACK}:{self.advertised_port}",
            "--storage-engine", "memory://tansu/",
        ]


def _slam(sock: socket.socket) -> None:
    """Close with a reset (SO_LINGER 0), as a dead link looks to a client."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass  # already closed by the other pump: nothing left to reset
    sock.close()


class Proxy:
    """127.0.0.1:port -> 127.0.0.1:target, two threads per connection.
    cut(): every connection reset and the port closed (connection refused);
    restore(): listening again on the same port."""

    def __init__(self, port: int, target_port: int):
        self.port, self.target_port = port, target_port
        self._lock = threading.Lock()
        self._server: socket.socket | None = None
        self._open: set[socket.socket] = set()

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def restore(self) -> None:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the old port is in TIME_WAIT
        server.bind((LOOPBACK, self.port))
        server.listen(128)
        with self._lock:
            self._server = server
        threading.Thread(target=self._accept, args=(server,), name="proxy-accept", daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            server, self._server = self._server, None
            sockets, self._open = list(self._open), set()
        if server is not None:
            try:
                server.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            except OSError:
                pass  # not connected: Linux still wakes accept() on close below
            server.close()
        for sock in sockets:
            _slam(sock)

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection((LOOPBACK, self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                _slam(client)
                continue
            with self._lock:
                if self._server is not server:  # cut while connecting
                    _slam(client)
                    _slam(upstream)
                    return
                self._open.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), name="proxy-pump", daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(1 << 16)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass  # reset by cut() or by either end: the connection is over either way
        finally:
            with self._lock:
                mine = src in self._open
                self._open.discard(src)
                self._open.discard(dst)
            if mine:  # (a cut has already reset both)
                for sock in (src, dst):
                    _slam(sock)


# ---------------------------------------------------------------- feeding


@dataclass
class Input:
    """A case as sent: where it landed, its timestamp, the ids its record may carry."""

    case: hostile.Case
    partition: int
    offset: int
    timestamp: int
    ids: tuple = ()


def feed(bootstrap: str, cases, first_timestamp: int) -> list[Input]:
    """Send cases in order (timestamps first_timestamp, +1 ms, ...) and wait
    for every delivery. With librdkafka (confluent-kafka): kafka-python
    refuses null header values, which are one of the attacks."""
    from confluent_kafka import Producer

    producer = Producer({
        "bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5,
        "message.max.bytes": 8 << 20,  # the oversized values are an attack: the broker takes them
        "log_level": 2,  # librdkafka's disconnect notices are noise here
    })
    sent: list[Input | None] = [None] * len(cases)
    errors = []

    def delivered(index, case, timestamp):
        def callback(error, message):
            if error is not None:
                errors.append(f"{case.kind} {case.key!r}: {error}")
            else:
                sent[index] = Input(case, message.partition(), message.offset(), timestamp)
        return callback

    for index, case in enumerate(cases):
        timestamp = first_timestamp + index
        while True:
            try:
                producer.produce(TOPICS["input"], value=case.value, key=case.key, headers=case.headers or None,
                                 timestamp=timestamp, on_delivery=delivered(index, case, timestamp))
                break
            except BufferError:  # the local queue is full: let deliveries drain it
                producer.poll(0.5)
        producer.poll(0)
    left = producer.flush(120)
    if left or errors or any(s is None for s in sent):
        raise RuntimeError(f"feeding failed: {left} undelivered; {errors[:3]}")
    for item in sent:
        item.ids = account_ids(item)
    return sent


def account_ids(item: Input) -> tuple:
    """The ids a record of this input may carry, the accounting id first."""
    expected = item.case.expected
    first = expected.id if expected.id is not None else f"{TOPICS['input']}/{item.partition}/{item.offset}"
    return tuple(dict.fromkeys([first, *expected.also]))


# ---------------------------------------------------------------- the job


class Job:
    """`python -m pipeline run` live, one incarnation after another, each
    logging to a file of its own."""

    def __init__(self, command: list[str], log_dir: str):
        self.command, self.log_dir = command, log_dir
        self.process: subprocess.Popen | None = None
        self.incarnation = 0
        self.started_at = 0.0
        self.log_path = ""
        self._log = None

    def start(self) -> None:
        if self._log is not None:
            self._log.close()  # the last incarnation's, if it exited by itself
        self.incarnation += 1
        self.log_path = os.path.join(self.log_dir, f"job-{self.incarnation}.log")
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.command, stdout=self._log, stderr=subprocess.STDOUT)
        self.started_at = time.monotonic()

    def exited(self) -> int | None:
        """Its exit status if it has exited, else None."""
        return None if self.process is None else self.process.poll()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self._log.close()

    def terminate(self, timeout: float = 120.0) -> tuple[int | None, float]:
        """SIGTERM; (exit status or None if it did not stop in time and was killed, seconds)."""
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        self._log.close()
        return code, time.monotonic() - began


# ---------------------------------------------------------------- watching the topics


@dataclass(frozen=True)
class Seen:
    """A record on one of the job's output topics, as accounting needs it."""

    topic: str
    key: bytes | None
    timestamp: int
    origin: tuple | None  # dead letters: (dlq.topic, dlq.partition, dlq.offset), the last ones given
    reason: str = ""  # dead letters: "stage ExceptionClass: the message's start"


_ORIGIN = ("dlq.topic", "dlq.partition", "dlq.offset")
_REASON = ("dlq.stage", "dlq.exception.class", "dlq.exception.message")


def seen(message) -> Seen:
    if message.topic != TOPICS["dead"]:
        return Seen(message.topic, message.key, message.timestamp, None)
    found = {}
    for name, value in message.headers or ():
        if name in _ORIGIN + _REASON and value is not None:
            found[name] = value.decode("utf-8", "replace")  # the last: the pipeline appends its own
    # without the digits (ids, sizes, offsets) letters of one cause group together
    first_line = (found.get("dlq.exception.message") or "").partition("\n")[0]
    text = re.sub(r"\d+", "N", first_line)[:90]
    reason = f"{found.get('dlq.stage', '?')} {found.get('dlq.exception.class', '?')}: {text}"
    return Seen(message.topic, message.key, message.timestamp, tuple(found.get(n) for n in _ORIGIN), reason)


class Monitor(threading.Thread):
    """Reads the output, duplicates and dead-letter topics as they fill and
    notes when each record came; samples the job group's input lag."""

    def __init__(self, bootstrap: str):
        super().__init__(name="monitor", daemon=True)
        self.bootstrap = bootstrap
        self.records: list[Seen] = []
        self.last_output_at = time.monotonic()
        self.lag: int | None = None
        self.lag_at = 0.0
        self.committed: dict[int, int | None] = {}
        # Where each input partition ends, from our own deliveries (we are its
        # only producer): Tansu answers ListOffsets "latest" with the last
        # batch's base offset + 1, which is short by the rest of that batch.
        self.ends: dict[int, int] = {}
        self.phase = "start"
        self.gaps: list[tuple[float, str, str]] = []  # (seconds without output while input was pending, phase at start, at end)
        self.paused = threading.Event()  # no lag queries: the proxy is cut
        self.stopped = threading.Event()
        self._pending_since_output = False
        self._phase_at_output = "start"
        self._lock = threading.Lock()

    def run(self) -> None:
        from kafka import TopicPartition

        reader = clients.make_consumer(self.bootstrap, None, max_partition_fetch_bytes=16 << 20,
                                       fetch_max_bytes=64 << 20)
        group = clients.make_consumer(self.bootstrap, GROUP)  # only reads the job's committed offsets
        parts = [TopicPartition(TOPICS[t], p) for t in ("output", "duplicates", "dead") for p in range(PARTITIONS)]
        inputs = [TopicPartition(TOPICS["input"], p) for p in range(PARTITIONS)]
        reader.assign(parts)
        reader.seek_to_beginning(*parts)
        next_lag = 0.0
        try:
            while not self.stopped.is_set():
                for batch in reader.poll(timeout_ms=200).values():
                    self._arrived([seen(m) for m in batch])
                if time.monotonic() >= next_lag and not self.paused.is_set():
                    self._sample_lag(group, inputs)
                    next_lag = time.monotonic() + 1.0
        finally:
            reader.close()
            group.close()

    def _arrived(self, batch: list[Seen]) -> None:
        now = time.monotonic()
        with self._lock:
            self.records.extend(batch)
            if self._pending_since_output:
                self.gaps.append((now - self.last_output_at, self._phase_at_output, self.phase))
            self.last_output_at = now
            self._pending_since_output = False
            self._phase_at_output = self.phase

    def fed(self, inputs: list[Input]) -> None:
        """Note where the input partitions end now that these were delivered."""
        with self._lock:
            for item in inputs:
                self.ends[item.partition] = max(self.ends.get(item.partition, 0), item.offset + 1)

    def _sample_lag(self, group, inputs) -> None:
        try:
            committed = {tp.partition: group.committed(tp, timeout_ms=3000) for tp in inputs}
        except Exception as exc:  # noqa: BLE001 - a broker hiccup: no sample this time
            logging.getLogger(__name__).debug("lag sample failed: %s", exc)
            return
        lag = sum(max(0, end - (committed.get(p) or 0)) for p, end in self.ends.items())
        with self._lock:
            self.committed, self.lag, self.lag_at = committed, lag, time.monotonic()
            if lag > 0:
                self._pending_since_output = True

    def snapshot(self) -> list[Seen]:
        with self._lock:
            return list(self.records)

    def pending_gap(self) -> float:
        """Seconds since the last output if input has been pending since, else 0."""
        with self._lock:
            return time.monotonic() - self.last_output_at if self._pending_since_output else 0.0


# ---------------------------------------------------------------- accounting


def account(inputs: list[Input], records: list[Seen], reasons: list | None = None) -> list[str]:
    """The outcome of each input: written, duplicate, dead or lost (the
    first that holds, in that order). `reasons`, if given, gets each
    input's dead-letter reason ("" when it has none)."""
    by_key = {TOPICS["output"]: defaultdict(set), TOPICS["duplicates"]: defaultdict(set)}
    dead_origins, dead_keys = {}, {}
    for r in records:
        if r.topic in by_key:
            by_key[r.topic][(r.key or b"").decode("utf-8", "replace")].add(r.timestamp)
        else:
            if r.origin and r.origin[0] == TOPICS["input"]:
                dead_origins[(r.origin[1], r.origin[2])] = r.reason
            dead_keys[r.key] = r.reason
    sharing = Counter(i for item in inputs for i in item.ids)
    key_count = Counter(item.case.key for item in inputs)

    def on(topic, item):
        keys = by_key[topic]
        return any(i in keys and (sharing[i] == 1 or item.timestamp in keys[i]) for i in item.ids)

    outcomes = []
    for item in inputs:
        key = item.case.key
        origin = (str(item.partition), str(item.offset))
        letter = dead_origins.get(origin)
        if letter is None and key and key_count[key] == 1:
            letter = dead_keys.get(key)
        if reasons is not None:
            reasons.append(letter or "")
        if on(TOPICS["output"], item):
            outcomes.append(hostile.WRITTEN)
        elif on(TOPICS["duplicates"], item):
            outcomes.append(hostile.DUPLICATE)
        elif letter is not None:
            outcomes.append(hostile.DEAD)
        else:
            outcomes.append("lost")
    return outcomes


# ---------------------------------------------------------------- the scenario


@dataclass
class Failure:
    """A crash or a stall of the job: when, what it said, which inputs it was on."""

    what: str
    incarnation: int
    phase: str
    at: float
    status: int | None
    errors: list
    suspects: list
    log: str


_ERROR_LINE = re.compile(r"^\s*(?:[\w.]+\.)?\w*(?:Error|Exception|Exit|Interrupt)\b.*|.*\[while running '.*")


def error_lines(log_path: str, limit: int = 4) -> list[str]:
    """The last distinct exception lines of a job's log (a traceback's summary)."""
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as exc:
        return [f"(no log: {exc})"]
    found = []
    for line in reversed(lines):
        line = line.strip()
        if _ERROR_LINE.match(line) and line[:200] not in found:
            found.append(line[:200])
            if len(found) >= limit:
                break
    return found[::-1] or [line[:200] for line in lines[-3:]]


class Chaos:
    """One run of the scenario (see the module docstring)."""

    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.began = time.monotonic()
        self.deadline = self.began + args.max_minutes * 60
        self.failures: list[Failure] = []
        self.crashes = self.restarts_needed = self.stalls = self.kills = 0
        self.gave_up = ""
        self.progress_floor = 0.0  # no stall is counted from before this (the outage's end)
        self.inputs: list[Input] = []
        self.stop_result: tuple[int | None, float] | None = None
        self.next_status = time.monotonic() + 30

    def say(self, text: str) -> None:
        print(f"[{time.monotonic() - self.began:6.0f} s] {text}", flush=True)

    # -- supervision

    def supervise(self, seconds: float, until=None, stall_check: bool = True) -> bool:
        """Wait `seconds` or until `until()`, restarting the job if it exits
        by itself or stalls. False once the run has given up."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if not self.gave_up and time.monotonic() > self.deadline:
                self.gave_up = f"the run took over --max-minutes {self.args.max_minutes:g}"
                self.say(f"giving up: {self.gave_up}")
            if self.gave_up:
                return False
            if until is not None and until():
                return True
            if time.monotonic() >= self.next_status:
                self.next_status = time.monotonic() + 30
                lag = self.monitor.lag
                self.say(f"{self.monitor.phase}: {len(self.monitor.snapshot())} records out, input lag "
                         f"{'?' if lag is None else lag} ({time.monotonic() - self.monitor.lag_at:.0f} s ago), "
                         f"last output {time.monotonic() - self.monitor.last_output_at:.0f} s ago")
            status = self.job.exited()
            if status is not None:
                self.crashed(status)
            elif stall_check and self.stalled():
                self.stall()
            time.sleep(0.5)
        return not self.gave_up

    def stalled(self) -> bool:
        since = max(self.monitor.last_output_at, self.job.started_at, self.progress_floor)
        return (self.monitor.lag or 0) > 0 and time.monotonic() - since > self.args.stall_seconds

    def _failure(self, what: str, status: int | None) -> None:
        failure = Failure(what, self.job.incarnation, self.monitor.phase, time.monotonic() - self.began, status,
                          error_lines(self.job.log_path), self.suspects(), self.job.log_path)
        self.failures.append(failure)
        self.say(f"{what} of job #{failure.incarnation} ({self.monitor.phase}), status {status}: "
                 f"{failure.errors[-1] if failure.errors else '?'}")
        self.restarts_needed += 1
        if self.restarts_needed > self.args.max_restarts:
            self.gave_up = f"more than --max-restarts {self.args.max_restarts} restarts needed"
            self.say(f"giving up: {self.gave_up}")
            return
        self.job.start()
        self.say(f"restarted it by hand as job #{self.job.incarnation}")

    def crashed(self, status: int) -> None:
        self.crashes += 1
        self._failure("crash", status)

    def stall(self) -> None:
        self.stalls += 1
        self.job.kill()
        self._failure(f"stall (no output for {self.args.stall_seconds:g} s with input pending; killed)", None)

    def suspects(self) -> list[str]:
        """What the job was on, per partition: the inputs not yet accounted
        for at most a poll past the committed offset, the first of them (in
        offset order, the likeliest culprit) and the hostile kinds among them."""
        outcomes = account(self.inputs, self.monitor.snapshot())
        committed = self.monitor.committed
        pending = defaultdict(list)
        for item, outcome in zip(self.inputs, outcomes):
            start = committed.get(item.partition) or 0
            if outcome == "lost" and start <= item.offset < start + READER_BATCH:
                pending[item.partition].append(item)
        found = []
        for partition, items in sorted(pending.items()):
            items.sort(key=lambda i: i.offset)
            hostile_kinds = sorted({i.case.kind for i in items if not i.case.good})
            found.append(f"p{partition}: first {items[0].case.kind}@{items[0].offset}, {len(items)} pending"
                         + (f", hostile among them: {', '.join(hostile_kinds)}" if hostile_kinds else ""))
        return found

    # -- phases

    def working(self) -> bool:
        """Has this incarnation written anything yet?"""
        return self.monitor.last_output_at > self.job.started_at

    def run(self) -> int:
        args = self.args
        work = tempfile.mkdtemp(prefix="news-chaos-")
        proxy_port = free_port()
        broker = ProxiedBroker(proxy_port).start()
        proxy = Proxy(proxy_port, broker.port)
        proxy.restore()
        self.job = None
        try:
            admin.ensure_topics(proxy.address, list(TOPICS.values()), partitions=PARTITIONS)
            cases = hostile.corpus(args.messages, args.seed)
            if args.skip:  # e.g. to look past a kind that stalls the job today
                skipped = set(args.skip.split(","))
                unknown = skipped - set(hostile.KINDS)
                if unknown:
                    raise SystemExit(f"--skip: no such kind: {', '.join(sorted(unknown))}")
                cases = [c for c in cases if c.kind not in skipped]
            kinds = len({c.kind for c in cases})
            self.say(f"corpus: {len(cases)} messages of {kinds} kinds ({sum(c.good for c in cases)} good), "
                     f"seed {args.seed}; broker {broker.port} behind proxy {proxy.address}; logs in {work}")
            split = int(len(cases) * FIRST_PART)
            first_timestamp = int(time.time() * 1000) - len(cases) - 60_000  # distinct, all in the past
            self.inputs = feed(proxy.address, cases[:split], first_timestamp)
            self.say(f"fed {split} messages")
            self.monitor = Monitor(proxy.address)
            self.monitor.fed(self.inputs)
            self.monitor.start()
            command = [sys.executable, "-m", "pipeline", "run", "--bootstrap-servers", proxy.address,
                       "--input-topic", TOPICS["input"], "--output-topic", TOPICS["output"],
                       "--dead-letter-topic", TOPICS["dead"], "--duplicates-topic", TOPICS["duplicates"],
                       "--group-id", GROUP, "--state-dir", os.path.join(work, "state"),
                       "--spacy-model", args.spacy_model, "--progress-seconds", "10"]
            if args.segment_seconds:
                command += ["--segment-seconds", str(args.segment_seconds)]
            self.job = Job(command, work)
            self.job.start()
            self.monitor.phase = "running"
            self.say(f"job #1 started: {' '.join(command[1:])}")
            for kill in range(1, args.kills + 1):
                if not (self.supervise(600, until=self.working) and self.supervise(self.rng.uniform(1, 12))):
                    break
                status = self.job.exited()
                if status is not None:  # it died on its own just now: not our kill
                    self.crashed(status)
                    continue
                self.job.kill()
                self.kills += 1
                self.say(f"SIGKILL job #{self.job.incarnation} (our kill {kill}); "
                         f"{len(self.monitor.snapshot())} records out so far")
                self.monitor.phase = f"restart after our kill {kill}"
                self.job.start()
            if not self.gave_up and self.supervise(600, until=self.working) and self.supervise(self.rng.uniform(1, 6)):
                self.monitor.phase = "outage"
                self.monitor.paused.set()
                proxy.cut()
                self.say(f"outage: proxy cut for {args.outage_seconds:g} s")
                self.supervise(args.outage_seconds, stall_check=False)
                proxy.restore()
                self.monitor.paused.clear()
                self.progress_floor = time.monotonic()
                self.monitor.phase = "after the outage"
                self.say("outage over: proxy restored")
            rest = feed(proxy.address, cases[split:], first_timestamp + split)
            self.inputs += rest
            self.monitor.fed(rest)
            self.say(f"fed the other {len(cases) - split} messages")
            if not self.gave_up:
                self.monitor.phase = "draining"
                self.supervise(10**9, until=self.idle)
            if self.job.exited() is None:
                if self.gave_up:
                    self.job.kill()
                else:
                    self.stop_result = self.job.terminate()
                    code, seconds = self.stop_result
                    self.say(f"SIGTERM: the job ended in {seconds:.1f} s with status {code}")
                    if code != 0:
                        self.crashes += 1
                        self.failures.append(Failure(f"unclean stop (status {code})", self.job.incarnation,
                                                     "stopping", time.monotonic() - self.began, code,
                                                     error_lines(self.job.log_path), [], self.job.log_path))
            self.monitor.stopped.set()
            self.monitor.join(30)
            records = []
            for topic in ("output", "duplicates", "dead"):
                records += [seen(m) for m in clients.read_topic(proxy.address, TOPICS[topic], True, 3.0, None)]
            status = self.report(records)
        finally:
            if self.job is not None and self.job.exited() is None:
                self.job.kill()
            proxy.cut()
            broker.stop()
        if status == 0 and not args.keep_logs:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"\nlogs of every job incarnation: {work}")
        return status

    def idle(self) -> bool:
        """No output for --idle-seconds, and the group has read everything (lag sampled since)."""
        quiet = time.monotonic() - self.monitor.last_output_at >= self.args.idle_seconds
        return quiet and self.monitor.lag == 0 and self.monitor.lag_at > self.monitor.last_output_at

    # -- the table

    def report(self, records: list[Seen]) -> int:
        reasons: list[str] = []
        outcomes = account(self.inputs, records, reasons)
        total = Counter(outcomes)
        per_kind: dict[str, Counter] = defaultdict(Counter)
        surprises: dict[str, Counter] = defaultdict(Counter)  # kind -> why it was dead-lettered, unexpectedly
        for item, outcome, reason in zip(self.inputs, outcomes, reasons):
            row = per_kind[item.case.kind]
            row["inputs"] += 1
            row[outcome] += 1
            unexpected = outcome != "lost" and outcome not in item.case.expected.outcomes
            row["unexpected"] += unexpected
            if unexpected:
                surprises[item.case.kind][reason or outcome] += 1
        letters = sum(r.topic == TOPICS["dead"] for r in records)
        unexpected = sum(row["unexpected"] for row in per_kind.values())
        gaps = sorted(self.monitor.gaps, reverse=True)
        ours = ("restart after", "outage", "after the outage")
        theirs = [g for g in gaps if not any(g[1].startswith(o) or g[2].startswith(o) for o in ours)]
        still = self.monitor.pending_gap()
        lost, ok = total["lost"], lambda bad: "ok" if not bad else "FAILED"
        print(f"\nchaos: {len(self.inputs)} messages of {len(per_kind)} kinds, seed {self.args.seed}; "
              f"{self.kills} kills by us, {self.args.outage_seconds:g} s broker outage; "
              f"{time.monotonic() - self.began:.0f} s")
        rows = [
            ("inputs", len(self.inputs), ""),
            ("written", total[hostile.WRITTEN], ""),
            ("duplicates", total[hostile.DUPLICATE], ""),
            ("dead letters", total[hostile.DEAD], f"({letters} records on the topic)"),
            ("lost", lost, f"must be 0: {ok(lost)}"),
            ("crashes", self.crashes, f"must be 0: {ok(self.crashes)}"),
            ("restarts needed", self.restarts_needed, f"must be 0: {ok(self.restarts_needed)}"
             + (f" ({self.stalls} after a stall)" if self.stalls else "")),
            ("unexpected outcomes", unexpected, "informational: an end the kind does not expect"),
        ]
        for name, value, note in rows:
            print(f"  {name:<20} {value:>7}  {note}")
        print("\n  stall check (time between two output records while input was pending):")
        if gaps:
            print(f"    longest {gaps[0][0]:.1f} s (from '{gaps[0][1]}' to '{gaps[0][2]}')")
        print(f"    longest outside our kills and outage: {theirs[0][0]:.1f} s" if theirs else
              "    longest outside our kills and outage: none")
        if still:
            print(f"    at the end: no output for {still:.0f} s with input pending")
        if self.stop_result:
            code, seconds = self.stop_result
            print(f"    stop: SIGTERM ended the job in {seconds:.1f} s, status {code}")
        if self.gave_up:
            print(f"    the run gave up: {self.gave_up}")
        print(f"\n  {'kind':<24} {'expects':<8} {'inputs':>6} {'written':>8} {'dup':>5} {'dead':>5} {'lost':>5} {'unexp':>6}")
        print("  " + "-" * 74)
        for kind in hostile.kinds():
            row = per_kind.get(kind)
            if not row:
                continue
            expects = next(i.case.expected.outcomes for i in self.inputs if i.case.kind == kind)
            short = "".join(letter for o, letter in zip(hostile.OUTCOMES, "WDX") if o in expects)
            print(f"  {kind:<24} {short:<8} {row['inputs']:>6} {row[hostile.WRITTEN]:>8} {row[hostile.DUPLICATE]:>5} "
                  f"{row[hostile.DEAD]:>5} {row['lost']:>5} {row['unexpected']:>6}" + ("  <- LOST" if row["lost"] else ""))
        print("  (expects: the ends the kind allows: W written, D duplicate, X dead-lettered)")
        by_reason = Counter(r for r, o in zip(reasons, outcomes) if o == hostile.DEAD)
        print("\n  dead letters by reason (stage, exception class, message; the 8 most common):")
        for reason, count in by_reason.most_common(8):
            print(f"    {count:>6}  {reason}")
        if surprises:
            print("\n  unexpected ends, by kind (why, or what it became):")
            for kind, why in surprises.items():
                top = "; ".join(f"{n} x {r}" for r, n in why.most_common(2))
                print(f"    {kind:<24} {top}")
        if self.failures:
            print("\n  failures of the job:")
            for f in self.failures:
                print(f"  - {f.what}: job #{f.incarnation} at {f.at:.0f} s ({f.phase}), status {f.status}, log {f.log}")
                for line in f.errors:
                    print(f"      {line}")
                for line in f.suspects:
                    print(f"      on {line}")
        return 1 if (lost or self.crashes or self.restarts_needed) else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.chaos", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=5000, help="messages in the corpus (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=1, help="corpus and kill moments (default: %(default)s)")
    ap.add_argument("--kills", type=int, default=3, help="SIGKILLs while the job works (default: %(default)s)")
    ap.add_argument("--outage-seconds", type=float, default=20, help="broker outage (default: %(default)s)")
    ap.add_argument("--idle-seconds", type=float, default=20,
                    help="no new output this long (and nothing left to read) ends the run (default: %(default)s)")
    ap.add_argument("--stall-seconds", type=float, default=90,
                    help="no output this long with input pending is a stall: restarted by hand (default: %(default)s)")
    ap.add_argument("--max-restarts", type=int, default=4,
                    help="give up after more restarts by hand than this (default: %(default)s)")
    ap.add_argument("--max-minutes", type=float, default=14, help="give up waiting after this long (default: %(default)s)")
    ap.add_argument("--segment-seconds", type=float, default=None, help="the job's --segment-seconds (default: its own)")
    ap.add_argument("--spacy-model", default="en_news_sm", help="the job's model (default: %(default)s)")
    ap.add_argument("--skip", default="", metavar="KIND[,KIND]", help="leave these kinds out of the corpus")
    ap.add_argument("--keep-logs", action="store_true", help="keep the job logs even when all went well")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("kafka").setLevel(logging.CRITICAL)  # our clients ride out the outage; their errors are expected
    return Chaos(args).run()


if __name__ == "__main__":
    sys.exit(main())
