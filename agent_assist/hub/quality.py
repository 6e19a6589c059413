"""Quality beside speed: what ticketing tools said about the tickets a SOP version handled.

Connectors log a ``ticket_quality`` event per worked ticket (``satisfaction`` 0-1 from the
customer's rating, ``reopened`` when the tool says the ticket came back), keyed by the same
keyed ``ticket_hash`` as the agent's session on that ticket.  A ticket's signals are folded
into one: the latest satisfaction given, and reopened if the tool ever said so (a reopened
ticket stays a failure of the first answer, whatever follows).  A version's quality counts
each ticket once, so two sessions on one ticket do not double its weight.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from agent_assist.hub.db import Database

QUALITY_TYPE = "ticket_quality"


@dataclass(frozen=True)
class TicketQuality:
    satisfaction: float | None = None
    reopened: bool | None = None


def _fold(old: TicketQuality | None, body: dict[str, Any]) -> TicketQuality:
    satisfaction = body.get("satisfaction")
    reopened = body.get("reopened")
    old = old or TicketQuality()
    if isinstance(satisfaction, int | float) and not isinstance(satisfaction, bool):
        old = TicketQuality(float(satisfaction), old.reopened)
    if isinstance(reopened, bool) and not old.reopened:
        old = TicketQuality(old.satisfaction, reopened)
    return old


def ticket_quality(db: Database) -> dict[str, TicketQuality]:
    """Every ticket's folded quality signals, by ticket hash."""
    with db.read() as tx:
        rows = tx.execute(
            "SELECT body FROM events WHERE type = ? ORDER BY wall", (QUALITY_TYPE,)
        ).fetchall()
    return fold_signals(json.loads(body) for (body,) in rows)


def fold_signals(bodies: Iterable[dict[str, Any]]) -> dict[str, TicketQuality]:
    """``ticket_quality`` event bodies, oldest first, folded per ticket hash."""
    out: dict[str, TicketQuality] = {}
    for data in bodies:
        ticket = data.get("ticket_hash") or ""
        if ticket:
            out[ticket] = _fold(out.get(ticket), data)
    return out


def summarize(signals: Iterable[TicketQuality]) -> dict[str, Any]:
    """Reopen rate and mean satisfaction of ``signals`` (one per ticket), with their counts;
    rates are ``None`` without data, never a misleading 0."""
    items = list(signals)
    reopen_known = [q.reopened for q in items if q.reopened is not None]
    satisfaction = [q.satisfaction for q in items if q.satisfaction is not None]
    return {
        "n": len(items),
        "reopened_n": sum(reopen_known),
        "reopen_known": len(reopen_known),
        "reopen_rate": round(sum(reopen_known) / len(reopen_known), 4) if reopen_known else None,
        "satisfaction_n": len(satisfaction),
        "satisfaction_mean": (
            round(sum(satisfaction) / len(satisfaction), 4) if satisfaction else None
        ),
    }
