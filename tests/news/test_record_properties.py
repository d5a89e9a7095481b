"""Whatever the job accepts encodes to a record that plain fastavro decodes
with the .avsc file alone, and that `consume` shows: random valid records,
written and read back."""
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import fastavro
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.kafka.formats import display
from pipeline.kafka.headers import Message
from pipeline.news.articles import EARLIEST_PUBLISHED_MS
from pipeline.news.record import encode

SCHEMA = fastavro.parse_schema(json.loads((Path(__file__).resolve().parents[2] / "schemas" / "article.avsc").read_text()))
# valid Unicode: every code point but the surrogates, which no UTF-8 encoder accepts (and decoding refuses)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
INT = st.integers(0, 2**31 - 1)
# the trusted published range: from EARLIEST_PUBLISHED_MS to well past now (a day ahead is the default)
PUBLISHED = st.one_of(st.none(), st.integers(EARLIEST_PUBLISHED_MS, 253402300799999))  # to 9999-12-31

MENTION = st.fixed_dictionaries({"text": TEXT, "label": TEXT, "start": INT, "end": INT, "canonical": TEXT})
ENTITY = st.fixed_dictionaries({"name": TEXT, "label": TEXT, "mentions": INT, "aliases": st.lists(TEXT, max_size=3)})
QUOTE = st.fixed_dictionaries({"text": TEXT, "start": INT, "end": INT, "type": TEXT, "speaker": st.none() | TEXT,
                               "speaker_mention": st.none() | TEXT, "cue": st.none() | TEXT,
                               "speaker_entity": st.none() | INT})
DATELINE = st.fixed_dictionaries({"place": TEXT, "agency": st.none() | TEXT, "date": st.none() | TEXT})
RECORD = st.fixed_dictionaries({
    "id": TEXT, "url": st.none() | TEXT, "source": st.none() | TEXT, "published": PUBLISHED, "headline": TEXT,
    "body": TEXT, "content_hash": TEXT, "entity_mentions": st.lists(MENTION, max_size=3),
    "entities": st.lists(ENTITY, max_size=3), "quotes": st.lists(QUOTE, max_size=3), "nlp_model": TEXT,
    "extraction_cut": st.booleans(), "authors": st.lists(TEXT, max_size=3), "dateline": st.none() | DATELINE,
    "credit": st.none() | TEXT, "language": st.none() | TEXT,
})


def millis(value):
    return None if value is None else round((value - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds() * 1000)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RECORD)
def test_every_valid_record_reads_back(rec):
    data = encode(rec)
    back = fastavro.schemaless_reader(io.BytesIO(data[10:]), SCHEMA)
    assert millis(back.pop("published")) == rec["published"]
    assert back == {k: v for k, v in rec.items() if k != "published"}
    shown = display(Message("articles", 0, 0, rec["id"].encode(), data, (), 0))["value"]
    assert shown["id"] == rec["id"] and shown["quotes"] == rec["quotes"]
    json.dumps(shown, ensure_ascii=False)  # what consume prints
