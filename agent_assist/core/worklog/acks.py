"""Acknowledgements: SOPs marked ``requires_ack`` must be acknowledged, per version, before
the agent runs their checklist.  The record is the ``ack_given`` event in the local event log
(written by :meth:`~agent_assist.core.worklog.sessions.SessionService.acknowledge`), so a lead's
report and this gate read the same fact.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from agent_assist.core.knowledge.models import Item, Sop
from agent_assist.core.worklog.events import EventLog, EventType


def acknowledged(log: EventLog, agent_id: str) -> set[tuple[str, int]]:
    """``(sop_id, version)`` pairs this agent has acknowledged."""
    return {
        (e.sop_id, e.sop_version)
        for e in log.events_of_type(agent_id, EventType.ACK_GIVEN)
        if e.sop_id and e.sop_version is not None
    }


def needs_ack(item: Item, acked: AbstractSet[tuple[str, int]]) -> bool:
    """Whether the current version of ``item`` must be acknowledged before its next run."""
    content = item.content
    return (
        isinstance(content, Sop) and content.requires_ack and (item.id, item.version) not in acked
    )
