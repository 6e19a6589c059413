"""The agent's acknowledgements, read once and then kept in memory.

Every search result shows whether its SOP still needs acknowledging, so the keystroke path
asks this on each keystroke.  The fact lives in the event log (``ack_given`` events, the record
leads' reports read too); it is read with one indexed query the first time, then updated here
as the agent acknowledges, so a keystroke never reads the log.  :meth:`AckBook.forget` drops the
copy when another process may have written (after a hub sync).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from agent_assist.core.worklog.acks import acknowledged

if TYPE_CHECKING:
    from agent_assist.app.context import AppContext


class AckBook:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._known: frozenset[tuple[str, int]] | None = None
        self._lock = threading.Lock()

    def acked(self) -> frozenset[tuple[str, int]]:
        """``(sop_id, version)`` pairs this agent has acknowledged."""
        with self._lock:
            if self._ctx.events_problem is not None:
                return frozenset()  # no event log this session: none known, none recordable
            if self._known is None:
                self._known = frozenset(acknowledged(self._ctx.events, self._ctx.agent_id))
            return self._known

    def add(self, sop_id: str, version: int) -> None:
        """Note an acknowledgement just written to the log."""
        with self._lock:
            if self._known is not None:
                self._known = self._known | {(sop_id, version)}

    def forget(self) -> None:
        """Read the log again on next use."""
        with self._lock:
            self._known = None
