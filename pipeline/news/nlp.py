"""Loading the spaCy pipeline that reads articles.

The default is `en_news_sm`, the English news model this project builds and
ships (see training/ and `make model`); any spaCy 3 pipeline with a parser and
NER can take its place (`--spacy-model en_core_web_trf`, or a path).
"""
from __future__ import annotations

import threading

DEFAULT_MODEL = "en_news_sm"
# Components the extraction reads: tagger (cue verbs), parser (speakers,
# reported clauses), ner (entities), lemmatizer (verb lemmas).
_NEEDED = {"parser", "ner"}


class ModelError(RuntimeError):
    """The requested spaCy pipeline cannot be loaded or lacks a component."""


def load_model(name: str = DEFAULT_MODEL):
    """Name or path of a spaCy 3 pipeline -> a loaded `Language`."""
    import spacy  # here: the command line reads DEFAULT_MODEL without loading spaCy

    try:
        nlp = spacy.load(name)
    except OSError as exc:
        hint = " Run `make install` to install the bundled model." if name == DEFAULT_MODEL else ""
        raise ModelError(f"cannot load spaCy pipeline {name!r}: {exc}.{hint}") from exc
    missing = _NEEDED - set(nlp.pipe_names)
    if missing:
        raise ModelError(f"spaCy pipeline {name!r} lacks {', '.join(sorted(missing))}")
    return nlp


def model_label(nlp) -> str:
    """'name-version' of a loaded pipeline, recorded with each article."""
    return f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'pipeline')}-{nlp.meta.get('version', '0')}"


_SHARED: dict[str, object] = {}
_SHARED_LOCK = threading.Lock()


def shared_model(name: str = DEFAULT_MODEL):
    """load_model, once per process and name, for callers that only read
    the pipeline (the streaming job's DoFns). Thread-safe: a caller that
    comes while another thread loads the model waits for that load (the job
    loads it in the background while its consumer group assigns partitions)."""
    with _SHARED_LOCK:
        if name not in _SHARED:
            _SHARED[name] = load_model(name)
        return _SHARED[name]


class LookupLemmas:
    """A spaCy Doc -> the same Doc with the lemmas a lookup-mode Lemmatizer
    would give it (its table's lemma of each token's text, else the text),
    set on the tokens that have none, as that component does.

    Ours because spaCy's component looks each token up in Python: 1.40 ms
    of a BBC article's ~30 ms of parsing, where one sorted-array lookup of
    the whole document's ORTH hashes takes 0.13 ms (100 articles, 3 Dec
    2026). Made by `for_pipeline`, which says when it applies."""

    def __init__(self, nlp, table):
        import numpy  # a spaCy dependency

        strings = nlp.vocab.strings
        keys = numpy.fromiter(table.keys(), dtype="uint64", count=len(table))
        # added here, outside any memory zone: the lemma strings stay for good
        lemmas = [strings.add(value if isinstance(value, str) else value[0]) for value in table.values()]
        order = numpy.argsort(keys)
        self._keys = keys[order]
        self._lemmas = numpy.array(lemmas, dtype="uint64")[order]

    @classmethod
    def for_pipeline(cls, nlp) -> tuple[str, "LookupLemmas"] | None:
        """Loaded pipeline -> (name of its lemmatizer, LookupLemmas to run in
        its place) when that is spaCy's Lemmatizer in lookup mode without
        overwrite, last in the pipeline (nothing after it reads lemmas);
        else None (the pipeline runs as it is)."""
        from spacy.pipeline import Lemmatizer

        if not nlp.pipeline:
            return None
        name, pipe = nlp.pipeline[-1]
        # a subclass (English's is one) may look up in its own way
        kind = type(pipe)
        if (not isinstance(pipe, Lemmatizer) or kind.lookup_lemmatize is not Lemmatizer.lookup_lemmatize
                or kind.__call__ is not Lemmatizer.__call__ or pipe.mode != "lookup" or pipe.overwrite):
            return None
        table = pipe.lookups.get_table("lemma_lookup", {})
        return (name, cls(nlp, table)) if len(table) else None

    def __call__(self, doc):
        import numpy
        from spacy.attrs import LEMMA, ORTH

        if not len(doc):
            return doc
        both = doc.to_array([ORTH, LEMMA])
        orth, lemma = both[:, 0], both[:, 1]
        at = numpy.minimum(numpy.searchsorted(self._keys, orth), len(self._keys) - 1)
        looked_up = numpy.where(self._keys[at] == orth, self._lemmas[at], orth)
        doc.from_array([LEMMA], numpy.where(lemma == 0, looked_up, lemma))
        return doc
