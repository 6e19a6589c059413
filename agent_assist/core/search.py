"""Suggest SOPs and macros for a customer's words.

A deliberately simple first ranking: SQLite FTS5 finds candidates (every query word, the last
one as a prefix so results follow typing), rapidfuzz rescores them against titles and
phrasings for typo tolerance.  The suggestion engine issue replaces the scoring; the
:class:`Suggestion` shape is what the CLI, the UI and benchmarks rely on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from agent_assist.core.models import Kind
from agent_assist.core.store import Store

WORD_RE = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 32
CONFIDENT = 0.55


@dataclass(frozen=True)
class Suggestion:
    kind: Kind
    id: str
    title: str
    score: float
    confident: bool

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind.value, "id": self.id, "title": self.title,
                "score": round(self.score, 4), "confident": self.confident}


def query_words(text: str) -> list[str]:
    return [w.lower() for w in WORD_RE.findall(text)][:MAX_QUERY_WORDS]


def fts_query(words: list[str], *, prefix_last: bool) -> str:
    """An FTS5 OR-query of quoted words (quoting makes any user text safe to MATCH)."""
    parts = [f'"{w}"' for w in words]
    if prefix_last and parts:
        parts[-1] += "*"
    return " OR ".join(parts)


class Suggester:
    def __init__(self, store: Store) -> None:
        self.store = store

    def suggest(self, query: str, *, limit: int = 10, kind: Kind | None = None) -> list[Suggestion]:
        words = query_words(query)
        if not words or limit <= 0:
            return []
        hits = self.store.fts(fts_query(words, prefix_last=True), limit=max(50, limit * 5),
                              kind=kind)
        if not hits:
            return []
        items = {(i.kind, i.id): i for i in self.store.items(kind)}
        best_rank = min(h.rank for h in hits)
        normalized = " ".join(words)
        scored: list[Suggestion] = []
        for hit in hits:
            item = items.get((hit.kind, hit.item_id))
            if item is None:
                continue
            texts = [item.title.lower()]
            if item.kind is Kind.SOP:
                texts += [p.lower() for p in getattr(item.content, "phrasings", ())]
            match = process.extractOne(normalized, texts, scorer=fuzz.token_set_ratio)
            fuzzy = (match[1] if match else 0.0) / 100.0
            lexical = hit.rank / best_rank if best_rank else 0.0
            score = max(0.0, min(1.0, 0.6 * fuzzy + 0.4 * lexical))
            scored.append(Suggestion(item.kind, item.id, item.title, score, score >= CONFIDENT))
        scored.sort(key=lambda s: (-s.score, s.kind.value != "sop", s.id))
        return scored[:limit]
