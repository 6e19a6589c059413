"""Lexical, semantic and fused relevance on Banking77 and HWU64 (test splits only).

Each pack is written as files, imported and ranked by :class:`Suggester` with the encoder
wrapped in :class:`~benchmarks.embedding_cache.CachedEncoder` (the same vectors, computed once).
Columns: ``lexical`` is the keystroke stage (``suggest``); ``fused`` the two-stage ranking the
app shows after a pause and the CLI prints (``suggest(semantic=True)``); ``semantic`` the same
candidates ordered by the embedding scores alone (fusion weights with the lexical one at 0).
Packs: ``full`` (all train phrasings), ``10-shot`` (seed 7), ``title only`` (the intent's name
as the SOP title and nothing else: the data sets have no summaries).  Typos: one random edit
in ~30 % of the words (seed 7).  Out-of-scope: 15 intents left out of the pack (seed 7).
"""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.packs import import_pack_dir
from agent_assist.core.search.ranking import confidence
from agent_assist.core.search.ranking.filters import Filters
from agent_assist.core.search.semantic import fusion
from agent_assist.core.search.semantic.query import components
from agent_assist.core.search.suggester import Suggester
from benchmarks import banking77 as b77
from benchmarks.embedding_cache import CachedEncoder
from benchmarks.tables import pct, table

SEED, SHOTS, OOS_INTENTS = 7, 10, 15
HWU64 = b77.DEFAULT_DATA.parent / "hwu64"


@dataclass
class Ranked:
    """Top-5 ids and the top result's confidence score, per column."""

    ids: dict[str, list[str]]
    score: dict[str, float]


def semantic_weights() -> tuple[float, float, float]:
    total = fusion.W_LEARNED + fusion.W_NEAREST
    return (0.0, fusion.W_LEARNED / total, fusion.W_NEAREST / total)


def open_suggester(
    phrasings: dict[str, list[str]], work: Path, name: str, encoder: CachedEncoder
) -> tuple[Store, Suggester, float]:
    pack = b77.write_pack(work / f"{name}-pack", phrasings, name="bench")
    store = Store.in_dir(work / f"{name}-data")
    import_pack_dir(store, pack)
    suggester = Suggester(store, encoder=encoder)
    t = time.perf_counter()
    suggester.refresh()
    suggester.refresh_semantic()
    return store, suggester, time.perf_counter() - t


def rank_all(suggester: Suggester, query: str) -> Ranked:
    engine = suggester.engine
    assert engine is not None
    lexical, parts = components(engine, suggester.semantic, query, Filters())
    ids = {"lexical": [r[1] for r in lexical[:5]]}
    score = {"lexical": lexical[0][3] if lexical else 0.0}
    for column, weights in (("semantic", semantic_weights()), ("fused", fusion.WEIGHTS)):
        if parts is None:
            ids[column], score[column] = ids["lexical"], score["lexical"]
            continue
        ranked = fusion.order(engine.index, parts, weights)
        ids[column] = [engine.index.entries[s.entry].id for s in ranked[:5]]
        score[column] = fusion.calibrate(ranked[0].raw, ranked[0].gap) if ranked else 0.0
    return Ranked(ids, score)


def top1(results: list[Ranked], gold: list[str], column: str) -> float:
    return float(
        np.mean([r.ids[column][:1] == [b77.sop_id(g)] for r, g in zip(results, gold, strict=True)])
    )


def recall5(results: list[Ranked], gold: list[str], column: str) -> float:
    return float(
        np.mean([b77.sop_id(g) in r.ids[column] for r, g in zip(results, gold, strict=True)])
    )


def packs(train: list[b77.Example]) -> list[tuple[str, dict[str, list[str]]]]:
    return [
        ("full", b77.by_intent(train)),
        (f"{SHOTS}-shot", b77.few_shot(train, SHOTS, SEED)),
        ("title only", {i: [] for i in sorted({e.intent for e in train})}),
    ]


