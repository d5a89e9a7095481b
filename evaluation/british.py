"""Quotes in British style: single quotation marks, scored like PolNeAR.

In: an `Enricher`. Out: precision, recall, F1 and speaker accuracy of its
quoted speech (direct and partial quotes) on the paragraphs below, written
for this set in the shapes of BBC, Guardian and Reuters UK copy: ‘…’ and
'…' quotes, apostrophes that are not quotes (don't, the '90s, the Joneses'
car, rock 'n' roll), quotes nested in quotes, quotes over two paragraphs,
pronoun speakers, and scare quotes or titles that are no one's words.
Matching and speaker rules are PolNeAR's (evaluation/polnear.py): a
prediction matches a gold quote sharing half the words of each, a speaker is
right when it shares a content word with the gold speaker.

`python -m evaluation.british` prints the scores; no data files are needed.
"""
from __future__ import annotations

import sys

from evaluation.polnear import score

# (paragraphs, [(gold quote text, gold speaker)])
CASES = [
    ("The government has refused to change course on the new tax, despite pressure from its own MPs.\n\n"
     "‘We will not back down,’ the minister said.",
     [("We will not back down,", "the minister")]),
    ("Sir Keir Starmer visited a car factory in Derby on Monday morning.\n\n"
     "‘This is a government that has given up on growth,’ he said. ‘We have not.’",
     [("This is a government that has given up on growth, We have not.", "Keir Starmer")]),
    ("Residents of the estate say repairs have been delayed for years.\n\n"
     "‘I don't think anyone is listening to us any more,’ said Margaret Ellis, 74, who has lived there since the '90s.",
     [("I don't think anyone is listening to us any more,", "Margaret Ellis")]),
    ("The Joneses' car was found burnt out on the edge of the village on Sunday.\n\n"
     "Detective Inspector Sarah Hughes said: ‘We are treating this as a deliberate act and we are appealing for witnesses.’",
     [("We are treating this as a deliberate act and we are appealing for witnesses.", "Sarah Hughes")]),
    ("The band, who played rock 'n' roll in pubs across the north for a decade, have announced a farewell tour.\n\n"
     "'It's been the best years of our lives,' the singer, Tom Avery, told the BBC.",
     [("It's been the best years of our lives,", "Tom Avery")]),
    ("The chancellor, Rachel Reeves, defended the budget in the Commons.\n\n"
     "‘When I took this job I was told “there is no money left”, and I have had to fix that,’ she said.",
     [("When I took this job I was told “there is no money left”, and I have had to fix that,", "Rachel Reeves")]),
    ("Union leaders criticised the offer as inadequate.\n\n"
     "‘Our members have waited long enough for a fair deal,’ said the general secretary, Paul Nowak. "
     "‘They will not be fobbed off again.’",
     [("Our members have waited long enough for a fair deal, They will not be fobbed off again.", "Paul Nowak")]),
    ("The head teacher, Amanda Clarke, wrote to parents on Friday.\n\n"
     "‘The safety of our pupils is our first concern and the school will stay closed until the roof is repaired,’ "
     "she wrote.",
     [("The safety of our pupils is our first concern and the school will stay closed until the roof is repaired,",
       "Amanda Clarke")]),
    ("Speaking outside Downing Street, the prime minister said the deal was ‘a good deal for Britain’ "
     "and urged MPs to back it.",
     [("a good deal for Britain", "the prime minister")]),
    ("Police said a man had been arrested.\n\n"
     "‘We would urge anyone with information to come forward,’ a spokesperson for Greater Manchester Police said.",
     [("We would urge anyone with information to come forward,", "a spokesperson for Greater Manchester Police")]),
    ("Professor Helen Carter, an epidemiologist at the University of Leeds, said the figures were worrying.\n\n"
     "‘We are seeing cases rise in every age group. If this continues the pressure on hospitals will be severe.\n\n"
     "‘People should get their booster as soon as they are offered it,’ she added.",
     [("We are seeing cases rise in every age group. If this continues the pressure on hospitals will be severe. "
       "People should get their booster as soon as they are offered it,", "Helen Carter")]),
    ("The former footballer Gary Lineker responded on social media.\n\n"
     "'I won't be silenced on this,' he wrote. 'Not now, not ever.'",
     [("I won't be silenced on this, Not now, not ever.", "Gary Lineker")]),
    ("The farmers' union has warned of shortages this winter.\n\n"
     "‘If the weather doesn't improve we will see empty shelves by Christmas,’ said its president, Tom Bradshaw.",
     [("If the weather doesn't improve we will see empty shelves by Christmas,", "Tom Bradshaw")]),
    ("Asked whether she would stand again, the MP for Bristol West, Carla Denyer, laughed.\n\n"
     "‘Ask me again next year,’ she replied.",
     [("Ask me again next year,", "Carla Denyer")]),
    ("Critics have dubbed the scheme ‘Rwanda Lite’, and the charity Refugee Action called it cruel.",
     []),
    ("She has written a memoir titled ‘The Long Road Home’, which will be published in the spring.",
     []),
    ("The so-called ‘triple lock’ on pensions will stay, the Treasury confirmed.",
     []),
    ("Matt Hancock's lawyer, David Green, spoke to reporters outside the court.\n\n"
     "‘My client accepts the ruling and will not appeal,’ he said.",
     [("My client accepts the ruling and will not appeal,", "David Green")]),
    ("Shoppers in Leeds said prices had risen sharply.\n\n"
     "‘A loaf of bread costs nearly twice what it did,’ said Priya Shah, a nurse. ‘It's ridiculous.’",
     [("A loaf of bread costs nearly twice what it did, It's ridiculous.", "Priya Shah")]),
    ("The Scottish first minister, John Swinney, said the decision was ‘deeply disappointing’ and ‘a betrayal of "
     "Scotland's interests’.",
     [("deeply disappointing", "John Swinney"), ("a betrayal of Scotland's interests", "John Swinney")]),
    ("In a statement, Thames Water said: ‘We apologise to customers for the disruption and are working round the "
     "clock to restore supplies.’",
     [("We apologise to customers for the disruption and are working round the clock to restore supplies.",
       "Thames Water")]),
    ("The judge, Mrs Justice Cockerill, told the court: ‘The evidence of the defendant was, in parts, "
     "simply not credible.’",
     [("The evidence of the defendant was, in parts, simply not credible.", "Mrs Justice Cockerill")]),
    ("Emma Raducanu lost in straight sets on Centre Court.\n\n"
     "‘I'm gutted, but I'll learn from it,’ she told reporters afterwards. ‘The crowd were amazing.’",
     [("I'm gutted, but I'll learn from it, The crowd were amazing.", "Emma Raducanu")]),
    ("Opposition parties emphasised that the vote was close.\n\n"
     "‘This was won by a handful of votes and the government should remember that,’ the Liberal Democrat leader, "
     "Sir Ed Davey, said.",
     [("This was won by a handful of votes and the government should remember that,", "Ed Davey")]),
    ("The chef, who opened his first restaurant in the '80s, said he had no plans to retire.\n\n"
     "‘Cooking is what I do. I'd be lost without it,’ said Marco Pierre White.",
     [("Cooking is what I do. I'd be lost without it,", "Marco Pierre White")]),
    ("Witnesses described chaotic scenes at the station.\n\n"
     "‘People were screaming and running everywhere,’ one commuter, James O'Neill, said.",
     [("People were screaming and running everywhere,", "James O'Neill")]),
    ("The report, published by the Institute for Fiscal Studies, found that household incomes had fallen.\n\n"
     "‘These are the worst figures since records began,’ said Paul Johnson, the institute's director.",
     [("These are the worst figures since records began,", "Paul Johnson")]),
    ("The director general of the BBC, Tim Davie, told staff that the corporation faced ‘difficult choices’.",
     [("difficult choices", "Tim Davie")]),
    ("Councillor Rob Walsh said the children's playground would reopen next week.\n\n"
     "'We've listened to parents and we've acted,' he said.",
     [("We've listened to parents and we've acted,", "Rob Walsh")]),
    ("Angela Rayner hit back at her critics on Wednesday.\n\n"
     "‘They can say what they like about me,’ she said. ‘I know where I come from.’",
     [("They can say what they like about me, I know where I come from.", "Angela Rayner")]),
    ("Mr Patel, who runs a corner shop in Walsall, said business had never been harder.\n\n"
     "‘Some days I don't see more than twenty customers,’ he said.",
     [("Some days I don't see more than twenty customers,", "Patel")]),
    ("The singer's album, ‘Songs for the Road’, went straight to number one, and her manager, Lucy Ward, was "
     "delighted.\n\n‘She's worked so hard for this,’ Ward said.",
     [("She's worked so hard for this,", "Lucy Ward")]),
    ("The health secretary, Wes Streeting, said the NHS was ‘broken’.\n\n"
     "‘I'm not going to pretend otherwise. Patients deserve better and they will get it,’ he told the BBC.",
     [("broken", "Wes Streeting"),
      ("I'm not going to pretend otherwise. Patients deserve better and they will get it,", "Wes Streeting")]),
    ("Fans queued overnight outside the stadium in Cardiff.\n\n"
     "‘I've been a fan since I was six and I wouldn't miss this for the world,’ said Sian Morgan, 19.",
     [("I've been a fan since I was six and I wouldn't miss this for the world,", "Sian Morgan")]),
]


