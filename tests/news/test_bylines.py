import subprocess
import sys

import pytest

from pipeline.news.bylines import Dateline, closing_credit, find_dateline, parse_byline, sign_off
from pipeline.news.normalize import clean_article

# Byline lines as news sites print them -> (authors, credit).
BYLINES = [
    # AP
    ("By JULIE PACE, Associated Press", (["Julie Pace"], "Associated Press")),
    ("By ZEKE MILLER and JOSH BOAK, Associated Press", (["Zeke Miller", "Josh Boak"], "Associated Press")),
    ("By Matthew Lee, AP Diplomatic Writer", (["Matthew Lee"], "Associated Press")),
    ("Kathleen Ronayne, Associated Press", (["Kathleen Ronayne"], "Associated Press")),
    # Reuters
    ("By Fergus Jensen", (["Fergus Jensen"], None)),
    ("(Reporting by Andy Bruce in London and Ankur Banerjee in Bengaluru; Editing by Joyjeet Das)",
     (["Andy Bruce", "Ankur Banerjee"], None)),
    ("(Reporting by Indulal PM; Editing by Sunil Nair)", (["Indulal PM"], None)),
    ("Reporting by Steve Holland; Writing by Jeff Mason; Editing by Leslie Adler",
     (["Steve Holland", "Jeff Mason"], None)),
    ("By Gayatri Suroyo and Adriana Nina Kusuma | Reuters", (["Gayatri Suroyo", "Adriana Nina Kusuma"], "Reuters")),
    # AFP, wires seen through other papers
    ("By Jessica Vince - 29 December 2014", (["Jessica Vince"], None)),
    ("By Ben Simon with Jo Biddle in Paris | AFP", (["Ben Simon", "Jo Biddle"], "AFP")),
    # CNN, BBC, Guardian, NYT
    ("By Dana A. Ford , James S.A. Corey, Chien-Ming Wang, and Tom Watkins, CNN",
     (["Dana A. Ford", "James S.A. Corey", "Chien-Ming Wang", "Tom Watkins"], "CNN")),
    ("By Jeremy Diamond and Kaitlan Collins, CNN", (["Jeremy Diamond", "Kaitlan Collins"], "CNN")),
    ("By Laura Kuenssberg, BBC political editor", (["Laura Kuenssberg"], "BBC")),
    ("Harriet Alexander, Andrew Marszal and Josie Ensor", None),  # names alone: no sign it is a byline
    ("By Harriet Alexander, Andrew Marszal and Josie Ensor",
     (["Harriet Alexander", "Andrew Marszal", "Josie Ensor"], None)),
    ("By Michael D. Shear and Maggie Haberman", (["Michael D. Shear", "Maggie Haberman"], None)),
    # local papers, magazines, blogs
    ("By Dana Whitfield, Staff Writer", (["Dana Whitfield"], None)),
    ("BY SARAH BURGE / STAFF WRITER", (["Sarah Burge"], None)),
    ("BY John Marzulli", (["John Marzulli"], None)),
    ("by Tia Ghose, Staff Writer | October 29, 2014 07:38am ET", (["Tia Ghose"], None)),
    ("by Stephanie Pappas, Live Science Contributor | October 31, 2014 07:15am ET", (["Stephanie Pappas"], None)),
    ("By C. Ryanne Laratonda | Posted Feb. 27, 2014, 5:17 p.m.", (["C. Ryanne Laratonda"], None)),
    ("By Paul Ausick December 29, 2014 4:08 pm EST", (["Paul Ausick"], None)),
    ("By Antonio Regalado on December 4, 2014", (["Antonio Regalado"], None)),
    ("By Rebecca Leber @rebleber", (["Rebecca Leber"], None)),
    ("By Jane Doe jdoe@example.com Updated 3:45 PM ET", (["Jane Doe"], None)),
    ("By Lynne Eldridge MD", (["Lynne Eldridge"], None)),
    ("Written by Kelly Phillips Badal", (["Kelly Phillips Badal"], None)),
    ("by Kelly Phillips Badal", (["Kelly Phillips Badal"], None)),
    ("By: Sean Griffin", (["Sean Griffin"], None)),
    ("Lucy Berry | lberry@al.com By Lucy Berry | lberry@al.com AL.com", (["Lucy Berry"], None)),
    ("Joanne Anderson By Joanne Anderson The Mississippi Press", (["Joanne Anderson"], None)),
    ("By Khalid al-Obeidi and Ludwig van Dyke", (["Khalid al-Obeidi", "Ludwig van Dyke"], None)),
    ("By April Ryan", (["April Ryan"], None)),
    ("By Reuters Staff", ([], "Reuters")),
    # Bloomberg's closing lines: the reporter is an author, the editors are not
    ("To contact the reporter on this story: Steve Matthews in Atlanta at smatthews@bloomberg.net",
     (["Steve Matthews"], None)),
    ("To contact the editors responsible for this story: Chris Wellisz at cwellisz@bloomberg.net", None),
    # a magazine's name | role | date line
    ("Lena deCasparis | Contributing Writer | 5 days ago", (["Lena deCasparis"], None)),
    ("Stevie Martin | Staff Writer | Tuesday, 25 November 2014", (["Stevie Martin"], None)),
]


