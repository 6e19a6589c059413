"""One fused query: the lexical stage's candidates, re-ranked with the query's embedding.

Falls back to the lexical ranking (same tuples) when the embeddings are not those of the
engine's index or the query has no words.
"""

from __future__ import annotations

from collections.abc import Iterable

from agent_assist.core.knowledge.models import Kind
from agent_assist.core.search.ranking.engine import Engine, Ranked
from agent_assist.core.search.ranking.filters import Filters
from agent_assist.core.search.ranking.text import words
from agent_assist.core.search.semantic import fusion
from agent_assist.core.search.semantic.stage import SemanticStage


def embedding_text(query: str) -> str:
    """What the encoder reads: the query's words as the index's rows hold them."""
    return " ".join(words(query))


def repaired_text(engine: Engine, stage: SemanticStage, query: str) -> str:
    """The query's words, each typo the encoder cannot read replaced by the catalogue word
    the lexical stage's query repair finds (a misspelt word falls apart into word pieces
    that mean nothing; the repair is kept only for words outside the encoder's vocabulary,
    so a real word the catalogue lacks - the point of paraphrase matching - is left alone)."""
    lexicon = engine.index.lexicon
    return " ".join(
        t if stage.knows(t) else lexicon.correct([t], typing=False)[0] for t in words(query)
    )


def lexical_candidates(engine: Engine, query: str, limit: int, filters: Filters) -> list[Ranked]:
    return list(
        engine.rank(
            query,
            limit=max(limit, fusion.LEXICAL_CANDIDATES),
            kind=filters.kind,
            locale=filters.locale,
            tags=filters.tags,
        )
    )


def components(
    engine: Engine, stage: SemanticStage, query: str, filters: Filters
) -> tuple[list[Ranked], fusion.Components | None]:
    """The lexical ranking and, when the semantic stage can answer, the fusion's inputs."""
    lexical = lexical_candidates(engine, query, 0, filters)
    sem = stage.ready_for(engine.index)
    text = repaired_text(engine, stage, query) if sem is not None else ""
    q = stage.embed_query(text) if text else None
    if sem is None or q is None:
        return lexical, None
    index = engine.index
    candidates = [(index.by_key[(k, item_id)], raw) for k, item_id, _, _, _, raw, _ in lexical]
    return lexical, fusion.components(index, sem, q, candidates, engine.masks.mask(filters))


def fused(
    engine: Engine,
    stage: SemanticStage,
    query: str,
    limit: int,
    kind: Kind | None,
    locale: str | None,
    tags: Iterable[str],
) -> list[Ranked]:
    lexical, parts = components(
        engine, stage, query, Filters(kind, locale or None, frozenset(tags))
    )
    if parts is None:
        return lexical[:limit]
    out = []
    for s in fusion.order(engine.index, parts)[:limit]:
        entry = engine.index.entries[s.entry]
        p = fusion.calibrate(s.raw, s.gap)
        out.append((entry.kind, entry.id, entry.title, p, fusion.is_confident(p), s.raw, s.gap))
    return out
