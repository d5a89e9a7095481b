"""Prometheus metrics of this process, served on 127.0.0.1:--metrics-port.

Names (all prefixed news_pipeline_):
- counters: read_total, decoded_total, written_total, duplicates_total,
  duplicate_events_total, quote_events_total, entity_events_total,
  dead_lettered_total, warnings_total, and
  failed_<stage>_total per step that dead-lettered a message;
- consumer_lag{topic,partition}: records behind the partition's end;
- assigned_partitions{topic}: how many partitions this process reads, and
  assigned{topic,partition} = 1 for each;
- broker_up{bootstrap}: 1 while the broker answers, 0 during an outage;
- end_to_end_seconds{sink}: histogram, the raw message's Kafka timestamp to
  the acknowledgement of what was written for it;
- nlp_seconds: histogram, spaCy and extraction time per article.

The counters and gauges are read from progress.PROGRESS and progress.WATCH
at scrape time, so they cost nothing between scrapes. On a distributed
runner the workers keep these to themselves; the runner shows the Beam
counters instead.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from . import progress

PREFIX = "news_pipeline_"
REGISTRY = CollectorRegistry(auto_describe=True)
END_TO_END = Histogram(
    PREFIX + "end_to_end_seconds", "Raw message's Kafka timestamp to the acknowledgement of what was written for it.",
    ["sink"], registry=REGISTRY, buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60, 300))
NLP_SECONDS = Histogram(
    PREFIX + "nlp_seconds", "spaCy parse and extraction time per article.", registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

_COUNTER_DOCS = {
    "read": "Messages read from the input topic.",
    "decoded": "Messages decoded into articles.",
    "written": "Article records written to the output topic.",
    "duplicates": "Articles dropped as exact or near copies of an earlier one.",
    "duplicate_events": "Duplicate events written to the duplicates topic.",
    "quote_events": "Quote events written to the quotes topic.",
    "entity_events": "Entity events written to the entities topic.",
    "dead_lettered": "Messages written to the dead-letter topic.",
    "warnings": "Values left out of an article because they could not be trusted.",
}


class _Collector:
    """Counters and gauges from the process's progress totals, at scrape time."""

    def __init__(self, tracked: progress.Progress, watch: progress.BrokerWatch):
        self.tracked, self.watch = tracked, watch

    def collect(self):
        totals, _ = self.tracked.snapshot()
        for name in sorted(set(_COUNTER_DOCS) | set(totals)):
            if name in _COUNTER_DOCS:
                doc = _COUNTER_DOCS[name]
            elif name.startswith("failed_"):
                doc = f"Messages dead-lettered by the {name[len('failed_'):]} step."
            else:
                doc = name.replace("_", " ")
            yield CounterMetricFamily(PREFIX + name, doc, value=totals.get(name, 0))
        lag = GaugeMetricFamily(PREFIX + "consumer_lag", "Records behind the end of the partition.",
                                labels=["topic", "partition"])
        for (topic, partition), behind in sorted(self.tracked.lags().items()):
            lag.add_metric([topic, str(partition)], behind)
        yield lag
        count = GaugeMetricFamily(PREFIX + "assigned_partitions", "Partitions this process reads.", labels=["topic"])
        each = GaugeMetricFamily(PREFIX + "assigned", "1 for each partition this process reads.",
                                 labels=["topic", "partition"])
        for topic, partitions in sorted(self.tracked.assignment().items()):
            count.add_metric([topic], len(partitions))
            for partition in partitions:
                each.add_metric([topic, str(partition)], 1)
        yield count
        yield each
        up = GaugeMetricFamily(PREFIX + "broker_up", "1 while the broker answers, 0 during an outage.",
                               labels=["bootstrap"])
        for bootstrap, answering in sorted(self.watch.states().items()):
            up.add_metric([bootstrap], 1 if answering else 0)
        yield up


REGISTRY.register(_Collector(progress.PROGRESS, progress.WATCH))


def serve(port: int):
    """Serve the metrics on 127.0.0.1:port (0: a free port); returns the server."""
    server, _ = start_http_server(port, addr="127.0.0.1", registry=REGISTRY)
    return server
