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
# distributed runner) carries a copy made by setup.py in pipeline/schemas/.
_PACKAGE = Path(__file__).resolve().parent.parent  # pipeline/
# the installed copy first: installed, the folder above the package is
# site-packages, whose schemas/ (if any) belongs to another package
SCHEMA_DIR = _PACKAGE / "schemas" if (_PACKAGE / "schemas").is_dir() else _PACKAGE.parent / "schemas"
SINGLE_OBJECT_MARKER = b"\xc3\x01"


@lru_cache(maxsize=None)
def _load(path: Path):
    with open(path, encoding="utf-8") as f:
        return fastavro.parse_schema(json.load(f))


def load_schema(name: str = "article"):
    """schemas/NAME.avsc (the current schema of NAME) -> parsed fastavro schema."""
    return _load(SCHEMA_DIR / f"{name}.avsc")


def _fingerprint(schema) -> bytes:
    # fastavro's hex string already lists the bytes in little-endian order
    return bytes.fromhex(fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO"))


@lru_cache(maxsize=None)
def schema_fingerprint(name: str = "article") -> bytes:
    """The 8 bytes the single-object encoding carries: the CRC-64-AVRO
    fingerprint of the schema's parsing canonical form, little-endian."""
    return _fingerprint(load_schema(name))


@lru_cache(maxsize=None)
def known_schemas() -> dict[bytes, tuple[str, Path, bool]]:
    """fingerprint -> (schema name, .avsc path, written reversed by a version
    before 0.2) for the current schemas (schemas/*.avsc) and every earlier
    version kept in schemas/v*/: how a reader finds a record's writer schema."""
    found: dict[bytes, tuple[str, Path, bool]] = {}
    paths = sorted(SCHEMA_DIR.glob("v*/*.avsc")) + sorted(SCHEMA_DIR.glob("*.avsc"))  # the current ones win
    for path in paths:
        fp = _fingerprint(_load(path))
        found[fp] = (path.stem, path, False)
        found.setdefault(fp[::-1], (path.stem, path, True))
    return found


# Versions before 0.2 wrote the fingerprint byte-reversed; such records are
# still read, and counted here by schema name, so a consumer can say how
# many it met. Nothing writes them any more.
LEGACY_READS: Counter = Counter()


def writer_schema(data: bytes) -> tuple[str, bool] | None:
    """The schema a single-object encoded value was written with, looked up
    by its fingerprint: (name, written with the reversed fingerprint of
    versions before 0.2), or None for anything else."""
    if data[:2] != SINGLE_OBJECT_MARKER or len(data) < 10:
        return None
    known = known_schemas().get(bytes(data[2:10]))
    return None if known is None else (known[0], known[2])


def encode(record: dict, name: str = "article") -> bytes:
    """Record dict -> Avro single-object encoding. Raises on a record that
    does not fit the schema."""
    buf = io.BytesIO()
    buf.write(SINGLE_OBJECT_MARKER)
    buf.write(schema_fingerprint(name))
    fastavro.schemaless_writer(buf, load_schema(name), record, strict_allow_default=True)
    return buf.getvalue()


def decode(data: bytes, name: str = "article") -> dict:
    """Avro single-object encoding -> record dict in the current schema of
    `name`. The writer's schema is found by fingerprint among the current and
    earlier versions, and Avro schema resolution fills in what it lacks; the
    byte-reversed fingerprint of versions before 0.2 is accepted and counted
    in LEGACY_READS."""
    if data[:2] != SINGLE_OBJECT_MARKER:
        raise ValueError("not Avro single-object encoding (no C3 01 marker)")
    known = known_schemas().get(bytes(data[2:10]))
    if known is None or known[0] != name:
        raise ValueError(f"schema fingerprint {data[2:10].hex()} is not {name}'s")
    written_by, path, legacy = known
    if legacy:
        LEGACY_READS[name] += 1
    return fastavro.schemaless_reader(io.BytesIO(data[10:]), _load(path), load_schema(name))
