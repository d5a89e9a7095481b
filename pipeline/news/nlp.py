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
