"""BM25F over items' fields, with as-you-type prefixes and typo-corrected words.

This is the fast candidate stage: an inverted index (vocabulary row -> items) whose cells
already hold each word's saturated, length-normalised BM25 weight, so a query is a sum of a
few sparse rows.  Field weights make a word in a title count more than one in the body.
Query words missing from the vocabulary are matched to their nearest vocabulary words
(rapidfuzz, one edit for short words, two for long ones), and the word being typed is also
expanded to the most frequent vocabulary words it is a prefix of.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from agent_assist.core.search.ranking.csr import Csr

K1 = 1.2
B = 0.75
FIELD_WEIGHTS = {"title": 3.0, "phrasings": 2.0, "tags": 2.0, "summary": 1.5, "body": 0.5}
MAX_BODY_CHARS = 5000
PREFIX_EXPANSIONS = 8
TYPO_EXPANSIONS = 2


@dataclass
class Lexicon:
    """Sorted vocabulary, document frequencies, and the term x item BM25 weight matrix."""

    vocab: list[str]
    df: npt.NDArray[np.int32]
    weights: Csr

    def __post_init__(self) -> None:
        self._row = {w: i for i, w in enumerate(self.vocab)}

    @classmethod
    def build(cls, docs: Iterable[dict[str, list[str]]]) -> Lexicon:
        """``docs``: one mapping field -> words per item (consumed one at a time)."""
        row: dict[str, int] = {}
        r: list[int] = []
        c: list[int] = []
        v: list[float] = []
        lengths: list[float] = []
        for j, doc in enumerate(docs):
            tf: dict[int, float] = {}
            for name, toks in doc.items():
                w = FIELD_WEIGHTS[name]
                for t in toks:
                    t_id = row.setdefault(t, len(row))
                    tf[t_id] = tf.get(t_id, 0.0) + w
            r += tf.keys()
            c += [j] * len(tf)
            v += tf.values()
            lengths.append(sum(tf.values()))
        vocab = sorted(row)
        remap = np.empty(len(row), np.int32)
        remap[[row[w] for w in vocab]] = np.arange(len(vocab), dtype=np.int32)
        n = len(lengths)
        tfm = Csr.from_triples(
            np.array(v, np.float32),
            remap[np.array(r, np.int64)],
            np.array(c, np.int32),
            (len(vocab), n),
        )
        doc_len = np.array(lengths, np.float32)
        avg = float(doc_len.mean()) if n and doc_len.mean() > 0 else 1.0
        df = np.diff(tfm.indptr).astype(np.int32)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = K1 * (1 - B + B * doc_len[tfm.indices] / avg)
        tfm.data = (np.repeat(idf, df) * tfm.data * (K1 + 1) / (tfm.data + norm)).astype(np.float32)
        return cls(vocab, df, tfm)

    def expand(self, tokens: list[str], *, typing: bool) -> dict[int, float]:
        """Vocabulary rows to sum for ``tokens`` with their weights (1 for exact words)."""
        rows: dict[int, float] = {}

        def add(row: int, weight: float) -> None:
            rows[row] = max(rows.get(row, 0.0), weight)

        for n, tok in enumerate(tokens):
            last = typing and n == len(tokens) - 1
            exact = self._row.get(tok)
            if exact is not None:
                add(exact, 1.0)
            elif len(tok) >= 4:
                cutoff = 1 if len(tok) < 8 else 2
                for _, _, row in process.extract(
                    tok,
                    self.vocab,
                    scorer=Levenshtein.distance,
                    limit=TYPO_EXPANSIONS,
                    score_cutoff=cutoff,
                ):
                    add(row, 0.7)
            if last:
                for row in self._prefixed(tok):
                    add(row, 0.6 if exact is None else 0.3)
        return rows

    def correct(self, tokens: list[str], *, typing: bool) -> list[str]:
        """``tokens`` with unknown words replaced by the vocabulary word meant: the most
        frequent completion of the word being typed, else the nearest word within one edit
        (two for long words).  Words with no such match stay as they are."""
        out = []
        for n, tok in enumerate(tokens):
            if tok in self._row or len(tok) < 3:
                out.append(tok)
                continue
            if typing and n == len(tokens) - 1:
                completions = self._prefixed(tok)
                if completions:
                    out.append(self.vocab[completions[0]])
                    continue
            cutoff = 1 if len(tok) < 8 else 2
            match = (
                process.extractOne(
                    tok, self.vocab, scorer=Levenshtein.distance, score_cutoff=cutoff
                )
                if len(tok) >= 4
                else None
            )
            out.append(match[0] if match else tok)
        return out

    def _prefixed(self, prefix: str) -> list[int]:
        lo = bisect.bisect_left(self.vocab, prefix)
        hi = bisect.bisect_left(self.vocab, prefix + "\U0010ffff")
        span = np.arange(lo, hi)
        best = span[np.argsort(-self.df[lo:hi], kind="stable")[: PREFIX_EXPANSIONS + 1]]
        return [int(r) for r in best if self.vocab[r] != prefix][:PREFIX_EXPANSIONS]

    def scores(self, tokens: list[str], *, typing: bool) -> npt.NDArray[np.float32]:
        """BM25F score of every item (a dense vector, zeros where nothing matched)."""
        n_items = self.weights.shape[1]
        out = np.zeros(n_items, np.float32)
        w, ind, ptr = self.weights.data, self.weights.indices, self.weights.indptr
        for row, weight in self.expand(tokens, typing=typing).items():
            a, b = ptr[row], ptr[row + 1]
            out[ind[a:b]] += weight * w[a:b]
        return out
