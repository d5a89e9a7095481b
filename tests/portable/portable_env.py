"""Helpers and fixtures of the packaging and portable-runner tests: the
README's command line, the sdist and the worker virtualenv (.venv-worker/).
(Not a conftest.py: other tests import `conftest`, the one in tests/.)

The worker virtualenv holds what a Flink or Dataflow worker's boot installs,
and nothing else: the sdist of setup.py and the model wheel, installed with
`pip install -c constraints.txt` so that install_requires is what gets
resolved. It is kept between runs, keyed on setup.py, constraints.txt, the
model wheel and the Python version; a kept one gets the fresh sdist
reinstalled (without dependencies) every run.
"""
from __future__ import annotations

import hashlib
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "### On a distributed runner"
WORKER_VENV = ROOT / ".venv-worker"


def model_wheel() -> Path:
    wheels = sorted((ROOT / "models").glob("en_news_sm-*.whl"))
    assert len(wheels) == 1, f"expected one model wheel in models/, found {wheels}"
    return wheels[0]


def distributed_section() -> str:
    """The README's section "On a distributed runner", up to the next heading."""
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION) + len(SECTION)
    following = re.search(r"^#{1,3} ", text[start:], re.M)
    return text[start:start + following.start()] if following else text[start:]


def readme_commands() -> tuple[list[str], dict[str, list[str]], list[str]]:
    """From the section's code block: the job's flags (JOB="..."), the
    runner flags of each `python -m pipeline run $JOB ...` line by runner
    name, and every line of the block (continuations joined)."""
    block = re.search(r"^```\n(.*?)^```", distributed_section(), re.S | re.M)
    assert block, f"no code block in the README's section {SECTION!r}"
    lines = [line.strip() for line in block.group(1).replace("\\\n", " ").splitlines() if line.strip()]
    job, runners = None, {}
    for line in lines:
        if line.startswith("JOB="):
            (quoted,) = shlex.split(line[len("JOB="):])
            job = shlex.split(quoted)
        elif line.startswith("python -m pipeline run $JOB "):
            flags = shlex.split(line[len("python -m pipeline run $JOB "):])
            runners[flags[flags.index("--runner") + 1]] = flags
    assert job, f"no JOB=\"...\" line in the README's section {SECTION!r}"
    return job, runners, lines


def job_flags(job: list[str], bootstrap: str, prefix: str, state_dir: Path) -> tuple[list[str], dict[str, str]]:
    """The README's job flags for one run of a test: its broker, its topics
    and group (the README's names behind `prefix-`) and its state directory;
    the packaging flags as they are. Returns the flags and the topics by flag."""
    renamed = ("--input-topic", "--output-topic", "--dead-letter-topic", "--duplicates-topic", "--group-id")
    kept = ("--setup_file", "--extra_package")
    switches = ("--create-topics",)
    flags, topics, i = [], {}, 0
    while i < len(job):
        flag = job[i]
        if flag in switches:
            flags.append(flag)
            i += 1
            continue
        value = job[i + 1]
        if flag == "--bootstrap-servers":
            value = bootstrap
        elif flag in renamed:
            value = f"{prefix}-{value}"
            topics[flag] = value
        elif flag == "--state-dir":
            value = str(state_dir)
        elif flag not in kept:
            raise AssertionError(f"the README's JOB has {flag}, which this test does not know how to run: "
                                 "teach tests/portable/portable_env.py:job_flags")
        flags += [flag, value]
        i += 2
    return flags, topics


def build_sdist(out: Path, scratch: Path) -> Path:
    """`python setup.py sdist` of this checkout into `out` (its egg-info in
    `scratch`, so a stale one in the checkout cannot add files)."""
    done = subprocess.run([sys.executable, "setup.py", "-q", "egg_info", "--egg-base", str(scratch),
                           "sdist", "--dist-dir", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (path,) = out.glob("news-pipeline-*.tar.gz")
    return path


def venv_key() -> str:
    digest = hashlib.sha256()
    for path in (ROOT / "setup.py", ROOT / "constraints.txt", model_wheel()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def _pip(python: Path, log: Path, *args) -> None:
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"\n$ pip {' '.join(map(str, args))}\n")
        out.flush()
        done = subprocess.run([str(python), "-m", "pip", *map(str, args)], stdout=out, stderr=subprocess.STDOUT,
                              cwd=log.parent)
    if done.returncode:
        tail = "\n".join(line for line in log.read_text(encoding="utf-8").splitlines()
                         if "is ignored: it is neither a file nor a directory" not in line)[-4000:]
        raise AssertionError(f"pip {args[0]} failed in {python.parent.parent} (log: {log}):\n{tail}")




def ensure_worker_venv(sdist: Path) -> str:
    """Make WORKER_VENV hold the sdist and the model wheel as a worker's
    boot installs them, and nothing else; say what was done."""
    python, stamp, log = WORKER_VENV / "bin" / "python", WORKER_VENV / ".key", WORKER_VENV / "install.log"
    key = venv_key()
    if stamp.is_file() and stamp.read_text() == key and python.exists():
        _pip(python, log, "install", "-q", "--no-cache-dir", "--no-deps", "--force-reinstall", sdist)
        how = "kept; sdist reinstalled"
    else:
        shutil.rmtree(WORKER_VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(WORKER_VENV)], check=True)
        _pip(python, log, "install", "-q", "--no-cache-dir", "-c", ROOT / "constraints.txt", sdist, model_wheel())
        stamp.write_text(key)
        how = "built"
    _pip(python, log, "check")
    return how


@pytest.fixture(scope="session")
def sdist(tmp_path_factory) -> Path:
    return build_sdist(tmp_path_factory.mktemp("sdist"), tmp_path_factory.mktemp("egg-info"))


@pytest.fixture(scope="session")
def timings(request):
    """name -> what was measured; printed when the session ends."""
    found: dict[str, str] = {}
    yield found
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if found and reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # a fixture's teardown is captured otherwise
            reporter.write_line("")
            reporter.write_sep("-", "portable runner")
            for name, value in found.items():
                reporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="session")
def worker_venv(sdist, timings) -> Path:
    """.venv-worker/ with the sdist and the model wheel installed as a
    worker's boot installs them, and nothing else."""
    started = time.monotonic()
    how = ensure_worker_venv(sdist)
    timings["worker venv"] = f"{how} in {time.monotonic() - started:.0f} s"
    return WORKER_VENV
