"""Request bodies of the hub API: every field typed and bounded, unknown fields refused.

Pydantic turns these into the 422 messages (naming the field) and into the OpenAPI schema.
What the schema promises and what the hub accepts are the same set (the schemathesis run in
the tests checks both directions): numbers and booleans are strict (no ``"1"`` for 1), text
is what both databases can store (no NUL, no lone surrogate), times lie in 2000-2099.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from agent_assist.core.knowledge.models import Kind
from agent_assist.core.privacy import TICKET_HASH_RE
from agent_assist.core.worklog import shareable
from agent_assist.core.worklog.events import EventType, Outcome
from agent_assist.hub.auth import NAME_RE, Role


def _storable(value: str) -> str:
    """Text both databases store: PostgreSQL refuses NUL, and a lone surrogate is no UTF-8."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode (it holds a lone surrogate)") from None
    return value


NO_NUL = r"^[^\x00]*$"
Storable = AfterValidator(_storable)
Short = Annotated[str, Field(max_length=200, json_schema_extra={"pattern": NO_NUL}), Storable]
Text = Annotated[str, Field(max_length=4000, json_schema_extra={"pattern": NO_NUL}), Storable]


def _keyed_hash(value: str) -> str:
    """A ticket travels only as a keyed hash: whatever else comes here may be a ticket id."""
    if not TICKET_HASH_RE.match(value):
        raise ValueError("not a keyed ticket hash (t1-<key id>-<hex>: use Event.to_shareable)")
    return value


TicketHash = Annotated[
    str,
    Field(
        max_length=200,
        json_schema_extra={"pattern": "^" + TICKET_HASH_RE.pattern.removesuffix(r"\Z") + "$"},
    ),
    AfterValidator(_keyed_hash),
]
Finite = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1e10, le=1e10)]


def _json_integer(value: Any) -> Any:
    """An integer as JSON has it: ``3`` or ``3.0``, never ``"3"`` or ``true``."""
    if isinstance(value, bool | str | bytes):
        raise ValueError("expected an integer")
    return value


JsonInt = BeforeValidator(_json_integer)
Count = Annotated[int, Field(ge=0, le=2**31), JsonInt]
Version = Annotated[int, Field(ge=1, le=2**31), JsonInt]
Flag = Annotated[bool, Field(strict=True)]
WEEK = 7 * 24 * 3600
Seconds = Annotated[float, Field(strict=True, ge=0, le=WEEK, allow_inf_nan=False)]
MAX_EVENTS = 500
YEARS = (2000, 2099)
TIME_PATTERN = r"^20[0-9]{2}-"
_DAY = (
    r"20[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|20(?:[02468][048]|[13579][26])-02-29"
)
_CLOCK = (
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?"
)
_SPAN = "".join(f"(?:[0-9]{{1,4}}{unit})?" for unit in "wdhms")
SINCE_PATTERN = rf"^(?:{_SPAN}|(?:{_DAY})(?:{_CLOCK})?)$"
"""``since`` of the reports: a span back from now (``7d``, ``1w2d``, ``36h``; empty: all
time) or a day 2000-2099 with an optional time.  A pattern exactly as wide as what the hub
accepts, so the OpenAPI document promises no more and no less."""


def _text_time(value: Any) -> Any:
    """A time arrives as ISO 8601 text: not as a number (pydantic would read a timestamp)."""
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 time as text")
    return value


def _sane_year(value: dt.datetime) -> dt.datetime:
    """Years as written 2000-2099: far-off years overflow date arithmetic (a 500 before)."""
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(f"year {value.year} is out of range ({YEARS[0]}-{YEARS[1]})")
    return value


Time = Annotated[
    AwareDatetime,
    BeforeValidator(_text_time),
    AfterValidator(_sane_year),
    Field(json_schema_extra={"pattern": TIME_PATTERN}),
]
PRIVATE_FIELDS = ("ticket", "note")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PackInfoIn(Strict):
    name: Short
    version: Short = ""
    locale: Short = "en"
    publisher: Short = ""
    pack_yaml: Annotated[
        str, Field(max_length=64 * 1024, json_schema_extra={"pattern": NO_NUL}), Storable
    ]


class FileIn(Strict):
    path: Short
    text: Annotated[
        str, Field(max_length=8 * 1024 * 1024, json_schema_extra={"pattern": NO_NUL}), Storable
    ]


class PublishIn(Strict):
    pack: PackInfoIn
    files: Annotated[list[FileIn], Field(max_length=20_000)]
    note: Text = ""
    prune: Flag = False


class ItemRef(Strict):
    kind: Kind
    id: Short


class RetireIn(Strict):
    items: Annotated[list[ItemRef], Field(min_length=1, max_length=10_000)]
    note: Text = ""


class EventIn(Strict):
    """One event in the shareable form (``Event.to_shareable``): exactly the fields of the
    allow-list ``shareable.FIELDS`` (checked below, at import); any other is refused (422)."""

    id: uuid.UUID
    type: EventType
    wall: Time
    mono: Finite
    run_id: Short
    agent_id: Short
    ticket_hash: TicketHash = ""
    session_id: Short
    sop_id: Short | None = None
    sop_version: Version | None = None
    step_id: Short | None = None
    choice: Short | None = None
    macro_id: Short | None = None
    outcome: Outcome | None = None
    reason: Text | None = None
    query: Text | None = None
    rank: Annotated[int, Field(ge=0, le=10_000), JsonInt] | None = None
    counted_seconds: Seconds | None = None
    satisfaction: Annotated[float, Field(strict=True, ge=0, le=1, allow_inf_nan=False)] | None = (
        None
    )
    reopened: Flag | None = None

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


if set(EventIn.model_fields) != shareable.FIELDS:  # one allow-list for client and hub
    raise RuntimeError(
        "hub/models.py EventIn and core/worklog/shareable.py FIELDS differ: "
        f"{sorted(set(EventIn.model_fields) ^ shareable.FIELDS)}"
    )


class EventsIn(Strict):
    events: Annotated[list[EventIn], Field(max_length=MAX_EVENTS)]
    """More than :data:`MAX_EVENTS` is a 413, not a 422 (``errors.py``): the client splits
    the batch."""


class AckIn(Strict):
    sop_id: Short
    version: Version


class FeedbackPair(Strict):
    query: Text
    kind: Kind
    id: Short


class FeedbackIn(Strict):
    pairs: Annotated[list[FeedbackPair], Field(max_length=500)]


class ThresholdIn(Strict):
    value: Annotated[int, Field(ge=1, le=10_000), JsonInt]


def _token_name(value: str) -> str:
    if not NAME_RE.match(value):
        raise ValueError(
            f"'{value[:100]}' is not a token name (expected 1-100 letters, digits, '.', '_', "
            "'@', '-', starting with a letter or digit)"
        )
    return value


TokenName = Annotated[
    str,
    AfterValidator(_token_name),
    Field(json_schema_extra={"pattern": "^" + NAME_RE.pattern.removesuffix(r"\Z") + "$"}),
]


class TokenIn(Strict):
    name: TokenName
    role: Annotated[str, Field(pattern="^(agent|lead|admin)$")]
    expires_at: Time | None = None
    """When the token stops working (``None``: never)."""

    @property
    def parsed_role(self) -> Role:
        return Role.parse(self.role)
