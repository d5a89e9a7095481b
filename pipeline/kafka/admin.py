"""Topic administration: creating topics and listing their partitions."""
from __future__ import annotations

import time


def ensure_topics(bootstrap: str, topics, partitions: int = 3) -> list[str]:
    """Create the topics that do not exist yet; returns the ones created."""
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="news-pipeline-admin")
    try:
        missing = [t for t in dict.fromkeys(topics) if t not in set(admin.list_topics())]
        if missing:
            admin.create_topics([NewTopic(t, num_partitions=partitions, replication_factor=1) for t in missing])
        return missing
    finally:
        admin.close()


def partitions_of(bootstrap: str, topic: str, timeout: float = 10.0) -> list[int]:
    """Partition numbers of `topic`; raises if the topic does not exist."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic)
            if partitions:
                return sorted(partitions)
            time.sleep(0.2)
    finally:
        consumer.close()
    raise RuntimeError(f"topic {topic!r} not found on {bootstrap}")
