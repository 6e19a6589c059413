"""Weeks of simulated team work for ``agent-assist-hub demo``: the events six agents' desktops
would have uploaded, built with the client's own event model (``Event.to_shareable``).

Everything comes from one seeded ``random.Random`` and a fixed "now" (the day the demo
starts, at midnight UTC), so one day's demo is the same every time it is started.  The story
it tells:

* a few sessions on the bundled demo's own version 1 of ``coin-refund``, uploaded before the
  lead published anything (they must show apart, never as hub version 1);
* four weeks on version 1 of every SOP, then two weeks in which five SOPs run a version 2:
  ``coin-refund``, ``hacked-account`` and ``duplicate-charge`` are faster, ``locked-account``
  is slower, ``forgot-password`` is about the same; ``duplicate-charge`` v2 is faster but
  leaves customers less satisfied and reopens more tickets (quality beside speed);
* ``ticket_quality`` signals (satisfaction, reopened) for most tickets, a day after them;
* agents' "nothing fits" reports and abandoned low-confidence searches on topics the pack
  does not cover (the gaps inbox).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from agent_assist.core.knowledge.models import Sop, Step
from agent_assist.core.privacy import TeamKey
from agent_assist.core.worklog.clock import Instant
from agent_assist.core.worklog.events import Event, EventType, Outcome

SEED = 20261202
AGENTS = ("demo-ana", "demo-ben", "demo-chloe", "demo-dev", "demo-eli", "demo-fay")
TWO_VERSIONS: dict[str, float] = {
    "coin-refund": 0.72,
    "hacked-account": 0.85,
    "duplicate-charge": 0.78,
    "locked-account": 1.2,
    "forgot-password": 1.0,
}
"""SOPs that get a version 2, and how long its steps take relative to version 1."""
ONE_VERSION = ("delete-account", "shop-order-not-delivered", "payout-missing", "phishing-report")
V2_EDIT = " Note the account or order ID in the ticket before you go on."
"""Appended to the first step's text of each SOP's version 2 (its checklist changes)."""
WEEKS_V1, WEEKS_V2 = 4, 2
GAP_QUERIES = (
    ("how do i change my username", "username change not allowed", "can't edit my handle"),
    ("merge two accounts into one", "combine my old and new account"),
    ("live stream keeps buffering", "my live is lagging for viewers", "stream freezes on live"),
    ("promo code does not work", "discount code invalid at checkout"),
)


@dataclass
class Seeded:
    """What to upload, in order: ``early`` before the first publish, the rest after."""

    early: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    acks: list[tuple[str, str, int]] = field(default_factory=list)
    """``(agent, sop_id, version)`` acknowledgements."""


def v2_text(text: str) -> str:
    """Version 2 of a SOP file: the first step's text (a plain one-line scalar) extended."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("    text: ") and not line.rstrip().endswith(("'", '"')):
            lines[i] = line.rstrip() + V2_EDIT
            return "\n".join(lines)
    raise ValueError("no plain first step text to edit")


def _step_seconds(rng: random.Random, step: Step, factor: float) -> float:
    base = 20.0 if step.is_decision else 45.0 + zlib.crc32(step.id.encode()) % 90
    return max(3.0, rng.lognormvariate(0, 0.45) * base * factor)


def _walk(rng: random.Random, sop: Sop) -> Iterator[tuple[Step, str | None, str | None]]:
    """The steps an agent goes through: ``(step, choice label, skip reason)``."""
    index = {s.id: i for i, s in enumerate(sop.steps)}
    i: int | None = 0
    for _ in range(30):
        if i is None or i >= len(sop.steps):
            return
        step = sop.steps[i]
        if step.choices:
            weights = [0.6 / n if n else 0.6 for n in range(len(step.choices))]
            choice = rng.choices(step.choices, weights=weights)[0]
            yield step, choice.label, None
            i = None if choice.next == "end" else index.get(choice.next)
        elif not step.required and rng.random() < 0.4:
            yield step, None, "not needed for this customer"
            i += 1
        else:
            yield step, None, None
            i += 1