def run_dataset(
    name: str, data: Path, encoder: CachedEncoder, work: Path
) -> tuple[list[list[str]], str]:
    train, test = b77.load(data, "train"), b77.load(data, "test")
    gold = [e.intent for e in test]
    rng = random.Random(SEED)
    typo = [b77.inject_typos(e.text, rng) for e in test]
    rows = []
    for label, phrasings in packs(train):
        store, suggester, _ = open_suggester(phrasings, work, f"{name}-{label}", encoder)
        variants = [("", [e.text for e in test])]
        if label != "title only":
            variants.append((" + typos", typo))
        for suffix, texts in variants:
            res = [rank_all(suggester, t) for t in texts]
            rows.append(
                [
                    name,
                    label + suffix,
                    *(pct(top1(res, gold, c)) for c in ("lexical", "semantic", "fused")),
                    pct(recall5(res, gold, "lexical")),
                    pct(recall5(res, gold, "fused")),
                ]
            )
        store.close()
        encoder.save()
    return rows, out_of_scope(name, train, test, encoder, work)


def out_of_scope(
    name: str, train: list[b77.Example], test: list[b77.Example], enc: CachedEncoder, work: Path
) -> str:
    held = b77.held_out_intents(train, OOS_INTENTS, SEED)
    store, suggester, _ = open_suggester(
        b77.by_intent([e for e in train if e.intent not in held]), work, f"{name}-oos", enc
    )
    ins = [e for e in test if e.intent not in held]
    oos = [e for e in test if e.intent in held]
    ins_res = [rank_all(suggester, e.text) for e in ins]
    oos_res = [rank_all(suggester, e.text) for e in oos]
    store.close()
    rows = []
    for column, threshold in (
        ("lexical", confidence.THRESHOLD),
        ("fused", fusion.THRESHOLD),
    ):
        ok = np.array(
            [r.ids[column][:1] == [b77.sop_id(e.intent)] for r, e in zip(ins_res, ins, strict=True)]
        )
        ins_s = np.array([r.score[column] for r in ins_res])
        oos_s = np.array([r.score[column] for r in oos_res])
        rows.append(
            [
                f"{column}, shipped threshold {threshold:.3f}",
                pct(float(np.mean(oos_s < threshold))),
                pct(float(np.mean(ok & (ins_s >= threshold)))),
                pct(float(ok.mean())),
            ]
        )
        point = float(np.quantile(oos_s, 0.9))
        rows.append(
            [
                f"{column}, test-set 90 % point {point:.3f} (reference only)",
                pct(float(np.mean(oos_s <= point))),
                pct(float(np.mean(ok & (ins_s > point)))),
                pct(float(ok.mean())),
            ]
        )
    return "\n".join(
        [
            f"{name} out-of-scope: {OOS_INTENTS} intents left out (seed {SEED}); {len(ins)} "
            f"in-scope, {len(oos)} out-of-scope test queries; in-scope accuracy = top result "
            "correct AND confident.",
            table(["ranking, threshold", "OOS rejected", "in-scope accuracy", "top-1"], rows),
        ]
    )


def run(banking77: Path, hwu64: Path = HWU64) -> str:
    encoder = CachedEncoder()
    rows, notes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in (("Banking77", banking77), ("HWU64", hwu64)):
            r, oos = run_dataset(name, data, encoder, Path(tmp))
            rows += r
            notes += ["", oos]
    return "\n".join(
        [
            "Lexical / semantic / fused top-1 and recall@5 (test splits; fusion weights "
            f"{fusion.WEIGHTS}, chosen on train/validation splits only)",
            table(
                [
                    "data",
                    "pack",
                    "lexical top-1",
                    "semantic top-1",
                    "fused top-1",
                    "lexical R@5",
                    "fused R@5",
                ],
                rows,
            ),
            *notes,
        ]
    )
