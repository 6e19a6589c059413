"""The requester's language first: how a ticket's locale orders suggestions (no Qt).

When the agent works a ticket whose requester's locale the tool knows (``es``, ``pt-BR``),
suggestions in that language come first, because a macro is sent to the customer as it is
and a SOP in the customer's language often carries market-specific rules.  The rule is
deliberately small, so an agent can predict it:

* The ranking's own split stays: confident suggestions before weak ones.  A weak match is
  never lifted above a confident one because of its language.
* Within each of the two groups: the requester's exact locale (``es-MX``), then the same
  language (``es``, ``es-ES``), then every other language; the ranking's order is kept within
  each band (a stable sort).
* Filtering is limited to what cannot help: when a *confident* macro in the requester's
  language is listed, *weak* macros in other languages are dropped (a reply the customer
  cannot read is noise next to one they can).  SOPs are never dropped: they are read by the
  agent, and a team often has them in one language only.
* No requester locale (the tool does not say): the list is unchanged.

The agent's own ``content_locale`` setting still filters first (it is their explicit choice).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TypeVar

from agent_assist.core.knowledge.models import Kind

EXACT, LANGUAGE, OTHER = 0, 1, 2


class Ranked(Protocol):
    @property
    def kind(self) -> Kind: ...
    @property
    def id(self) -> str: ...
    @property
    def confident(self) -> bool: ...


class _HasLocale(Protocol):
    @property
    def locale(self) -> str: ...


R = TypeVar("R", bound=Ranked)


def normalized(tag: str | None) -> str:
    """``pt_BR`` / ``PT-br`` -> ``pt-br``: the tools and packs spell BCP 47 tags loosely."""
    return (tag or "").strip().replace("_", "-").casefold()


def language(tag: str | None) -> str:
    return normalized(tag).split("-", 1)[0]


def band(item_locale: str | None, requester: str | None) -> int:
    """:data:`EXACT`, :data:`LANGUAGE` or :data:`OTHER` for an item in ``item_locale``."""
    mine, theirs = normalized(item_locale), normalized(requester)
    if not theirs or not mine:
        return OTHER
    if mine == theirs:
        return EXACT
    return LANGUAGE if language(mine) == language(theirs) else OTHER


def order_for_requester(
    rows: Sequence[R], locale_of: Callable[[R], str | None], requester: str | None
) -> list[R]:
    """``rows`` (best first) in the order described in the module docstring."""
    if not normalized(requester):
        return list(rows)
    bands = [band(locale_of(r), requester) for r in rows]
    confident_macro_in_language = any(
        r.kind is Kind.MACRO and r.confident and b != OTHER
        for r, b in zip(rows, bands, strict=True)
    )
    kept = [
        (i, r, b)
        for i, (r, b) in enumerate(zip(rows, bands, strict=True))
        if not (
            confident_macro_in_language and r.kind is Kind.MACRO and not r.confident and b == OTHER
        )
    ]
    kept.sort(key=lambda t: (not t[1].confident, t[2], t[0]))
    return [r for _, r, _ in kept]


class RequesterLocale:
    """The locale of the requester of the ticket in hand, read by the search on the worker
    and set by the front-end when a ticket is chosen (a plain attribute: one reference
    swap, safe across threads)."""

    def __init__(self) -> None:
        self.locale: str | None = None

    def order(self, rows: Sequence[R], facts: Mapping[tuple[Kind, str], _HasLocale]) -> list[R]:
        """``rows`` ordered for the current requester, each item's locale from ``facts``
        (the search's item facts; an item missing there counts as another language)."""
        requester = self.locale
        if not requester:
            return list(rows)

        def locale_of(row: R) -> str | None:
            known = facts.get((row.kind, row.id))
            return known.locale if known is not None else None

        return order_for_requester(rows, locale_of, requester)
