"""Annotating an article costs time linear in its length whatever the text
(issue 15: 10 KB of '"' took 9.6 s and 20 KB 57 s), and a token budget cuts
the extraction of what is longer, which the record says (extraction_cut).

The timings compare each pathological text at two sizes eight times apart:
its cost may grow 20 times (linear is 8, quadratic 64), or 2.5 times as
much as a normal article's (the seed article's paragraphs repeated) at the
same two sizes when that grew more than 8 times, so that a machine slowed
down or shared between the two sizes does not fail the test (at four times
apart with a margin of 1.5, a busy 2-core machine failed it with 6.8x). CPU
time, the minimum of a few runs. The sizes keep the whole file about a
minute on two cores; the quadratic steps of issue 15 cost 10 to 47 times at
sizes four times apart, so 40 to 190 times here.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed_article.txt"
SMALL, LARGE = 1_000, 8_000  # characters
RUNS = 2  # the minimum of this many runs is a text's cost
MAX_GROWTH = 2.5  # cost from SMALL to LARGE, relative to linear or to a normal article's


def fill(unit: str, n: int) -> str:
    """unit repeated to n characters."""
    return (unit * (n // len(unit) + 1))[:n]


PATHOLOGICAL = {
    "quote marks": lambda n: '"' * n,
    "alternating quotes": lambda n: fill('"a" ', n),
    "apostrophes": lambda n: fill("'''' it's 'tis '90s ", n),
    "opening curly quotes, never closed": lambda n: fill("“word ", n),
    "paragraphs opening with a mark": lambda n: fill('"Yes, he did\n\n', n),
    "one sentence, no full stop": lambda n: fill("the council said the plan would work and the mayor agreed ", n),
    "cue chain": lambda n: fill("Smith said: ", n),
    "no spaces": lambda n: fill("abcdefghij", n),
    "no spaces, punctuation": lambda n: fill('said,"Smith".(', n),
}


# Before each text: a body of nothing but marks is refused at normalisation.
LEAD = "Readers wrote: "


def hostile(name: str, n: int) -> str:
    """The pathological text `name`, n characters with its lead."""
    return LEAD + PATHOLOGICAL[name](n - len(LEAD))


def record(body: str) -> dict:
    """Body -> the normalised record the pipeline would annotate."""
    from pipeline.news.articles import RawArticle
    from pipeline.news.enrich import normalized_record

    return normalized_record(RawArticle(id="bounded", title="Bounded work", text=body))


def annotate(enricher, rec: dict) -> tuple[float, dict]:
    """-> (CPU seconds, full record)."""
    started = time.process_time()
    ((_, result),) = list(enricher.annotate_many([rec]))
    seconds = time.process_time() - started
    assert isinstance(result, dict), result
    return seconds, result


def cost(enricher, rec: dict, runs: int = RUNS) -> tuple[float, dict]:
    """-> (the least CPU seconds of `runs` annotations, the full record)."""
    timed = [annotate(enricher, rec) for _ in range(runs)]
    return min(seconds for seconds, _ in timed), timed[-1][1]


def assert_valid(result: dict) -> None:
    """Offsets within the body, texts where they say, the flag a bool."""
    body = result["body"]
    assert isinstance(result["extraction_cut"], bool)
    for mention in result["entity_mentions"]:
        assert 0 <= mention["start"] < mention["end"] <= len(body)
        assert body[mention["start"] : mention["end"]].strip() == mention["text"]
    for quote in result["quotes"]:
        assert 0 <= quote["start"] < quote["end"] <= len(body), quote
        assert quote["text"] and quote["type"] in ("direct", "partial", "indirect")
        if quote["type"] == "indirect":
            assert body[quote["start"] : quote["end"]] == quote["text"]


@pytest.fixture(scope="module")
def normal_cost(enricher):
    """(seconds at SMALL, seconds at LARGE) for a normal article."""
    body = record(SEED.read_text(encoding="utf-8"))["body"]
    small, large = (record(fill(body + "\n\n", n)) for n in (SMALL, LARGE))
    annotate(enricher, small)  # warm up
    # more runs of the small one: a fraction of a second, it is the noisier
    return cost(enricher, small, runs=5)[0], cost(enricher, large, runs=3)[0]


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_cost_grows_linearly(enricher, normal_cost, name):
    small, large = (record(hostile(name, n)) for n in (SMALL, LARGE))
    (seconds_small, _), (seconds_large, result) = cost(enricher, small), cost(enricher, large)
    growth, normal_growth = seconds_large / seconds_small, normal_cost[1] / normal_cost[0]
    assert growth <= MAX_GROWTH * max(LARGE / SMALL, normal_growth), (
        f"{name}: {seconds_small:.2f}s at {SMALL} characters, {seconds_large:.2f}s at {LARGE}: "
        f"{growth:.1f}x where a normal article takes {normal_growth:.1f}x"
    )
    assert_valid(result)


def test_a_normal_article_is_not_cut(seed_record):
    assert seed_record["extraction_cut"] is False


def test_past_the_token_budget_the_article_is_written_and_says_it_was_cut(nlp):
    from pipeline.news.enrich import Enricher

    enricher = Enricher(nlp, max_tokens=300)
    prose = record(SEED.read_text(encoding="utf-8"))
    bomb = record('He said: "' + '"' * 5_000)
    short = record("The council met on Tuesday. “We are ready,” said Mayor Anna Lopez.")
    for rec, cut in ((prose, True), (bomb, True), (short, False)):
        _, result = annotate(enricher, rec)
        assert_valid(result)
        assert result["extraction_cut"] is cut, rec["body"][:40]
    # what was found lies in the tokens read, and the same text gives the same record
    _, first = annotate(enricher, prose)
    _, again = annotate(enricher, prose)
    assert first == again
    read = len(nlp.make_doc(prose["body"])[:300].text_with_ws)
    assert all(m["end"] <= read for m in first["entity_mentions"])
    assert first["entity_mentions"] and first["quotes"]


def test_overlapping_reported_clauses_are_cut_not_multiplied(enricher):
    """'A said: B said: C said: ...': each cue's clause is the rest of the
    paragraph; their total is capped and the record says it was cut."""
    rec = record(fill("Smith said: ", 8_000))
    _, result = annotate(enricher, rec)
    assert_valid(result)
    assert result["extraction_cut"] is True
    assert sum(len(q["text"]) for q in result["quotes"]) <= 10 * len(rec["body"])
