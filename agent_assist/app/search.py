"""Search with badges and opening an item: what the agent's search field and the ``suggest``
command ask of the knowledge cache, as plain values.

This is the one query both front-ends run, so ``python -m benchmarks keystroke`` measures what a
keystroke costs in the app.  Its cost must not grow with the agent's history: acknowledgement
state comes from :class:`~agent_assist.app.acks.AckBook` (one indexed read, then kept up to date
in memory), usage from an indexed lookup per shown row.  In the app every method runs on the
task worker (:mod:`agent_assist.ui.tasks`), never on the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent_assist.core.errors import NotFoundError
from agent_assist.core.knowledge.diffs import StepChange, changes_since
from agent_assist.core.knowledge.models import Item, Kind, Sop

if TYPE_CHECKING:
    from agent_assist.app.acks import AckBook
    from agent_assist.app.context import AppContext
    from agent_assist.core.cache.store import ItemFacts, Store
    from agent_assist.core.search.suggester import Suggestion

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

    def to_json(self) -> dict[str, object]:
        """The ``suggest --json`` shape (badges are the app's, not part of that contract)."""
        return {
            "kind": self.kind.value,
            "id": self.id,
            "title": self.title,
            "score": None if self.score is None else round(self.score, 4),
            "confident": self.confident,
        }


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


def _in_locale(item_locale: str, locale: str | None) -> bool:
    """``en`` shows ``en`` and ``en-GB`` items, as the suggester's filter does."""
    if not locale:
        return True
    mine = item_locale.casefold()
    return mine == locale.casefold() or mine.startswith(locale.casefold() + "-")


class Search:
    """The search use cases over one :class:`~agent_assist.app.context.AppContext`."""

    def __init__(self, ctx: AppContext, acks: AckBook) -> None:
        self._ctx, self._acks = ctx, acks

    @property
    def _store(self) -> Store:
        return self._ctx.store

    def _today(self) -> dt.date:
        """The agent's local date, from the one clock (review dates are calendar dates)."""
        return self._ctx.clock.now().wall.astimezone().date()

    def _locale(self) -> str | None:
        return self._ctx.settings.content_locale or None

    def badges(self, facts: ItemFacts, acked: AbstractSet[tuple[str, int]]) -> tuple[str, ...]:
        """Why this item deserves a second look before it is used again."""
        out = []
        used = facts.last_used_version
        if used is not None and used < facts.version:
            out.append(UPDATED)
        if facts.kind is Kind.SOP and facts.requires_ack and (facts.id, facts.version) not in acked:
            out.append(NEEDS_ACK)
        if facts.review_due and facts.review_due < self._today():
            out.append(REVIEW_OVERDUE)
        return tuple(out)

    def prepare(self) -> None:
        """Load or build the suggestion index (seconds on a first start) before it is needed."""
        self._ctx.suggester.refresh()

    def record_choice(self, query: str, kind: Kind, item_id: str) -> None:
        """The agent opened this item for this query: later, similar queries rank it higher."""
        if query.strip():
            self._ctx.suggester.record_choice(query, kind, item_id)

    def rows(
        self, query: str, limit: int = SEARCH_LIMIT, kind: Kind | None = None
    ) -> list[ResultRow]:
        """Suggestions for ``query``, best first, with their badges; with no words, every SOP
        then every macro by title (no limit: the list is the catalogue).

        Badges come from one indexed query for the shown rows (:meth:`Store.item_facts`), not
        from decoding each item: the keystroke path stays as cheap as the ranking itself."""
        acked, locale = self._acks.acked(), self._locale()
        if query.strip():
            found = self._ctx.suggester.suggest(query, limit=limit, kind=kind, locale=locale)
            facts = {
                (f.kind, f.id): f for f in self._store.item_facts([(s.kind, s.id) for s in found])
            }
            return [
                ResultRow(
                    s.kind, s.id, s.title, s.score, s.confident, self._badges(facts, s, acked)
                )
                for s in found
            ]
        rows = []
        for listed in (Kind.SOP, Kind.MACRO) if kind is None else (kind,):
            items = sorted(
                (f for f in self._store.item_facts(kind=listed) if _in_locale(f.locale, locale)),
                key=lambda f: (f.title.casefold(), f.id),
            )
            rows += [ResultRow(f.kind, f.id, f.title, badges=self.badges(f, acked)) for f in items]
        return rows

    def _badges(
        self,
        facts: dict[tuple[Kind, str], ItemFacts],
        found: Suggestion,
        acked: AbstractSet[tuple[str, int]],
    ) -> tuple[str, ...]:
        known = facts.get((found.kind, found.id))
        return () if known is None else self.badges(known, acked)

    def detail(self, kind: Kind, item_id: str) -> Detail:
        """The item the agent opened (or moved to in the results), with its badges, the
        titles of its macros and, when it changed since they last used it, what changed."""
        item = self._store.get(item_id, kind)
        facts = self._store.item_facts([(kind, item_id)])
        badges = self.badges(facts[0], self._acks.acked()) if facts else ()
        used = facts[0].last_used_version if facts else None
        if not isinstance(item.content, Sop):
            return Detail(item, (), badges, used)
        wanted = list(
            dict.fromkeys([*item.content.macros, *(s.macro for s in item.content.steps if s.macro)])
        )
        titles = {f.id: f.title for f in self._store.item_facts([(Kind.MACRO, m) for m in wanted])}
        macros = tuple(
            LinkedMacro(m, titles[m]) if m in titles else LinkedMacro(m, m, found=False)
            for m in wanted
        )
        changes = None
        if used is not None and used < item.version:
            diff = changes_since(self._store, item_id, used)
            changes = tuple(diff) if diff is not None else None
        return Detail(item, macros, badges, used, changes)

    def macro(self, macro_id: str) -> Item:
        return self._store.get(macro_id, Kind.MACRO)

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
