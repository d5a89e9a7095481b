import subprocess
import sys

import pytest

from pipeline.news.articles import ArticleError, RawArticle
from pipeline.news.enrich import normalized_record
from pipeline.news.normalize import clean_article, comparison_key, is_boilerplate, paragraphs, strip_inline_credits

TITLE = "Anti-ISIL front to step up fight in Iraq, Syria"
BODY = "The coalition has decided to step up its fight."


@pytest.mark.parametrize(
    "text, headline, body",
    [
        # the title repeated exactly, three times, then a photo credit
        (f"{TITLE}\n\n{TITLE}\n\n{TITLE}\n\nAP photo\n\n{BODY}", TITLE, BODY),
        # repeats differing in case, whitespace and punctuation
        (f"{TITLE}\n{TITLE.upper()}\n\n  anti-isil front to step up  fight in Iraq Syria.\n\n{BODY}", TITLE, BODY),
        # credits, bylines and widgets around the body
        (f"{TITLE}\n\nBy Jane Doe, Associated Press\n\nPhoto: Reuters\n\n{BODY}\n\nShare this:\n\nRead the rest here.",
         TITLE, BODY),
        ("Title\n\n(Getty Images)\n\nImage copyright AFP\n\n" + BODY + "\n\nAdvertisement", "Title", BODY),
        # HTML entities decoded, whitespace folded, quotation marks kept as written
        ("Fish &amp; chips\n\n“Great  food,”\u00a0he said. &quot;Yes.&quot;", "Fish & chips", "“Great food,” he said. \"Yes.\""),
        # mojibake repaired, curly quotes untouched
        ("Pe\u00c3\u00b1a Nieto visits\n\n\u201cIt\u2019s time,\u201d Pe\u00c3\u00b1a Nieto said.",
         "Pe\u00f1a Nieto visits", "\u201cIt\u2019s time,\u201d Pe\u00f1a Nieto said."),
        # a credit inside a paragraph goes, the paragraph stays
        (f"{TITLE}\n\nThe minister spoke (AP Photo/Jane Doe) in Baghdad.", TITLE, "The minister spoke in Baghdad."),
        # body text that merely starts like boilerplate stays
        ("Results\n\nBy contrast, the company lost money.\n\nThe photo shows a man.", "Results",
         "By contrast, the company lost money.\n\nThe photo shows a man."),
        # a title line later in the body is body text, not a repeat
        (f"{TITLE}\n\n{BODY}\n\n{TITLE}", TITLE, f"{BODY}\n\n{TITLE}"),
        # wrapped prose lines join into one paragraph
        ("T\n\nThis line is the first half of a long wrapped sentence in the body\nand this is its second half.",
         "T", "This line is the first half of a long wrapped sentence in the body and this is its second half."),
    ],
)
def test_clean_article(text, headline, body):
    article = clean_article(text)
    assert article.headline == headline
    assert article.body == body


def test_envelope_title_removes_repeat_from_text():
    article = clean_article(f"{TITLE.lower()}\n\n{BODY}", title=TITLE)
    assert (article.headline, article.body) == (TITLE, BODY)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("AP photo", True), ("Photo: Reuters", True), ("(Getty Images)", True), ("AP Photo/Evan Vucci", True),
        ("By JOHN SMITH, Associated Press", True), ("Share on Facebook", True), ("Tweet", True),
        ("Read the rest here.", True), ("Sign up for our daily newsletter", True),
        ("By contrast, the company lost money.", False), ("The photo shows a man.", False),
        ("Reuters reported the deal on Monday.", False), ("Share prices fell by a tenth on Monday.", False),
    ],
)
def test_is_boilerplate(line, expected):
    assert is_boilerplate(line) is expected


def test_strip_inline_credits():
    assert strip_inline_credits("He waved (Photo: Reuters) at the crowd.") == "He waved at the crowd."


def test_seed_article(tmp_path):
    from conftest import SEED

    article = clean_article(SEED.read_text(encoding="utf-8"))
    assert article.headline == TITLE
    assert article.body.startswith("The U.S.-led international coalition")
    assert "AP photo" not in article.body
    assert TITLE not in article.body
    assert comparison_key(TITLE) == comparison_key(TITLE.upper() + "!")


@pytest.mark.parametrize("paragraph", [
    "By Tariq Okafor - DCYIEYVILW - ZDJQCQIFHF - GBGTJQWFFQ!",  # once minutes of regex backtracking
    "By Ann Lee - " + " - ".join(["ABCDEFGHIJKLMNOPQRSTUVWXYZ"] * 6) + "?",
])
def test_a_byline_lookalike_is_judged_at_once(paragraph):
    # in a child process with a deadline: catastrophic backtracking would run for hours
    code = f"from pipeline.news.normalize import is_boilerplate; print(is_boilerplate({paragraph!r}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "False", done.stderr[-1000:]


def test_wrapped_lines_join_as_one_paragraph_however_many():
    lines = [f"and the line number {n} goes on" for n in range(2000)]
    (para,) = paragraphs("\n".join(["The first line of a long wrapped paragraph goes on and on"] + lines))
    assert para.endswith("and the line number 1999 goes on") and para.count(" and the line number ") == 2000


@pytest.mark.parametrize("text", ["T\n\n\u180e\u200b \u2060", "Title only\n\n...", "Title\n\n\u00a0\u3000"])
def test_a_body_of_nothing_readable_is_refused(text):
    with pytest.raises(ArticleError, match="no body text"):
        normalized_record(RawArticle(id="x", text=text))


@pytest.mark.parametrize(
    "text, authors, credit, body",
    [
        # the byline is removed, as before, and now read
        (f"{TITLE}\n\nBy Jane Doe, Associated Press\n\nPhoto: Reuters\n\n{BODY}", ("Jane Doe",), "Associated Press",
         BODY),
        # shapes that were never removed are read and stay: removing them now
        # would change the content hash of articles already stored
        (f"{TITLE}\n\nWritten by Jane Doe\n\n{BODY}", ("Jane Doe",), None, f"Written by Jane Doe\n\n{BODY}"),
        (f"{TITLE}\n\n{BODY}\n\n(Reporting by Ann Lee; Editing by Bo Ray)", ("Ann Lee",), None,
         f"{BODY}\n\n(Reporting by Ann Lee; Editing by Bo Ray)"),
        # a photo credit names no author and no story credit
        (f"{TITLE}\n\nAP photo\n\n{BODY}", (), None, BODY),
        (f"{TITLE}\n\nBy contrast, the company lost money.", (), None, "By contrast, the company lost money."),
    ],
)
def test_clean_article_reads_bylines_without_changing_the_body(text, authors, credit, body):
    article = clean_article(text)
    assert (article.authors, article.credit, article.body) == (authors, credit, body)


def test_a_dateline_is_reported_and_stays_in_the_body():
    article = clean_article(f"{TITLE}\n\nBAGHDAD, Nov 30 (Reuters) - {BODY}")
    assert article.dateline.to_dict() == {"place": "BAGHDAD", "agency": "Reuters", "date": "Nov 30"}
    assert article.credit == "Reuters"
    # the body keeps the dateline; its "(Reuters)" goes with the inline credits, as it always did
    assert article.body == f"BAGHDAD, Nov 30 - {BODY}"


def test_the_seed_article_has_no_byline_dateline_or_credit():
    from conftest import SEED

    article = clean_article(SEED.read_text(encoding="utf-8"))
    assert (article.authors, article.dateline, article.credit) == ((), None, None)