@pytest.mark.parametrize("line, expected", BYLINES)
def test_byline_shapes(line, expected):
    byline = parse_byline(line)
    if expected is None:
        assert byline is None
        return
    authors, credit = expected
    assert byline is not None
    assert list(byline.authors) == authors
    assert byline.credit == credit


@pytest.mark.parametrize("paragraph", [
    "By the time he arrived, the polls had closed.",
    "By 2030 the plan would cut emissions by half.",
    "By contrast, the company lost money.",
    "By Monday at noon",
    "By May the plan had failed",
    "By Christmas Day the town had no power.",
    "By Kevin Mazur/WireImage.",  # a photo credit
    "By Motley Fool Staff | More Articles",  # the publication, not a person
    "By Fox News",
    "Carlos Barria / Reuters.",  # the photographer of a picture
    "Additional reporting by Wilda Asmarini and Fransiska Nangoy",  # contributors
    "Editing by Sunil Nair",
    "Photographs by Robert Nethery",
    "National Desk By National Desk The Plain Dealer",
    "Barack Obama, the president",
    "Reuters reported the deal on Monday.",
    "Shares fell by 3 percent, and bonds rose by 2 percent.",
    "By " + "Ann Lee and " * 60 + "Bo Ray",  # longer than any byline
])
def test_near_misses_are_not_bylines(paragraph):
    byline = parse_byline(paragraph)
    assert byline is None or not byline.authors


DATELINES = [
    ("WASHINGTON (Reuters) - The Senate voted on Tuesday.", Dateline("WASHINGTON", "Reuters", None)),
    ("LONDON, Nov 30 (AFP) - Britain said on Monday.", Dateline("LONDON", "AFP", "Nov 30")),
    ("BEIRUT, Lebanon (AP) — Syrian troops advanced.", Dateline("BEIRUT, Lebanon", "AP", None)),
    ("NEW YORK — The city's subway fares will rise.", Dateline("NEW YORK", None, None)),
    ("KYIV, Ukraine, Dec. 1 (Reuters) - Ukraine said.", Dateline("KYIV, Ukraine", "Reuters", "Dec. 1")),
    ("SURABAYA, Indonesia/JAKARTA (Reuters) - Indonesian rescuers searching for an AirAsia plane",
     Dateline("SURABAYA, Indonesia/JAKARTA", "Reuters", None)),
    ("Washington (CNN) — President Biden said.", Dateline("Washington", "CNN", None)),
    ("ATLANTA, Georgia (CNN) -- A storm hit the city.", Dateline("ATLANTA, Georgia", "CNN", None)),
    ("Paris (AFP) - France's prime minister said.", Dateline("Paris", "AFP", None)),
    ("WINSTON-SALEM, N.C. — The city council met.", Dateline("WINSTON-SALEM, N.C.", None, None)),
    ("NEW DELHI, Dec 1 (PTI) The government on Friday said.", Dateline("NEW DELHI", "PTI", "Dec 1")),
    ("NEW DELHI (IANS): The government on Friday said.", Dateline("NEW DELHI", "IANS", None)),
    ("GENEVA, 30 Nov (Reuters) - The WHO said.", Dateline("GENEVA", "Reuters", "30 Nov")),
    ("LOS ANGELES (KABC) -- A fire broke out.", Dateline("LOS ANGELES", "KABC", None)),
    ("MYRTLE BEACH, S.C. - Sen. Ted Cruz continued his onslaught.", Dateline("MYRTLE BEACH, S.C.", None, None)),
    ("VATICAN CITY—Six years ago Pope Benedict XVI aimed", Dateline("VATICAN CITY", None, None)),
    ("MUMBAI (Reuters) - The BSE Sensex and Nifty ended flat on Tuesday", Dateline("MUMBAI", "Reuters", None)),
]


