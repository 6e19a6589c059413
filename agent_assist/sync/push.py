"""Push: the event outbox, acknowledgements and suggestion feedback, to the hub.

Events go in batches of at most 500 in the order they were logged, each in its shareable form
(:meth:`Event.to_shareable`: keyed ticket hash, no note, scrubbed text) with ``agent_id`` set
to the name the hub knows this token by.  An event is marked pushed only after the hub's 2xx,
so a failure or a kill at any point means the batch is sent again; the hub stores each event id
once, so a resend is harmless.  An event the hub refuses on its own (422) is logged and
marked, so one bad event cannot hold back all that follow it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from agent_assist.core.cache.store import Store
from agent_assist.core.privacy import TeamKey
from agent_assist.core.worklog.events import Event, EventLog
from agent_assist.sync.client import MAX_EVENTS_PER_BATCH, HubClient
from agent_assist.sync.errors import HubRejectedError

log = logging.getLogger(__name__)
MAX_BATCHES_PER_SYNC = 200
"""100,000 events per sync at most; the rest goes next time, keeping one sync bounded."""


@dataclass
class PushResult:
    events: int = 0
    """Events the hub now holds (newly accepted or already there)."""
    duplicates: int = 0
    rejected: int = 0
    acks: int = 0
    feedback: int = 0


def push_events(
    client: HubClient,
    log_: EventLog,
    agent_name: str,
    key: TeamKey,
    now: str,
    *,
    after_batch: Callable[[int], None] | None = None,
    before_mark: Callable[[int], None] | None = None,
    result: PushResult | None = None,
) -> PushResult:
    """Send the outbox, counting into ``result`` as batches go; ``before_mark(n)`` runs after
    batch ``n``'s 2xx and before it is marked, ``after_batch(n)`` after it is marked (hooks
    for tests)."""
    result = result if result is not None else PushResult()
    for n in range(1, MAX_BATCHES_PER_SYNC + 1):
        batch = log_.unpushed(MAX_EVENTS_PER_BATCH)
        if not batch:
            break
        _send(client, batch, agent_name, key, result)
        if before_mark is not None:
            before_mark(n)
        log_.mark_pushed([e.id for e in batch], now)
        if after_batch is not None:
            after_batch(n)
    return result


def _shareable(event: Event, agent_name: str, key: TeamKey) -> dict[str, object]:
    data = event.to_shareable(key)
    data["agent_id"] = agent_name  # the hub knows this agent by its token's name
    return data


def _send(
    client: HubClient, batch: list[Event], agent_name: str, key: TeamKey, result: PushResult
) -> None:
    try:
        reply = client.push_events([_shareable(e, agent_name, key) for e in batch])
    except HubRejectedError as exc:
        if exc.status not in (413, 422):
            raise
        if len(batch) == 1:
            log.warning(
                "the hub refused event %s (%s); it will not be sent again", batch[0].id, exc
            )
            result.rejected += 1
            return
        half = len(batch) // 2  # find the refused event(s) without losing the others
        _send(client, batch[:half], agent_name, key, result)
        _send(client, batch[half:], agent_name, key, result)
        return
    result.events += reply.accepted + reply.duplicates
    result.duplicates += reply.duplicates


def push_acks(client: HubClient, log_: EventLog, now: str) -> int:
    """Send each acknowledgement event once (``POST /v1/acks``); returns how many."""
    sent = 0
    for _ in range(MAX_BATCHES_PER_SYNC):
        acks = log_.unpushed(MAX_EVENTS_PER_BATCH, channel="acks")
        if not acks:
            break
        for event in acks:
            if event.sop_id and event.sop_version is not None:
                try:
                    client.ack(event.sop_id, event.sop_version)
                    sent += 1
                except HubRejectedError as exc:
                    if exc.status not in (404, 409, 422):
                        raise
                    log.warning(
                        "the hub refused the acknowledgement of %s v%s: %s",
                        event.sop_id,
                        event.sop_version,
                        exc,
                    )
            log_.mark_pushed([event.id], now, channel="acks")
    return sent


def push_feedback(client: HubClient, store: Store) -> int:
    """Share (scrubbed query -> chosen item) pairs not yet sent to this hub."""
    sent = 0
    for _ in range(MAX_BATCHES_PER_SYNC):
        pairs = store.unshared_feedback(client.base_url, limit=500)
        if not pairs:
            break
        client.feedback([{"query": q, "kind": k.value, "id": i} for q, k, i in pairs])
        store.mark_feedback_shared(client.base_url, pairs)
        sent += len(pairs)
    return sent


def pull_learned(client: HubClient, store: Store) -> int:
    """Fetch phrasings the team's choices taught the hub since the stored cursor."""
    since = store.hub_state(client.base_url).learned_cursor
    phrasings, cursor = client.learned(since)
    if phrasings or cursor != since:
        store.store_learned(
            client.base_url, [(p.seq, p.sop_id, p.text, p.count) for p in phrasings], cursor
        )
    return len(phrasings)
