"""The news domain: from a raw message to the record consumers receive.

Owns: decoding and validating messages (`articles`), normalising headline and
body (`normalize`), bylines, datelines and credits (`bylines`), the language
(`language`), entities (`entities`), quotations and their speakers
(`quotes`), the record and its Avro encoding (`record`), quote and entity
events (`events`), ninjs documents (`ninjs`), loading the spaCy pipeline
(`nlp`) and the steps that tie them together (`enrich`).
May import: the standard library, ftfy, numpy, py3langid (`language`, when
a detector is built), spaCy (only `nlp` and through a loaded pipeline),
fastavro (`record`). Nothing here knows about Beam, Kafka
or the duplicate stores.
"""
