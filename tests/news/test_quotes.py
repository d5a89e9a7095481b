"""Quote extraction on the real model: a table of the cases users expect."""
import pytest

from pipeline.news.entities import resolver_for
from pipeline.news.quotes import extract_quotes, quoted_spans


def quotes_of(nlp, text):
    doc = nlp(text)
    return extract_quotes(doc, resolver_for(doc))


def marked(quotes):
    return [q for q in quotes if q.type != "indirect"]


# (text, [(quote text, speaker, speaker_mention or None to skip the check)])
CASES = [
    pytest.param(
        "Senator Jane Burton spoke in Ohio on Monday.\n\n“We will win this race,” she said.",
        [("We will win this race,", "Jane Burton", "she")],
        id="pronoun-resolves-to-person",
    ),
    pytest.param(
        "Mayor Tom Burton said, “The bridge will reopen in May.”",
        [("The bridge will reopen in May.", "Tom Burton", None)],
        id="speaker-before-quote",
    ),
    pytest.param(
        "“The budget is balanced,” insists Burton. “Nobody has shown otherwise.”",
        # one utterance in two pieces: the speaker carries over to the second
        [("The budget is balanced, Nobody has shown otherwise.", "Burton", "Burton")],
        id="same-speaker-continues",
    ),
    pytest.param(
        "“Taxes in this state are simply too high,” said Heather C. Briccetti, president of the Business Council.",
        [("Taxes in this state are simply too high,", "Heather C. Briccetti", "Heather C. Briccetti")],
        id="full-name-with-apposition",
    ),
    pytest.param(
        "“Bring out the balloons and the cake,” the clown said.",
        [("Bring out the balloons and the cake,", "the clown", "the clown")],
        id="description-not-name",
    ),
    pytest.param(
        "Governor Ann Lee said: “The first part of the statement runs here and goes on.\n\n"
        "“The second part continues the statement and ends it.”",
        [("The first part of the statement runs here and goes on.\n\n“The second part continues the statement "
          "and ends it.", "Ann Lee", None)],
        id="quote-over-two-paragraphs",
    ),
    pytest.param(
        "And from Chairwoman Maria Lopez:\n\n“We are proud of this community and of all its work.”",
        [("We are proud of this community and of all its work.", "Maria Lopez", None)],
        id="colon-introduced",
    ),
    pytest.param(
        "“We will keep every road in the county open all winter long.” -Commissioner Dana Ruiz",
        [("We will keep every road in the county open all winter long.", "Dana Ruiz", None)],
        id="sign-off",
    ),
    pytest.param(
        "''It is more tinkering at the edges,'' said Alan Cole, an economist at the foundation. "
        "''I would not call it reform.''",
        [("It is more tinkering at the edges, I would not call it reform.", "Alan Cole", "Alan Cole")],
        id="typewriter-marks",
    ),
    pytest.param(
        "``We start the vote tomorrow morning,'' the senator said.",
        [("We start the vote tomorrow morning,", "the senator", "the senator")],
        id="treebank-marks",
    ),
    pytest.param(
        "“He has divided this country like nobody before him.” ― Sonya Herridge “He never listens "
        "to anyone who disagrees with him.” ― Pamela Padilla",
        [("He has divided this country like nobody before him.", "Sonya Herridge", None),
         ("He never listens to anyone who disagrees with him.", "Pamela Padilla", None)],
        id="sign-offs-in-a-row",
    ),
    pytest.param(
        "Readers wrote to us.\n\n”Fear. I am truly afraid of what comes after this election.” ― Edwin G. Monroy",
        [("Fear. I am truly afraid of what comes after this election.", "Edwin G. Monroy", None)],
        id="opening-mark-turned-the-wrong-way",
    ),
    pytest.param(
        "Gov. Mike Pence spoke to Chris Wallace on Sunday.\n\n"
        '"WALLACE: Will she be at the debate tomorrow night?\n\n'
        '"PENCE: She will not be there. We are focused on the issues.\n\n'
        '"We will win this state.\n\n'
        '"(CROSSTALK.)\n\n'
        '"WALLACE: Thank you for your time today.\n\n'
        '"PENCE: Thank you for having me here."',
        # a turn runs on over unlabelled paragraphs up to a stage direction
        [("Will she be at the debate tomorrow night?", "Chris Wallace", "WALLACE"),
         ('She will not be there. We are focused on the issues.\n\n"We will win this state.', "Mike Pence", "PENCE"),
         ("Thank you for your time today.", "Chris Wallace", "WALLACE"),
         ("Thank you for having me here.", "Mike Pence", "PENCE")],
        id="quoted-transcript",
    ),
    pytest.param(
        "TAPPER: Governor, is he trying to unify the party?\n\nFALLIN: I think he is trying to do that.\n\n"
        "TAPPER: Will you campaign with him?\n\nFALLIN: I will go where I am asked to go.",
        # nobody is named in the text: a dialogue of recurring labels is enough
        [("Governor, is he trying to unify the party?", "Tapper", "TAPPER"),
         ("I think he is trying to do that.", "Fallin", "FALLIN"),
         ("Will you campaign with him?", "Tapper", "TAPPER"),
         ("I will go where I am asked to go.", "Fallin", "FALLIN")],
        id="transcript-of-unnamed-speakers",
    ),
    pytest.param(
        "CORRECTION: An earlier version of this story misspelled a name.\n\n"
        "READ MORE: The council will meet again on Monday.",
        [],
        id="capitalised-headings-are-not-speakers",
    ),
    pytest.param("She read “War and Peace” last summer in Maine.", [], id="book-title"),
    pytest.param("The so-called “reform” failed in the Senate again.", [], id="scare-quote"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_quote_cases(nlp, text, expected):
    got = [(q.text, q.speaker, q.speaker_mention) for q in marked(quotes_of(nlp, text))]
    assert len(got) == len(expected), got
    for (text_, speaker, mention), (exp_text, exp_speaker, exp_mention) in zip(got, expected):
        assert text_ == exp_text
        assert speaker == exp_speaker
        if exp_mention is not None:
            assert mention == exp_mention


def test_signed_quotes_stand_on_their_own(nlp):
    text = ("“He has divided this country like nobody before him.” ― Sonya Herridge “He never listens "
            "to anyone who disagrees with him.” ― Pamela Padilla")
    assert [q.type for q in marked(quotes_of(nlp, text))] == ["direct", "direct"]


def test_interrupted_quote_is_one_utterance(nlp):
    text = "“We have done the work,” Governor Ann Lee said on Tuesday, “and the results are in.”"
    (quote,) = marked(quotes_of(nlp, text))
    assert quote.text == "We have done the work, and the results are in."
    assert (quote.speaker, quote.cue) == ("Ann Lee", "said")
    assert text[quote.start : quote.start + 10] == "We have do" and text[quote.end - 3 : quote.end] == "in."


def test_speaker_never_leaks_across_paragraphs(nlp):
    text = "Ms. Smith said the vote was close.\n\n“This has been the best year we have ever had for the company.”"
    (quote,) = marked(quotes_of(nlp, text))
    assert quote.speaker is None


@pytest.mark.parametrize(
    "text, speaker, cue, content_start",
    [
        ("The finance minister said that the economy would grow by two percent next year.",
         "The finance minister", "said", "that the economy"),
        ("The plant will close in March, according to a company spokesman.",
         "a company spokesman", "according to", "The plant will close"),
        ("The union called for an independent inquiry into the crash.",
         "The union", "called for", "an independent inquiry"),
        ("The senator cited three reports on the safety record of the plant.",
         "The senator", "cited", "three reports"),
        ("The company agreed to pay the cleanup costs for the river.",
         "The company", "agreed", "to pay the cleanup"),
    ],
)
def test_reported_speech(nlp, text, speaker, cue, content_start):
    (quote,) = [q for q in quotes_of(nlp, text) if q.type == "indirect"]
    assert (quote.speaker, quote.cue) == (speaker, cue)
    assert quote.text.startswith(content_start)
    assert text[quote.start : quote.end] == quote.text


@pytest.mark.parametrize(
    "text",
    ["“This never closes, said the spokesman.", "Odd \" marks “ all ” over \" the “ place", "”Closing first“", "“", '"'],
)
def test_unbalanced_marks_never_raise(nlp, text):
    for quote in quotes_of(nlp, text):
        assert text[quote.start : quote.end] == quote.text


@pytest.mark.parametrize(
    "text, spans",
    [
        ("a “b” c", ["b"]),
        ('a "b c" d "e"', ["b c", "e"]),
        ("“one\n\n“two”", ["one\n\n“two"]),
        ("“open only\n\nnext paragraph", ["open only"]),
        ("“x “y”", ["x ", "y"]),
        ("it's 5' 10\"", []),
        ("a ''b'' c", ["b"]),
        ("``b c'' d", ["b c"]),
        ("''one\n\n''two''", ["one\n\n''two"]),
        ("the players' union and the Jones' house", []),
        ("”turned” and “right”", ["turned", "right"]),
        ("a\n\n ”turned”", ["turned"]),
        ("a b” c “d”", ["d"]),
        ("”\n\nnext", []),
    ],
)
def test_quoted_spans(text, spans):
    assert [text[s:e] for s, e in quoted_spans(text)] == spans
