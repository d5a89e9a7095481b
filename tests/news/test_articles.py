import json

import pytest

from pipeline.news.articles import ArticleError, from_envelope, parse_file, parse_message, parse_time


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"Title line\n\nBody text.", {"id": "m1", "text": "Title line\n\nBody text.", "title": None}),
        (json.dumps({"id": "a1", "url": "https://example.com/a", "source": "Wire", "published": "2016-07-21T10:00:00Z",
                     "text": "Body."}).encode(),
         {"id": "a1", "url": "https://example.com/a", "source": "Wire", "published_ms": 1469095200000, "text": "Body."}),
        (json.dumps({"headline": "H", "body": "B."}).encode(), {"id": "m1", "title": "H", "text": "B."}),
        (json.dumps({"text": "x", "published": 1469095200}).encode(), {"published_ms": 1469095200000}),
        ("\ufeffTítulo\n\nCuerpo.".encode("utf-8"), {"text": "Título\n\nCuerpo."}),
    ],
)
def test_parse_message(data, expected):
    article = parse_message(data, "m1")
    for key, value in expected.items():
        assert getattr(article, key) == value


@pytest.mark.parametrize(
    "data, stage, words",
    [
        (b"\xff\xfe\x00bad", "decode", "not UTF-8"),
        (b'{"id": "a", "text": ', "decode", "invalid JSON"),
        (b'{"id": "a", "url": "u"}', "validate", "no text"),
        (b'{"id": "a", "text": "   "}', "validate", "empty"),
        (b"   \n\n ", "validate", "empty"),
        (b'{"text": 42}', "validate", "must be a string"),
        (b'{"text": "x", "published": "yesterday"}', "validate", "ISO-8601"),
        (b"x" * 101, "validate", "over the limit"),
    ],
)
def test_parse_message_errors(data, stage, words):
    with pytest.raises(ArticleError) as info:
        parse_message(data, "m1", max_bytes=100)
    assert info.value.stage == stage
    assert words in str(info.value)


def test_parse_file_json_lines_keeps_going_past_bad_lines():
    data = b'{"id": "a", "text": "First."}\n{"id": "b", "text": \n\n{"text": "Third."}\n'
    results = parse_file(data, "wire.jsonl")
    assert [getattr(r, "id", None) for r in results] == ["a", None, "wire.jsonl:4"]
    assert isinstance(results[1], ArticleError) and "wire.jsonl:2" in str(results[1])


@pytest.mark.parametrize("data", [b"", b"  \n", b"\xff\xfe", b'{"text": ""}'])
def test_parse_file_errors_name_the_file(data):
    (error,) = parse_file(data, "news/empty.txt")
    assert isinstance(error, ArticleError) and str(error).startswith("news/empty.txt: ")


def test_parse_file_plain_text_id_is_path():
    (article,) = parse_file(b"Title\n\nBody.", "news/today.txt")
    assert article.id == "news/today.txt" and article.title is None


def test_parse_time_forms():
    assert parse_time("2016-07-21T10:00:00+00:00") == parse_time("2016-07-21T10:00:00") == 1469095200000
    assert parse_time(1469095200000) == 1469095200000
    assert parse_time(None) is None


@pytest.mark.parametrize(
    "fields, authors, credit",
    [
        ({"author": "Dana Whitfield"}, ("Dana Whitfield",), None),
        ({"authors": ["Dana Whitfield", "Tom  Watkins\n"]}, ("Dana Whitfield", "Tom Watkins"), None),
        ({"byline": "By Dana A. Ford, James S.A. Corey, and Tom Watkins, CNN"},
         ("Dana A. Ford", "James S.A. Corey", "Tom Watkins"), None),
        ({"author": "JOHN MARZULLI"}, ("John Marzulli",), None),
        ({"byline": "By Fergus Jensen", "credit": "Reuters"}, ("Fergus Jensen",), "Reuters"),
        ({"authors": [], "author": "Ann Lee"}, ("Ann Lee",), None),  # an empty list names no one
        ({"credit": "AP"}, (), "Associated Press"),
        ({"credit": "Kyiv Independent"}, (), "Kyiv Independent"),
        ({}, (), None),
    ],
)
def test_envelope_authors_and_credit(fields, authors, credit):
    article = parse_message(json.dumps({"text": "Body.", **fields}).encode(), "m1")
    assert (article.authors, article.credit, article.warnings) == (authors, credit, ())


@pytest.mark.parametrize(
    "fields, authors, warning",
    [
        ({"author": 42}, (), "'author' must be a string or a list of strings, got int"),
        ({"authors": {"name": "Ann Lee"}, "byline": "Bo Ray"}, ("Bo Ray",), "got dict"),
        ({"authors": ["Ann Lee", 7, None, ["Bo Ray"]]}, ("Ann Lee",), "an item of type int"),
        ({"authors": [f"Ann Lee{n}" for n in range(10_000)]},
         tuple(f"Ann Lee{n}" for n in range(20)), "more than 20 names"),
        ({"byline": ", ".join(f"Ann Lee{n}" for n in range(30))},
         tuple(f"Ann Lee{n}" for n in range(20)), "more than 20 names"),
        ({"author": "A" * 1_000_000}, (), "a name over 200 characters"),
        ({"authors": ["Ann \ud800Lee", "Bo Ray"]}, ("Bo Ray",), "not valid Unicode"),
        ({"credit": ["AP"]}, (), "'credit' must be a string, got list"),
        ({"credit": "x" * 10_000}, (), "'credit' is over 200 characters"),
        ({"credit": "Reuters\udc00"}, (), "not valid Unicode"),
    ],
)
def test_hostile_envelope_authors_cost_a_warning_not_the_article(fields, authors, warning):
    article = from_envelope({"id": "a1", "text": "Body.", **fields}, "m1")
    assert article.id == "a1" and article.text == "Body."
    assert article.authors == authors
    assert article.credit is None or "credit" not in warning
    assert any(warning in w for w in article.warnings), article.warnings
    assert all(len(name) <= 200 for name in article.authors)


def test_envelope_warnings_keep_the_published_time_warning():
    article = from_envelope({"text": "Body.", "published": "1700-01-01T00:00:00Z", "author": 3.5}, "m1")
    assert article.published_ms is None and len(article.warnings) == 2
    assert "outside the trusted range" in article.warnings[0] and "'author'" in article.warnings[1]