class _Sim:
    def __init__(self, key: TeamKey, now: dt.datetime) -> None:
        self.rng = random.Random(SEED)
        self.key, self.now = key, now
        self.tickets = 0

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def session(
        self, agent: str, sop: Sop, version: int, start: dt.datetime, factor: float
    ) -> tuple[list[dict[str, Any]], str, float]:
        """One ticket worked with ``sop``: (its shareable events, ticket hash, seconds)."""
        rng, run = self.rng, self.uid().replace("-", "")
        self.tickets += 1
        ticket, session = f"CW-{40000 + self.tickets}", self.uid()
        offset = 0.0

        def event(kind: EventType, **fields: Any) -> Event:
            at = Instant(start + dt.timedelta(seconds=offset), 1000.0 + offset, run)
            return Event(
                kind, at, agent, ticket=ticket, session_id=session, id=self.uid(), **fields
            )

        sop_fields = {"sop_id": sop.id, "sop_version": version}
        events = [event(EventType.TICKET_STARTED)]
        offset += rng.uniform(20, 90)  # reading the ticket, searching
        events.append(event(EventType.CHECKLIST_STARTED, **sop_fields))
        escalated = False
        for step, choice, skip in _walk(rng, sop):
            events.append(event(EventType.STEP_ENTERED, step_id=step.id, **sop_fields))
            offset += 4.0 if skip else _step_seconds(rng, step, factor)
            escalated |= "escalat" in step.id
            if choice is not None:
                kind, more = EventType.CHOICE_TAKEN, {"choice": choice}
            elif skip is not None:
                kind, more = EventType.STEP_SKIPPED, {"reason": skip}
            else:
                kind, more = EventType.STEP_COMPLETED, {}
            events.append(event(kind, step_id=step.id, **sop_fields, **more))
        offset += rng.uniform(10, 60)
        outcome = Outcome.ESCALATED if escalated else self._outcome()
        events.append(event(EventType.TICKET_ENDED, outcome=outcome))
        shared = [e.to_shareable(self.key) for e in events]
        return shared, str(shared[0]["ticket_hash"]), offset

    def _outcome(self) -> Outcome:
        roll = self.rng.random()
        if roll < 0.82:
            return Outcome.RESOLVED
        if roll < 0.92:
            return Outcome.WAITING
        return Outcome.TRANSFERRED if roll < 0.96 else Outcome.ESCALATED

    def quality(
        self, agent: str, ticket_hash: str, at: dt.datetime, sop_id: str, version: int
    ) -> dict[str, Any] | None:
        """A connector's ``ticket_quality`` signal for most tickets, a day later."""
        rng = self.rng
        if rng.random() > 0.75:
            return None
        worse = sop_id == "duplicate-charge" and version == 2
        satisfied = rng.random() < (0.62 if worse else 0.86)
        event = Event(
            EventType.TICKET_QUALITY,
            Instant(at + dt.timedelta(days=1), 0.0, "connector"),
            agent,
            id=self.uid(),
            satisfaction=1.0 if satisfied else 0.0,
            reopened=rng.random() < (0.22 if worse else 0.08),
        )
        data = event.to_shareable(self.key)
        data["ticket_hash"] = ticket_hash
        return data

    def gap(self, agent: str, at: dt.datetime, query: str, kind: EventType) -> dict[str, Any]:
        event = Event(kind, Instant(at, 0.0, "search"), agent, query=query, id=self.uid())
        return event.to_shareable(self.key)

    def work_time(self, day: int) -> dt.datetime:
        """A moment in working hours ``day`` days before now."""
        base = self.now - dt.timedelta(days=day)
        return base.replace(hour=8, minute=0, second=0) + dt.timedelta(
            seconds=self.rng.uniform(0, 8.5 * 3600)
        )


def seed(sops: dict[str, Sop], key: TeamKey, now: dt.datetime) -> Seeded:
    """The demo's uploads for SOPs ``sops`` (id → version 1 as published)."""
    sim, out = _Sim(key, now), Seeded()
    days_v2, days_v1 = WEEKS_V2 * 7, (WEEKS_V1 + WEEKS_V2) * 7
    local = sops["coin-refund"]
    for _ in range(12):  # the bundled demo's own version 1, before anything was published
        agent = sim.rng.choice(AGENTS[:2])
        start = sim.work_time(sim.rng.randint(days_v1 + 1, days_v1 + 5))
        out.early += sim.session(agent, local, 1, start, 1.3)[0]
    for day in range(days_v1, 0, -1):
        for sop_id, factor in TWO_VERSIONS.items():
            for _ in range(sim.rng.choice((1, 1, 2, 2, 3))):
                version = 2 if day <= days_v2 else 1
                sop = sops[sop_id]  # version 2 has the same steps (one text is longer)
                agent = sim.rng.choice(AGENTS)
                start = sim.work_time(day)
                shared, ticket, _ = sim.session(
                    agent, sop, version, start, factor if version == 2 else 1.0
                )
                out.events += shared
                q = sim.quality(agent, ticket, start, sop_id, version)
                if q is not None:
                    out.events.append(q)
        if day % 2 == 0:
            sop_id = ONE_VERSION[day % len(ONE_VERSION)]
            out.events += sim.session(
                sim.rng.choice(AGENTS), sops[sop_id], 1, sim.work_time(day), 1.0
            )[0]
        for theme in GAP_QUERIES:
            if sim.rng.random() < 0.3:
                kind = sim.rng.choice((EventType.NO_MATCH_REPORTED, EventType.SEARCH_ABANDONED))
                query = sim.rng.choice(theme)
                out.events.append(sim.gap(sim.rng.choice(AGENTS), sim.work_time(day), query, kind))
    for sop_id in TWO_VERSIONS:
        for agent in AGENTS[: 3 + len(sop_id) % 3]:  # some agents have not acknowledged yet
            out.acks.append((agent, sop_id, 2))
    return out
