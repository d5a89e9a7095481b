"""`python -m pipeline enrich` as a user runs it: files, JSON lines, stdin, errors."""
import json
import os
import subprocess
import sys

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
