"""Low-confidence searches that end with no SOP opened: when one counts as abandoned, and
what its event carries (the scrubbed query and machine fields, nothing else typed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from agent_assist.app.acks import AckBook
from agent_assist.app.context import AppContext
from agent_assist.app.search_trail import SearchTrail
from agent_assist.app.work import WorkLog
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.privacy import TeamKey
from agent_assist.core.worklog import shareable
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.events import EventLog, EventType


@dataclass(frozen=True)
class Row:
    confident: bool


WEAK, SURE = [Row(False), Row(False)], [Row(True), Row(False)]


@pytest.mark.parametrize(
    ("steps", "logged"),
    [
        # (what happens, in order) -> the query logged when the search ends, if any
        ([("shown", "parcel lost", WEAK), ("clear",)], ["parcel lost"]),
        (
            [("shown", "parcel", WEAK), ("shown", "parcel lost abroad", WEAK), ("end",)],
            ["parcel lost abroad"],
        ),
        ([("shown", "parcel lost", []), ("end",)], ["parcel lost"]),  # nothing at all: low
        ([("shown", "refund", SURE), ("clear",)], []),  # a confident answer: not a gap
        ([("shown", "parcel", WEAK), ("shown", "refund", SURE), ("end",)], []),  # last counts
        ([("shown", "parcel lost", WEAK), ("open", Kind.SOP), ("clear",)], []),
        ([("shown", "parcel lost", WEAK), ("open", Kind.MACRO), ("clear",)], ["parcel lost"]),
        ([("shown", "parcel lost", WEAK), ("report",), ("clear",)], []),
        ([("shown", "", WEAK), ("end",)], []),  # an empty field is no search
        # a SOP opened, then new words: a new search, which can be abandoned again
        (
            [
                ("shown", "refund", WEAK),
                ("open", Kind.SOP),
                ("shown", "refund", WEAK),
                ("shown", "gift card", WEAK),
                ("end",),
            ],
            ["gift card"],
        ),
        ([("shown", "a b", WEAK), ("clear",), ("clear",), ("end",)], ["a b"]),  # logged once
    ],
)
def test_when_a_search_is_abandoned(steps: list[tuple[object, ...]], logged: list[str]) -> None:
    trail, out = SearchTrail(), []
    for step in steps:
        kind = step[0]
        if kind == "shown":
            got = trail.shown(str(step[1]), step[2])  # type: ignore[arg-type]
        elif kind == "clear":
            got = trail.shown("", [])
        elif kind == "open":
            trail.opened(step[1])  # type: ignore[arg-type]
            got = None
        elif kind == "report":
            trail.reported()
            got = None
        else:
            got = trail.end()
        if got is not None:
            out.append(got)
    assert out == logged


@pytest.fixture
def work(tmp_path: Path) -> Iterator[WorkLog]:
    with AppContext(
        tmp_path, clock=FakeClock(), agent="t", events=EventLog.in_dir(tmp_path)
    ) as ctx:
        yield WorkLog(ctx, AckBook(ctx))


def test_the_event_is_on_the_open_ticket_and_carries_only_the_scrubbed_query(
    work: WorkLog,
) -> None:
    work.start("T-1")
    work.search_abandoned("jane@example.com says her parcel never came")
    event = work.events.events("t")[-1]
    assert (event.type, event.ticket) == (EventType.SEARCH_ABANDONED, "T-1")
    assert event.query == "[email] says her parcel never came"
    shared = event.to_shareable(TeamKey("k1", b"s" * 32))
    assert shared["query"] == "[email] says her parcel never came"
    assert set(shared) - {"query"} <= shareable.MACHINE
    assert shared["ticket_hash"].startswith("t1-k1-")


def test_no_other_typed_field_leaves_with_an_abandoned_search() -> None:
    """Even from a faulty client, the allow-list keeps only the query of this type."""
    data = {
        "type": "search_abandoned",
        "id": "x",
        "query": "call me on +44 20 7946 0958",
        "sop_id": "refund",
        "reason": "typed text",
        "step_id": "s",
    }
    out = shareable.restrict(data)
    assert set(out) == {"type", "id", "query"}
    assert "7946" not in out["query"]
    kept = shareable.restrict({**data, "type": "no_match_reported"})
    assert {"sop_id", "reason", "step_id"} <= set(kept)  # other types keep their fields
