"""One consistent ranking snapshot: index, filter masks, agents' feedback and usage priors.

Kept apart from :mod:`agent_assist.core.search.suggester` because it pulls in numpy, rapidfuzz and
the index code: the search module imports it on first use, so starting the app or the CLI does
not pay for it before anything is ranked.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.search.ranking import confidence
from agent_assist.core.search.ranking import persist as index_file
from agent_assist.core.search.ranking.feedback import FeedbackMemory, usage_prior
from agent_assist.core.search.ranking.filters import Filters, MaskCache
from agent_assist.core.search.ranking.index import RankIndex, fingerprint
from agent_assist.core.search.ranking.scorer import rank
from agent_assist.core.search.ranking.text import words

log = logging.getLogger(__name__)

Ranked = tuple[Kind, str, str, float, bool, float, float]
"""kind, id, title, calibrated score, confident, raw score, gap to the runner-up."""


class Engine:
    def __init__(self, index: RankIndex, store: Store, now: dt.datetime) -> None:
        self.index = index
        self.masks = MaskCache(index.entries)
        self.feedback = FeedbackMemory(index.featurizer, index.idf)
        # The team's choices, learned by the hub, count like this agent's own (issue: shared
        # learning); the agent's own come first so they win ties.
        learned = [(text, Kind.SOP, sop_id, n) for sop_id, text, n in store.learned_phrasings()]
        self.feedback.load(store.feedback() + learned)
        self.priors = {
            key: usage_prior(n, last, now) for key, (n, last) in store.usage_stats().items()
        }

    def rank(
        self,
        query: str,
        *,
        limit: int,
        kind: Kind | None,
        locale: str | None,
        tags: Iterable[str],
    ) -> Iterator[Ranked]:
        tokens = words(query)
        if not tokens:
            return
        mask = self.masks.mask(Filters(kind, locale or None, frozenset(tags)))
        if not mask.any():
            return
        typing = not query[-1:].isspace()
        boosts = self.feedback.boosts(*self.index.vector(tokens)) if self.feedback else {}
        scored = rank(
            self.index,
            tokens,
            typing=typing,
            mask=mask,
            boosts=boosts,
            priors=self.priors,
            limit=limit,
        )
        for s in scored:
            entry = self.index.entries[s.entry]
            p = confidence.calibrate(s.raw, s.gap)
            yield entry.kind, entry.id, entry.title, p, confidence.is_confident(p), s.raw, s.gap

    def remember(self, query: str, kind: Kind, item_id: str) -> None:
        self.feedback.add(query, kind, item_id)


def refreshed(
    engine: Engine | None, store: Store, path: Path | None, now: dt.datetime
) -> Engine | None:
    """``engine`` if still current, else one over a loaded, updated or rebuilt index."""
    fp = fingerprint(store.item_hashes())
    current = engine.index if engine else None
    if current is None or current.fingerprint != fp:
        current = _load_or_build(engine, store, path, fp)
    return Engine(current, store, now) if current else None


def _load_or_build(
    engine: Engine | None, store: Store, path: Path | None, fp: str
) -> RankIndex | None:
    index = index_file.load(path, fp) if path else None
    if index is not None:
        return index
    if not any(store.counts().values()):
        return None  # nothing current to rank (empty, or everything retired)
    previous = engine.index if engine else None
    if previous is None and path is not None:
        previous = index_file.load(path, None)
    if previous is not None:
        index = RankIndex.update(previous, store.search_fields, fp)
    else:
        index = RankIndex.build(store.search_fields, fp)
    if path is not None:
        try:
            index_file.save(index, path)
        except OSError as exc:  # a read-only or full disk costs only the next start time
            log.warning("cannot save the suggestion index to %s: %s", path, exc)
    return index
