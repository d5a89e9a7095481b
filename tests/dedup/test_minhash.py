"""MinHash signatures and band keys: one text or a batch, the same values."""
import numpy as np
import pytest

from pipeline.dedup import minhash

TEXTS = [
    "The river broke its banks on Tuesday night and flooded the lower town.",
    "THE RIVER broke its banks, on Tuesday night -- and flooded the lower town!",  # case and punctuation only
    "Ünïcödé Wörds: Zürich's Straße, São Paulo and Kraków.",
    "A word-longer-than-sixteen-bytes-here and a short one.",
    "two words",  # shorter than a shingle: one shingle
    "",  # no words: no signature
    "!!! ??? ...",  # no words either
    "x",
]


def test_a_batch_gives_each_text_its_own_signature():
    sigs, has = minhash.signatures(TEXTS)
    for text, sig, signed in zip(TEXTS, sigs, has):
        alone = minhash.signature(text)
        assert (alone is not None) == signed
        if signed:
            assert np.array_equal(alone, sig)


def test_case_and_punctuation_do_not_change_the_signature():
    sigs, _ = minhash.signatures(TEXTS[:2])
    assert minhash.similarity(sigs[0], sigs[1]) == 1.0


@pytest.mark.parametrize("changed, low, high", [
    (0, 1.0, 1.0),  # the same text
    (1, 0.6, 0.95),  # one word near the start changed: 2 of 36 shingles differ
    (20, 0.0, 0.25),  # every other word changed
])
def test_the_similarity_estimates_the_shingle_overlap(changed, low, high):
    words = [f"word{n}" for n in range(40)]
    other = list(words)
    for n in range(changed):
        other[(2 * n + 1) % 40] = f"other{n}"
    a, b = (minhash.signature(" ".join(w)) for w in (words, other))
    assert low <= minhash.similarity(a, b) <= high


def test_band_keys_of_a_batch_match_one_by_one():
    sigs, has = minhash.signatures(TEXTS)
    keys = minhash.band_keys_many(sigs[has])
    assert keys.shape == (int(has.sum()), minhash.BANDS)
    assert (keys >= 0).all()
    for sig, row in zip(sigs[has], keys):
        assert minhash.band_keys(sig) == row.tolist()
