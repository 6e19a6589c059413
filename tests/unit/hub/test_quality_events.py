"""Quality signals and sent macros travel to the hub: allowed, bounded, no customer text."""

from __future__ import annotations

import pydantic
import pytest

from agent_assist.core.privacy import TeamKey
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.events import Event, EventType
from agent_assist.hub.ingest import to_event
from agent_assist.hub.models import EventIn

KEY = TeamKey("test", b"k" * 32)


def shared(**fields: object) -> dict[str, object]:
    event = Event(EventType.TICKET_QUALITY, FakeClock().now(), "alex", ticket="rt:7",
                  session_id="s1", **fields)  # type: ignore[arg-type]  # fmt: skip
    return event.to_shareable(KEY)


def test_a_quality_event_is_accepted_and_read_back() -> None:
    data = shared(satisfaction=0.0, reopened=True)
    assert "ticket" not in data and str(data["ticket_hash"]).startswith("t1-test-")
    stored = EventIn.model_validate(data).stored()
    assert (stored["satisfaction"], stored["reopened"]) == (0.0, True)
    event = to_event(stored)
    assert (event.type, event.satisfaction, event.reopened) == (EventType.TICKET_QUALITY, 0.0, True)


def test_a_sent_macro_is_accepted() -> None:
    event = Event(EventType.MACRO_SENT, FakeClock().now(), "alex", ticket="rt:7",
                  session_id="s1", macro_id="duplicate-charge-authorisation")  # fmt: skip
    stored = EventIn.model_validate(event.to_shareable(KEY)).stored()
    assert stored["type"] == "macro_sent" and stored["macro_id"] == "duplicate-charge-authorisation"


@pytest.mark.parametrize(("field", "value"), [("satisfaction", 1.5), ("reopened", "yes")])
def test_out_of_range_quality_is_refused(field: str, value: object) -> None:
    data = {**shared(), field: value}
    with pytest.raises(pydantic.ValidationError):
        EventIn.model_validate(data)
