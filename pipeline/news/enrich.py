"""From a raw article to the record consumers receive.

In: `RawArticle`s and a loaded spaCy pipeline. Out: record dicts with the
fields of `schemas/article.avsc`: identity and metadata, the normalised
headline and body, entity mentions, distinct entities and quotes. Offsets are
character offsets into `body`. Two steps, so that a duplicate can be dropped
before it costs any NLP: `normalized_record` (no model) and
`Enricher.annotate_many` (the model); `Enricher.enrich_many` does both.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter

from .articles import ArticleError, RawArticle
from .entities import extract_entities, relabel_entities, resolver_for
from .events import link_speakers
from .language import is_english, shared_detector
from .normalize import clean_article, comparison_key
from .quotes import extract_quotes_and_cut
from .nlp import LookupLemmas, model_label

# spaCy's parser and NER cost grows with document length; a very long text is
# almost always a scraping accident (a whole page, a forum thread).
MAX_BODY_CHARS = 100_000

# The work of annotating an article grows with its length whatever the text
# (issue 15: 10 KB of '"' took 9.6 s, 20 KB 57 s). Three bounds that no
# article of PolNeAR, BBC or newspaper3k comes near (their longest run of
# characters without a space is 119, their longest sentence 220 tokens,
# their longest stretch without a full stop, question or exclamation mark or
# line break 199 tokens):
#
# spaCy's tokenizer takes the prefixes and suffixes off a run of characters
# without a space one at a time, and for each suffix tries its 200 suffix
# patterns at every position of what is left: a run of punctuation costs the
# square of its length (10 000 '"': 13 s). Our copy of the tokenizer looks
# for a suffix in the last _SUFFIX_WINDOW characters only (a suffix is one to
# four characters but for a row of dots, which it cuts at 32: the tokens of
# every text in ../shared/data are the same), and runs longer than
# MAX_RUN_CHARS are tokenized in pieces (copying and hashing what is left of
# the run for each affix would cost its square too).
MAX_RUN_CHARS = 500
_SUFFIX_WINDOW = 32
# Finding a quote's cue and speaker and a reported clause reads the
# sentence (as do spaCy's token.sent, children and subtree), so a text with
# no sentence end, which is one sentence of thousands of tokens, costs the
# square of its length. The parser starts a sentence after this many tokens.
MAX_SENTENCE_TOKENS = 300
# Tokens of an article that are parsed and searched for entities and quotes
# (Enricher(max_tokens=...)); the article is still written, with what was
# found in them, and its record says so (extraction_cut). A count of tokens
# rather than seconds, because it is reproducible: the same article gives the
# same record on any machine under any load, where a time budget would cut a
# busy worker's articles and not an idle one's. MAX_BODY_CHARS of prose are
# about 23 000 tokens; a text of one-character tokens (quote marks) reaches
# the budget at half the body limit.
DEFAULT_MAX_TOKENS = 50_000
# Articles are parsed in spaCy memory zones (see _annotate_chunk), which
# also forget, when they close, every tokenizer cache entry and vocabulary
# entry made in them: each chunk of articles then splits "the" and "said"
# into affixes again and rebuilds their lexical attributes in Python, about
# 5 ms of an article's 60 (7x the cost with a warm cache). Words found in
# KEEP_AFTER_ARTICLES articles are therefore tokenized once outside a zone,
# which keeps them for good, up to MAX_KEPT_WORDS of them, so the memory
# stays bounded whatever the wire brings.
KEEP_AFTER_ARTICLES = 2
MAX_KEPT_WORDS = 50_000
_MAX_COUNTED_WORDS = 500_000  # words counted before those seen once are forgotten

# a run over MAX_RUN_CHARS, from its start: without the look-behind the
# search would try every position of every shorter run (quadratic in it)
_LONG_RUN = re.compile(r"(?<!\S)\S{%d,}" % (MAX_RUN_CHARS + 1))


def _bounded_tokenizer(nlp):
    """nlp's tokenizer -> a copy that searches for suffixes in the last
    _SUFFIX_WINDOW characters of a word; nlp.make_doc itself when the
    pipeline's tokenizer is not spaCy's rule-based one."""
    from spacy.tokenizer import Tokenizer  # here: importing this module loads no spaCy

    tokenizer = nlp.tokenizer
    if type(tokenizer) is not Tokenizer or tokenizer.suffix_search is None:
        return nlp.make_doc
    search = tokenizer.suffix_search

    def tail_search(word):
        return search(word[-_SUFFIX_WINDOW:])

    return Tokenizer(
        tokenizer.vocab, rules=tokenizer.rules, prefix_search=tokenizer.prefix_search,
        suffix_search=tail_search, infix_finditer=tokenizer.infix_finditer,
        token_match=tokenizer.token_match, url_match=tokenizer.url_match,
        faster_heuristics=tokenizer.faster_heuristics,
    )


def content_hash(headline: str, body: str) -> str:
    """Hash of the normalised content: equal for exact copies of an article
    whatever their whitespace, case or punctuation."""
    return _hash_of_keys(comparison_key(headline), comparison_key(body))


def _hash_of_keys(headline_key: str, body_key: str) -> str:
    return hashlib.sha256(f"{headline_key}\n{body_key}".encode("utf-8")).hexdigest()


def _extract_error(exc: Exception) -> ArticleError:
    error = ArticleError(f"extraction failed: {type(exc).__name__}: {exc}", "extract")
    error.__cause__ = exc
    return error


def normalized_record(raw: RawArticle) -> dict:
    """RawArticle -> the record's identity, metadata, normalised headline and
    body and content hash: everything but the NLP fields, which is all that
    judging duplicates needs. Raises ArticleError (stage "normalize") when no
    body is left or the body is too long to parse."""
    clean = clean_article(raw.text, raw.title)
    body_key = comparison_key(clean.body)  # (once: a body's key was 2-4 % of the work besides spaCy)
    if not body_key:  # nothing but spaces, marks or invisible characters
        raise ArticleError("article has no body text after clean-up", "normalize")
    if len(clean.body) > MAX_BODY_CHARS:
        raise ArticleError(f"article body is {len(clean.body)} characters, over {MAX_BODY_CHARS}", "normalize")
    return {
        "id": raw.id,
        "url": raw.url,
        "source": raw.source,
        "published": raw.published_ms,
        "headline": clean.headline,
        "body": clean.body,
        "content_hash": _hash_of_keys(comparison_key(clean.headline), body_key),
        # what the envelope says of its authors and credit wins over the text
        "authors": list(raw.authors or clean.authors),
        "dateline": clean.dateline.to_dict() if clean.dateline else None,
        "credit": raw.credit or clean.credit,
        "language": None,
    }


def _set_sentence_starts(doc, starts) -> None:
    """Unparsed Doc -> the same, the given tokens (and the first) starting a
    sentence and the others left to the parser; as one array, since setting
    token.is_sent_start checks the whole document for a parse each time."""
    from spacy.attrs import SENT_START

    if not len(doc):
        return
    marks = doc.to_array([SENT_START])
    marks[:] = 0
    marks[[0, *starts]] = 1
    doc.from_array([SENT_START], marks)


def _text_length(doc) -> int:
    """len(doc.text), without joining the text of every token."""
    if not len(doc):
        return 0
    last = doc[-1]
    return last.idx + len(last.text_with_ws)


def _forced_sentence_starts(doc, text: str) -> list[int]:
    """Unparsed Doc whose text is a prefix of `text` -> the tokens that must
    start a sentence: each one after MAX_SENTENCE_TOKENS tokens of which
    none ends with . ! ? or holds a line break. Nearly every text has no run
    that long, which arrays over the tokens tell without a Python loop over
    them (a loop was 2-3 % of an article's cost); the loop runs only for the
    texts that have one."""
    import numpy as np
    from spacy.attrs import IDX, LENGTH

    if len(doc) <= MAX_SENTENCE_TOKENS:
        return []
    spans = doc.to_array([IDX, LENGTH]).astype(np.int64)
    starts, ends = spans[:, 0], spans[:, 0] + spans[:, 1]
    chars = np.frombuffer(text[: int(ends[-1])].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lines = np.concatenate(([0], np.cumsum(chars == 10)))
    stops = np.isin(chars[ends - 1], (ord("."), ord("!"), ord("?"))) | (lines[ends] > lines[starts])
    # the longest run of tokens without a stop
    marks = np.flatnonzero(np.concatenate(([True], stops, [True])))
    if int(np.diff(marks).max()) - 1 < MAX_SENTENCE_TOKENS:
        return []
    forced, since = [], 0  # tokens since a possible sentence end
    for i, stop in enumerate(stops.tolist()):
        if since >= MAX_SENTENCE_TOKENS:
            forced.append(i)
            since = 0
        since = 0 if stop else since + 1
    return forced


class Enricher:
    """Adds entities and quotes to normalised records with one spaCy pipeline.

    max_tokens: the tokens of a body that are parsed and searched (None: all
    of them); see DEFAULT_MAX_TOKENS."""

    def __init__(self, nlp, batch_size: int = 16, max_tokens: int | None = DEFAULT_MAX_TOKENS,
                 detector=None):
        self.nlp = nlp
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        # language.shared_detector() unless given; built on first use
        self.detector = detector
        self.model = model_label(nlp)
        self._tokenize = _bounded_tokenizer(nlp)
        # sentence starts set before parsing bind a parser; a sentencizer
        # (or no sentence splitter) sets its own
        self._parses = "parser" in nlp.pipe_names
        # spaCy's lookup lemmatizer, replaced by the same lookup done on arrays
        # (see LookupLemmas): the same records, 1.3 ms less an article
        replaced = LookupLemmas.for_pipeline(nlp)
        self._skip, self._lemmas = ([replaced[0]], replaced[1]) if replaced else ([], None)
        self._word_counts: Counter = Counter()  # whitespace-delimited word -> articles it was in
        self._kept_words: set = set()

    def build(self, rec: dict, doc) -> dict:
        """(normalised record, parsed body, or the parsed beginning of the
        body when it is over the token budget) -> the full record;
        extraction_cut says whether part of the body was not searched: past
        the token budget, or past the budget for reported clauses (see
        quotes.CLAUSE_TOKENS_PER_TOKEN)."""
        relabel_entities(doc)
        resolver = resolver_for(doc)
        mentions, entities = extract_entities(doc, resolver)
        quotes, clauses_cut = extract_quotes_and_cut(doc, resolver)
        return link_speakers(dict(rec, entity_mentions=mentions, entities=entities,
                                  quotes=[q.to_dict() for q in quotes], nlp_model=self.model,
                                  extraction_cut=_text_length(doc) < len(rec["body"]) or clauses_cut))

    def annotate_many(self, recs):
        """Iterable of normalised records -> iterable of (record, full record
        or ArticleError (stage "extract")), in input order; parsing is batched
        with `nlp.pipe`."""
        chunk = []
        for rec in recs:
            chunk.append(rec)
            if len(chunk) >= self.batch_size * 4:
                yield from self._annotate_chunk(chunk)
                chunk = []
        if chunk:
            yield from self._annotate_chunk(chunk)

    def _annotate_chunk(self, recs):
        # Every new word a text brings (a number, a name) would stay in the
        # model's vocabulary and tokenizer cache for good, so a long-running
        # job grows without end; in a memory zone (spaCy >= 3.8) they are
        # dropped when it closes. Docs must not outlive the zone: the
        # records built from them are plain Python.
        out = []
        recs = [dict(rec, language=self._language(rec)) for rec in recs]
        self._keep_frequent_words(rec["body"] for rec in recs if is_english(rec["language"]))
        with self.nlp.memory_zone():
            docs = iter(self._parse([rec for rec in recs if is_english(rec["language"])]))
            for rec in recs:
                if not is_english(rec["language"]):
                    # written without English NLP: no entities or quotes an English model would make up
                    out.append((rec, self._without_nlp(rec)))
                    continue
                doc = next(docs)
                if isinstance(doc, Exception):
                    out.append((rec, _extract_error(doc)))
                    continue
                try:
                    out.append((rec, self.build(rec, doc)))
                except Exception as exc:  # noqa: BLE001 - one bad article must not stop the rest
                    out.append((rec, _extract_error(exc)))
        return out

    def _keep_frequent_words(self, bodies) -> None:
        """Count the words of `bodies` by article; tokenize those now seen in
        KEEP_AFTER_ARTICLES articles outside any memory zone, so that their
        tokenization and lexemes stay (at most MAX_KEPT_WORDS in all)."""
        room = MAX_KEPT_WORDS - len(self._kept_words)
        if room <= 0:
            return
        counts, kept = self._word_counts, self._kept_words
        new = []
        for body in bodies:
            words = set(body.split()) - kept
            counts.update(words)
            new.extend(w for w in words if counts[w] >= KEEP_AFTER_ARTICLES and len(w) <= MAX_RUN_CHARS)
        for word in new[:room]:
            # one word a call: words tokenized as one long text did not stay
            # in the cache (measured: 5.5 ms an article in a zone after that,
            # 0.9 ms after this)
            self._tokenize(word)
            kept.add(word)
        if len(counts) > _MAX_COUNTED_WORDS:
            self._word_counts = Counter({w: c for w, c in counts.items() if c > 1})

    def _language(self, rec: dict) -> str | None:
        """ISO 639-1 code of the headline and body (None: cannot tell)."""
        if self.detector is None:
            self.detector = shared_detector()
        return self.detector.detect(f"{rec['headline']}\n\n{rec['body']}")

    def _without_nlp(self, rec: dict) -> dict:
        return dict(rec, entity_mentions=[], entities=[], quotes=[], nlp_model=self.model, extraction_cut=False)

    def _parse(self, recs) -> list:
        """A Doc for each record's body (see _tokens), or the exception
        parsing it raised. A batch that fails is parsed again article by
        article, so one bad article fails alone."""
        try:
            docs = self.nlp.pipe((self._tokens(rec["body"]) for rec in recs), batch_size=self.batch_size,
                                 disable=self._skip)
            return [self._short_sentences(self._lemmatized(doc)) for doc in docs]
        except Exception:  # noqa: BLE001 - find the culprit below
            docs = []
            for rec in recs:
                try:
                    docs.append(self._short_sentences(self._run(self._tokens(rec["body"]))))
                except Exception as exc:  # noqa: BLE001 - kept as this article's error
                    docs.append(exc)
            return docs

    def _tokens(self, text: str):
        """Body -> unparsed Doc of its first max_tokens tokens (whose text is
        then a prefix of the body), tokenized as the pipeline would but in
        time linear in the length (see MAX_RUN_CHARS), with a sentence start
        after MAX_SENTENCE_TOKENS tokens without . ! ? or a line break."""
        if len(text) > self.nlp.max_length:
            return self.nlp.make_doc(text)  # raises: over the pipeline's limit
        cuts = []
        for match in _LONG_RUN.finditer(text):  # (a loop over every run was 0.2-0.3 ms of an article)
            start, end = match.span()
            cuts.extend(range(start, end, MAX_RUN_CHARS))
            # a space after the run stays with its last token, as in one piece
            cuts.append(end + 1 if text[end : end + 1] == " " else end)
        if not cuts:
            doc = self._tokenize(text)
        else:
            from spacy.tokens import Doc  # here: importing this module loads no spaCy

            bounds = [0, *cuts, len(text)]
            pieces = [text[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]
            doc = Doc.from_docs([self._tokenize(piece) for piece in pieces], ensure_whitespace=False)
        if self.max_tokens is not None and len(doc) > self.max_tokens:
            doc = doc[: self.max_tokens].as_doc()
        if self._parses:
            forced = _forced_sentence_starts(doc, text)
            # (from_docs starts a sentence with each piece: not ours to say)
            if forced or doc.has_annotation("SENT_START"):
                _set_sentence_starts(doc, forced)
        return doc

    def _short_sentences(self, doc):
        """Parsed Doc -> the same, or, when the parser still made a sentence
        of over MAX_SENTENCE_TOKENS tokens (its stops were all in
        abbreviations, say), the text parsed again with the sentence starts
        it found and one more every MAX_SENTENCE_TOKENS tokens of the long
        sentences."""
        if not self._parses:
            return doc
        starts = [sent.start for sent in doc.sents]
        bounds = list(zip(starts, starts[1:] + [len(doc)]))
        if all(end - start <= MAX_SENTENCE_TOKENS for start, end in bounds):
            return doc
        forced = set()
        for start, end in bounds:
            forced.update(range(start, end, MAX_SENTENCE_TOKENS))
        again = self._tokens(doc.text)  # the same tokens, unparsed
        _set_sentence_starts(again, sorted(forced))
        return self._run(again)

    def _run(self, doc):
        """Unparsed Doc -> the pipeline's annotations on it."""
        return self._lemmatized(self.nlp(doc, disable=self._skip))

    def _lemmatized(self, doc):
        return doc if self._lemmas is None else self._lemmas(doc)

    def enrich_many(self, raws):
        """Iterable of RawArticle -> iterable of (raw, record or ArticleError),
        in input order: normalised, then annotated in batches."""
        normalized = []
        for raw in raws:
            try:
                normalized.append((raw, normalized_record(raw)))
            except ArticleError as exc:
                normalized.append((raw, exc))
        annotated = iter(self.annotate_many(rec for _, rec in normalized if not isinstance(rec, ArticleError)))
        for raw, rec in normalized:
            yield raw, rec if isinstance(rec, ArticleError) else next(annotated)[1]

    def enrich(self, raw: RawArticle) -> dict:
        """One article -> record; raises ArticleError."""
        (_, result), = self.enrich_many([raw])
        if isinstance(result, ArticleError):
            raise result
        return result
