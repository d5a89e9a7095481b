"""Several `run` processes sharing one topic's partitions through a consumer
group, as users scale a Kafka consumer: real broker, real processes. Every
article is written, none twice while members come and go cleanly; a killed
member's partitions are taken over, and only what it had in flight is
written again."""
import collections
import os
import signal
import subprocess
import sys
import time

import pytest

from pipeline.dev.broker import EmbeddedBroker
from pipeline.kafka import admin, clients

PLACES = ["harbour", "railway", "museum", "school", "market", "bridge", "library", "ferry", "tunnel", "orchard"]


def story(n: int) -> bytes:
    place = PLACES[n % len(PLACES)]
    return (f"Story {n}: the {place} plan {n * 7}\n\nCouncil report {n} on the {place}: plan number {n} cost "
            f"{n * 13} thousand, took {n % 5 + 2} years and employed {n * 3 + 1} people, officials said on day {n}."
            ).encode()


@pytest.fixture(scope="module")
def broker():
    with EmbeddedBroker() as running:
        yield running


class Members:
    """`run` processes of one group on topic NAME-raw, started and stopped at will."""

    def __init__(self, broker, name, tmp_path):
        self.broker, self.name, self.tmp_path = broker, name, tmp_path
        admin.ensure_topics(broker.bootstrap, [f"{name}-raw", f"{name}-out", f"{name}-dlq"], partitions=4)
        self.processes = {}

    def start(self, member, *flags):
        model = os.environ.get("NEWS_TEST_MODEL", "en_news_sm")
        log = open(self.tmp_path / f"{member}.log", "w")
        self.processes[member] = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "run", "--bootstrap-servers", self.broker.bootstrap,
             "--input-topic", f"{self.name}-raw", "--output-topic", f"{self.name}-out",
             "--dead-letter-topic", f"{self.name}-dlq", "--group-id", self.name, "--spacy-model", model,
             "--state-dir", str(self.tmp_path / "state"), "--session-timeout", "4", "--log-level", "info",
             "--progress-seconds", "0", *flags],
            stdout=subprocess.DEVNULL, stderr=log)

    def feed(self, numbers, partition=None):
        producer = clients.make_producer(self.broker.bootstrap)
        clients.send_all(producer, f"{self.name}-raw", [(f"s{n}".encode(), story(n), None) for n in numbers],
                         partition=partition)
        producer.close()

    def written(self) -> collections.Counter:
        return collections.Counter(
            m.key for m in clients.read_topic(self.broker.bootstrap, f"{self.name}-out", True, 1.0, None))

    def wait_for(self, numbers, seconds):
        wanted = {f"s{n}".encode() for n in numbers}
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            written = self.written()
            if wanted <= set(written):
                return written
            time.sleep(1)
        missing = sorted(wanted - set(self.written()))
        raise AssertionError(f"not written within {seconds} s: {missing[:10]} ...\n" + self.logs())

    def log(self, member) -> str:
        return (self.tmp_path / f"{member}.log").read_text()

    def assigned(self, member) -> str:
        lines = [line for line in self.log(member).splitlines() if "reads partitions" in line]
        return lines[-1] if lines else ""

    def logs(self) -> str:
        return "\n".join(f"--- {m}\n" + self.log(m)[-3000:] for m in self.processes)

    def stop(self, member, sig=signal.SIGTERM):
        process = self.processes[member]
        process.send_signal(sig)
        return process.wait(60)

    def close(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def members(broker, tmp_path, request):
    made = Members(broker, request.node.name.replace("_", "")[-24:], tmp_path)
    yield made
    made.close()


def wait_until(check, seconds, every=0.5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False


def test_two_members_share_the_partitions_and_write_each_article_once(members):
    members.start("a")
    members.feed(range(0, 20))
    members.wait_for(range(0, 20), 90)
    members.start("b")
    assert wait_until(lambda: "[2, 3]" in members.assigned("b") or "[0, 1]" in members.assigned("b"), 60), members.logs()
    members.feed(range(20, 60))
    written = members.wait_for(range(0, 60), 90)
    both = {m: members.assigned(m) for m in ("a", "b")}
    assert both["a"] != both["b"], both  # each reads its own half
    assert members.stop("b") == 0  # leaves: a takes its partitions over
    members.feed(range(60, 70))
    written = members.wait_for(range(0, 70), 90)
    assert max(written.values()) == 1, [k for k, v in written.items() if v > 1]  # nothing read by two at once
    assert members.stop("a") == 0


def test_a_killed_member_is_replaced_and_nothing_is_lost(members):
    members.start("a")
    members.start("b")
    assert wait_until(lambda: members.assigned("a") and members.assigned("b")
                      and members.assigned("a") != members.assigned("b"), 90), members.logs()
    members.feed(range(0, 30))
    members.stop("b", signal.SIGKILL)  # whatever it had in flight is read again from its last commit
    killed_at = time.monotonic()
    members.feed(range(30, 40))
    written = members.wait_for(range(0, 40), 120)
    assert time.monotonic() - killed_at < 60
    assert "[0, 1, 2, 3]" in members.assigned("a")
    assert members.stop("a") == 0
    again = [k for k, v in written.items() if v > 1]
    assert len(again) <= 30, again  # at most what b had read and not committed


def test_run_workers_starts_a_group_with_one_progress_line(members):
    model = os.environ.get("NEWS_TEST_MODEL", "en_news_sm")
    log = members.tmp_path / "workers.log"
    # before the workers: --start latest skips them, for both workers alike. One
    # batch each: the embedded broker (Tansu, memory storage) reports the end
    # of a partition as one past the first record of its last batch, so
    # "latest" would fall inside a batch of several
    for n in range(100, 105):
        members.feed([n])
    parent = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", "--workers", "2", "--bootstrap-servers", members.broker.bootstrap,
         "--input-topic", f"{members.name}-raw", "--output-topic", f"{members.name}-out",
         "--dead-letter-topic", f"{members.name}-dlq", "--group-id", members.name, "--spacy-model", model,
         "--state-dir", str(members.tmp_path / "state"), "--session-timeout", "4", "--progress-seconds", "1",
         "--start", "latest"],
        stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    try:
        assert wait_until(lambda: "workers: 2/2 up, 4 partitions" in log.read_text(), 90), log.read_text()[-3000:]
        members.feed(range(0, 30))
        written = members.wait_for(range(0, 30), 90)
        assert max(written.values()) == 1
        assert not {f"s{n}".encode() for n in range(100, 105)} & set(written)
        assert wait_until(lambda: "written 30" in log.read_text().splitlines()[-1], 30), log.read_text()[-2000:]
    finally:
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(90) == 0, log.read_text()[-3000:]


def test_a_member_joining_with_start_earliest_does_not_rewind_the_group(members):
    # --start moves offsets only where nobody else is reading: a second
    # member started with the first one's command line plus --start earliest
    # must not read again what the first one wrote
    members.start("a")
    members.feed(range(0, 20))
    members.wait_for(range(0, 20), 90)
    members.start("b", "--start", "earliest")
    assert wait_until(lambda: members.assigned("b"), 60), members.logs()
    members.feed(range(20, 40))
    written = members.wait_for(range(0, 40), 90)
    time.sleep(3)  # a rewound partition would be read again by now
    written = members.written()
    assert max(written.values()) == 1, [k for k, v in written.items() if v > 1]
    assert members.stop("b") == 0 and members.stop("a") == 0


def test_two_members_with_until_end_read_the_queue_once_and_stop(members):
    members.feed(range(40))
    members.start("a", "--until-end")
    members.start("b", "--until-end")
    assert members.processes["a"].wait(240) == 0, members.logs()
    assert members.processes["b"].wait(240) == 0, members.logs()
    written = members.written()
    assert set(written) == {f"s{n}".encode() for n in range(40)}, members.logs()
    assert max(written.values()) == 1


def test_with_until_end_a_member_done_with_its_partitions_waits_for_the_group(members):
    """A member that has read its partitions to their end stays in the group
    until the whole topic is read (its leaving would cut the others' segments
    short for a rebalance); the last one done ends the run for both."""
    # every record on partition 0: of two members, the one given [2, 3] is
    # done at once; the one given [0, 1] has them all, more than it reads in
    # the time the other takes to start (~2 s; 100-150 a second here)
    members.feed(range(1500), partition=0)
    # sessions that outlast the pause below: the group keeps the busy one's partitions while it is stopped
    members.start("a", "--until-end", "--session-timeout", "12")
    members.start("b", "--until-end", "--session-timeout", "12")
    shares = {"[0, 1]", "[2, 3]"}
    assert wait_until(lambda: {members.assigned(m)[-6:] for m in "ab"} == shares, 120, every=0.1), members.logs()
    busy = next(m for m in "ab" if members.assigned(m).endswith("[0, 1]"))
    idle = "b" if busy == "a" else "a"
    members.processes[busy].send_signal(signal.SIGSTOP)
    try:
        waiting = "waiting for the rest of group"
        assert waiting not in members.log(busy), members.logs()  # stopped before it was done
        assert wait_until(lambda: waiting in members.log(idle) or members.processes[idle].poll() is not None,
                          120), members.logs()
        time.sleep(2)
        assert members.processes[idle].poll() is None, members.logs()  # still there, the busy one's share unread
    finally:
        members.processes[busy].send_signal(signal.SIGCONT)
    assert members.processes[busy].wait(240) == 0, members.logs()
    assert members.processes[idle].wait(60) == 0, members.logs()
    written = members.written()
    assert set(written) == {f"s{n}".encode() for n in range(1500)}, members.logs()
    assert max(written.values()) == 1