"""A small team's few weeks of work, for the console's browser tests, screenshots and benchmark.

Two SOPs are published through the real client (``HubClient.publish``): ``card-refund`` in two
versions (v2 words its steps differently, adds one and asks for acknowledgement) and
``password-reset`` in one.  Sessions are built as the desktop app records them (ticket started,
SOP opened, each step entered and completed, skipped or branched, ticket ended) and pushed with
``HubClient.push_events``; some tickets get a ``ticket_quality`` event as a connector would
send, and a few sessions ran on a card-refund version this hub never published.  Everything is
drawn from a seeded RNG, relative to "now", so the last 30 days always hold every session.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from agent_assist.core.privacy import TeamKey
from agent_assist.core.worklog.clock import Instant
from agent_assist.core.worklog.events import Event, EventType, Outcome

AGENTS = ("agent-bob", "agent-cara", "agent-dan", "agent-eve")
KEY = TeamKey("seed", b"browser-seed-secret".ljust(32, b"-"))

PACK = "name: console-test\nversion: '1'\nlocale: en\npublisher: Console tests\n"
REFUND_V1 = """---
id: card-refund
title: Card refund request
summary: A customer asks for their card payment back.
phrasings: [refund my card payment]
steps:
  - id: check
    text: Find the payment in the billing tool
  - id: decide
    text: Is the payment within 30 days?
    choices:
      - {label: Within 30 days, next: send}
      - {label: Older, next: send}
  - id: send
    text: Send the refund outcome macro
---
Refunds within 30 days are granted.
"""
REFUND_V2 = """---
id: card-refund
title: Card refund request
summary: A customer asks for their card payment back.
phrasings: [refund my card payment]
requires_ack: true
steps:
  - id: verify
    text: Verify the customer's identity
  - id: check
    text: Find the payment in the billing tool (search by the last four digits)
  - id: decide
    text: Is the payment within 30 days?
    choices:
      - {label: Within 30 days, next: send}
      - {label: Older, next: send}
  - id: send
    text: Send the refund outcome macro
---
Refunds within 30 days are granted; verify identity first.
"""
RESET_V1 = """---
id: password-reset
title: Password reset
summary: The customer cannot sign in.
phrasings: [forgot my password]
steps:
  - id: email
    text: Confirm the account's email address
  - id: link
    text: Send the reset link
