"""Kafka plumbing (kafka-python 3.x), no Beam and no spaCy.

Owns: client set-up and consumer-group offsets (`clients`), topic
administration (`admin`), what travels with a message: the Message tuple,
dead-letter and schema headers (`headers`), and how `feed` sends files and
`consume` shows messages (`formats`). May import: kafka-python, the standard
library and `pipeline.news.record` (to decode Avro values for display).
"""
