"""Schema evolution: every earlier schema kept in schemas/v*/ and the
records stored with it in tests/fixtures/avro/ must stay readable with the
current schema, and records written with the current schema readable with
the earlier one (Avro schema resolution, both ways). This is the safety net
for adding fields: a change that breaks either direction fails here."""
import io
import json
from pathlib import Path

import avro.io
import avro.schema
import fastavro
import pytest

from pipeline.news import record

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
FIXTURES = ROOT / "tests" / "fixtures" / "avro"
VERSIONS = sorted(path.name for path in SCHEMAS.glob("v*") if path.is_dir())
STORED = sorted(FIXTURES.glob("*-v*-*.bin"))


def parsed(path: Path):
    return fastavro.parse_schema(json.loads(path.read_text()))


def stored_records(version: str) -> dict:
    return json.loads((FIXTURES / f"records-{version}.json").read_text())


def as_stored(value):
    """A decoded record in the JSON fixture's terms (times as epoch ms)."""
    if isinstance(value, dict):
        return {k: as_stored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_stored(v) for v in value]
    if hasattr(value, "timestamp"):
        return round(value.timestamp() * 1000)
    return value


def test_every_version_has_stored_records():
    assert VERSIONS and STORED
    for version in VERSIONS:
        for name in ("article", "duplicate"):
            assert list(FIXTURES.glob(f"{name}-{version}-*.bin")), (name, version)


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.name)
def test_old_records_read_with_the_current_schema(path):
    name, version, number = path.stem.split("-")
    data = path.read_bytes()
    old = parsed(SCHEMAS / version / f"{name}.avsc")
    new = record.load_schema(name)
    resolved = fastavro.schemaless_reader(io.BytesIO(data[10:]), old, new)
    expected = with_defaults(stored_records(version)[name][int(number)], json.loads((SCHEMAS / f"{name}.avsc").read_text()))
    assert as_stored(resolved) == expected


def with_defaults(value, schema):
    """A stored record, with every field the current schema adds (at any
    depth: a record inside an array or a union too) set to its default, as
    the Avro specification says a reader fills in what the writer lacked."""
    if isinstance(schema, list):  # a union: the branch that fits the value
        branches = [b for b in schema if isinstance(b, dict) and b.get("type") == "record"]
        return with_defaults(value, branches[0]) if isinstance(value, dict) and branches else value
    if isinstance(schema, dict) and schema.get("type") == "array":
        return [with_defaults(item, schema["items"]) for item in value]
    if isinstance(schema, dict) and schema.get("type") == "record":
        return {field["name"]: (with_defaults(value[field["name"]], field["type"]) if field["name"] in value
                                else field["default"]) for field in schema["fields"]}
    if isinstance(schema, dict) and isinstance(schema.get("type"), (dict, list)):
        return with_defaults(value, schema["type"])
    return value
    assert as_stored(record.decode(data, name)) == expected  # our reader finds the writer's schema by fingerprint


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.name)
def test_current_records_read_with_the_old_schema(path):
    name, version, number = path.stem.split("-")
    current = record.decode(path.read_bytes(), name)  # a record as the job writes it today
    data = record.encode(current, name)
    old = parsed(SCHEMAS / version / f"{name}.avsc")
    back = fastavro.schemaless_reader(io.BytesIO(data[10:]), record.load_schema(name), old)
    assert as_stored(back) == stored_records(version)[name][int(number)]


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.name)
def test_the_apache_avro_package_reads_what_we_write(path):
    """An independent implementation: Apache's own Python package decodes the
    record body with the .avsc file alone."""
    name, version, number = path.stem.split("-")
    current = record.decode(path.read_bytes(), name)
    data = record.encode(current, name)
    schema = avro.schema.parse((SCHEMAS / f"{name}.avsc").read_text())
    decoded = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(data[10:])))
    assert as_stored(decoded) == as_stored(current)


def test_the_apache_avro_package_computes_the_same_fingerprint():
    # Only for a schema without logical types: Apache's package keeps
    # {"type": "long"} for a timestamp-millis in the canonical form where the
    # specification (and Java, and fastavro) writes "long", so its article
    # fingerprint differs (de05f2424ac9c9d5 against the spec's ab53caff9c5f9e8c).
    schema = avro.schema.parse((SCHEMAS / "duplicate.avsc").read_text())
    assert bytes(schema.fingerprint("CRC-64-AVRO")) == record.schema_fingerprint("duplicate")
