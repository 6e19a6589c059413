"""Which entries a query may return: kind, locale and tag filters as boolean masks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from agent_assist.core.knowledge.models import Kind
from agent_assist.core.search.ranking.index import Entry

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Filters:
    """``locale='en'`` matches en, en-GB, en_US; ``tags`` keeps items having any of them."""

    kind: Kind | None = None
    locale: str | None = None
    tags: frozenset[str] = frozenset()


def _locale_matches(entry_locale: str, wanted: str) -> bool:
    have = entry_locale.casefold().replace("_", "-")
    want = wanted.casefold().replace("_", "-")
    return have == want or have.startswith(want + "-")


class MaskCache:
    """Masks per filter combination, computed once per index (filters repeat per keystroke)."""

    def __init__(self, entries: list[Entry]) -> None:
        self._entries = entries
        self._kinds = np.array([e.kind is Kind.SOP for e in entries], bool)
        self._cache: dict[Filters, Mask] = {}

    def mask(self, f: Filters) -> Mask:
        hit = self._cache.get(f)
        if hit is not None:
            return hit
        mask = np.ones(len(self._entries), bool)
        if f.kind is not None:
            mask &= self._kinds if f.kind is Kind.SOP else ~self._kinds
        if f.locale:
            locales = {e.locale for e in self._entries}
            ok = {loc for loc in locales if _locale_matches(loc, f.locale)}
            mask &= np.array([e.locale in ok for e in self._entries], bool)
        if f.tags:
            wanted = {t.casefold() for t in f.tags}
            mask &= np.array(
                [any(t.casefold() in wanted for t in e.tags) for e in self._entries], bool
            )
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[f] = mask
        return mask
