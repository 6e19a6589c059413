"""Suggest SOPs and macros for a customer's words: the one entry point of the ranking engine.

:class:`Suggester` owns a :class:`~agent_assist.core.search.ranking.index.RankIndex` built from the
knowledge cache and persisted next to it (``suggest-index.npz``, tagged with a fingerprint of
the items' content hashes, so a stale file is rebuilt, never trusted).  Building can take
seconds on large caches: :meth:`Suggester.refresh` does it and is safe to call off the GUI
thread; :meth:`Suggester.suggest` builds lazily on first use.  How ranking and confidence
work is in ``docs/suggestions.md``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.worklog.clock import Clock, SystemClock

if TYPE_CHECKING:  # the engine pulls in numpy/scipy: imported on first use, off the GUI thread
    from agent_assist.core.search.ranking.engine import Engine
    from agent_assist.core.search.semantic.stage import Progress, SemanticStage, TextEncoder

INDEX_NAME = "suggest-index.npz"
SEMANTIC_MIN_WORDS = 3
"""Queries shorter than this are ranked lexically even when the fused ranking is asked for:
one or two words carry no sentence for the encoder to read (its embedding of "refund" sits
nearest to short macro titles), while the lexical ranker matches them exactly."""


@dataclass(frozen=True)
class Suggestion:
    kind: Kind
    id: str
    title: str
    score: float
    """Calibrated probability in [0, 1] that this is the item the agent needs."""
    confident: bool
    raw: float = field(default=0.0, compare=False, repr=False)
    """The uncalibrated blend the score was computed from (for benchmarks and tuning)."""
    gap: float = field(default=0.0, compare=False, repr=False)
    """``raw`` minus the best other result's raw (the calibration's second feature)."""

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "id": self.id,
            "title": self.title,
            "score": round(self.score, 4),
            "confident": self.confident,
        }


class Suggester:
    """Rank the knowledge cache's items for a query.

    ``index_dir`` is where the index file lives (default: beside the cache); ``persist=False``
    keeps it in memory only.  ``clock`` (its wall time) drives the recency prior.
    ``model_dir`` holds the sentence encoder of the semantic stage (None: lexical only);
    ``encoder`` injects one in its place (benchmarks).
    """

    def __init__(
        self,
        store: Store,
        *,
        index_dir: Path | None = None,
        persist: bool = True,
        clock: Clock | None = None,
        model_dir: Path | None = None,
        encoder: TextEncoder | None = None,
    ) -> None:
        self.store = store
        self._path = (index_dir or store.path.parent) / INDEX_NAME if persist else None
        self._clock = clock or SystemClock()
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._model_dir, self._encoder = model_dir, encoder
        self._semantic: SemanticStage | None = None

    @property
    def engine(self) -> Engine | None:
        """The current ranking snapshot (None before the first refresh)."""
        return self._engine

    @property
    def semantic(self) -> SemanticStage:
        """The semantic stage (nothing is loaded until it is first used)."""
        if self._semantic is None:
            from agent_assist.core.search.semantic.stage import SemanticStage

            where = self._path.parent if self._path is not None else None
            self._semantic = SemanticStage(self._model_dir, where, self._encoder)
        return self._semantic

    def refresh_semantic(self, progress: Progress | None = None) -> bool:
        """Bring the embeddings up to date with the index (encoding only new and changed
        items; ``progress(done, total)`` per batch); False when there is no encoder.  Reads
        no database: safe on a thread of its own while searches go on."""
        if self._engine is None:
            self.refresh()
        engine = self._engine
        return engine is not None and self.semantic.ensure(engine.index, progress) is not None

    def semantic_ready(self) -> bool:
        """Whether a fused query would be answered now without building anything."""
        engine = self._engine
        return engine is not None and self.semantic.ready_for(engine.index) is not None

    def refresh(self) -> None:
        """Bring the index up to date with the cache: load the saved one if its fingerprint
        matches, else update the previous index (or build one) and save it.  Call after an
        import, off the GUI thread."""
        from agent_assist.core.search.ranking import engine

        with self._lock:
            self._engine = engine.refreshed(
                self._engine, self.store, self._path, self._clock.now().wall
            )

    def suggest(
        self,
        query: str,
        *,
        limit: int = 10,
        kind: Kind | None = None,
        locale: str | None = None,
        tags: Iterable[str] = (),
        semantic: bool = False,
    ) -> list[Suggestion]:
        """Best items first.  ``locale`` 'en' also matches 'en-GB'; ``tags`` keeps items with
        any of them.  A query still being typed (no trailing space) has its last word
        treated as a prefix.  ``semantic``: the fused ranking (lexical + sentence encoder),
        building the embeddings first if needed; the lexical one when there is no encoder or
        the query has fewer than :data:`SEMANTIC_MIN_WORDS` words."""
        if self._engine is None:
            self.refresh()
        if self._engine is None or limit <= 0:
            return []
        if semantic and _long_enough(query) and self.refresh_semantic():
            from agent_assist.core.search.semantic.query import fused

            return [
                Suggestion(*row)
                for row in fused(self._engine, self.semantic, query, limit, kind, locale, tags)
            ]
        return [
            Suggestion(kind_, item_id, title, p, confident, raw, gap)
            for kind_, item_id, title, p, confident, raw, gap in self._engine.rank(
                query, limit=limit, kind=kind, locale=locale, tags=tags
            )
        ]

    def record_choice(self, query: str, kind: Kind, item_id: str) -> None:
        """The agent opened/ran/used ``item_id`` after ``query``: remember it (scrubbed of
        personal data) so similar queries rank it higher, starting with the next one."""
        from agent_assist.core.privacy import scrub
        from agent_assist.core.search.ranking.text import words

        cleaned = " ".join(words(scrub(query)))
        if not cleaned:
            return
        self.store.record_feedback(cleaned, kind, item_id)
        if self._engine is not None:
            self._engine.remember(cleaned, kind, item_id)


def _long_enough(query: str) -> bool:
    """Whether ``query`` has :data:`SEMANTIC_MIN_WORDS` words (NumPy is not imported before
    the index is: the tokenizer lives beside it)."""
    from agent_assist.core.search.ranking.text import words

    return len(words(query)) >= SEMANTIC_MIN_WORDS
