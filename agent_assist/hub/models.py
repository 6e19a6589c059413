"""Request bodies of the hub API: every field typed and bounded, unknown fields refused.

Pydantic turns these into the 422 messages (naming the field) and into the OpenAPI schema.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from agent_assist.core.knowledge.models import Kind
from agent_assist.core.worklog.events import EventType, Outcome
from agent_assist.hub.auth import Role

Short = Annotated[str, Field(max_length=200)]
Text = Annotated[str, Field(max_length=4000)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=2**31)]
MAX_EVENTS = 500
PRIVATE_FIELDS = ("ticket", "note")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PackInfoIn(Strict):
    name: Short
    version: Short = ""
    locale: Short = "en"
    publisher: Short = ""
    pack_yaml: Annotated[str, Field(max_length=64 * 1024)]


class FileIn(Strict):
    path: Short
    text: str


class PublishIn(Strict):
    pack: PackInfoIn
    files: Annotated[list[FileIn], Field(max_length=20_000)]
    note: Text = ""
    prune: bool = False


class ItemRef(Strict):
    kind: Kind
    id: Short


class RetireIn(Strict):
    items: Annotated[list[ItemRef], Field(min_length=1, max_length=10_000)]
    note: Text = ""


class EventIn(Strict):
    """One event in the shareable form (``Event.to_shareable``)."""

    id: uuid.UUID
    type: EventType
    wall: AwareDatetime
    mono: Finite
    run_id: Short
    agent_id: Short
    ticket_hash: Short = ""
    session_id: Short
    sop_id: Short | None = None
    sop_version: Count | None = None
    step_id: Short | None = None
    choice: Short | None = None
    macro_id: Short | None = None
    outcome: Outcome | None = None
    reason: Text | None = None
    query: Text | None = None
    rank: Count | None = None
    counted_seconds: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_private_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in PRIVATE_FIELDS:
                if name in data:
                    raise ValueError(
                        f"field '{name}' must never leave the workstation (send ticket_hash "
                        "and leave notes out: use Event.to_shareable)"
                    )
        return data

    def stored(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude_none=True)
        data["wall"] = self.wall.astimezone(dt.UTC).isoformat(timespec="microseconds")
        return data


class EventsIn(Strict):
    events: list[EventIn]


class AckIn(Strict):
    sop_id: Short
    version: Annotated[int, Field(ge=1, le=2**31)]


class FeedbackPair(Strict):
    query: Text
    kind: Kind
    id: Short


class FeedbackIn(Strict):
    pairs: Annotated[list[FeedbackPair], Field(max_length=500)]


class ThresholdIn(Strict):
    value: Annotated[int, Field(ge=1, le=10_000)]


class TokenIn(Strict):
    name: Short
    role: Annotated[str, Field(pattern="^(agent|lead|admin)$")]

    @property
    def parsed_role(self) -> Role:
        return Role.parse(self.role)
