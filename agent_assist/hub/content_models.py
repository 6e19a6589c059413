"""Request bodies of the lead console's content API (gaps, reviews, editor, approvals).

Typed and bounded like every hub body (:mod:`agent_assist.hub.models`): unknown fields are
refused, text is storable, lists have a ceiling.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from agent_assist.core.knowledge.models import Kind
from agent_assist.hub.gaps import Decision
from agent_assist.hub.models import NO_NUL, Flag, Short, Storable, Strict, Text, TokenName

MAX_ITEM_CHARS = 1_000_000
ItemText = Annotated[
    str, Field(max_length=MAX_ITEM_CHARS, json_schema_extra={"pattern": NO_NUL}), Storable
]
BaseVersion = Annotated[int, Field(strict=True, ge=0, le=2**31)]


class GapDecisionIn(Strict):
    queries: Annotated[list[Text], Field(min_length=1, max_length=500)]
    decision: Decision
    sop_id: Short | None = None


class GapReopenIn(Strict):
    queries: Annotated[list[Text], Field(min_length=1, max_length=500)]


class VerifyIn(Strict):
    sop_id: Short
    next_due: Annotated[
        dt.date, Field(strict=False, ge=dt.date(2000, 1, 1), le=dt.date(2099, 12, 31))
    ]
    note: Text = ""


class OwnerIn(Strict):
    kind: Kind
    id: Short
    owner: TokenName


class EditIn(Strict):
    kind: Kind
    id: Short
    text: ItemText
    pack: Short | None = None
    """Only for a new item: which of the hub's packs it joins."""


class PublishItemIn(EditIn):
    note: Text = ""
    base_version: BaseVersion | None = None
    """The version the editor opened (0: new); a newer one on the hub refuses the publish."""


class RejectIn(Strict):
    reason: Text = ""


class ApprovalSettingIn(Strict):
    value: Flag
