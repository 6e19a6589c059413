"""The semantic stage's state: the encoder, the embeddings of the current index, their file.

Owned by :class:`~agent_assist.core.search.suggester.Suggester`.  Everything is lazy: the
encoder is opened, and the embeddings loaded or built, on the first :meth:`SemanticStage.ensure`
(the app calls it on a background thread after the lexical index is ready; the CLI on its
first fused query).  Without a model - missing, damaged, or a runtime that fails to load - the
stage says why in :attr:`problem` and the suggester ranks lexically, in the same shape.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from agent_assist.core.search.ranking.index import RankIndex
from agent_assist.core.search.semantic import index as embeddings
from agent_assist.core.search.semantic.index import SemanticIndex

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


class TextEncoder(Protocol):
    def encode(
        self, texts: list[str], progress: Callable[[int], None] | None = None
    ) -> npt.NDArray[np.float32]: ...

    def knows(self, word: str) -> bool: ...


class SemanticStage:
    """``model_dir`` holds the encoder (None: no semantic stage); ``encoder`` injects one
    (benchmarks cache embeddings of their data sets that way); ``index_dir`` is where the
    embeddings file goes (None: memory only)."""

    def __init__(
        self,
        model_dir: Path | None,
        index_dir: Path | None,
        encoder: TextEncoder | None = None,
    ) -> None:
        self._model_dir = model_dir
        self._path = index_dir / embeddings.FILE_NAME if index_dir else None
        self._encoder = encoder
        self._tried = encoder is not None
        self.problem: str | None = None if (encoder or model_dir) else "no encoder model configured"
        self.index: SemanticIndex | None = None
        self._lock = threading.Lock()

    def encoder(self) -> TextEncoder | None:
        if not self._tried:
            self._tried = True
            from agent_assist.core.search.semantic.encoder import Encoder, EncoderError

            try:
                assert self._model_dir is not None
                self._encoder = Encoder(self._model_dir)
            except EncoderError as exc:
                self.problem = str(exc)
                log.warning("suggestions without the semantic stage: %s", exc)
        return self._encoder

    def ready_for(self, rank: RankIndex) -> SemanticIndex | None:
        """The embeddings if they are those of ``rank`` (never waits for a build)."""
        sem = self.index
        return sem if sem is not None and sem.matches(rank) else None

    def ensure(self, rank: RankIndex, progress: Progress | None = None) -> SemanticIndex | None:
        """Embeddings of ``rank``: current ones, the saved file's, or built (only changed
        items encoded) and saved.  None without an encoder."""
        with self._lock:
            current = self.ready_for(rank)
            if current is not None:
                return current
            enc = self.encoder()
            if enc is None:
                return None
            previous = self.index or (embeddings.load(self._path) if self._path else None)
            if previous is not None and previous.matches(rank):
                self.index = previous
                return previous
            sem = embeddings.build(rank, enc, previous, progress)  # type: ignore[arg-type]
            if self._path is not None:
                try:
                    embeddings.save(sem, self._path)
                except OSError as exc:  # costs the next start an encoding pass, nothing more
                    log.warning("cannot save the suggestion embeddings to %s: %s", self._path, exc)
            self.index = sem
            return sem

    def knows(self, word: str) -> bool:
        enc = self.encoder()
        return enc is None or enc.knows(word)

    def embed_query(self, text: str) -> npt.NDArray[np.float32] | None:
        """The query's embedding (ONNX Runtime sessions may run from several threads, so a
        query need not wait for a build in progress)."""
        enc = self.encoder()
        return None if enc is None else enc.encode([text])[0]
