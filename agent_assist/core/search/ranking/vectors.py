"""TF-IDF vectors over hashed features, as CSR matrices (:mod:`.csr`).

Sublinear term frequency, smoothed IDF and L2 normalisation (the scikit-learn defaults that
work best for short texts), so a dot product is a cosine similarity in [0, 1].  Large
corpora are processed in chunks so that the full character-gram matrix of a million
phrasings never has to exist at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from agent_assist.core.search.ranking.csr import Csr, vstack
from agent_assist.core.search.ranking.text import N_FEATURES, Featurizer, IntArray

__all__ = ["FloatArray", "IntArray"]

FloatArray = npt.NDArray[np.float32]
CHUNK = 5_000


def counts(featurizer: Featurizer, docs: Sequence[list[str]], *, chars: bool = True) -> Csr:
    """Raw term counts, one row per tokenized document.  One ``np.unique`` over
    (document, feature) keys for the whole batch: per-document calls cost 20x more."""
    parts = [featurizer.features(tokens, chars=chars) for tokens in docs]
    lengths = np.array([len(p) for p in parts], np.int64)
    if not lengths.sum():
        return Csr.empty(len(docs), N_FEATURES)
    doc = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    keys, cnt = np.unique(doc * N_FEATURES + np.concatenate(parts), return_counts=True)
    rows, cols = np.divmod(keys, N_FEATURES)
    indptr = np.zeros(len(docs) + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=len(docs)), out=indptr[1:])
    return Csr(cnt, cols, indptr, (len(docs), N_FEATURES))


def document_frequencies(
    featurizer: Featurizer, docs: Sequence[list[str]]
) -> npt.NDArray[np.float64]:
    df = np.zeros(N_FEATURES, np.float64)
    for start in range(0, len(docs), CHUNK):
        ids = counts(featurizer, docs[start : start + CHUNK]).indices
        uniq, cnt = np.unique(ids, return_counts=True)  # sparse: no 8 MB temporary per chunk
        df[uniq] += cnt
    return df


def idf_of(df: npt.NDArray[np.float64], n_docs: int) -> FloatArray:
    """Smoothed IDF per feature (features never seen keep weight 0: they cannot match)."""
    idf: FloatArray = np.zeros(N_FEATURES, np.float32)
    seen = np.flatnonzero(df)
    idf[seen] = np.log((1.0 + n_docs) / (1.0 + df[seen])) + 1.0
    return idf


def fit_idf(featurizer: Featurizer, docs: Sequence[list[str]]) -> FloatArray:
    return idf_of(document_frequencies(featurizer, docs), len(docs))


def normalize_rows(m: Csr) -> Csr:
    """L2-normalise rows in place."""
    counts = np.diff(m.indptr)
    if m.nnz == 0:
        return m
    sums = np.add.reduceat(np.square(m.data), np.minimum(m.indptr[:-1], m.nnz - 1))
    norms = np.sqrt(np.where(counts > 0, sums, 1.0)).astype(np.float32)
    norms[norms == 0] = 1.0
    m.data /= np.repeat(norms, counts)
    return m


def weigh(m: Csr, idf: FloatArray) -> Csr:
    """Sublinear tf times idf, rows L2-normalised (``m`` is modified and returned)."""
    m.data = ((1.0 + np.log(m.data)) * idf[m.indices]).astype(np.float32)
    m.eliminate_zeros()
    return normalize_rows(m)


def transform(
    featurizer: Featurizer, docs: Sequence[list[str]], idf: FloatArray, *, chars: bool = True
) -> Csr:
    if len(docs) <= CHUNK:
        return weigh(counts(featurizer, docs, chars=chars), idf)
    return vstack(
        [
            weigh(counts(featurizer, docs[a : a + CHUNK], chars=chars), idf)
            for a in range(0, len(docs), CHUNK)
        ]
    )


def centroids(
    featurizer: Featurizer,
    docs: Sequence[list[str]],
    row_ptr: npt.NDArray[np.int64],
    idf: FloatArray,
) -> Csr:
    """Normalised mean TF-IDF vector of each owner's documents (a nearest-centroid model).
    Owner ``k`` has documents ``row_ptr[k]:row_ptr[k+1]``; chunks hold whole owners."""
    parts = []
    n_owners = len(row_ptr) - 1
    first = 0
    while first < n_owners:
        last = int(np.searchsorted(row_ptr, row_ptr[first] + CHUNK, side="right")) - 1
        last = min(max(last, first + 1), n_owners)
        a, b = int(row_ptr[first]), int(row_ptr[last])
        rows = transform(featurizer, docs[a:b], idf)
        own = np.repeat(np.arange(last - first), np.diff(row_ptr[first : last + 1]))
        sums = Csr.from_triples(
            rows.data, own[rows.row_of_entries()], rows.indices, (last - first, N_FEATURES)
        )
        parts.append(normalize_rows(sums))
        del rows
        first = last
    if not parts:
        return Csr.empty(0, N_FEATURES)
    return vstack(parts)


def query_vector(
    featurizer: Featurizer, tokens: list[str], idf: FloatArray, *, chars: bool = True
) -> tuple[IntArray, FloatArray]:
    """One text's TF-IDF vector as ``(feature ids, weights)``: the same weighting as
    :func:`transform` without building a matrix, because this runs on every keystroke."""
    ids, cnt = np.unique(featurizer.features(tokens, chars=chars), return_counts=True)
    vals = ((1.0 + np.log(cnt)) * idf[ids]).astype(np.float32)
    keep = vals > 0
    ids, vals = ids[keep], vals[keep]
    norm = float(np.sqrt(vals @ vals))
    return ids, vals / norm if norm > 0 else vals


def dense(ids: IntArray, vals: FloatArray) -> FloatArray:
    """A sparse vector as a dense array over the hashed space, for fast CSR @ dense products
    (zeroed pages cost nothing until written)."""
    out = np.zeros(N_FEATURES, np.float32)
    out[ids] = vals
    return out
