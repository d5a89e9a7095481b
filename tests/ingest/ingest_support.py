"""Shared by the ingest tests: run `ingest` as a process, read the topic back."""
import json
import subprocess
import sys
import uuid

from pipeline.kafka.admin import partitions_of
from pipeline.kafka.clients import read_topic

# fast limits for loopback: the slow case waits longer than the read timeout
FAST = ["--host-delay", "0", "--read-timeout", "1", "--connect-timeout", "1", "--max-page-bytes", "5000000"]
FURNITURE = ("cookies", "Accept all", "Read more", "All rights reserved", "Advertisement", "Sign up",
             "Share this story", "Subscribe", "Privacy policy", "Terms of use")


def new_topic() -> str:
    return f"raw-{uuid.uuid4().hex[:10]}"


def ingest(bootstrap: str, topic: str, state_dir, *sources, once=True, extra=(), timeout=120):
    """`python -m pipeline.ingest ... SOURCE...` -> CompletedProcess (text)."""
    argv = [sys.executable, "-m", "pipeline.ingest", "--bootstrap-servers", bootstrap, "--topic", topic,
            "--state-dir", str(state_dir), "--log-level", "info", *FAST, *extra]
    if once:
        argv.append("--once")
    return subprocess.run(argv + [str(s) for s in sources], capture_output=True, text=True, timeout=timeout)


def envelopes(bootstrap: str, topic: str, idle: float = 1.5) -> list[tuple[str, dict]]:
    """(key, envelope) of every message on `topic`, oldest first per partition."""
    try:
        partitions_of(bootstrap, topic, timeout=2.0)
    except RuntimeError:
        return []
    out = []
    for message in read_topic(bootstrap, topic, True, idle, None):
        out.append((message.key.decode("utf-8"), json.loads(message.value.decode("utf-8"))))
    return out


def check_envelope(envelope: dict) -> None:
    """What every envelope must be: the job's fields, non-empty text, UTC time."""
    assert set(envelope) <= {"id", "url", "source", "published", "title", "text", "authors", "language"}
    assert envelope["id"] and envelope["text"].strip()
    assert "published" not in envelope or envelope["published"].endswith("Z")
    for word in FURNITURE:
        assert word not in envelope["text"], (word, envelope["text"][:300])
