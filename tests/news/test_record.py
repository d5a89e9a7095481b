"""Real Avro bytes, read back with plain fastavro and the .avsc file; the
fingerprint checked against the Avro specification's own algorithm and test
vectors, not against our code."""
import io
import json
from pathlib import Path

import fastavro
import pytest

from pipeline.news import record
from pipeline.news.record import decode, encode, schema_fingerprint, writer_schema

SCHEMAS = Path(__file__).parents[2] / "schemas"

# CRC-64-AVRO as the Avro specification defines it ("Schema Fingerprints"):
# a Rabin fingerprint over the canonical form's UTF-8 bytes, table-driven.
EMPTY = 0xC15D213AA4D7A795


def _table():
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (EMPTY if fp & 1 else 0)
        table.append(fp)
    return table


TABLE = _table()


def rabin64(data: bytes) -> int:
    fp = EMPTY
    for byte in data:
        fp = (fp >> 8) ^ TABLE[(fp ^ byte) & 0xFF]
    return fp


@pytest.mark.parametrize("canonical, expected", [
    ('"null"', 0x63DD24E7CC258F8A),  # the spec's test vectors (as signed longs in Java's tests)
    ('"int"', 8247732601305521295),
    ('"long"', -3434872931120570953 % 2**64),
    ('"string"', -8142146995180207161 % 2**64),
])
def test_the_independent_fingerprint_meets_the_spec_vectors(canonical, expected):
    assert rabin64(canonical.encode()) == expected


@pytest.mark.parametrize("name", ["article", "duplicate", "quote", "entity"])
def test_single_object_encoding_carries_the_little_endian_fingerprint(name):
    canonical = fastavro.schema.to_parsing_canonical_form(fastavro.parse_schema(json.loads(
        (SCHEMAS / f"{name}.avsc").read_text())))
    assert schema_fingerprint(name) == rabin64(canonical.encode()).to_bytes(8, "little")


def test_the_article_fingerprint_as_goavro_reads_it():
    # bytes on the wire, as a spec reader (goavro) decoded them for the schema
    # of issue 16 (ab53caff9c5f9e8c, now schemas/v1); for the current one
    # (extraction_cut, authors, dateline, credit, language, speaker_entity)
    # the test's own rabin64 over fastavro's canonical form gives this
    assert schema_fingerprint("article").hex() == "3a4fdfa4588ee554"


def test_single_object_encoding_reads_back_with_plain_fastavro(seed_record):
    data = encode(seed_record)
    assert data[:2] == b"\xc3\x01"
    schema = fastavro.parse_schema(json.loads((SCHEMAS / "article.avsc").read_text()))
    assert fastavro.schemaless_reader(io.BytesIO(data[10:]), schema) == seed_record
    assert decode(data) == seed_record
    assert writer_schema(data) == ("article", False)


def test_records_of_earlier_versions_are_read_and_counted(seed_record):
    data = encode(seed_record)
    old = data[:2] + data[2:10][::-1] + data[10:]  # versions before 0.2 reversed the fingerprint
    before = record.LEGACY_READS["article"]
    assert decode(old) == seed_record
    assert record.LEGACY_READS["article"] == before + 1
    assert writer_schema(old) == ("article", True)


def test_record_that_does_not_fit_is_refused(seed_record):
    with pytest.raises((ValueError, TypeError)):
        encode({**seed_record, "quotes": [{"text": 1}]})


def _fields(schema):
    for field in schema["fields"]:
        yield field
        items = field["type"].get("items") if isinstance(field["type"], dict) else None
        if isinstance(items, dict) and items.get("type") == "record":
            yield from _fields(items)


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.avsc")), ids=lambda p: p.name)
def test_schema_conventions(path):
    schema = json.loads(path.read_text())
    assert schema.get("namespace")
    for field in _fields(schema):
        assert field.get("doc"), f"{field['name']} has no doc"
        if isinstance(field["type"], list):  # optional: null first, default null
            assert field["type"][0] == "null" and "default" in field and field["default"] is None
