"""The news domain: from a raw message to the record consumers receive.

Owns: decoding and validating messages (`articles`), normalising headline and
body (`normalize`), entities (`entities`), quotations and their speakers
(`quotes`), the record and its Avro encoding (`record`), loading the spaCy
pipeline (`nlp`) and the steps that tie them together (`enrich`).
May import: the standard library, ftfy, spaCy (only `nlp` and through a
loaded pipeline), fastavro (`record`). Nothing here knows about Beam, Kafka
or the duplicate stores.
"""
