"""Speed and memory at 1k / 10k / 100k generated SOPs, against a naive rapidfuzz baseline.

Each size runs in three fresh processes: one generates the catalogue and imports it into a
knowledge cache (``Store.import_pack``; the YAML file parsing of ``agent-assist import`` is
skipped, it is not what is measured); one builds and saves the index (the first query after
an import); one loads the saved index and types queries one keystroke at a time (every
later start); one imports the catalogue again with 10 SOPs changed and refreshes (the
incremental update).  Peak RSS is per process; the serving one is read before the baseline loads
every phrasing into a Python list.

The semantic stage (issue 15) is measured beside it: the embeddings build and its
incremental update (only changed SOPs re-encoded), the fused query of each of the 40
queries (once per query: it runs on a typing pause), and the serving RSS with both stages
loaded.

Targets (from the issues): p95 <= 5 ms per keystroke at 10k SOPs and <= 30 ms at 100k;
>= 50x faster than the baseline; semantic stage p95 <= 15 ms; embeddings build <= 120 s and
update of 10 SOPs <= 5 s at 10k SOPs; serving RSS <= 300 MB at 10k SOPs.
"""

from __future__ import annotations

import dataclasses
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

import numpy as np
from rapidfuzz import fuzz, process

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import PackInfo, SourceFile
from agent_assist.core.knowledge.reader import LoadedItem, LoadedPack
from agent_assist.core.search.suggester import Suggester
from benchmarks import synth
from benchmarks.embedding_cache import MODEL_DIR
from benchmarks.tables import table

QUERIES = 40
BASELINE_KEYSTROKES = 20
UPDATED = 10


