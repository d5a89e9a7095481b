"""Process-local totals and consumer lag, for the live progress line.

Beam counters are the pipeline's metrics on every runner, but the local
runner only hands them over when a run ends, and a live run does not end.
So the DoFns also add to these totals; when the job runs in this process
(the local runner), `python -m pipeline run` prints them every few seconds.
On a distributed runner they stay in the workers and the runner's own UI
shows the Beam counters instead.
"""
from __future__ import annotations

import logging
import threading
import time

from .kafka.clients import reachable

_LOG = logging.getLogger("pipeline.broker")


class Progress:
    """Thread-safe running totals by name and lag by (topic, partition)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._totals: dict[str, int] = {}
        self._lag: dict[tuple[str, int], int] = {}
        self._assigned: dict[str, list[int]] = {}

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._totals[name] = self._totals.get(name, 0) + amount

    def set_lag(self, topic: str, partition: int, lag: int) -> None:
        with self._lock:
            self._lag[(topic, partition)] = lag

    def set_assigned(self, topic: str, partitions: list[int]) -> None:
        """The partitions of `topic` this process reads now (lag of the others is dropped)."""
        with self._lock:
            self._assigned[topic] = sorted(partitions)
            for key in [k for k in self._lag if k[0] == topic and k[1] not in partitions]:
                del self._lag[key]

    def lags(self) -> dict[tuple[str, int], int]:
        with self._lock:
            return dict(self._lag)

    def assignment(self) -> dict[str, list[int]]:
        with self._lock:
            return {topic: list(partitions) for topic, partitions in self._assigned.items()}

    def snapshot(self) -> tuple[dict[str, int], int]:
        """(totals by name, summed lag over the partitions reported)."""
        with self._lock:
            return dict(self._totals), sum(self._lag.values())

    def reset(self) -> None:
        with self._lock:
            self._totals.clear()
            self._lag.clear()
            self._assigned.clear()


PROGRESS = Progress()


class BrokerWatch:
    """Whether the brokers this process talks to are reachable, as its Kafka
    writers and the progress reporter find out: one log line when a broker
    becomes unreachable and one when it is back (not one per retry)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._down: dict[str, tuple[float, float]] = {}  # bootstrap -> (wall time, monotonic time) it went away
        self._seen: set[str] = set()

    def down(self, bootstrap: str, reason: str = "") -> None:
        with self._lock:
            self._seen.add(bootstrap)
            if bootstrap in self._down:
                return
            self._down[bootstrap] = (time.time(), time.monotonic())
        _LOG.warning("broker %s unreachable since %s%s; retrying", bootstrap, time.strftime("%H:%M:%S"),
                     f" ({reason})" if reason else "")

    def up(self, bootstrap: str) -> None:
        with self._lock:
            self._seen.add(bootstrap)
            went = self._down.pop(bootstrap, None)
        if went is not None:
            _LOG.warning("broker %s reachable again after %.0f s", bootstrap, time.monotonic() - went[1])

    def states(self) -> dict[str, bool]:
        """bootstrap -> answering, for every broker reported on so far."""
        with self._lock:
            return {bootstrap: bootstrap not in self._down for bootstrap in self._seen}

    def status(self) -> str | None:
        """'broker H:P unreachable since 12:03:05' while one is, else None."""
        with self._lock:
            if not self._down:
                return None
            bootstrap, (wall, _) = min(self._down.items(), key=lambda item: item[1][0])
        return f"broker {bootstrap} unreachable since {time.strftime('%H:%M:%S', time.localtime(wall))}"


WATCH = BrokerWatch()


# names in the order the progress line shows them
SHOWN = ("read", "written", "duplicates", "dead_lettered")


def line(before: dict[str, int], now: dict[str, int], lag: int, seconds: float, broker: str | None = None) -> str:
    """One progress line from two snapshots `seconds` apart (and what is
    known of the broker, when it is unreachable)."""
    rate = (now.get("read", 0) - before.get("read", 0)) / seconds if seconds > 0 else 0.0
    totals = ", ".join(f"{name.replace('_', '-')} {now.get(name, 0)}" for name in SHOWN)
    if broker:
        return f"live: {broker}, waiting; totals: {totals}"
    return f"live: {rate:.1f} msg/s, lag {lag}; totals: {totals}"


class Reporter(threading.Thread):
    """Prints `line()` to `out` every `every` seconds until stopped; before
    each line it checks that `bootstrap` is reachable (the readers' client
    retries in silence, so an outage with nothing to write would go unseen)."""

    def __init__(self, every: float, out, progress: Progress = PROGRESS, bootstrap: str | None = None,
                 watch: BrokerWatch = WATCH):
        super().__init__(name="progress", daemon=True)
        self.every, self.out, self.progress = every, out, progress
        self.bootstrap, self.watch = bootstrap, watch
        self.stopped = threading.Event()

    def run(self) -> None:
        before, then = self.progress.snapshot()[0], time.monotonic()
        while not self.stopped.wait(self.every):
            if self.bootstrap:
                if reachable(self.bootstrap):
                    self.watch.up(self.bootstrap)
                else:
                    self.watch.down(self.bootstrap, "no connection")
            now, lag = self.progress.snapshot()
            at = time.monotonic()
            print(line(before, now, lag, at - then, self.watch.status()), file=self.out, flush=True)
            before, then = now, at

    def stop(self) -> None:
        self.stopped.set()
        self.join()