---
Send a reset link to the confirmed address.
"""


@dataclass(frozen=True)
class Plan:
    """What to simulate: sessions per (SOP, version) and their typical handle time."""

    sop_id: str
    version: int
    sessions: int
    seconds: float
    steps: tuple[str, ...]


PLANS = (
    Plan("card-refund", 1, 34, 600.0, ("check", "decide", "send")),
    Plan("card-refund", 2, 36, 430.0, ("verify", "check", "decide", "send")),
    Plan("password-reset", 1, 9, 180.0, ("email", "link")),
    Plan("card-refund", 9, 3, 500.0, ("check", "send")),  # a local version, never published
)
DAYS = 21


def pack_payload(files: dict[str, str], note: str) -> dict[str, Any]:
    return {
        "pack": {
            "name": "console-test",
            "version": "1",
            "locale": "en",
            "publisher": "Console tests",
            "pack_yaml": PACK,
        },
        "files": [{"path": p, "text": t} for p, t in files.items()],
        "note": note,
        "prune": False,
    }


PUBLISHES = (
    (
        {"sops/card-refund.md": REFUND_V1, "sops/password-reset.md": RESET_V1},
        "First version of the refund and reset SOPs",
    ),
    ({"sops/card-refund.md": REFUND_V2}, "Verify identity first; search by last four digits"),
)


def session(
    rng: random.Random, plan: Plan, agent: str, end: dt.datetime
) -> tuple[list[dict[str, Any]], str]:
    """The shareable events of one ended ticket (and its ticket id, for quality events)."""
    total = max(30.0, rng.lognormvariate(0, 0.25) * plan.seconds)
    start = end - dt.timedelta(seconds=total)
    run, sid, ticket = uuid.uuid4().hex, uuid.uuid4().hex, f"T-{uuid.uuid4().hex[:10]}"

    def at(offset: float) -> Instant:
        return Instant(start + dt.timedelta(seconds=offset), offset, run)

    common: dict[str, Any] = {"agent_id": agent, "ticket": ticket, "session_id": sid}
    sop: dict[str, Any] = {"sop_id": plan.sop_id, "sop_version": plan.version}
    events = [
        Event(EventType.TICKET_STARTED, at(0), **common),
        Event(EventType.SOP_OPENED, at(1), **sop, **common),
    ]
    share = (total - 2) / len(plan.steps)
    for i, step in enumerate(plan.steps):
        t0 = 1 + i * share
        events.append(Event(EventType.STEP_ENTERED, at(t0), step_id=step, **sop, **common))
        done = at(t0 + share * rng.uniform(0.7, 1.0))
        if step == "decide":
            choice = "Within 30 days" if rng.random() < 0.7 else "Older"
            events.append(
                Event(EventType.CHOICE_TAKEN, done, step_id=step, choice=choice, **sop, **common)
            )
        elif step == "verify" and rng.random() < 0.15:
            events.append(Event(EventType.STEP_SKIPPED, done, step_id=step, **sop, **common))
        else:
            events.append(Event(EventType.STEP_COMPLETED, done, step_id=step, **sop, **common))
    outcome = rng.choices(list(Outcome), weights=(80, 10, 6, 4))[0]
    events.append(Event(EventType.TICKET_ENDED, at(total), outcome=outcome, **common))
    return [e.to_shareable(KEY) for e in events], ticket


def quality(rng: random.Random, ticket: str, version: int, when: dt.datetime) -> dict[str, Any]:
    """What a connector reports about a ticket: v2 is faster but a little less liked."""
    run = uuid.uuid4().hex
    event = Event(
        EventType.TICKET_QUALITY,
        Instant(when, 0.0, run),
        "agent-bob",
        ticket=ticket,
        session_id=uuid.uuid4().hex,
        satisfaction=round(rng.uniform(0.6, 1.0) - (0.08 if version == 2 else 0), 2),
        reopened=rng.random() < (0.15 if version == 2 else 0.08),
    )
    return event.to_shareable(KEY)


def team_events(now: dt.datetime, scale: int = 1, seed: int = 14) -> Iterator[dict[str, Any]]:
    """Every event of the simulated team, ``scale`` times the sessions of :data:`PLANS`."""
    rng = random.Random(seed)
    for plan in PLANS:
        for n in range(plan.sessions * scale):
            agent = AGENTS[n % len(AGENTS)]
            # v2 was published halfway through; everything else ran across the whole period
            days_ago = rng.uniform(0.05, DAYS / 2 if plan.version == 2 else DAYS)
            end = now - dt.timedelta(days=days_ago)
            events, ticket = session(rng, plan, agent, end)
            yield from events
            if plan.sop_id == "card-refund" and plan.version in (1, 2) and rng.random() < 0.6:
                yield quality(rng, ticket, plan.version, end + dt.timedelta(hours=2))


def seed_hub(
    url: str, lead_token: str, agent_tokens: dict[str, str], scale: int = 1
) -> dict[str, Any]:
    """Publish, push and acknowledge through the real client; returns what was sent."""
    from agent_assist.sync.client import HubClient, make_http

    now = dt.datetime.now(dt.UTC)
    with HubClient(make_http(url), lead_token) as lead:
        for files, note in PUBLISHES:
            lead.publish(pack_payload(files, note))
        events = list(team_events(now, scale))
        for start in range(0, len(events), 500):
            lead.push_events(events[start : start + 500])
    acked = sorted(agent_tokens)[:2]  # two of the agents acknowledge card-refund v2
    for name in acked:
        with HubClient(make_http(url), agent_tokens[name]) as agent:
            agent.ack("card-refund", 2)
    return {"events": len(events), "acknowledged": acked, "now": now}