def evaluate(enricher) -> dict:
    """Enricher -> PolNeAR-style scores (precision, recall, f1,
    speaker_accuracy, gold, predicted) of its direct and partial quotes."""
    from pipeline.news.articles import RawArticle

    pairs = []
    for n, (text, gold) in enumerate(CASES):
        record = enricher.enrich(RawArticle(id=f"british-{n}", title="British quotes", text=text))
        preds = [q for q in record["quotes"] if q["type"] in ("direct", "partial")]
        pairs.append((preds, [{"content": content, "source": source} for content, source in gold]))
    return score(pairs)


def misses(enricher) -> list:
    """Enricher -> [(case number, predicted, gold)] for the cases it gets
    wrong in any way, to read when a score drops."""
    from pipeline.news.articles import RawArticle

    wrong = []
    for n, (text, gold) in enumerate(CASES):
        record = enricher.enrich(RawArticle(id=f"british-{n}", title="British quotes", text=text))
        preds = [q for q in record["quotes"] if q["type"] in ("direct", "partial")]
        single = score([(preds, [{"content": c, "source": s} for c, s in gold])])
        if single["f1"] < 1.0 and (gold or preds) or (gold and single["speaker_accuracy"] < 1.0):
            wrong.append((n, [(q["text"], q["speaker"], q["speaker_mention"]) for q in preds], gold))
    return wrong


def main() -> int:
    from pipeline.news.enrich import Enricher
    from pipeline.news.nlp import load_model

    enricher = Enricher(load_model("en_news_sm"))
    result = evaluate(enricher)
    print(f"British-style quotes ({len(CASES)} paragraphs, {result['gold']} gold): "
          f"P {result['precision']:.3f} R {result['recall']:.3f} F1 {result['f1']:.3f} "
          f"speaker accuracy {result['speaker_accuracy']:.3f}")
    if "-v" in sys.argv[1:]:
        for n, preds, gold in misses(enricher):
            print(f"  case {n}: got {preds}\n          gold {gold}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
