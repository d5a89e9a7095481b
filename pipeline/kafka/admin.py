"""Topic administration: creating topics and listing their partitions."""
from __future__ import annotations

import time


class MissingTopics(RuntimeError):
    """Topics the job writes to do not exist, and it was not asked to create them."""


def missing_topics(bootstrap: str, topics) -> list[str]:
    """The topics of `topics` that do not exist on the cluster, in order."""
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="news-pipeline-admin")
    try:
        existing = set(admin.list_topics())
        return [t for t in dict.fromkeys(topics) if t not in existing]
    finally:
        admin.close()


def ensure_topics(bootstrap: str, topics, partitions: int = 3) -> list[str]:
    """Create the topics that do not exist yet; returns the ones created
    here. Another process creating one at the same moment is not an error."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    missing = missing_topics(bootstrap, topics)
    created = []
    if not missing:
        return created
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="news-pipeline-admin")
    try:
        for topic in missing:  # one at a time: a race lost on one must not undo the others
            try:
                admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
                created.append(topic)
            except TopicAlreadyExistsError:
                continue  # another process (a second worker starting) made it first
        return created
    finally:
        admin.close()


def require_topics(bootstrap: str, topics, create: bool) -> None:
    """Create the missing ones if `create`; else raise MissingTopics naming them."""
    if create:
        ensure_topics(bootstrap, topics)
        return
    missing = missing_topics(bootstrap, topics)
    if missing:
        raise MissingTopics(f"topic{'s' if len(missing) > 1 else ''} {', '.join(missing)} not found on {bootstrap}: "
                            "create them, or pass --create-topics")


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
