"""Counters: Beam metrics in namespace "pipeline" that also feed the live
progress line (see progress.py)."""
from __future__ import annotations

from apache_beam.metrics import Metrics

from .. import progress


class Counter:
    """A Beam counter in namespace "pipeline" that also adds to this
    process's progress totals (see progress.py)."""

    def __init__(self, name):
        self.name = name
        self.metric = Metrics.counter("pipeline", name)

    def inc(self, amount=1):
        self.metric.inc(amount)
        progress.PROGRESS.add(self.name, amount)


def counters(result) -> dict:
    """The pipeline's counters from a finished run, by name."""
    from apache_beam.metrics.metric import MetricsFilter

    found = result.metrics().query(MetricsFilter().with_namespace("pipeline"))["counters"]
    totals = {}
    for counter in found:
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + counter.committed
    return totals
