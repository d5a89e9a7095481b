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
        # the text joins the paragraphs without the continuation's opening mark
        [("The first part of the statement runs here and goes on. The second part continues the statement "
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
         ("She will not be there. We are focused on the issues. We will win this state.", "Mike Pence", "PENCE"),
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
        # a verb of blame: the charge after "of" or "for" is the content
        ("The senator accused the governor of hiding the true cost of the bridge.",
         "The senator", "accused", "hiding the true cost"),
        ("Local Democrats blamed the mayor for the failure of the city budget.",
         "Local Democrats", "blamed", "the failure of the city budget"),
        # a noun of saying or holding with a "that" clause; without one ("his
        # fear of the dark") it is no one's words
        ("The mayor's concern that the bridge would fail was ignored by the council.",
         "The mayor", "concern", "that the bridge would fail"),
        # near miss: a scare quote inside the clause leaves it reported speech
        ("The minister said the “reform” would be scrapped next year.",
         "The minister", "said", "the “reform” would be scrapped"),
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


# Single quotation marks (issue 20): British copy quotes with ‘…’ and '…';
# the same characters are apostrophes, and inside double quotes they are the
# speaker's own quotes. (text, quoted spans)
@pytest.mark.parametrize(
    "text, spans",
    [
        pytest.param("‘We will not back down,’ the minister said.", ["We will not back down,"], id="curly"),
        pytest.param("'Hello,' he said.", ["Hello,"], id="straight"),
        pytest.param("He called it ‘a series of mistakes’ and left.", ["a series of mistakes"], id="partial"),
        pytest.param("‘He told me “no” twice,’ she said.", ["He told me “no” twice,"], id="double-inside-single"),
        pytest.param("“He told me ‘no’ twice,” she said.", ["He told me ‘no’ twice,"], id="single-inside-double"),
        pytest.param("‘First part.\n\n‘Second part,’ he said.", ["First part.\n\n‘Second part,"], id="two-paragraphs"),
        pytest.param("The players’ union said ‘we are ready’ today.", ["we are ready"], id="plural-possessive-before"),
        pytest.param("‘The Joneses’ car was stolen,’ he said.", ["The Joneses’ car was stolen,"],
                     id="plural-possessive-inside"),
        pytest.param("He called them ‘the Smiths’ and ‘a disgrace’.", ["the Smiths", "a disgrace"],
                     id="possessive-like-close-then-another-quote"),
        # near misses: apostrophes open nothing
        pytest.param("I don't like the '90s or Jones' car or rock 'n' roll.", [], id="apostrophes"),
        pytest.param("the ‘90s and ’em and 'tis the season", [], id="elisions"),
        pytest.param("the 'burbs are fine", [], id="never-closed"),
        pytest.param("it's Trump’s and the Clintons’ turn", [], id="in-word-and-possessive"),
        pytest.param("'''' it's 'tis '90s", [], id="runs-of-apostrophes"),
    ],
)
def test_single_marks(text, spans):
    assert [text[s:e] for s, e in quoted_spans(text)] == spans


# (text, [(quote text, speaker)]) through the model: single-marked quotes get
# their speaker, pronouns resolve only to people, a quote over paragraphs
# reads as one text, and names, titles and scare quotes are no one's words.
@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("‘We will not back down,’ the minister said.", [("We will not back down,", "the minister")],
                     id="british-direct"),
        pytest.param("Mayor Rob Walsh said the playground would reopen.\n\n'We've listened to parents,' he said.",
                     [("We've listened to parents,", "Rob Walsh")], id="straight-single-pronoun"),
        pytest.param("Sir Keir Starmer visited a car factory in Derby on Monday.\n\n"
                     "‘This is a government that has given up on growth,’ he said.",
                     [("This is a government that has given up on growth,", "Keir Starmer")],
                     id="pronoun-skips-place-taken-for-person"),
        pytest.param("The chancellor, Rachel Reeves, defended the budget in the Commons.\n\n"
                     "‘I have had to fix that,’ she said.",
                     [("I have had to fix that,", "Rachel Reeves")], id="pronoun-skips-the-name"),
        pytest.param("Mrs. Ann Clark spoke first. Mr. Tom Reed replied an hour later.\n\n"
                     "“We will not give up on this town,” she said.",
                     [("We will not give up on this town,", "Ann Clark")], id="pronoun-agrees-with-title"),
        pytest.param("Mrs. Ann Clark spoke first. Mr. Tom Reed replied an hour later.\n\n"
                     "“We will not give up on this town,” he said.",
                     [("We will not give up on this town,", "Tom Reed")], id="pronoun-takes-the-last-person"),
        pytest.param("Mr Patel, who runs a corner shop in Walsall, said business had never been harder.\n\n"
                     "‘Some days I don't see more than twenty customers,’ he said.",
                     [("Some days I don't see more than twenty customers,", "Patel")],
                     id="pronoun-to-titled-name-the-tagger-missed"),
        pytest.param("Union leaders met on Monday.\n\n‘Our members have waited long enough,’ said the general "
                     "secretary, Paul Nowak.",
                     [("Our members have waited long enough,", "Paul Nowak")], id="title-then-name"),
        pytest.param("Union leaders met on Monday.\n\n‘Our members have waited long enough,’ said the general "
                     "secretary of the union.",
                     [("Our members have waited long enough,", "the general secretary of the union")],
                     id="title-alone"),
        pytest.param("Professor Helen Carter said the figures were worrying.\n\n‘Cases are rising in every age "
                     "group.\n\n‘People should get their booster,’ she added.",
                     [("Cases are rising in every age group. People should get their booster,", "Helen Carter")],
                     id="over-two-paragraphs-one-text"),
        pytest.param("Critics have dubbed the scheme ‘Rwanda Lite’, the charity said.", [], id="dubbed"),
        pytest.param("She has written a memoir titled ‘The Long Road Home’, she said.", [], id="titled"),
        pytest.param("The so-called ‘triple lock’ on pensions will stay, the Treasury confirmed.", [],
                     id="so-called"),
        pytest.param("He was known as “The Iron Chancellor” in Bonn, his aide said.", [], id="known-as"),
        pytest.param("She read a book called “War Games” on the train, she said.", [], id="called-title"),
        # near miss: "called" with a quoted judgement is speech
        pytest.param("Jane Burton called the plan “a disaster for the county” on Monday.",
                     [("a disaster for the county", "Jane Burton")], id="called-judgement-is-speech"),
    ],
)
def test_single_marks_and_speakers(nlp, text, expected):
    got = [(q.text, q.speaker) for q in marked(quotes_of(nlp, text))]
    assert got == expected


