"""Real Avro bytes, read back with plain fastavro and the .avsc file."""
import io
import json
from pathlib import Path

import fastavro
import pytest

from pipeline.news.record import decode, encode, schema_fingerprint

SCHEMAS = Path(__file__).parents[2] / "schemas"


def test_single_object_encoding_reads_back_with_plain_fastavro(seed_record):
    data = encode(seed_record)
    assert data[:2] == b"\xc3\x01"
    schema = fastavro.parse_schema(json.loads((SCHEMAS / "article.avsc").read_text()))
    fp = fastavro.schema.fingerprint(fastavro.schema.to_parsing_canonical_form(schema), "CRC-64-AVRO")
    assert data[2:10] == int(fp, 16).to_bytes(8, "little") == schema_fingerprint()
    assert fastavro.schemaless_reader(io.BytesIO(data[10:]), schema) == seed_record
    assert decode(data) == seed_record


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
