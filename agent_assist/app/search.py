"""Search with badges and opening an item: what the agent's search field and the ``suggest``
command ask of the knowledge cache, as plain values.

This is the one query both front-ends run, so ``python -m benchmarks keystroke`` measures what a
keystroke costs in the app.  Its cost must not grow with the agent's history: acknowledgement
state comes from :class:`~agent_assist.app.acks.AckBook` (one indexed read, then kept up to date
in memory), usage from an indexed lookup per shown row.  In the app every method runs on the
task worker (:mod:`agent_assist.ui.tasks`), never on the GUI thread.

With no words the list is the catalogue, headed by the SOPs the agent pinned (the ``pinned``
setting) and those they used last (the cache's usage table): agents reuse a handful all day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent_assist.app.locales import RequesterLocale
from agent_assist.core.errors import NotFoundError
from agent_assist.core.knowledge.diffs import StepChange, changes_since
from agent_assist.core.knowledge.models import Item, Kind, Sop
from agent_assist.core.settings import Settings

if TYPE_CHECKING:
    from agent_assist.app.acks import AckBook
    from agent_assist.app.context import AppContext
    from agent_assist.core.cache.facts import ItemFacts
    from agent_assist.core.cache.store import Store
    from agent_assist.core.search.suggester import Suggester, Suggestion

SEARCH_LIMIT = 25
RECENT_LIMIT = 5
QUERY_MAX_CHARS = 2000
"""The longest query worth keeping: the ranking reads no further (``MAX_CHARS`` of
``core.search.ranking.text``, not imported here because it pulls numpy in at start-up)."""
UPDATED, NEEDS_ACK, REVIEW_OVERDUE = "updated", "ack", "review"
PINNED, RECENT = "pinned", "recent"
BADGE_LABELS = {
    UPDATED: "Updated since you last used it",
    NEEDS_ACK: "Needs acknowledgement",
    REVIEW_OVERDUE: "Review overdue",
    PINNED: "Pinned",
    RECENT: "Used recently",
}
BADGE_SHORT = {UPDATED: "updated", NEEDS_ACK: "ack needed", REVIEW_OVERDUE: "review overdue"}
BADGE_SHORT |= {PINNED: "pinned", RECENT: "recent"}
QUIET_BADGES = frozenset({PINNED, RECENT})
"""Badges that say where a row comes from, not that the item needs a second look."""


def query_from_text(text: str) -> str:
    """Pasted or copied text (a whole e-mail, say) as one search query: its words on one
    line, cut at :data:`QUERY_MAX_CHARS`; empty when there are no words."""
    return " ".join(text.split())[:QUERY_MAX_CHARS].rstrip()


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
        self._facts: dict[tuple[Kind, str], ItemFacts] = {}
        self._facts_revision: tuple[int, int] | None = None
        self._last_detail: tuple[tuple[object, ...], Detail] | None = None
        self.requester = RequesterLocale()  # the ticket in hand's language first

    def _all_facts(self) -> list[ItemFacts]:
        """Every current item's facts (the copy :meth:`facts` keeps)."""
        self.facts([])
        return [f for f in self._facts.values() if not f.retired]

    def facts(self, keys: Sequence[tuple[Kind, str]]) -> dict[tuple[Kind, str], ItemFacts]:
        """What result rows show of these items, from a copy of every current item's facts
        that is read again only when the cache changed (:meth:`Store.revision`): a keystroke
        costs a pragma and dictionary lookups, whatever the size of the catalogue."""
        store = self._store
        revision = store.revision()
        if revision != self._facts_revision:
            self._facts = {(f.kind, f.id): f for f in store.item_facts()}
            self._facts_revision = revision
        missing = [k for k in keys if k not in self._facts]
        if missing:  # retired items (still shown when asked for by id)
            self._facts.update(((f.kind, f.id), f) for f in store.item_facts(missing))
        return {k: self._facts[k] for k in keys if k in self._facts}

    @property
    def suggester(self) -> Suggester:
        """The ranking engine (the semantic stage, :mod:`agent_assist.app.semantic`, uses it)."""
        return self._ctx.suggester

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

    def pinned(self) -> list[str]:
        """Ids of the pinned SOPs, in the order they were pinned."""
        ids = (i.strip() for i in self._ctx.settings.pinned.split(","))
        return list(dict.fromkeys(i for i in ids if i))

    def toggle_pin(self, sop_id: str) -> bool:
        """Pin the SOP, or unpin it when it is pinned; True when it is pinned now.  Raises
        :class:`~agent_assist.core.settings.SettingsError` when the settings cannot be saved
        (or IT set the pins)."""
        ids = self.pinned()
        pin = sop_id not in ids
        ids = [*ids, sop_id] if pin else [i for i in ids if i != sop_id]
        self._ctx.settings.set(Settings.pinned, ",".join(ids))
        return pin

    def recent(self, limit: int = RECENT_LIMIT) -> list[ResultRow]:
        """The SOPs the agent used last (a checklist started), newest first, pinned ones left
        out (they are listed already)."""
        sops = {f.id: f for f in self._listed_facts(Kind.SOP)}
        return self._recent(sops, self._pins(sops), self._acks.acked(), limit)

    def _pins(self, sops: dict[str, ItemFacts]) -> list[str]:
        return [i for i in self.pinned() if i in sops]

    def _favourites(
        self, sops: dict[str, ItemFacts], acked: AbstractSet[tuple[str, int]]
    ) -> list[ResultRow]:
        """The pinned SOPs, then the recently used ones, of the current ``sops``."""
        pins = self._pins(sops)
        rows = [self._listed(sops[i], acked, PINNED) for i in pins]
        return rows + self._recent(sops, pins, acked, RECENT_LIMIT)

    def _recent(
        self,
        sops: dict[str, ItemFacts],
        pins: list[str],
        acked: AbstractSet[tuple[str, int]],
        limit: int,
    ) -> list[ResultRow]:
        used = sorted(
            (
                (at, count, item_id)
                for (kind, item_id), (count, at) in self._store.usage_stats().items()
                if kind is Kind.SOP and item_id in sops and item_id not in pins
            ),
            reverse=True,
        )
        return [self._listed(sops[i], acked, RECENT) for _, _, i in used[:limit]]

    def _listed(
        self, facts: ItemFacts, acked: AbstractSet[tuple[str, int]], *extra: str
    ) -> ResultRow:
        return ResultRow(
            facts.kind, facts.id, facts.title, badges=(*extra, *self.badges(facts, acked))
        )

    def _listed_facts(self, kind: Kind) -> list[ItemFacts]:
        """Current items of ``kind`` in the agent's locale, by title."""
        locale = self._locale()
        return sorted(
            (f for f in self._all_facts() if f.kind is kind and _in_locale(f.locale, locale)),
            key=lambda f: (f.title.casefold(), f.id),
        )

    def record_choice(self, query: str, kind: Kind, item_id: str) -> None:
        """The agent opened this item for this query: later, similar queries rank it higher."""
        if query.strip():
            self._ctx.suggester.record_choice(query, kind, item_id)

    def rows(
        self,
        query: str,
        limit: int = SEARCH_LIMIT,
        kind: Kind | None = None,
        *,
        semantic: bool = False,
    ) -> list[ResultRow]:
        """Suggestions for ``query``, best first, with their badges; with no words, the pinned
        and recently used SOPs, then every SOP then every macro by title (no limit: the list is
        the catalogue).  ``semantic``: the fused ranking (:mod:`agent_assist.app.semantic`).

        Badges come from :meth:`facts` (a copy kept while the cache does not change), not from
        decoding each item: the keystroke path stays as cheap as the ranking itself."""
        acked, locale = self._acks.acked(), self._locale()
        if query.strip():
            found = self._ctx.suggester.suggest(
                query, limit=limit, kind=kind, locale=locale, semantic=semantic
            )
            facts = self.facts([(s.kind, s.id) for s in found])
            found = self.requester.order(found, facts)
            return [
                ResultRow(
                    s.kind, s.id, s.title, s.score, s.confident, self._badges(facts, s, acked)
                )
                for s in found
            ]
        rows: list[ResultRow] = []
        for listed in (Kind.SOP, Kind.MACRO) if kind is None else (kind,):
            items = self._listed_facts(listed)
            if listed is Kind.SOP:
                rows += self._favourites({f.id: f for f in items}, acked)
            rows += [self._listed(f, acked) for f in items]
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
        titles of its macros and, when it changed since they last used it, what changed.

        While the agent types, the top result often stays the same: the last answer is
        reused as long as nothing it depends on changed (the cache, acknowledgements, pins,
        the date)."""
        key = (
            kind,
            item_id,
            self._store.revision(),
            self._acks.acked(),
            self._ctx.settings.pinned,
            self._today(),
        )
        if self._last_detail is not None and self._last_detail[0] == key:
            return self._last_detail[1]
        detail = self._detail(kind, item_id)
        self._last_detail = (key, detail)
        return detail

    def _detail(self, kind: Kind, item_id: str) -> Detail:
        item = self._store.get(item_id, kind)
        mine = self.facts([(kind, item_id)]).get((kind, item_id))
        badges = self.badges(mine, self._acks.acked()) if mine else ()
        if kind is Kind.SOP and item_id in self.pinned():
            badges = (PINNED, *badges)
        used = mine.last_used_version if mine else None
        if not isinstance(item.content, Sop):
            return Detail(item, (), badges, used)
        wanted = list(
            dict.fromkeys([*item.content.macros, *(s.macro for s in item.content.steps if s.macro)])
        )
        titles = {k[1]: f.title for k, f in self.facts([(Kind.MACRO, m) for m in wanted]).items()}
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
