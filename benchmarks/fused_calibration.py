"""Choose the fusion weights, the confidence mapping and the threshold of the semantic stage.

Only train (and HWU64's validation) data, from BOTH data sets, never a test split:

1. Per data set, 15 intents are held out (seed 7); 85 % of the other intents' train phrasings
   make the pack (and a 10-shot sample of it a second pack), 15 % are in-scope validation
   queries; the held-out intents' train queries are out-of-scope validation queries.
2. Weights: the point of a 0.05 grid on the simplex (lexical, learned, nearest) with the best
   mean top-1 over the four (data set x pack) validation sets - one objective, not one per
   data set, so no weight fits one domain.
3. Platt scaling of (fused raw, gap) -> "the top result is right" on both data sets' full-pack
   validation queries pooled (in and out of scope).
4. THRESHOLD: the smallest score that rejects 90 % of the out-of-scope queries of EACH data
   set's validation set (the larger of the two 90 % points).
"""

from __future__ import annotations

import itertools
import random
import tempfile
from pathlib import Path

import numpy as np

from agent_assist.core.search.ranking.filters import Filters
from agent_assist.core.search.semantic import fusion
from agent_assist.core.search.semantic.query import components
from benchmarks import banking77 as b77
from benchmarks.embedding_cache import CachedEncoder
from benchmarks.fused_relevance import HWU64, OOS_INTENTS, SEED, SHOTS, open_suggester
from benchmarks.relevance import _logistic_fit
from benchmarks.tables import pct

Case = tuple[fusion.Components, np.ndarray, int]
"""Components of a query, whether each candidate is SOP, the gold candidate's position (-1
when out of scope or not among the candidates)."""


def collect(data: Path, name: str, enc: CachedEncoder, work: Path) -> dict[str, list[Case]]:
    train = b77.load(data, "train")
    held = b77.held_out_intents(train, OOS_INTENTS, SEED)
    kept = [e for e in train if e.intent not in held]
    random.Random(SEED + 1).shuffle(kept)
    n_val = int(0.15 * len(kept))
    val, pack = kept[:n_val], kept[n_val:]
    oos = [e for e in train if e.intent in held]
    out: dict[str, list[Case]] = {}
    for label, phrasings in (
        ("full", b77.by_intent(pack)),
        ("10-shot", b77.few_shot(pack, SHOTS, SEED)),
    ):
        store, suggester, _ = open_suggester(phrasings, work, f"cal-{name}-{label}", enc)
        engine = suggester.engine
        assert engine is not None
        queries = [(e.text, b77.sop_id(e.intent)) for e in val]
        if label == "full":
            queries += [(e.text, "") for e in oos]
        cases = []
        for text, gold in queries:
            _, parts = components(engine, suggester.semantic, text, Filters())
            if parts is None:
                raise SystemExit("the semantic stage is unavailable: no encoder model")
            ids = [engine.index.entries[e].id for e in parts.cand]
            cases.append(
                (parts, engine.index.is_sop[parts.cand], ids.index(gold) if gold in ids else -1)
            )
        out[label] = [(c, s, g) for c, s, g in cases]
        out[label + "-ins"] = cases[: len(val)]
        store.close()
        enc.save()
    return out


def top1(cases: list[Case], w: np.ndarray) -> float:
    hits = 0
    for c, _, gold in cases:
        if gold >= 0:
            fused = w[0] * c.lexical + w[1] * c.learned + w[2] * c.nearest
            hits += int(np.argmax(fused)) == gold
    return hits / max(1, sum(1 for *_, g in cases if g >= 0) + 0)


def top_features(cases: list[Case], w: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    feats, ok = [], []
    for c, is_sop, gold in cases:
        fused = w[0] * c.lexical + w[1] * c.learned + w[2] * c.nearest
        sop = np.flatnonzero(is_sop)
        order = sop[np.argsort(-fused[sop], kind="stable")]
        best = float(fused[order[0]])
        second = float(fused[order[1]]) if len(order) > 1 else 0.0
        feats.append([best, best - second])
        ok.append(int(order[0]) == gold)
    return np.array(feats), np.array(ok)


def calibrate(banking77: Path, hwu64: Path = HWU64) -> str:
    enc = CachedEncoder()
    with tempfile.TemporaryDirectory() as tmp:
        sets = {
            n: collect(d, n, enc, Path(tmp))
            for n, d in (("banking77", banking77), ("hwu64", hwu64))
        }
    grid = [
        np.array([a, b, round(1.0 - a - b, 2)])
        for a, b in itertools.product(np.arange(0, 1.0001, 0.05), repeat=2)
        if a + b <= 1.0001
    ]
    objective = [(n, p) for n in sets for p in ("full-ins", "10-shot-ins")]

    def score(w: np.ndarray) -> float:
        return float(np.mean([top1(sets[n][p], w) for n, p in objective]))

    best = max(grid, key=score)
    weights = (float(best[0]), float(best[1]), float(best[2]))
    lines = [
        f"weights (lexical, learned, nearest) = {weights}: mean validation top-1 {pct(score(best))}"
    ]
    lines += [f"  {n} {p}: {pct(top1(sets[n][p], best))}" for n, p in objective]
    feats, oks, oos_scores = [], [], []
    for n in sets:
        f, ok = top_features(sets[n]["full"], weights)
        n_in = len(sets[n]["full-ins"])
        ok[n_in:] = False
        feats.append(f)
        oks.append(ok)
    slope, gap_slope, offset = _logistic_fit(np.vstack(feats), np.concatenate(oks), c=100.0)
    for n, f, ok in zip(sets, feats, oks, strict=True):
        n_in = len(sets[n]["full-ins"])
        s = 1 / (1 + np.exp(-(f @ np.array([slope, gap_slope]) + offset)))
        oos_scores.append((n, s, ok, n_in))
    threshold = max(float(np.quantile(s[n_in:], 0.9)) for _, s, _, n_in in oos_scores)
    lines += [
        f"SLOPE = {slope:.3f}",
        f"GAP_SLOPE = {gap_slope:.3f}",
        f"OFFSET = {offset:.3f}",
        f"THRESHOLD = {threshold:.3f}",
    ]
    for n, s, ok, n_in in oos_scores:
        lines.append(
            f"  {n} validation: OOS rejected {pct(float(np.mean(s[n_in:] < threshold)))}, "
            f"in-scope accuracy {pct(float(np.mean(ok[:n_in] & (s[:n_in] >= threshold))))}"
        )
    lines.append(
        f"currently shipped: {fusion.WEIGHTS}, SLOPE {fusion.SLOPE}, GAP_SLOPE "
        f"{fusion.GAP_SLOPE}, OFFSET {fusion.OFFSET}, THRESHOLD {fusion.THRESHOLD}"
    )
    return "\n".join(lines)
