"""Low-confidence searches that end with no SOP opened: the gaps nobody reported.

Agents press "Report gap" for a fraction of the searches that find nothing; the rest leave no
trace, yet they are the clearest sign of a missing SOP.  :class:`SearchTrail` follows one
search at a time, from its first words to its end, and says when one ended *abandoned*:

* **low confidence** is the suggester's own signal: no suggestion of the last answer shown
  was ``confident`` (the calibrated threshold of ``docs/suggestions.md``; an empty answer is
  low too);
* a search **ends** when the agent clears the field, when the ticket ends, or when the app
  closes; starting to type again after a SOP was opened begins a new search;
* it is **abandoned** when, by its end, no SOP was opened from it (Enter or a started
  checklist) and no gap was reported for it (that report already says it all).

Only the last query of a search is logged, once: it is the agent's best wording of the need.
The trail is plain state with no clock and no I/O, so the window updates it on the GUI thread
at no cost per keystroke; the caller logs what :meth:`SearchTrail.shown` or
:meth:`SearchTrail.end` returns through :meth:`~agent_assist.app.work.WorkLog.search_abandoned`
on the worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from agent_assist.core.knowledge.models import Kind


class Suggestion(Protocol):
    """What the trail reads of a suggestion (``app.search.ResultRow`` has it)."""

    @property
    def confident(self) -> bool: ...


class SearchTrail:
    """One search at a time; see the module docstring for what ends and abandons one."""

    def __init__(self) -> None:
        self._query = ""
        self._low = False
        self._settled = False

    def shown(self, query: str, rows: Sequence[Suggestion]) -> str | None:
        """The list now answers ``query`` with ``rows``.  Returns the query of a search that
        ended abandoned with this answer (the field was cleared), else ``None``."""
        text = " ".join(query.split())
        if not text:
            return self.end()
        if self._settled and text != self._query:
            self._settled = False  # new words after a SOP was opened: a new search
        self._query = text
        self._low = not any(r.confident for r in rows)
        return None

    def opened(self, kind: Kind) -> None:
        """The agent opened an item from the list; a SOP settles the search."""
        if kind is Kind.SOP and self._query:
            self._settled = True

    def reported(self) -> None:
        """The agent reported the gap: the report is the record, nothing more to log."""
        if self._query:
            self._settled = True

    def end(self) -> str | None:
        """The search ends (ticket ended, app closing); its query when it was abandoned."""
        abandoned = bool(self._query) and self._low and not self._settled
        query = self._query
        self._query, self._low, self._settled = "", False, False
        return query if abandoned else None
