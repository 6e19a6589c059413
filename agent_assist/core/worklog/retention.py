"""Retention and data-subject rights (GDPR art. 15, 17) for the event log.

* Events are kept ``retention_days`` days (the setting of that name in ``core/settings/``:
  default 90, which IT may enforce) and purged whole sessions at a time: a session goes
  when its *newest* event is older than the cutoff, so a report never sees a ticket with
  its start cut off.
* :func:`export_agent` is everything stored about an agent, as JSON (access).
* :func:`erase_agent` deletes it and rewrites the file (erasure); with ``secure_delete`` on
  and a ``VACUUM``, nothing is left in free pages or the WAL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.worklog.events import EventLog

DEFAULT_RETENTION_DAYS = 90


def purge_expired(log: EventLog, now: dt.datetime, days: int = DEFAULT_RETENTION_DAYS) -> int:
    """Delete sessions (and free-standing events) older than ``days``; returns how many
    events went.  Cheap when there is nothing to purge, so it can run on every start."""
    if days < 1:
        raise AgentAssistError(f"retention must be at least 1 day, not {days}")
    cutoff = (now - dt.timedelta(days=days)).astimezone(dt.UTC).isoformat(timespec="microseconds")
    oldest = log.oldest_wall()
    if oldest is None or oldest >= cutoff:
        return 0
    return log.delete_where(
        "(session_id = '' AND wall < ?) OR session_id IN (SELECT session_id FROM events "
        "WHERE session_id != '' GROUP BY session_id HAVING max(wall) < ?)",
        (cutoff, cutoff),
        "purge old events",
    )


def export_agent(
    log: EventLog, agent_id: str, now: dt.datetime, days: int = DEFAULT_RETENTION_DAYS
) -> dict[str, Any]:
    """Everything the event log holds about ``agent_id``, ticket ids and notes included."""
    events = log.events(agent_id)
    return {
        "agent_id": agent_id,
        "exported_at": now.astimezone(dt.UTC).isoformat(),
        "event_log": str(log.path),
        "retention_days": days,
        "event_count": len(events),
        "events": [e.to_json() for e in events],
    }


def erase_agent(log: EventLog, agent_id: str) -> int:
    """Delete every event of ``agent_id`` and compact the file; returns how many went."""
    count = log.delete_where("agent_id = ?", (agent_id,), "erase events")
    log.vacuum()
    return count
