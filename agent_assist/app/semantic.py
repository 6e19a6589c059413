"""The second search stage: suggestions that understand meaning, after the agent pauses.

The keystroke stage (:meth:`Search.rows`) stays lexical and fast; this stage asks the
suggester for the fused ranking (lexical + on-device sentence encoder) of the same query.
It answers only once the embeddings of the current index are ready - building them is a
separate background job (:meth:`SemanticSearch.prepare`, which reads no database and so may
run beside searches) - so a pause never waits for an encoding pass.  Without the encoder
model the stage is simply never ready and the agent keeps the lexical list.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.models import Kind
from agent_assist.resources import resource

if TYPE_CHECKING:
    from agent_assist.app.search import ResultRow, Search

ENCODER = ("models", "minilm-l6-v2")


def encoder_dir() -> Path:
    """Where the bundled sentence encoder lives (checked, not trusted: see the encoder)."""
    return resource(*ENCODER)


class BuildCancelledError(AgentAssistError):
    """The embeddings build was stopped (the app is quitting); the next start resumes it."""


class SemanticSearch:
    def __init__(self, search: Search) -> None:
        self._search = search
        self.cancelled = threading.Event()
        """Set it to stop a build in progress within one batch of encoding."""

    def prepare(self, progress: Callable[[int, int], None] | None = None) -> bool:
        """Bring the embeddings up to date (only new and changed items are encoded); False
        when there is no encoder or no index yet.  Call after :meth:`Search.prepare`, off the
        GUI thread; it may run beside searches, never touching the database."""
        suggester = self._search.suggester

        def step(done: int, total: int) -> None:
            if self.cancelled.is_set():
                raise BuildCancelledError("the suggestion embeddings build was stopped")
            if progress is not None:
                progress(done, total)

        return suggester.engine is not None and suggester.refresh_semantic(step)

    def ready(self) -> bool:
        return self._search.suggester.semantic_ready()

    def rows(self, query: str, kind: Kind | None = None) -> list[ResultRow] | None:
        """The fused rows for ``query``, or None when the stage cannot answer yet (the
        lexical rows already shown stand)."""
        if not query.strip() or not self.ready():
            return None
        return self._search.rows(query, kind=kind, semantic=True)