@pytest.mark.parametrize("paragraph, expected", DATELINES)
def test_dateline_shapes(paragraph, expected):
    assert find_dateline(paragraph) == expected


@pytest.mark.parametrize("paragraph", [
    "The company told Reuters (Reuters) - the deal was off.",  # "(Reuters)" inside a sentence
    "Shares of Apple (AAPL) - the maker of the iPhone - rose.",
    "Paris, France: a city of light.",  # mixed case and no agency: not read as a dateline
    "UPDATE: The story has been corrected.",
    "JAKE TAPPER: Welcome back to the show.",  # a transcript's speaker
    "NEW DELHI: The government said.",  # a colon without an agency: read as a speaker, not a place
    "EDITOR'S NOTE: This story contains graphic images.",
    "Mr Smith - a lawyer - said the case was closed.",
    "(CNN)The storm hit on Tuesday.",  # an agency but no place
    "The NEW YORK — based company said.",
    "I — for one — disagree.",
    "SIEGEL--Jerome Arthur, 98, of Mamaroneck, New York, passed away Friday.",  # a death notice
    "INDIANA'S DEMOGRAPHICS FAVOR CRUZ, BUT ECONOMY FAVORS TRUMP - David Wasserman said.",  # a headline
    "ICYMI – this is a fix for direct traffic.",
    "WASHINGTON - the capital.",  # what follows starts in lower case
])
def test_near_misses_are_not_datelines(paragraph):
    assert find_dateline(paragraph) is None


@pytest.mark.parametrize("paragraph, credit", [
    ("— AFP", "AFP"),
    ("-- Reuters", "Reuters"),
    ("Copyright 2016 The Associated Press. All rights reserved. This material may not be published.",
     "Associated Press"),
    ("© 2016 Reuters", "Reuters"),
    ("The talks resume on Monday. — AFP", "AFP"),
    ("The talks resume on Monday.", None),
    ("A flight attendant waves at the crowd (AP)", None),  # a photo credit ending a caption
])
def test_closing_credits(paragraph, credit):
    assert closing_credit(paragraph) == credit


@pytest.mark.parametrize("paragraph, name", [
    ("-- Bryan Denson", "Bryan Denson"),
    ("— Jane Doe", "Jane Doe"),
    ("- Elise Viebeck.", "Elise Viebeck"),
    ("-- Martin Luther King Jr.", "Martin Luther King Jr."),
    ("— AFP", None),
    ("—Warmly, Michael", None),  # a letter's signature
    ("-- Brad Shorr is director of B2B marketing for Straight North.", None),  # an author's note
    ("Bryan Denson", None),  # no dash: could be anything
])
def test_sign_off(paragraph, name):
    assert sign_off(paragraph) == name


def test_clean_article_reports_byline_dateline_and_credit():
    text = ("Storm hits capital\n\nBy Jane Doe and John Roe, Associated Press\n\n"
            "WASHINGTON (AP) — A storm hit the capital on Tuesday, cutting power to thousands of homes.\n\n"
            "Crews worked through the night.")
    article = clean_article(text)
    assert article.authors == ("Jane Doe", "John Roe")
    assert article.dateline == Dateline("WASHINGTON", "AP", None)
    assert article.dateline.to_dict() == {"place": "WASHINGTON", "agency": "AP", "date": None}
    assert article.credit == "Associated Press"
    # the byline goes and the dateline stays, as before (its "(AP)" goes
    # with the other inline credits, as it always has)
    assert article.body.startswith("WASHINGTON — A storm")
    assert "Jane Doe" not in article.body


