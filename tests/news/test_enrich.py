"""The seed article must come out right (the golden check)."""
import pytest

SEED_ENTITIES = [
    ("John Kerry", "PERSON"), ("Brett McGurk", "PERSON"), ("Khalid al-Obeidi", "PERSON"),
    ("Francois Hollande", "PERSON"), ("Mosul", "GPE"), ("Raqqa", "GPE"), ("Baghdad", "GPE"),
    ("Iraq", "GPE"), ("Syria", "GPE"), ("Interpol", "ORG"), ("Reuters", "ORG"),
]
# (start of the quoted text, acceptable speakers, speaker_mention or None)
SEED_QUOTES = [
    ("Even as it is loses ground", {"John Kerry"}, None),
    ("We talked about the importance", {"John Kerry"}, "Kerry"),
    ("only a matter of time.", {"John Kerry", "Kerry and other officials"}, None),
    ("is now in sight.", {"Brett McGurk"}, None),
    ("Progress in military performance", {"Khalid al-Obeidi"}, "Obeidi"),
    ("stark example", {"Khalid al-Obeidi"}, "he"),
    ("This morning at the defense council", {"Francois Hollande"}, None),
    ("They will be there next month,", {"Francois Hollande"}, "he"),
]


def test_seed_headline_and_body(seed_record):
    assert seed_record["headline"] == "Anti-ISIL front to step up fight in Iraq, Syria"
    assert seed_record["body"].startswith("The U.S.-led international coalition")
    assert "AP photo" not in seed_record["body"]


@pytest.mark.parametrize("name, label", SEED_ENTITIES)
def test_seed_entities(seed_record, name, label):
    assert (name, label) in {(e["name"], e["label"]) for e in seed_record["entities"]}


def test_seed_short_mentions_resolve(seed_record):
    kerry = next(e for e in seed_record["entities"] if e["name"] == "John Kerry")
    assert "Kerry" in kerry["aliases"] and kerry["mentions"] >= 4


def test_seed_quotes(seed_record):
    quoted = [q for q in seed_record["quotes"] if q["type"] in ("direct", "partial")]
    assert len(quoted) == len(SEED_QUOTES), [q["text"][:30] for q in quoted]
    for quote, (start, speakers, mention) in zip(quoted, SEED_QUOTES):
        assert quote["text"].startswith(start)
        assert quote["speaker"] in speakers, quote
        if mention:
            assert quote["speaker_mention"] == mention
    assert quoted[0]["cue"] == "was quoted as saying"
    assert [q["type"] for q in quoted].count("partial") == 3


def test_seed_reported_speech(seed_record):
    indirect = {q["speaker"] for q in seed_record["quotes"] if q["type"] == "indirect"}
    assert {"John Kerry", "Francois Hollande"} <= indirect


def test_offsets_point_into_body(seed_record):
    body = seed_record["body"]
    for item in seed_record["quotes"] + seed_record["entity_mentions"]:
        covered = body[item["start"] : item["end"]]
        # an interrupted quote's pieces are joined; each piece is in the body
        assert covered == item["text"] or (covered.startswith(item["text"].split()[0]) and covered.endswith(item["text"][-3:]))


def test_an_article_that_breaks_the_model_fails_alone(nlp):
    """A real spaCy pipeline with one more component, which raises on a
    marker word: only that article comes back as an extract error."""
    import spacy
    from spacy.language import Language

    from pipeline.news.articles import ArticleError, RawArticle
    from pipeline.news.enrich import Enricher

    @Language.component("explode_on_marker")
    def explode_on_marker(doc):
        if "XYZZY" in doc.text:
            raise RuntimeError("component failed")
        return doc

    broken = spacy.blank("en")
    broken.add_pipe("sentencizer")
    broken.add_pipe("explode_on_marker")
    results = list(Enricher(broken).enrich_many([
        RawArticle(id="ok-1", text="Title\n\nA calm day in the city."),
        RawArticle(id="bad", text="Title\n\nXYZZY breaks the model."),
        RawArticle(id="ok-2", text="Title\n\nAnother calm day."),
    ]))
    assert [raw.id for raw, _ in results] == ["ok-1", "bad", "ok-2"]
    assert isinstance(results[1][1], ArticleError) and results[1][1].stage == "extract"
    assert "RuntimeError: component failed" in str(results[1][1])
    assert all(isinstance(r, dict) for _, r in (results[0], results[2]))


def test_new_words_do_not_stay_in_the_model(nlp):
    """A long-running job reads words without end; the records keep them,
    the model's vocabulary does not."""
    from pipeline.news.articles import RawArticle
    from pipeline.news.enrich import Enricher

    text = "Budget talks\n\nMinister Quorvant Zelmaroux said the Vexlandia budget was balanced at desk 918273."
    record = Enricher(nlp).enrich(RawArticle(id="new-words", text=text))
    assert "Zelmaroux" in record["body"]
    assert any("Zelmaroux" in e["text"] for e in record["entity_mentions"])
    for word in ("Zelmaroux", "Vexlandia", "918273"):
        assert word not in nlp.vocab.strings


def test_the_seed_is_english(seed_record):
    assert seed_record["language"] == "en"


