"""The in-memory ranking index built from the knowledge cache's current items.

One build reads every current item once and produces everything a query needs: the BM25F
lexicon, TF-IDF vectors of every phrasing (titles and summaries count as phrasings), one
centroid per item, and - for catalogues small enough - the linear phrasing classifier.
Rows of each item are contiguous (``row_ptr``), so per-item reductions are slices.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from agent_assist.core.cache.store import SearchFields
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.search.ranking import vectors
from agent_assist.core.search.ranking.classifier import MAX_CLASSES, MAX_ROWS, PhrasingModel
from agent_assist.core.search.ranking.csr import Csr, DenseQuery, spans, vstack
from agent_assist.core.search.ranking.lexical import MAX_BODY_CHARS, Lexicon
from agent_assist.core.search.ranking.text import Featurizer, words

ENGINE_VERSION = "ranking-3"
"""Bump when features or scoring change: persisted indexes of older versions are rebuilt."""
REBUILD_SHARE = 0.2


@dataclass(frozen=True)
class Entry:
    kind: Kind
    id: str
    title: str
    locale: str
    tags: frozenset[str]
    macros: tuple[str, ...] = ()

    def to_json(self) -> list[object]:
        return [
            self.kind.value,
            self.id,
            self.title,
            self.locale,
            sorted(self.tags),
            list(self.macros),
        ]

    @classmethod
    def from_json(cls, row: list[object]) -> Entry:
        kind, id_, title, locale, tags, macros = row
        assert isinstance(tags, list) and isinstance(macros, list)
        return cls(
            Kind(str(kind)),
            str(id_),
            str(title),
            str(locale),
            frozenset(str(t) for t in tags),
            tuple(str(m) for m in macros),
        )


def fingerprint(rows: Iterable[tuple[str, str, str]]) -> str:
    """Content fingerprint of the current items ``(kind, id, content_hash)``."""
    h = hashlib.sha256(ENGINE_VERSION.encode())
    for kind, item_id, content_hash in sorted(rows):
        h.update(f"{kind}\0{item_id}\0{content_hash}\n".encode())
    return h.hexdigest()


def _summary(f: SearchFields) -> str:
    """A macro has no summary: its reply's first line stands in, as in result lists."""
    if f.kind is Kind.SOP or f.summary:
        return f.summary
    return next((line.strip() for line in f.body.splitlines() if line.strip()), "")


def _phrasings(f: SearchFields) -> list[str]:
    texts = [f.title, _summary(f), *f.phrasings]
    return [t for t in texts if t.strip()] or [f.title]


def _fields(f: SearchFields) -> dict[str, list[str]]:
    return {
        "title": words(f.title),
        "summary": words(_summary(f)),
        "phrasings": words(" ".join(f.phrasings)),
        "tags": words(" ".join(f.tags)),
        "body": words(f.body[:MAX_BODY_CHARS]),
    }


@dataclass
class _Part:
    """Entries and phrasing rows of some items, before vectorising."""

    entries: list[Entry]
    hashes: list[str]
    toks: list[list[str]]
    texts: list[str]
    row_ptr: npt.NDArray[np.int64]

    @classmethod
    def collect(cls, items: Iterable[SearchFields]) -> _Part:
        entries, hashes, toks, texts, ptr = [], [], [], [], [0]
        for f in items:
            entries.append(Entry(f.kind, f.item_id, f.title, f.locale, frozenset(f.tags), f.macros))
            hashes.append(f.content_hash)
            for text in _phrasings(f):
                t = words(text)
                toks.append(t)
                texts.append(" ".join(t))
            ptr.append(len(toks))
        return cls(entries, hashes, toks, texts, np.array(ptr, np.int64))

    def vectors(self, featurizer: Featurizer, idf: vectors.FloatArray) -> tuple[Csr, Csr]:
        """Word-level phrasing rows and full-feature centroids."""
        return (
            vectors.transform(featurizer, self.toks, idf, chars=False),
            vectors.centroids(featurizer, self.toks, self.row_ptr, idf),
        )


