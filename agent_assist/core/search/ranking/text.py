"""Turn text into words and hashed sparse features, the same way at build and query time.

Features are word unigrams, word bigrams and character 3-5-grams taken inside each word
(padded with spaces, like scikit-learn's ``char_wb``), hashed with CRC-32 into a fixed space.
Hashing makes the feature space independent of the corpus, so nothing but IDF weights has
to be stored, and a query never needs a vocabulary lookup for its n-grams.  Character grams
give typo and prefix tolerance; they are computed per distinct word and cached, which makes
building an index over a million phrasings a matter of dictionary lookups.
"""

from __future__ import annotations

import itertools
import re
import sys
import unicodedata
import zlib

import numpy as np
import numpy.typing as npt

N_FEATURES = 1 << 20
MASK = N_FEATURES - 1
MAX_CHARS = 2000
"""Only the first MAX_CHARS characters of a query count: a pasted 10 kB e-mail must not make
a keystroke slow, and its opening is what describes the problem."""
MAX_WORDS = 64
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_WORD_CACHE_MAX = 200_000

IntArray = npt.NDArray[np.int64]


def normalize(text: str) -> str:
    """Case-fold, NFKC and strip diacritics, so 'Café' and 'cafe' are the same word."""
    text = text[:MAX_CHARS].casefold()
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The text's words, interned: an index holds millions of copies of a few thousand."""
    return [sys.intern(w) for w in WORD_RE.findall(normalize(text))[:MAX_WORDS]]


def _hash(token: str) -> int:
    return zlib.crc32(token.encode("utf-8", "surrogatepass")) & MASK


class Featurizer:
    """Hashed feature ids of a text; caches each word's character grams."""

    def __init__(self) -> None:
        self._cache: dict[str, IntArray] = {}
        self._bigrams: dict[str, int] = {}

    def word_features(self, word: str) -> IntArray:
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        padded = f" {word} "
        grams = [padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)]
        ids = [_hash("w:" + word), *(_hash("c:" + g) for g in grams)]
        arr = np.array(ids, dtype=np.int64)
        if len(self._cache) >= _WORD_CACHE_MAX:
            self._cache.clear()
        self._cache[word] = arr
        return arr

    def _bigram(self, a: str, b: str) -> int:
        key = f"{a} {b}"
        hit = self._bigrams.get(key)
        if hit is None:
            if len(self._bigrams) >= _WORD_CACHE_MAX:
                self._bigrams.clear()
            hit = self._bigrams[key] = _hash("b:" + key)
        return hit

    def features(self, tokens: list[str], *, chars: bool = True) -> IntArray:
        """Feature ids of a tokenized text, with repeats (repeats are term counts); without
        ``chars`` only word unigrams and bigrams."""
        if chars:
            parts = [self.word_features(w) for w in tokens]
        else:
            parts = [np.array([self.word_features(w)[0] for w in tokens], dtype=np.int64)]
        if len(tokens) > 1:
            parts.append(
                np.array(
                    [self._bigram(a, b) for a, b in itertools.pairwise(tokens)], dtype=np.int64
                )
            )
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate(parts)
