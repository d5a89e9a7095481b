"""Process-local totals and consumer lag, for the live progress line.

Beam counters are the pipeline's metrics on every runner, but the local
runner only hands them over when a run ends, and a live run does not end.
So the DoFns also add to these totals; when the job runs in this process
(the local runner), `python -m pipeline run` prints them every few seconds.
On a distributed runner they stay in the workers and the runner's own UI
shows the Beam counters instead.
"""
from __future__ import annotations

import threading
import time


class Progress:
    """Thread-safe running totals by name and lag by (topic, partition)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._totals: dict[str, int] = {}
        self._lag: dict[tuple[str, int], int] = {}

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._totals[name] = self._totals.get(name, 0) + amount

    def set_lag(self, topic: str, partition: int, lag: int) -> None:
        with self._lock:
            self._lag[(topic, partition)] = lag

    def snapshot(self) -> tuple[dict[str, int], int]:
        """(totals by name, summed lag over the partitions reported)."""
        with self._lock:
            return dict(self._totals), sum(self._lag.values())

    def reset(self) -> None:
        with self._lock:
            self._totals.clear()
            self._lag.clear()


PROGRESS = Progress()

# names in the order the progress line shows them
SHOWN = ("read", "written", "duplicates", "dead_lettered")


def line(before: dict[str, int], now: dict[str, int], lag: int, seconds: float) -> str:
    """One progress line from two snapshots `seconds` apart."""
    rate = (now.get("read", 0) - before.get("read", 0)) / seconds if seconds > 0 else 0.0
    totals = ", ".join(f"{name.replace('_', '-')} {now.get(name, 0)}" for name in SHOWN)
    return f"live: {rate:.1f} msg/s, lag {lag}; totals: {totals}"


class Reporter(threading.Thread):
    """Prints `line()` to `out` every `every` seconds until stopped."""

    def __init__(self, every: float, out, progress: Progress = PROGRESS):
        super().__init__(name="progress", daemon=True)
        self.every, self.out, self.progress = every, out, progress
        self.stopped = threading.Event()

    def run(self) -> None:
        before, then = self.progress.snapshot()[0], time.monotonic()
        while not self.stopped.wait(self.every):
            now, lag = self.progress.snapshot()
            at = time.monotonic()
            print(line(before, now, lag, at - then), file=self.out, flush=True)
            before, then = now, at

    def stop(self) -> None:
        self.stopped.set()
        self.join()
