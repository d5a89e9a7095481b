"""The language of an article's text, as an ISO 639-1 code ("en", "de") or
None when it cannot be told.

Library: py3langid (a maintained fork of langid.py: naive Bayes over byte
n-grams, numpy only), chosen over lingua-language-detector 2.1.1 by
measurement on ../shared/data (2 Dec 2026; first 2,000 characters of each
text; each library's own best guess, no confidence cut; memory: resident
memory added by loading and warming up, in a fresh process):

    detector, candidate languages         English      table   BBC headlines   ms per    memory
                                          misses of    of 45   called another  BBC       added
                                          2,237                language        article
    py3langid 0.4.0, all 140 (*)          0            44      212             2.5       ~90 MB
    py3langid 0.4.0, 15 (**)              0            45       56             1.7       ~90 MB
    py3langid 0.4.0, ours (63) + rules    0            45        0 (25 None)   2.5-2.9   90-100 MB
    lingua, all 75, high accuracy         0            45       92             12.7      1,116 MB
    lingua, 40 news languages, high       0            45       62             7.3 (***) ~780 MB
    lingua, 15 (**), high accuracy        0            45       54             3.6       325 MB
    lingua, all 75, low accuracy          0            45      424             11.7      75 MB
    lingua, 15 (**), low accuracy         0            45      237             3.7       24 MB
    (*) some of its labels are not ISO 639-1 ("wuu", "pcm"): the table's
    miss is a Chinese headline called "wuu". (**) the table's 15 and English.
    (***) computing every language's confidence, not only the best guess.

Both are right on every English article and on our table; lingua's high
accuracy mode is no better on short English text than py3langid with the
same candidates but costs 300 MB to 1.1 GB per worker process (a model per
language), and its low accuracy mode calls up to one English headline in
three something else. py3langid is one 4.6 MB wheel with no new
dependency (numpy is already ours; lingua's wheel is 96 MB), and its
probabilities are scaled by the text's length, so one confidence cut serves
headlines and paragraphs alike (lingua's confidences with 40 candidates
needed a cut of 0.7 to call no English headline foreign, which left 1,122 of
the 1,313 unknown).

Rules (each measured on the BBC headlines and the table in
evaluation/language.py):
- Only the first WINDOW characters are read: a 100 KB body costs what a
  normal one does, and the opening of an article says its language.
- Fewer than MIN_LETTERS letters, or letters under MIN_LETTER_SHARE of the
  visible characters (scores, tables of figures, emoji, punctuation): None.
- Candidates are LANGUAGES, the languages news comes in: all the scripts
  the model knows, but in Latin script only the languages of national news
  outlets; Tagalog, Latin, Yoruba, Somali and the like are where English
  headlines went wrong.
- English needs no margin: when it scores best the text is English. Any
  other language must score MIN_CONFIDENCE or more. Short of that the text
  is English when English has ENGLISH_FLOOR or more (our stream is mostly
  English, and short English headlines full of names spread their
  probability over Dutch, Estonian, French...), else None (unknown). An
  English article called German would lose its entities and quotes, an
  unknown one does not (see is_english). On the BBC headlines alone: 1,288
  "en", 25 None, 0 another language; 3- and 4-word cuts of the foreign
  headlines of both tables: 50 of 72 right, 22 None, none "en".
"""
from __future__ import annotations

import re
import threading

# Characters read from the start of a text. Measured with evaluation/language.py
# (3 Dec 2026): 500 gives the same answers as 2,000 on every text there
# (2,237 English articles, 1,313 headlines, the table and its cut headlines)
# in 0.68 instead of 1.71 ms a BBC article; 300 also the same, in 0.60 ms.
WINDOW = 500
MIN_LETTERS = 10  # fewer letters than this: None
MIN_LETTER_SHARE = 0.25  # of the non-space characters in the window
# A language other than English must have this probability; English
# headlines called something else scored up to 0.81, the table's headlines
# in other languages 0.92 or more.
MIN_CONFIDENCE = 0.85
# Below MIN_CONFIDENCE, English with this probability or more is English
# (with 0.1 no foreign headline cut to 3 or 4 words became "en").
ENGLISH_FLOOR = 0.1
ENGLISH = "en"

# Latin script: languages with national news media. Other scripts: all the
# model has (a script of its own cannot be taken for English).
_LATIN = ("az ca cs da de en es et fi fr hr hu id is it lt lv ms nl no pl pt ro sk sl sq sv sw tr vi")
_OTHER = ("am ar be bg bn el fa gu he hi hy ja ka kk km kn ko mk ml mn mr my ne pa ru si sr ta te th uk ur zh")
LANGUAGES: tuple[str, ...] = tuple(sorted((_LATIN + " " + _OTHER).split()))

_SURROGATES = re.compile("[\ud800-\udfff]")


def is_english(code: str | None) -> bool:
    """Detected code -> whether the article gets our English NLP (entities,
    quotes). Unknown (None) counts as English: our English model is the only
    one we have, so the worst it does on an unknown text is find nothing,
    while skipping it would lose every short or number-heavy English article."""
    return code is None or code == ENGLISH


class LanguageDetector:
    """Text -> ISO 639-1 code or None (see the module's rules). Loads the
    model when built (about a second, ~100 MB); detect is thread-safe."""

    def __init__(self, languages: tuple[str, ...] = LANGUAGES, window: int = WINDOW,
                 min_confidence: float = MIN_CONFIDENCE):
        # here and not at the top: importing this module must not load the model
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self._identifier.set_languages(list(languages))  # after this only read: safe across threads
        self.languages = tuple(languages)
        self.window = window
        self.min_confidence = min_confidence

    def detect(self, text: str) -> str | None:
        """Text (any length, any characters) -> lower-case ISO 639-1 code, or
        None when too little of it is letters or no language is sure enough."""
        if not text:
            return None
        head = _SURROGATES.sub("", text[:self.window])
        letters = sum(map(str.isalpha, head))  # (map: a fifth of a generator's cost)
        visible = len(head) - sum(map(str.isspace, head))
        if letters < MIN_LETTERS or letters < MIN_LETTER_SHARE * visible:
            return None
        ranked = self._identifier.rank(head)
        code, confidence = ranked[0]
        if code == ENGLISH or confidence >= self.min_confidence:
            return code
        if dict(ranked).get(ENGLISH, 0.0) >= ENGLISH_FLOOR:
            return ENGLISH
        return None

    def scores(self, text: str) -> list[tuple[str, float]]:
        """Text -> [(code, probability)], best first, on the window the
        detector reads (for evaluation and debugging)."""
        return self._identifier.rank(_SURROGATES.sub("", text[:self.window]))


_shared: LanguageDetector | None = None
_shared_lock = threading.Lock()


def shared_detector() -> LanguageDetector:
    """The process's one LanguageDetector, built on first use (thread-safe)."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = LanguageDetector()
    return _shared


def describe() -> str:
    """'py3langid <version>, <n> languages, ...': what detects, for reports."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        lib = f"py3langid {version('py3langid')}"
    except PackageNotFoundError:
        lib = "py3langid (not installed)"
    return (f"{lib}, {len(LANGUAGES)} languages, first {WINDOW} characters, "
            f"other than English at probability >= {MIN_CONFIDENCE}, else English at >= {ENGLISH_FLOOR}")
