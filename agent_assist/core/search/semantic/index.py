"""Sentence embeddings of every phrasing row of a :class:`RankIndex`, and what is learned from them.

Rows are those of the lexical index (title, summary, phrasings of each item, in its order), so
the two indexes line up entry by entry.  Embeddings are kept as int8 with one scale per row
(a unit vector loses well under 1 % of its cosine that way, and 10,000 SOPs x 12 rows take
46 MB instead of 184 MB as float32).  Each entry is tagged with its content hash: an update
re-encodes only the rows of new and changed items (:func:`build` with ``previous``).

Saved beside the lexical index as ``suggest-embeddings.npz``: the lexical index is rewritten
on every import and read at every start, the embeddings only when the semantic stage first
runs, so keeping them in their own file costs the window nothing.
"""

from __future__ import annotations

import json
import logging
import weakref
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from agent_assist.core.knowledge.models import Kind
from agent_assist.core.search.ranking.index import RankIndex
from agent_assist.core.search.semantic.classifier import EmbeddingModel
from agent_assist.core.search.semantic.encoder import DIM, Encoder

log = logging.getLogger(__name__)
FILE_NAME = "suggest-embeddings.npz"
FORMAT = "embeddings-1"
CHUNK = 8192

Key = tuple[str, str, str]
"""kind, id, content hash of an entry."""


def _keys(rank: RankIndex) -> list[Key]:
    return [(e.kind.value, e.id, h) for e, h in zip(rank.entries, rank.hashes, strict=True)]


def quantise(emb: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float32]]:
    scale = np.maximum(np.abs(emb).max(axis=1), 1e-12) / 127.0
    codes = np.round(emb / scale[:, None]).astype(np.int8)
    return codes, scale.astype(np.float32)


@dataclass
class SemanticIndex:
    keys: list[Key]
    row_ptr: npt.NDArray[np.int64]
    codes: npt.NDArray[np.int8]
    scales: npt.NDArray[np.float32]
    model: EmbeddingModel | None
    centroids: npt.NDArray[np.float32] = field(init=False)
    """Per entry, the unit-length mean of its rows (recall of items the lexical stage missed)."""

    def __post_init__(self) -> None:
        n = len(self.keys)
        sums = np.zeros((n, DIM), np.float32)
        ptr, first = self.row_ptr, 0
        while first < n:  # whole entries of about CHUNK rows at a time, as float32
            last = int(np.searchsorted(ptr, ptr[first] + CHUNK, side="right")) - 1
            last = min(max(last, first + 1), n)
            lo, hi = int(ptr[first]), int(ptr[last])
            has = np.diff(ptr[first : last + 1]) > 0
            if hi > lo:
                block = sums[first:last]
                block[has] = np.add.reduceat(
                    self.rows(np.arange(lo, hi)), (ptr[first:last] - lo)[has]
                )
            first = last
        norms = np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        self.centroids = (sums / norms).astype(np.float32)

    def rows(self, which: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        out: npt.NDArray[np.float32] = self.codes[which].astype(np.float32)
        out *= self.scales[which, None]
        return out

    def matches(self, rank: RankIndex) -> bool:
        """Whether these are the embeddings of ``rank``'s rows (remembered per index object:
        every fused query asks, and comparing 10,000 keys each time would cost a millisecond)."""
        matched = getattr(self, "_matched", None)
        if matched is not None and matched() is rank:
            return True
        same = self.keys == _keys(rank) and np.array_equal(self.row_ptr, rank.row_ptr)
        if same:  # a weak reference: a replaced index must not be kept alive by this
            self._matched = weakref.ref(rank)
        return same


def build(
    rank: RankIndex,
    encoder: Encoder,
    previous: SemanticIndex | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SemanticIndex:
    """Embeddings for ``rank``'s rows, reusing ``previous``'s for unchanged items;
    ``progress(done, total)`` counts rows to encode."""
    keys = _keys(rank)
    old = {k: n for n, k in enumerate(previous.keys)} if previous else {}
    codes = np.zeros((len(rank.row_text), DIM), np.int8)
    scales = np.zeros(len(rank.row_text), np.float32)
    todo: list[int] = []
    for n, key in enumerate(keys):
        lo, hi = int(rank.row_ptr[n]), int(rank.row_ptr[n + 1])
        m = old.get(key)
        if previous is not None and m is not None:
            src = np.arange(previous.row_ptr[m], previous.row_ptr[m + 1])
            if len(src) == hi - lo:
                codes[lo:hi], scales[lo:hi] = previous.codes[src], previous.scales[src]
                continue
        todo.extend(range(lo, hi))
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, len(todo))

    for start in range(0, len(todo), CHUNK):  # float32 embeddings of one chunk at a time
        part = todo[start : start + CHUNK]
        codes[part], scales[part] = quantise(encoder.encode([rank.row_text[r] for r in part], step))
    index = SemanticIndex(keys, rank.row_ptr.copy(), codes, scales, None)
    sop_rows = np.flatnonzero(rank.is_sop[rank.row_owner])
    index.model = EmbeddingModel.train(index.rows(sop_rows), rank.row_owner[sop_rows])
    return index


def save(index: SemanticIndex, path: Path) -> None:
    arrays: dict[str, Any] = {
        "format": np.frombuffer(FORMAT.encode(), np.uint8),
        "keys": np.frombuffer(json.dumps(index.keys).encode("utf-8", "surrogatepass"), np.uint8),
        "row_ptr": index.row_ptr,
        "codes": index.codes,
        "scales": index.scales,
    }
    if index.model is not None:
        arrays |= index.model.arrays()
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)


def load(path: Path) -> SemanticIndex | None:
    """The saved embeddings (possibly of an older catalogue: a start for :func:`build`), or
    None for a missing or damaged file."""
    try:
        with np.load(path, allow_pickle=False) as z:
            if bytes(z["format"]).decode() != FORMAT:
                return None
            keys = [
                (str(k), str(i), str(h))
                for k, i, h in json.loads(bytes(z["keys"]).decode("utf-8", "surrogatepass"))
            ]
            row_ptr = z["row_ptr"]
            if len(row_ptr) != len(keys) + 1 or z["codes"].shape != (int(row_ptr[-1]), DIM):
                raise ValueError("embeddings and entries differ in size")
            model = EmbeddingModel.from_arrays(z) if "lr_coef" in z.files else None
            return SemanticIndex(keys, row_ptr, z["codes"], z["scales"], model)
    except FileNotFoundError:
        return None
    except (OSError, KeyError, ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        log.warning("re-encoding the suggestion embeddings: cannot read %s: %s", path, exc)
        return None


def is_sop_key(key: Key) -> bool:
    return key[0] == Kind.SOP.value