def test_reuters_closing_line_names_the_reporters_and_stays_in_the_body():
    text = ("Ebola case in Glasgow\n\nLONDON (Reuters) - A healthcare worker has been diagnosed with Ebola, "
            "the Scottish government said on Monday.\n\n"
            "(Reporting by Andy Bruce in London and Ankur Banerjee in Bengaluru; Editing by Joyjeet Das)")
    article = clean_article(text)
    assert article.authors == ("Andy Bruce", "Ankur Banerjee")
    assert article.credit == "Reuters"
    assert article.body.endswith("Editing by Joyjeet Das)")


def test_a_story_without_a_byline_reports_nothing():
    text = ("Results\n\nBy contrast, the company lost money in the third quarter, its chief executive said.\n\n"
            "The company told Reuters (Reuters) - nothing more.")
    article = clean_article(text)
    assert (article.authors, article.dateline, article.credit) == ((), None, None)


def test_a_wire_credit_at_the_end():
    article = clean_article("Talks resume\n\nThe two sides meet again in Geneva next week, officials said.\n\n— AFP")
    assert article.credit == "AFP" and article.authors == () and article.dateline is None


def test_cnn_agency_without_a_place_is_a_credit():
    article = clean_article("Storm\n\n(CNN)A storm hit the coast on Tuesday, cutting power to thousands.")
    assert article.dateline is None and article.credit == "CNN"


# Inputs that would cost seconds to minutes if any pattern or loop were
# quadratic (each about 200 KB); linear, they take milliseconds. Written as
# expressions, built in the child process.
HOSTILE = [
    '"By " + "A" * 200_000',
    '"By " + "Ab " * 70_000',
    '"By Tariq Okafor - " + "DCYIEYVILW - " * 15_000',
    '\'"\' * 200_000',
    '"x" * 200_000',
    '"By " + "A, " * 70_000',
    '"By " + "Ann Lee and " * 18_000',
    '"(" * 200_000',
    '"(Reuters" * 25_000',
    '"WASHINGTON " * 18_000 + "(Reuters) - x"',
    '"- " * 100_000',
    '"@" * 200_000',
    '"a@" * 100_000',
    '" " * 200_000 + "By Jane Doe"',
    '"Reporting by " * 15_000',
    '"Copyright " * 20_000',
    '"— " * 100_000 + "AFP"',
    '"By Jane Doe " + "Staff " * 30_000',
]


def test_hostile_text_is_read_in_linear_time():
    # in a child process with a deadline: catastrophic backtracking would run for hours
    code = (
        "import time, sys\n"
        "from pipeline.news import bylines\n"
        "from pipeline.news.normalize import clean_article\n"
        f"cases = [eval(expression) for expression in {HOSTILE!r}]\n"
        "worst = 0.0\n"
        "for text in cases:\n"
        "    started = time.perf_counter()\n"
        "    bylines.parse_byline(text); bylines.find_dateline(text); bylines.closing_credit(text)\n"
        "    bylines.agency_in_brackets(text); bylines.split_names(text); bylines.envelope_name(text)\n"
        "    bylines.person_name(text)\n"
        "    clean_article('Title\\n\\n' + text + '\\n\\n' + text)\n"
        "    worst = max(worst, time.perf_counter() - started)\n"
        "print(worst)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    # normalising 400 KB costs well under a second; a quadratic step would take tens of seconds
    assert float(done.stdout) < 5, done.stdout


def test_every_pattern_is_linear_on_hostile_text():
    # the functions cut their input short; the patterns must not need that
    code = (
        "import re, time\n"
        "from pipeline.news import bylines\n"
        "patterns = [v for v in vars(bylines).values() if isinstance(v, re.Pattern)]\n"
        f"cases = [eval(expression) for expression in {HOSTILE[:12]!r}]\n"
        "worst = 0.0\n"
        "for text in cases:\n"
        "    text = text[:100_000]\n"
        "    started = time.perf_counter()\n"
        "    for p in patterns:\n"
        "        p.match(text); p.search(text); p.fullmatch(text); p.split(text); list(p.finditer(text))\n"
        "    worst = max(worst, time.perf_counter() - started)\n"
        "print(len(patterns), worst)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    count, worst = done.stdout.split()
    assert int(count) >= 10 and float(worst) < 5, done.stdout


def test_bylines_module_imports_no_heavy_package():
    code = ("import sys, pipeline.news.bylines\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('spacy', 'apache_beam', 'kafka', 'confluent_kafka', 'ftfy', 'fastavro', 'thinc')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr[-2000:]
