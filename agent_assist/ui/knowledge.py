"""What the window asks of the knowledge cache, as plain values.

Every method here runs on the task worker (see :mod:`agent_assist.ui.tasks`), never on the
main thread, so the cache is only ever used by one thread at a time.  Nothing here touches Qt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent_assist.core.cache.store import Store
from agent_assist.core.errors import NotFoundError
from agent_assist.core.knowledge.diffs import StepChange, changes_since
from agent_assist.core.knowledge.models import Item, Kind, Sop
from agent_assist.core.worklog.acks import needs_ack

if TYPE_CHECKING:
    from agent_assist.core.search.suggester import Suggester

SEARCH_LIMIT = 25
UPDATED, NEEDS_ACK, REVIEW_OVERDUE = "updated", "ack", "review"
BADGE_LABELS = {
    UPDATED: "Updated since you last used it",
    NEEDS_ACK: "Needs acknowledgement",
    REVIEW_OVERDUE: "Review overdue",
}
BADGE_SHORT = {UPDATED: "updated", NEEDS_ACK: "ack needed", REVIEW_OVERDUE: "review overdue"}


@dataclass(frozen=True)
class ResultRow:
    """One line of the results list; ``score`` is ``None`` when listing without a query."""

    kind: Kind
    id: str
    title: str
    score: float | None = None
    confident: bool = False
    badges: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkedMacro:
    id: str
    title: str
    found: bool = True


@dataclass(frozen=True)
class Detail:
    """An item with what the detail pane shows beside it (its macros, by title)."""

    item: Item
    macros: tuple[LinkedMacro, ...] = ()
    badges: tuple[str, ...] = ()
    last_used_version: int | None = None
    changes: tuple[StepChange, ...] | None = None
    """Step changes since the version the agent last used (``None``: not used or unknown)."""

    @property
    def needs_ack(self) -> bool:
        return NEEDS_ACK in self.badges


def _in_locale(item: Item, locale: str | None) -> bool:
    """``en`` shows ``en`` and ``en-GB`` items, as the suggester's filter does."""
    if not locale:
        return True
    mine = item.content.locale.casefold()
    return mine == locale.casefold() or mine.startswith(locale.casefold() + "-")


class Knowledge:
    def __init__(
        self,
        store: Store,
        suggester: Suggester | None = None,
        acked: Callable[[], set[tuple[str, int]]] = set,
        today: Callable[[], dt.date] = dt.date.today,
        locale: Callable[[], str] = str,
    ) -> None:
        self._store = store
        self._given = suggester
        self._acked, self._today, self._locale = acked, today, locale

    @property
    def _suggester(self) -> Suggester:
        """Built on first use, on the worker: the ranking engine (numpy, rapidfuzz) takes a
        noticeable time to import, and the window should not wait for it to appear."""
        if self._given is None:
            from agent_assist.core.search.suggester import Suggester

            self._given = Suggester(self._store)
        return self._given

    def badges(self, item: Item, acked: set[tuple[str, int]]) -> tuple[str, ...]:
        """Why this item deserves a second look before it is used again."""
        out = []
        used = self._store.last_used_version(item.kind, item.id)
        if used is not None and used < item.version:
            out.append(UPDATED)
        if needs_ack(item, acked):
            out.append(NEEDS_ACK)
        content = item.content
        if isinstance(content, Sop) and content.review_due and content.review_due < self._today():
            out.append(REVIEW_OVERDUE)
        return tuple(out)

    def prepare(self) -> None:
        """Load or build the suggestion index (seconds on a first start) before it is needed."""
        self._suggester.refresh()

    def record_choice(self, query: str, kind: Kind, item_id: str) -> None:
        """The agent opened this item for this query: later, similar queries rank it higher."""
        if query.strip():
            self._suggester.record_choice(query, kind, item_id)

    def rows(self, query: str) -> list[ResultRow]:
        """Suggestions for ``query``; with no words, every SOP then every macro by title."""
        acked, locale = self._acked(), self._locale() or None
        if query.strip():
            rows = []
            for s in self._suggester.suggest(query, limit=SEARCH_LIMIT, locale=locale):
                badges = self.badges(self._store.get(s.id, s.kind), acked)
                rows.append(ResultRow(s.kind, s.id, s.title, s.score, s.confident, badges))
            return rows
        rows = []
        for kind in (Kind.SOP, Kind.MACRO):
            items = sorted(
                (i for i in self._store.items(kind) if _in_locale(i, locale)),
                key=lambda i: (i.title.casefold(), i.id),
            )
            rows += [ResultRow(i.kind, i.id, i.title, badges=self.badges(i, acked)) for i in items]
        return rows

    def detail(self, kind: Kind, item_id: str) -> Detail:
        item = self._store.get(item_id, kind)
        badges = self.badges(item, self._acked())
        used = self._store.last_used_version(kind, item_id)
        if not isinstance(item.content, Sop):
            return Detail(item, (), badges, used)
        wanted = list(
            dict.fromkeys([*item.content.macros, *(s.macro for s in item.content.steps if s.macro)])
        )
        changes = None
        if used is not None and used < item.version:
            diff = changes_since(self._store, item_id, used)
            changes = tuple(diff) if diff is not None else None
        return Detail(item, tuple(self._macro(m) for m in wanted), badges, used, changes)

    def macro(self, macro_id: str) -> Item:
        return self._store.get(macro_id, Kind.MACRO)

    def _macro(self, macro_id: str) -> LinkedMacro:
        try:
            return LinkedMacro(macro_id, self._store.get(macro_id, Kind.MACRO).title)
        except NotFoundError:
            return LinkedMacro(macro_id, macro_id, found=False)

    def titles(self, labels: list[str]) -> list[tuple[str, str, str]]:
        """``(kind, id, title)`` for ``kind:id`` labels (as a sync reports them) still known."""
        out = []
        for label in labels:
            kind, _, item_id = label.partition(":")
            if kind not in (Kind.SOP.value, Kind.MACRO.value):
                continue
            try:
                out.append((kind, item_id, self._store.get(item_id, Kind(kind)).title))
            except NotFoundError:
                continue
        return out

    def counts(self) -> dict[str, int]:
        return self._store.counts()
