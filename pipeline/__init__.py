"""Streaming news ingestion: decode, normalise, deduplicate, extract entities
and quotes, and publish one Avro record per unique article."""