def test_multi_paragraph_offsets_point_into_the_body(nlp):
    text = "Governor Ann Lee said: “The first part runs here and goes on.\n\n“The second part ends it.”"
    (quote,) = marked(quotes_of(nlp, text))
    assert quote.text == "The first part runs here and goes on. The second part ends it."
    assert text[quote.start : quote.end] == "The first part runs here and goes on.\n\n“The second part ends it."


def test_a_noun_of_fearing_without_a_clause_is_not_speech(nlp):
    assert quotes_of(nlp, "The council dismissed his fear of the dark and his concern for the park.") == []


def test_scare_quote_keeps_its_reported_clause(nlp):
    text = "The minister said the so-called “reform” would be scrapped next year."
    quotes = quotes_of(nlp, text)
    assert not marked(quotes)
    (clause,) = [q for q in quotes if q.type == "indirect"]
    assert "“reform” would be scrapped" in clause.text


@pytest.mark.parametrize("word", ["criticised", "emphasised", "screamed", "whimpered", "moaned"])
def test_british_and_manner_cues(nlp, word):
    text = f"“We have been let down again and again by the council,” {word} Jane Burton."
    (quote,) = marked(quotes_of(nlp, text))
    assert (quote.speaker, quote.cue) == ("Jane Burton", word)
