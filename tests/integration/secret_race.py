"""Processes racing to create the team secret: :func:`race` releases :data:`PROCESSES`
processes together (a barrier) on a fresh data dir, round after round.

A module of its own, importing only the standard library: each worker is a spawned process
that imports it, so the workers start in a fraction of a second, as they would on Windows.
Used by ``test_team_secret.py``, and by hand against an old implementation::

    race(Path("/tmp/x"), "old_module:team_secret")
"""

from __future__ import annotations

import importlib
import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROCESSES = 8
ROUNDS = 100

_barrier: Any = None


def _init_worker(barrier: Any) -> None:
    global _barrier
    _barrier = barrier


def _create(job: tuple[str, str]) -> str:
    """In a worker: import ``module:function``, wait for all, call it on the dir; the secret
    as hex (``""`` for an empty one) or ``error: ...``."""
    data_dir, target = job
    module, _, name = target.partition(":")
    create: Callable[[Path], bytes] = getattr(importlib.import_module(module), name)
    _barrier.wait(timeout=60)
    try:
        return create(Path(data_dir)).hex()
    except Exception as exc:  # reported to the test, which fails on it
        return f"error: {type(exc).__name__}: {exc}"


def race(base: Path, target: str, rounds: int = ROUNDS) -> list[list[str]]:
    """What each process got, per round; round ``n`` works in ``base / f"round-{n}"``."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    with ctx.Pool(PROCESSES, initializer=_init_worker, initargs=(barrier,)) as pool:
        return [
            pool.map(_create, [(str(base / f"round-{n}"), target)] * PROCESSES, chunksize=1)
            for n in range(rounds)
        ]