@dataclass
class RankIndex:
    fingerprint: str
    entries: list[Entry]
    hashes: list[str]
    """Content hash of each entry's item: unchanged items are reused by :meth:`update`."""
    lexicon: Lexicon
    idf: vectors.FloatArray
    rows: Csr
    """Word-level TF-IDF of every phrasing (character grams would cost ~10x the memory)."""
    row_owner: npt.NDArray[np.int32]
    row_ptr: npt.NDArray[np.int64]
    row_text: list[str]
    centroids: Csr
    model: PhrasingModel | None
    featurizer: Featurizer = field(default_factory=Featurizer)

    def __post_init__(self) -> None:
        self._inverted: Csr | None = None
        self._rows_inverted: Csr | None = None
        self.by_key = {(e.kind, e.id): n for n, e in enumerate(self.entries)}
        self.is_sop = np.array([e.kind is Kind.SOP for e in self.entries], bool)
        self.class_of = np.full(len(self.entries), -1, np.int64)
        """Each entry's class in the phrasing model, -1 for none."""
        if self.model is not None:
            self.class_of[self.model.labels] = np.arange(len(self.model.labels))
        self._rows_dot = DenseQuery(self.rows)
        self._centroids_dot = DenseQuery(self.centroids)

    @classmethod
    def build(cls, items: Callable[[], Iterable[SearchFields]], fp: str) -> RankIndex:
        """Build from ``items()``, which is called twice (two streaming passes)."""
        featurizer = Featurizer()
        part = _Part.collect(items())
        idf = vectors.fit_idf(featurizer, part.toks)
        rows, cents = part.vectors(featurizer, idf)
        part.toks.clear()  # the largest transient; the lexicon pass comes next
        return cls._finish(
            fp,
            items,
            part.entries,
            part.hashes,
            featurizer,
            idf,
            rows,
            part.row_ptr,
            part.texts,
            cents,
        )

    @classmethod
    def update(
        cls, previous: RankIndex, items: Callable[[], Iterable[SearchFields]], fp: str
    ) -> RankIndex:
        """Like :meth:`build`, but items whose content hash is unchanged keep their vectors
        from ``previous``, so importing a few changed SOPs into a large cache costs little.
        IDF stays that of the last full build (new features get their IDF from the new
        items); when more than REBUILD_SHARE of the items changed, it is a full build."""
        reuse: list[int] = []
        fresh: list[SearchFields] = []
        for f in items():
            n = previous.by_key.get((f.kind, f.item_id))
            if n is not None and previous.hashes[n] == f.content_hash:
                reuse.append(n)
            else:
                fresh.append(f)
        if not reuse or len(fresh) > REBUILD_SHARE * (len(reuse) + len(fresh)):
            return cls.build(items, fp)
        featurizer = previous.featurizer
        part = _Part.collect(fresh)
        idf = previous.idf
        if part.toks:
            fresh_idf = vectors.idf_of(
                vectors.document_frequencies(featurizer, part.toks),
                len(previous.row_text) + len(part.toks),
            )
            idf = np.where(idf == 0, fresh_idf, idf).astype(np.float32)
        keep = np.array(reuse, np.int64)
        old_rows, _, lengths = spans(previous.row_ptr, keep)
        new_rows, new_cents = part.vectors(featurizer, idf)
        part.toks.clear()
        row_ptr = np.concatenate(
            [[0], np.cumsum(np.concatenate([lengths, np.diff(part.row_ptr)]))]
        ).astype(np.int64)
        return cls._finish(
            fp,
            items,
            [previous.entries[n] for n in reuse] + part.entries,
            [previous.hashes[n] for n in reuse] + part.hashes,
            featurizer,
            idf,
            vstack([previous.rows.take_rows(old_rows), new_rows]),
            row_ptr,
            [previous.row_text[r] for r in old_rows] + part.texts,
            vstack([previous.centroids.take_rows(keep), new_cents]),
        )

    @classmethod
    def _finish(
        cls,
        fp: str,
        items: Callable[[], Iterable[SearchFields]],
        entries: list[Entry],
        hashes: list[str],
        featurizer: Featurizer,
        idf: vectors.FloatArray,
        rows: Csr,
        row_ptr: npt.NDArray[np.int64],
        texts: list[str],
        cents: Csr,
    ) -> RankIndex:
        """Train the classifier (small catalogues) and the lexicon; assemble."""
        row_owner = np.repeat(np.arange(len(entries), dtype=np.int32), np.diff(row_ptr))
        is_sop = np.array([e.kind is Kind.SOP for e in entries], bool)
        sop_rows = np.flatnonzero(is_sop[row_owner])
        model = None
        if 2 <= int(is_sop.sum()) <= MAX_CLASSES and len(sop_rows) <= MAX_ROWS:
            full = vectors.transform(featurizer, [texts[r].split(" ") for r in sop_rows], idf)
            model = PhrasingModel.train(full, row_owner[sop_rows])
        lexicon = Lexicon.build(_fields(f) for f in items())
        return cls(
            fp,
            entries,
            hashes,
            lexicon,
            idf,
            rows,
            row_owner,
            row_ptr,
            texts,
            cents,
            model,
            featurizer,
        )

    def vector(
        self, tokens: list[str], *, chars: bool = True
    ) -> tuple[vectors.IntArray, vectors.FloatArray]:
        """The query's TF-IDF vector: with character grams for centroids, the classifier and
        feedback; words only for phrasing similarity (``rows``)."""
        return vectors.query_vector(self.featurizer, tokens, self.idf, chars=chars)

    def centroid_scores(
        self, cand: npt.NDArray[np.int64], ids: vectors.IntArray, vals: vectors.FloatArray
    ) -> npt.NDArray[np.float64]:
        """Cosine of the query with each candidate's centroid.  Scanning every item goes
        through the transposed (inverted) matrix, touching only the query's features."""
        if len(cand) < len(self.entries):
            return self.dot(self.centroids, cand, ids, vals)
        if self._inverted is None:
            self._inverted = self.centroids.transposed()
        return self._inverted.weighted_rows_sum(ids, vals)

    def dot(
        self,
        m: Csr,
        rows: npt.NDArray[np.int64],
        ids: vectors.IntArray,
        vals: vectors.FloatArray,
    ) -> npt.NDArray[np.float64]:
        """``m[rows] @ v`` for a sparse query vector ``(ids, vals)``, in plain NumPy
        (:class:`~agent_assist.core.search.ranking.csr.DenseQuery`, prepared for both of the
        index's matrices when it is loaded)."""
        if m is self.rows:
            return self._rows_dot.rows_dot(rows, ids, vals)
        if m is self.centroids:
            return self._centroids_dot.rows_dot(rows, ids, vals)
        return DenseQuery(m).rows_dot(rows, ids, vals)

    def phrasing_scores(
        self, ids: vectors.IntArray, vals: vectors.FloatArray
    ) -> npt.NDArray[np.float64]:
        """Cosine of a word-level query vector with every phrasing row (full scans only)."""
        if self._rows_inverted is None:
            self._rows_inverted = self.rows.transposed()
        return self._rows_inverted.weighted_rows_sum(ids, vals)
