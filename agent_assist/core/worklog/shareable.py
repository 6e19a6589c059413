"""What an event may carry when it leaves the workstation: the one allow-list.

The client builds every upload from :data:`FIELDS` only (:func:`restrict`, used by
``Event.to_shareable``) and the hub refuses any other field and scrubs the free text again on
arrival (``hub/models.py``, ``hub/ingest.py``), so what may leave is decided here, once, for
both sides.  A field added to :class:`~agent_assist.core.worklog.events.Event` stays on the
workstation until it is listed here.

The rule for text is the simplest safe one: every field a person can type into, or that a
knowledge pack's author wrote (step ids and choice labels of a session without a SOP are
typed by the agent), is scrubbed, always, on both sides.  Scrubbing a real SOP label or id
changes nothing, and the scrubber is idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent_assist.core.privacy import scrub

MACHINE: frozenset[str] = frozenset(
    {
        "id",  # the event's UUID
        "type",  # an EventType value
        "wall",  # when (ISO 8601)
        "mono",  # seconds on the run's monotonic clock
        "run_id",  # which process run (a random hex id)
        "agent_id",  # the name the hub knows the agent's token by
        "session_id",  # a random UUID per ticket session
        "ticket_hash",  # keyed pseudonym of the ticket id (core/privacy/tickets.py)
        "outcome",  # an Outcome value
        "sop_version",  # integer
        "rank",  # integer: which suggestion was chosen
        "counted_seconds",  # number: the part of a gap that was work
        "satisfaction",  # number 0-1: the ticketing tool's rating of a worked ticket
        "reopened",  # boolean: the ticketing tool says the ticket was reopened
    }
)
"""Values the app generates: ids, enums, numbers.  Never free text."""

FREE_TEXT: tuple[str, ...] = ("sop_id", "step_id", "macro_id", "choice", "reason", "query")
"""Values a person typed or a pack's author wrote: scrubbed by the client and by the hub."""

FIELDS: frozenset[str] = MACHINE | frozenset(FREE_TEXT)
"""Everything an uploaded event may carry; ``ticket`` and ``note`` are never among them."""


TYPE_FREE_TEXT: dict[str, frozenset[str]] = {"search_abandoned": frozenset({"query"})}
"""Event types that may carry fewer free-text fields than :data:`FREE_TEXT`: an abandoned
search is about the words searched, so nothing else typed (no SOP, step or reason) goes
with it, even from a faulty client."""


def restrict(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` (an event's JSON form) cut down to :data:`FIELDS` (fewer for the types in
    :data:`TYPE_FREE_TEXT`), free text scrubbed."""
    only = TYPE_FREE_TEXT.get(str(data.get("type", "")))
    out = {
        name: value
        for name, value in data.items()
        if name in MACHINE or (name in FIELDS and (only is None or name in only))
    }
    return scrub_free_text(out)


def scrub_free_text(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each free-text field that holds a string scrubbed (in place)."""
    for name in FREE_TEXT:
        value = data.get(name)
        if isinstance(value, str):
            data[name] = scrub(value)
    return data


def unknown(data: Mapping[str, Any]) -> list[str]:
    """The fields of ``data`` an uploaded event may not carry, sorted."""
    return sorted(name for name in data if name not in FIELDS)