GERMAN = ("Regierung plant neue Hilfen für Landwirte\n\n"
          "Die Bundesregierung will den Landwirten nach der Dürre mit zusätzlichen Hilfen unter die Arme greifen. "
          "„Wir lassen niemanden im Stich“, sagte Ministerin Anna Berger am Dienstag in Berlin. Die Opposition "
          "kritisierte, das Geld komme zu spät, und verlangte eine Debatte im Bundestag.")


def test_an_article_in_another_language_is_written_without_english_nlp(enricher):
    from pipeline.news.articles import RawArticle

    rec = enricher.enrich(RawArticle(id="de", text=GERMAN))
    assert rec["language"] == "de"
    assert (rec["entities"], rec["entity_mentions"], rec["quotes"]) == ([], [], [])
    assert rec["body"].startswith("Die Bundesregierung") and not rec["extraction_cut"]


# Texts for the sentence starts forced before parsing; what each must give is
# worked out by the rule itself below (a start after MAX_SENTENCE_TOKENS
# tokens none of which ends with . ! ? or holds a line break), token by token.
def _long(words: int, word: str = "word") -> str:
    return " ".join([word] * words)


FORCED_TEXTS = [
    ("prose", "The council met on Monday. It voted! Did it? " * 80),
    ("one run of 700 words", _long(700)),
    ("299 words and a stop, twice", (_long(299) + ". ") * 2),
    ("300 words and a stop", _long(300) + ". And on."),
    ("a run that ends the text", "Start. " + _long(300)),
    ("line breaks in the run", (_long(200) + "\n") * 4),
    ("blank lines between runs", (_long(250) + "\n\n") * 3),
    ("astral characters before a run", "\U0001F600 \U0001F4F0 " * 50 + _long(650)),
    ("stops inside words only", _long(320, "U.S.A") + " x" + _long(320, "e.g") + " tail"),
    ("punctuation tokens", _long(400, "word ,")),
]


def _forced_by_the_rule(doc, limit):
    forced, since = [], 0
    for token in doc:
        if since >= limit:
            forced.append(token.i)
            since = 0
        since = 0 if token.text[-1:] in ".!?" or "\n" in token.text else since + 1
    return forced


@pytest.mark.parametrize("name, text", FORCED_TEXTS, ids=[n for n, _ in FORCED_TEXTS])
def test_forced_sentence_starts_follow_the_rule(enricher, name, text):
    from pipeline.news.enrich import MAX_SENTENCE_TOKENS, _forced_sentence_starts

    doc = enricher._tokenize(text)
    assert _forced_sentence_starts(doc, text) == _forced_by_the_rule(doc, MAX_SENTENCE_TOKENS)


def test_forced_sentence_starts_of_a_long_run_are_set_before_parsing(enricher):
    from pipeline.news.enrich import MAX_SENTENCE_TOKENS

    doc = enricher._tokens(_long(700))
    assert [t.i for t in doc if t.is_sent_start] == [0, MAX_SENTENCE_TOKENS, 2 * MAX_SENTENCE_TOKENS]


def _sample_articles():
    from pathlib import Path

    from pipeline.news.articles import RawArticle

    root = Path(__file__).parent.parent.parent / "samples"
    texts = [p.read_text(encoding="utf-8") for p in sorted(root.glob("*.txt"))]
    return [RawArticle(id=f"s{n}", text=text) for n, text in enumerate(texts * 2)]


def test_words_kept_out_of_memory_zones_change_no_record(nlp, monkeypatch):
    """The same articles, enriched by an Enricher that keeps frequent words'
    tokenization and by one that keeps none: identical records."""
    import pipeline.news.enrich as enrich

    articles = _sample_articles()
    assert len(articles) >= 4
    keeping = enrich.Enricher(nlp, batch_size=2)
    kept_records = [rec for _, rec in keeping.enrich_many(articles)]
    assert keeping._kept_words, "no word was seen in two articles"
    monkeypatch.setattr(enrich, "MAX_KEPT_WORDS", 0)
    plain = enrich.Enricher(nlp, batch_size=2)
    assert [rec for _, rec in plain.enrich_many(articles)] == kept_records
    assert not plain._kept_words


def test_lemmas_looked_up_on_arrays_change_no_record(nlp, monkeypatch):
    """The same articles, enriched with the model's own lemmatizer and with
    LookupLemmas in its place: identical records."""
    import pipeline.news.enrich as enrich

    articles = _sample_articles()
    replacing = enrich.Enricher(nlp, batch_size=2)
    if replacing._lemmas is None:
        pytest.skip("the test model has no lookup-mode lemmatizer to stand in for")
    records = [rec for _, rec in replacing.enrich_many(articles)]
    monkeypatch.setattr(enrich.LookupLemmas, "for_pipeline", classmethod(lambda cls, nlp: None))
    own = enrich.Enricher(nlp, batch_size=2)
    assert own._lemmas is None
    assert [rec for _, rec in own.enrich_many(articles)] == records
    assert any(rec["quotes"] for rec in records)


def test_kept_words_are_bounded(nlp, monkeypatch):
    import pipeline.news.enrich as enrich

    monkeypatch.setattr(enrich, "MAX_KEPT_WORDS", 25)
    bounded = enrich.Enricher(nlp, batch_size=2)
    list(bounded.enrich_many(_sample_articles()))
    assert 0 < len(bounded._kept_words) <= 25
