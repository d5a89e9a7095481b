"""What `make install` puts in the virtualenv."""
import cProfile
import platform
import pstats
import sys

import pytest

VENDORED = sys.version_info[:2] == (3, 11) and platform.machine() == "x86_64" and sys.platform == "linux"


@pytest.mark.skipif(not VENDORED, reason="the vendored spaCy wheel is for CPython 3.11 on Linux x86_64")
def test_spacy_is_built_without_profiling_hooks():
    """A Cython module compiled with profiling reports its functions to
    cProfile; PyPI's spaCy for Python 3.11 is (tokenizer.pyx, doc.pyx and
    vocab.pyx show up here), the vendored wheel make install puts in place
    of it is not (vendor/build-spacy.sh)."""
    import spacy

    nlp = spacy.blank("en")
    profile = cProfile.Profile()
    profile.enable()
    doc = nlp("Hooked functions show up in a profile.")
    words = [token.text for token in doc]
    profile.disable()
    assert words[-1] == "."
    hooked = sorted({where[0] for where in pstats.Stats(profile).stats if where[0].endswith(".pyx")})
    assert hooked == [], f"spaCy's Cython modules were compiled with profiling: {hooked}; run make install"
