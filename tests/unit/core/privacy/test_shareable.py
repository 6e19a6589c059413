"""What an event may carry off the workstation (``core/worklog/shareable.py``), and what of a
step note is kept locally (``EventLog`` scrubs payment data and ids before storing it)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from agent_assist.core.privacy import TeamKey
from agent_assist.core.worklog import shareable
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.events import Event, EventLog, EventType

KEY = TeamKey("test", b"k" * 32)
CARD = "4111 1111 1111 1111"


def _choice(**fields: object) -> Event:
    event = Event(
        EventType.CHOICE_TAKEN,
        FakeClock().now(),
        "agent-bob",
        ticket=f"Card {CARD}",
        session_id="s-1",
        sop_id="card-payment",
        sop_version=3,
        step_id="pay",
        choice=f"Card {CARD}",
        note=f"customer read {CARD} out loud",
    )
    return dataclasses.replace(event, **fields)  # type: ignore[arg-type]


def test_a_card_in_choice_note_and_ticket_is_nowhere_in_the_upload() -> None:
    upload = _choice().to_shareable(KEY)
    text = json.dumps(upload)
    assert "4111" not in text and "1111 1111" not in text
    assert "note" not in upload and "ticket" not in upload
    assert upload["choice"] == "Card [card]"
    assert upload["ticket_hash"].startswith("t1-test-")
    assert set(upload) <= shareable.FIELDS


def test_every_free_text_field_is_scrubbed_and_machine_fields_kept() -> None:
    event = _choice(
        reason="call 07700 900123",
        query="jane@example.com",
        macro_id="reply to bob [at] example [dot] com",
        rank=2,
        counted_seconds=12.5,
    )
    upload = event.to_shareable(KEY)
    assert {name: upload.get(name) for name in shareable.FREE_TEXT} == {
        "sop_id": "card-payment",
        "step_id": "pay",
        "macro_id": "reply to [email]",
        "choice": "Card [card]",
        "reason": "call [phone]",
        "query": "[email]",
    }
    assert (upload["id"], upload["sop_version"], upload["rank"]) == (event.id, 3, 2)
    assert upload["counted_seconds"] == 12.5


def test_a_field_off_the_allow_list_never_leaves() -> None:
    """A field added to Event later stays local until shareable.FIELDS names it."""
    data = {**_choice().to_json(), "customer_email": "jane@example.com", "ticket": "T-1"}
    assert "customer_email" not in shareable.restrict(data)
    assert shareable.unknown(data) == ["customer_email", "note", "ticket"]
    assert {f.name for f in dataclasses.fields(Event)} - shareable.FIELDS == {
        "at",
        "ticket",
        "note",
    }


def test_step_notes_are_stored_without_payment_data_or_ids(tmp_path: Path) -> None:
    note = f"read {CARD}, IBAN DE89 3704 0044 0532 0130 00, SSN 123-45-6789; call +44 20 7946 0958"
    with EventLog.in_dir(tmp_path) as log:
        log.append(_choice(note=note))
        (stored,) = log.events()
    assert stored.note == "read [card], IBAN [iban], SSN [id]; call +44 20 7946 0958"
    assert stored.choice == "Card [card]"
    assert stored.ticket == f"Card {CARD}"  # the ticket id is the agent's own key: local only