def import_catalogue(n: int, data_dir: Path, *, changed: int = 0) -> None:
    """Import the catalogue; with ``changed``, that many SOPs get an extra phrasing (an
    update import)."""
    cat = [s.sop for s in synth.catalogue(n)]
    for i in range(changed):
        sop = cat[i * (n // changed)]
        cat[i * (n // changed)] = dataclasses.replace(
            sop, phrasings=(*sop.phrasings, f"new wording number {i} for this problem")
        )
    pack = LoadedPack(
        Path("synthetic"),
        PackInfo("synthetic"),
        SourceFile("pack.yaml", "name: synthetic\n", "0"),
        [LoadedItem(sop, synth.source(sop), cast(Any, None)) for sop in cat],
    )
    with Store.in_dir(data_dir) as store:
        store.import_pack(pack)


def update(n: int, data_dir: Path) -> dict[str, float]:
    """Import UPDATED changed SOPs, then refresh: the incremental path."""
    import_catalogue(n, data_dir, changed=UPDATED)
    t = time.perf_counter()
    with Store.in_dir(data_dir) as store:
        suggester = Suggester(store, model_dir=MODEL_DIR)
        suggester.refresh()
        lexical = time.perf_counter() - t
        suggester.refresh_semantic()
    return {"update_s": lexical, "sem_update_s": time.perf_counter() - t - lexical}


def keystrokes(text: str) -> list[str]:
    """What the search field holds after each key press (words end with a space)."""
    return [text[:k] for k in range(1, len(text) + 1)]


def build(n: int, data_dir: Path) -> dict[str, float]:
    """Build (and save) the index from the cache, as the first query after an import does."""
    t = time.perf_counter()
    with Store.in_dir(data_dir) as store:
        suggester = Suggester(store, model_dir=MODEL_DIR)
        suggester.refresh()
        lexical = time.perf_counter() - t
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        suggester.refresh_semantic()
    return {
        "build_s": lexical,
        "build_rss": rss,
        "sem_build_s": time.perf_counter() - t - lexical,
        "sem_build_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def serve(n: int, data_dir: Path) -> dict[str, float]:
    """A later start: load the saved index, then type the queries."""
    cat = synth.catalogue(n)
    qs = synth.queries(cat, QUERIES)
    store = Store.in_dir(data_dir)
    suggester = Suggester(store, model_dir=MODEL_DIR)
    t = time.perf_counter()
    suggester.refresh()
    load = time.perf_counter() - t
    t = time.perf_counter()
    suggester.refresh_semantic()  # loads the saved embeddings and the encoder
    sem_load = time.perf_counter() - t
    lat, hits = [], 0
    for text, gold in qs:
        for typed in keystrokes(text):
            t = time.perf_counter()
            res = suggester.suggest(typed, limit=10)
            lat.append(time.perf_counter() - t)
        hits += gold in {r.id for r in res}
    sem = []
    for text, _ in qs:  # the semantic stage: once per query, after the typing pause
        t = time.perf_counter()
        suggester.suggest(text, limit=10, semantic=True)
        sem.append(time.perf_counter() - t)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    phrasings = [p for s in cat for p in s.sop.phrasings]
    sample = [k for text, _ in qs[:4] for k in keystrokes(text)][::7][:BASELINE_KEYSTROKES]
    base = []
    for typed in sample:
        t = time.perf_counter()
        process.extract(typed, phrasings, scorer=fuzz.WRatio, limit=10)
        base.append(time.perf_counter() - t)
    ours = np.array(lat) * 1000
    return {
        "load_s": load,
        "sem_load_s": sem_load,
        "sem_p50": float(np.percentile(np.array(sem) * 1000, 50)),
        "sem_p95": float(np.percentile(np.array(sem) * 1000, 95)),
        "p50": float(np.percentile(ours, 50)),
        "p95": float(np.percentile(ours, 95)),
        "rss": rss,
        "hit10": hits / len(qs),
        "base_p50": float(np.median(base) * 1000),
        "keystrokes": len(lat),
    }


def run(sizes: list[int]) -> str:
    rows = []
    for n in sizes:
        r: dict[str, float] = {}
        with tempfile.TemporaryDirectory() as tmp:
            for step in ("import", "build", "serve", "update"):
                proc = subprocess.run(
                    [sys.executable, "-m", "benchmarks.speed", step, str(n), tmp],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                if step != "import":
                    r |= json.loads(proc.stdout.splitlines()[-1])
        rows.append(
            [
                f"{n:,}",
                f"{r['build_s']:.1f} s",
                f"{r['sem_build_s']:.1f} s",
                f"{r['update_s']:.1f} s",
                f"{r['sem_update_s']:.1f} s",
                f"{r['build_rss']:.0f} / {r['sem_build_rss']:.0f} MB",
                f"{r['load_s']:.2f} / {r['sem_load_s']:.2f} s",
                f"{r['rss']:.0f} MB",
                f"{r['p50']:.2f}",
                f"{r['p95']:.2f}",
                f"{r['sem_p50']:.1f}",
                f"{r['sem_p95']:.1f}",
                f"{r['base_p50']:.0f}",
                f"{r['base_p50'] / r['p50']:.0f}x",
                f"{100 * r['hit10']:.0f} %",
            ]
        )
        print(f"  measured {n:,} SOPs", file=sys.stderr, flush=True)
    return "\n".join(
        [
            f"Speed: {QUERIES} queries typed one keystroke at a time ({int(r['keystrokes'])} "
            "calls of suggest(limit=10)); baseline = rapidfuzz process.extract(WRatio) over all "
            f"phrasings on {BASELINE_KEYSTROKES} of those keystrokes",
            table(
                [
                    "SOPs",
                    "lexical build",
                    "embeddings build",
                    f"lexical update ({UPDATED} SOPs changed)",
                    "embeddings update",
                    "peak RSS (lexical / + embeddings build)",
                    "load (index / embeddings + encoder)",
                    "peak RSS (serve, both stages)",
                    "keystroke p50 ms",
                    "keystroke p95 ms",
                    "semantic stage p50 ms",
                    "semantic stage p95 ms",
                    "baseline p50 ms",
                    "speed-up (p50)",
                    "expected SOP in top 10",
                ],
                rows,
            ),
        ]
    )


def _worker(argv: list[str]) -> None:
    step, n, tmp = argv[0], int(argv[1]), Path(argv[2])
    if step == "import":
        import_catalogue(n, tmp)
    else:
        print(json.dumps({"build": build, "serve": serve, "update": update}[step](n, tmp)))


if __name__ == "__main__":
    _worker(sys.argv[1:])
