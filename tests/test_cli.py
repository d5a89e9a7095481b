"""`python -m pipeline enrich` as a user runs it: files, JSON lines, stdin, errors."""
import json
import os
import subprocess
import sys

import pytest

from conftest import SEED


def run(args, stdin=b""):
    model = os.environ.get("NEWS_TEST_MODEL", "en_news_sm")
    command = [sys.executable, "-m", "pipeline", "enrich", "--spacy-model", model, *args]
    return subprocess.run(command, input=stdin, capture_output=True)


def test_enrich_files_and_json_lines(tmp_path):
    lines = tmp_path / "wire.jsonl"
    lines.write_text(
        json.dumps({"id": "w1", "title": "Vote due", "text": "“We will vote on Friday,” the speaker said."}) + "\n"
        + '{"id": "w2", "text": \n'
        + json.dumps({"id": "w3", "text": "   "}) + "\n",
        encoding="utf-8",
    )
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9 news\n\nBody.".encode("latin-1"))
    result = run([str(SEED), str(lines), str(bad), str(tmp_path / "missing.txt")])
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [r["id"] for r in records] == [str(SEED), "w1"]
    assert records[1]["headline"] == "Vote due" and records[1]["quotes"][0]["speaker"] == "the speaker"
    errors = result.stderr.decode()
    for words in ("wire.jsonl:2", "w3", "not UTF-8", "missing.txt"):
        assert words in errors
    assert result.returncode == 1


DEDUP = SEED.parent / "dedup"


def test_enrich_drops_or_marks_duplicates():
    paths = [str(DEDUP / f"{name}.txt") for name in ("base", "same_topic", "reissue", "boilerplate", "followup")]
    kept = [json.loads(line)["id"] for line in run(paths).stdout.decode().splitlines()]
    assert kept == [paths[0], paths[1], paths[4]]
    result = run(["--keep-duplicates", *paths])
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [(r["id"], r["duplicate_of"]) for r in records] == [
        (paths[0], None), (paths[1], None), (paths[2], paths[0]), (paths[3], paths[0]), (paths[4], None)]
    assert records[0]["similarity"] is None and 0.5 <= records[2]["similarity"] < 1.0
    assert result.returncode == 0


def test_enrich_reads_stdin():
    result = run([], stdin=SEED.read_bytes())
    (record,) = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert record["id"] == "<stdin>" and record["headline"].startswith("Anti-ISIL")
    assert result.returncode == 0


def test_enrich_format_ninjs(seed_record):
    from pipeline.news.ninjs import to_ninjs

    result = run(["--format", "ninjs", str(SEED)])
    (doc,) = [json.loads(line) for line in result.stdout.decode().splitlines()]
    # the converter's document for the record `enrich` prints (its validity: tests/news/test_ninjs.py)
    assert doc == json.loads(json.dumps(to_ninjs(dict(seed_record, id=str(SEED)))))
    assert doc["standard"]["version"] == "3.2" and doc["headlines"][0]["value"].startswith("Anti-ISIL")
    assert result.returncode == 0


def test_enrich_format_ninjs_with_duplicates():
    paths = [str(DEDUP / f"{name}.txt") for name in ("base", "reissue")]
    docs = [json.loads(line) for line in run(["--format", "ninjs", "--keep-duplicates", *paths]).stdout.decode().splitlines()]
    kept, copy = docs
    assert "associations" not in kept and "similarity" not in kept["newsPipeline"]
    assert copy["associations"][0]["uri"] == kept["uri"] and 0.5 <= copy["newsPipeline"]["similarity"] < 1.0


def test_broker_command_prints_address_and_stops_on_sigterm():
    import signal

    from pipeline.dev.broker import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "broker", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline().decode().strip() == f"127.0.0.1:{port}"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def pipeline_command(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("args, says", [
    (["run", "--bootstrap-server", "127.0.0.1:1"], "unknown flag --bootstrap-server"),  # an abbreviation of ours
    (["run", "--until-idel", "1"], "unknown flag --until-idel"),  # a typo
    # the --workers parent checks the flags before it starts any worker (none would answer at 127.0.0.1:1)
    (["run", "--workers", "2", "--until-idel", "1", "--bootstrap-servers", "127.0.0.1:1"], "unknown flag --until-idel"),
    (["run", "--workers", "2", "--runner", "DirectRunner", "--until-idel", "1"], "unknown flag --until-idel"),
    (["run", "--nlp-batch-size", "0"], "must be at least 1"),
    (["run", "--dedup-store", "redis:/x"], "not a Redis URL"),
    (["run", "--dedup-store", "http://x/y"], "takes a directory or a redis:// URL"),
    (["run", "--direct_num_workers", "2", "--until-idle", "1"], "--direct_num_workers other than 1 is refused"),
    (["run", "--until-idle", "1", "--bootstrap-servers", "127.0.0.1:1", "--broker-timeout", "0.5"],
     "no Kafka broker at 127.0.0.1:1 within 0.5 s"),
    (["consume", "--bootstrap-servers", "127.0.0.1:1", "--topic", "t", "--broker-timeout", "0.5"],
     "no Kafka broker at 127.0.0.1:1 within 0.5 s"),
    (["feed", "--bootstrap-servers", "127.0.0.1:1", "--topic", "t", "--broker-timeout", "0.5", str(SEED)],
     "no Kafka broker at 127.0.0.1:1 within 0.5 s"),
    (["consume", "--bootstrap", "127.0.0.1:1", "--topic", "t"], "required: --bootstrap-servers"),  # no abbreviation
    # "nan" and "inf" parse as floats: a bound or a timeout that never comes
    (["run", "--until-idle", "nan"], "must be a finite number, not nan"),
    (["run", "--broker-timeout", "inf"], "must be a finite number, not inf"),
    (["run", "--dedup-threshold", "nan"], "must be a finite number, not nan"),  # every article a near copy
    (["run", "--dedup-threshold", "1.5"], "must be above 0 and at most 1"),
    # a broker refuses a session over its group.max.session.timeout.ms (30 min by default): no partitions, ever
    (["run", "--session-timeout", "1e300"], "must be from 1 to 1800 seconds, not 1e300"),
    (["run", "--session-timeout", "0.2"], "must be from 1 to 1800 seconds"),  # expires between heartbeats
    (["ingest", "--bootstrap-servers", "127.0.0.1:1", "--topic", "t", "--interval", "nan", "x"],
     "must be a finite number, not nan"),
    (["ingest", "--bootstrap-servers", "127.0.0.1:1", "--topic", "t", "--host-delay", "-1", "x"], "must be 0 or more"),
])
def test_flags_that_cannot_be_honoured_end_in_one_line_and_status_2(args, says):
    done = pipeline_command(*args)
    assert done.returncode == 2, done.stderr
    assert says in done.stderr.strip().splitlines()[-1]  # the last line says why (argparse prints its usage first)
    assert "Traceback" not in done.stderr
    assert "apitools" not in done.stderr  # third-party noise stays quiet
