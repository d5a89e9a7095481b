"""The hostile-wire generator alone (pipeline.dev.hostile): deterministic,
every kind produced, keys unique, accounting ids sound. No broker, no job."""
import json
import re

import pytest

from pipeline.dev import hostile

N = 600  # enough for every kind, small enough to stay fast


@pytest.fixture(scope="module")
def cases():
    return hostile.corpus(N, seed=11)


def test_the_same_seed_gives_the_same_bytes(cases):
    again = hostile.corpus(N, seed=11)
    assert [(c.kind, c.key, c.value, c.headers, c.expected) for c in cases] == \
        [(c.kind, c.key, c.value, c.headers, c.expected) for c in again]


def test_another_seed_gives_another_corpus(cases):
    other = hostile.corpus(N, seed=12)
    assert [c.value for c in other] != [c.value for c in cases]


def test_at_least_thirty_kinds_and_every_kind_is_produced(cases):
    assert len(hostile.KINDS) >= 30
    assert {c.kind for c in cases} == set(hostile.KINDS)
    assert len(cases) == N


def test_small_corpora_are_exact_in_size():
    assert len(hostile.corpus(5, seed=1)) == 5
    assert hostile.corpus(0, seed=1) == []


def test_keys_are_unique(cases):
    keys = [c.key for c in cases if c.key]
    assert len(keys) == len(set(keys))


def test_good_and_hostile_are_mixed(cases):
    good = [c for c in cases if c.good]
    assert 0.3 * N < len(good) < 0.6 * N
    assert {c.kind for c in good} == {name for name, kind in hostile.KINDS.items() if kind.good}


def test_caps_hold_in_a_big_corpus():
    big = hostile.corpus(3000, seed=3)
    for name, kind in hostile.KINDS.items():
        if kind.cap is not None:
            assert sum(c.kind == name for c in big) <= kind.cap, name


def test_messages_have_the_kafka_shape(cases):
    for c in cases:
        assert c.key is None or isinstance(c.key, bytes)
        assert isinstance(c.value, bytes)
        for name, value in c.headers:
            assert isinstance(name, str) and (value is None or isinstance(value, bytes))
        assert c.expected.outcomes and c.expected.outcomes <= set(hostile.OUTCOMES)


def test_accounting_ids_follow_the_rules(cases):
    """Envelopes with an id carry the key unless the id is the attack; plain
    text is named by its key; no key (or an empty one) means no id yet."""
    for c in cases:
        if c.expected.id is None:
            assert not c.key, c.kind
            continue
        if c.kind in ("id_wrong_type", "long_id", "surrogate_in_id", "key_invalid_utf8", "null_key_envelope"):
            continue
        assert c.key is not None and c.expected.id == c.key.decode(), c.kind
        try:
            envelope = json.loads(c.value)
        except (ValueError, RecursionError):  # the attacks on JSON itself
            continue
        if isinstance(envelope, dict) and "id" in envelope and c.kind not in ("id_empty", "duplicate_json_keys"):
            assert envelope["id"] == c.expected.id, c.kind
    for c in (c for c in cases if c.kind == "null_key_envelope"):
        assert json.loads(c.value)["id"] == c.expected.id
    for c in (c for c in cases if c.kind == "surrogate_in_id"):
        assert c.key.decode() in c.expected.also


def test_good_articles_are_readable_envelopes_or_text(cases):
    for c in cases:
        if c.kind in ("good_envelope", "good_long"):
            envelope = json.loads(c.value)
            assert envelope["id"] == c.key.decode() and envelope["text"].strip() and envelope["title"]
        elif c.kind == "good_plain":
            title, _, body = c.value.decode().partition("\n\n")
            assert title and body


def _shingles(text: str) -> set:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + 5]) for i in range(max(1, len(words) - 4))}


def test_generated_stories_are_not_near_copies_of_each_other():
    """The duplicate judge drops a body at 5-word-shingle Jaccard >= 0.5;
    distinct stories stay far below that."""
    import random

    rng = random.Random(5)
    stories = [_shingles(hostile.make_story(rng, n).text) for n in range(300)]
    worst = max(len(a & b) / len(a | b) for i, a in enumerate(stories) for b in stories[i + 1:])
    assert worst < 0.25


def test_near_copies_are_near():
    copies = [c for c in hostile.corpus(1500, seed=4) if c.kind == "copy_near"]
    assert copies
    for c in copies[:20]:
        text = json.loads(c.value)["text"] if c.value.startswith(b"{") else c.value.decode()
        assert "This story was updated at" in text


def test_known_killers_are_in_the_corpus(cases):
    values = {c.kind: c.value for c in cases}
    assert b'"published": NaN' in values["published_nan"]
    assert b"\\ud8" in values["surrogate_in_id"] or b"\\udc" in values["surrogate_in_id"] \
        or b"\\udf" in values["surrogate_in_id"]
    assert len(values["oversize_value"]) > 2**20
    assert b'"' * 5000 in values["quote_bomb"] or "\u201c".encode() * 5000 in values["quote_bomb"] \
        or b"''" * 5000 in values["quote_bomb"] or '"\u201d'.encode() * 2000 in values["quote_bomb"]
    nested = [c for c in cases if c.kind == "deep_nesting_truncated"][0].value
    assert nested.count(b"[") + nested.count(b"{") > 1000
    assert any(name.startswith("dlq.") and value is None
               for c in cases if c.kind == "dlq_header_null" for name, value in c.headers)
