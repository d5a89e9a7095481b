"""The article record: its Avro schema and encodings.

In: record dicts from `enrich`. Out: Avro single-object encoding (marker
C3 01, CRC-64-AVRO fingerprint of the schema, binary record), readable with
plain fastavro and `schemas/article.avsc`; and back.
"""
from __future__ import annotations

import io
import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

import fastavro
from fastavro.schema import fingerprint, to_parsing_canonical_form

# schemas/ at the top of the repository; an installed package (a worker of a
# distributed runner) carries a copy made by setup.py.
_PACKAGE = Path(__file__).resolve().parent.parent  # pipeline/
_REPO_SCHEMAS = _PACKAGE.parent / "schemas"
SCHEMA_DIR = _REPO_SCHEMAS if _REPO_SCHEMAS.is_dir() else _PACKAGE / "schemas"
SINGLE_OBJECT_MARKER = b"\xc3\x01"


@lru_cache(maxsize=None)
def load_schema(name: str = "article"):
    """schemas/NAME.avsc -> parsed fastavro schema."""
    with open(SCHEMA_DIR / f"{name}.avsc", encoding="utf-8") as f:
        return fastavro.parse_schema(json.load(f))


@lru_cache(maxsize=None)
def schema_fingerprint(name: str = "article") -> bytes:
    """The 8 bytes the single-object encoding carries: the CRC-64-AVRO
    fingerprint of the schema's parsing canonical form, little-endian.
    (fastavro's hex string already lists those bytes in that order.)"""
    canonical = to_parsing_canonical_form(load_schema(name))
    return bytes.fromhex(fingerprint(canonical, "CRC-64-AVRO"))


# Versions before 0.2 wrote the fingerprint byte-reversed; such records are
# still read, and counted here by schema name, so a consumer can say how
# many it met. Nothing writes them any more.
LEGACY_READS: Counter = Counter()


@lru_cache(maxsize=None)
def schema_names() -> tuple[str, ...]:
    """Names of the schemas in SCHEMA_DIR (article, duplicate, ...)."""
    return tuple(sorted(path.stem for path in SCHEMA_DIR.glob("*.avsc")))


def writer_schema(data: bytes) -> tuple[str, bool] | None:
    """The schema a single-object encoded value was written with, looked up
    by its fingerprint: (name, written by a version before 0.2 with the
    fingerprint reversed), or None for anything else."""
    if data[:2] != SINGLE_OBJECT_MARKER or len(data) < 10:
        return None
    for name in schema_names():
        if data[2:10] == schema_fingerprint(name):
            return name, False
        if data[2:10] == schema_fingerprint(name)[::-1]:
            return name, True
    return None


def encode(record: dict, name: str = "article") -> bytes:
    """Record dict -> Avro single-object encoding. Raises on a record that
    does not fit the schema."""
    buf = io.BytesIO()
    buf.write(SINGLE_OBJECT_MARKER)
    buf.write(schema_fingerprint(name))
    fastavro.schemaless_writer(buf, load_schema(name), record, strict_allow_default=True)
    return buf.getvalue()


def decode(data: bytes, name: str = "article") -> dict:
    """Avro single-object encoding -> record dict; checks marker and
    fingerprint (the byte-reversed one of versions before 0.2 is accepted
    and counted in LEGACY_READS)."""
    if data[:2] != SINGLE_OBJECT_MARKER:
        raise ValueError("not Avro single-object encoding (no C3 01 marker)")
    if data[2:10] != schema_fingerprint(name):
        if data[2:10] != schema_fingerprint(name)[::-1]:
            raise ValueError(f"schema fingerprint {data[2:10].hex()} is not {name}'s")
        LEGACY_READS[name] += 1
    return fastavro.schemaless_reader(io.BytesIO(data[10:]), load_schema(name))
