"""Near-duplicate signatures: MinHash over word shingles, and LSH band keys.

In: the normalised body of an article. Out: a signature of NUM_BINS 32-bit
values whose agreement with another article's signature estimates the
Jaccard similarity of their sets of word shingles, and BANDS keys such that
two articles share at least one key with high probability when that
similarity is high (LSH banding).

Why our own code and not datasketch's MinHash: datasketch hashes every
shingle with SHA-1 in a Python loop and then applies one permutation per
signature value to each, several times slower than this (`make bench` times
both on the same shingles). Here words are cut by bytes.split() and hashed
with numpy in a handful of array operations, and one-permutation hashing (one hash per shingle, split into
NUM_BINS bins, the minimum of each bin kept; empty bins filled from the next
non-empty one, "rotation densification") replaces the permutations. All
hashes are fixed functions of the text, so signatures are the same in every
process and on every worker, and stay valid across restarts.

The shingle size, bins, bands and threshold were chosen on the BBC dev pairs
(`python -m evaluation.duplicates`; figures in the README).
"""
from __future__ import annotations

import numpy as np

SHINGLE_WORDS = 5  # words per shingle
NUM_BINS = 64  # signature length (2 bytes each)
BANDS = 32  # LSH bands of ROWS values each: a pair at similarity 0.5 shares a band with probability 0.9999
ROWS = NUM_BINS // BANDS
THRESHOLD = 0.5  # estimated Jaccard similarity at and above which two articles are near-duplicates

_U64 = np.uint64
_MASK16 = _U64(0xFFFF)
_BIN_SHIFT = _U64(64 - int(np.log2(NUM_BINS)))
_BASE = _U64(0x100000001B3)
_SHINGLE_MIX = _U64(0x9E3779B97F4A7C15)
_ROW_MIX = (np.arange(1, ROWS + 1, dtype=_U64) * _U64(0xD6E8FEB86659FD93)) | _U64(1)
_BAND_SALT = np.arange(BANDS, dtype=_U64) * _U64(0xA0761D6478BD642F)
_DENSIFY = _U64(0x8EBC6AF09C88C6E3)

# Bytes that belong to words: ASCII letters and digits, and every byte of a
# multi-byte UTF-8 character (letters of other scripts). Everything else
# becomes a space, so bytes.split() cuts the text into words at C speed.
_WORD_BYTES = set(b"abcdefghijklmnopqrstuvwxyz0123456789") | set(range(0x80, 0x100))
_TO_SPACE = bytes(c if c in _WORD_BYTES else 0x20 for c in range(256))
_WORD_WIDTH = 16  # bytes of a word that count: longer words are cut (two 8-byte halves hashed)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, element-wise: spreads every input bit."""
    z = z + _SHINGLE_MIX
    z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
    return z ^ (z >> _U64(31))


def word_hashes(text: str) -> np.ndarray:
    """A 64-bit value for each word of the lower-cased text, in order (the
    shingle step mixes them; equal words give equal values)."""
    words = text.lower().encode("utf-8").translate(_TO_SPACE).split()
    if not words:
        return np.zeros(0, dtype=_U64)
    halves = np.array(words, dtype=f"S{_WORD_WIDTH}").view(_U64).reshape(-1, 2)
    with np.errstate(over="ignore"):
        return halves[:, 0] * _BASE + halves[:, 1]


def shingle_hashes(text: str, size: int = SHINGLE_WORDS) -> np.ndarray:
    """One 64-bit hash per run of `size` consecutive words (one for the whole
    text when it is shorter; none when it has no words)."""
    words = word_hashes(text)
    if len(words) == 0:
        return words
    size = min(size, len(words))
    count = len(words) - size + 1
    with np.errstate(over="ignore"):
        combined = words[:count].copy()
        for offset in range(1, size):
            combined = combined * _SHINGLE_MIX + words[offset: offset + count]
        return _mix(combined)


def signature(text: str, size: int = SHINGLE_WORDS) -> np.ndarray | None:
    """NUM_BINS uint16 values (one-permutation MinHash with rotation
    densification; 16 bits of each bin's minimum: two different minima agree
    by chance once in 65,536, which moves a similarity estimate by nothing
    that matters and halves what is stored); None when the text has no words."""
    hashes = np.sort(shingle_hashes(text, size))
    if len(hashes) == 0:
        return None
    bins = np.arange(NUM_BINS, dtype=_U64) << _BIN_SHIFT
    first = np.searchsorted(hashes, bins)  # sorted by value = by bin, then by value within the bin
    following = np.append(first[1:], len(hashes))
    filled = np.flatnonzero(first < following)
    values = hashes[np.minimum(first, len(hashes) - 1)] & _MASK16
    if len(filled) < NUM_BINS:
        # an empty bin takes the next filled bin's value (circularly), marked by the distance
        bin_ids = np.arange(NUM_BINS)
        donor = filled[np.searchsorted(filled, bin_ids) % len(filled)]
        distance = ((donor - bin_ids) % NUM_BINS).astype(_U64)
        with np.errstate(over="ignore"):
            values = (values[donor] + distance * _DENSIFY) & _MASK16
    return values.astype(np.uint16)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    return float(np.count_nonzero(a == b)) / NUM_BINS


def band_keys(sig: np.ndarray) -> list[int]:
    """BANDS signed 63-bit keys (they fit SQLite and Redis integers); two
    signatures that agree on all ROWS values of a band share its key."""
    rows = sig.astype(_U64).reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        keys = _mix((rows * _ROW_MIX).sum(axis=1, dtype=_U64) + _BAND_SALT) >> _U64(1)
    return keys.astype(np.int64).tolist()
