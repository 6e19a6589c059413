"""Version comparison: difference in median handle time with a bootstrap 95 % interval.

A percentile bootstrap of the difference of medians (``b - a``): resample each version's
handle times with replacement, take the difference of the resampled medians, repeat, and read
the 2.5th and 97.5th percentiles.  It assumes nothing about the shape of handle times (which
are skewed) and is seeded, so one report gives one answer.  Below :data:`MIN_SAMPLES`
sessions per version an interval would look precise and mean nothing, so none is given.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from agent_assist.core.worklog.reports import percentile

MIN_SAMPLES = 10
RESAMPLES = 2000
SEED = 20261126
CHUNK_DRAWS = 1 << 20
"""Random numbers drawn per block of resamples (8 MiB of doubles): bounded memory at any n."""


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def bootstrap_median_diff(
    a: Sequence[float], b: Sequence[float], resamples: int = RESAMPLES, seed: int = SEED
) -> tuple[float, float]:
    """The 95 % percentile-bootstrap interval of ``median(b) - median(a)``.

    Defined as the plain loop: ``random.Random(seed)``, then per resample
    ``rng.choices(a, k=len(a))`` and ``rng.choices(b, k=len(b))`` and the difference of their
    medians.  The loop took a minute at 4,000 sessions per version, so it runs vectorised
    with the very same numbers: numpy's legacy ``RandomState`` is the same Mersenne Twister
    with the same 53-bit doubles, started from the state ``random.Random(seed)`` has, and
    ``choices`` picks ``population[floor(random() * n)]``; each median is taken from the
    same two order statistics with the same arithmetic as :func:`percentile`.  A unit test
    holds it to the loop."""
    if not a or not b:
        return math.nan, math.nan
    state = random.Random(seed).getstate()[1]
    draws = np.random.RandomState()
    draws.set_state(("MT19937", np.array(state[:-1], dtype=np.uint32), int(state[-1]), 0, 0.0))
    va, vb = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    na, nb = len(va), len(vb)
    block = max(1, CHUNK_DRAWS // (na + nb))
    diffs: list[float] = []
    while len(diffs) < resamples:
        k = min(block, resamples - len(diffs))
        u = draws.random_sample(k * (na + nb)).reshape(k, na + nb)
        picks_a = (u[:, :na] * float(na)).astype(np.intp)  # floor: the values are >= 0
        picks_b = (u[:, na:] * float(nb)).astype(np.intp)
        diffs.extend((_row_medians(vb[picks_b]) - _row_medians(va[picks_a])).tolist())
    return percentile(diffs, 2.5), percentile(diffs, 97.5)


def _row_medians(rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``percentile(row, 50)`` of every row, with the same interpolation arithmetic."""
    pos = (rows.shape[1] - 1) * 50 / 100
    low, high = math.floor(pos), math.ceil(pos)
    part = np.partition(rows, sorted({low, high}), axis=1)
    lo, hi = part[:, low], part[:, high]
    medians: npt.NDArray[np.float64] = lo + (hi - lo) * (pos - low)
    return medians


def compare(
    a: Sequence[float], b: Sequence[float], label_a: str = "a", label_b: str = "b"
) -> dict[str, Any]:
    """Compare handle times (seconds) of two versions; says plainly when data is too thin."""
    out: dict[str, Any] = {
        "n_a": len(a),
        "n_b": len(b),
        "median_a": round(median(a), 3) if a else None,
        "median_b": round(median(b), 3) if b else None,
        "difference": None,
        "ci95": None,
        "enough_data": False,
        "method": f"percentile bootstrap of median(b) - median(a), {RESAMPLES} resamples",
    }
    if len(a) < MIN_SAMPLES or len(b) < MIN_SAMPLES:
        out["message"] = (
            f"Too little data to compare: {label_a} has {len(a)} and {label_b} has {len(b)} "
            f"ended sessions; at least {MIN_SAMPLES} each are needed for a confidence interval."
        )
        return out
    low, high = bootstrap_median_diff(a, b)
    diff = median(b) - median(a)
    out.update(difference=round(diff, 3), ci95=[round(low, 3), round(high, 3)], enough_data=True)
    if low > 0:
        verdict = f"{label_b} is slower than {label_a}"
    elif high < 0:
        verdict = f"{label_b} is faster than {label_a}"
    else:
        verdict = "no clear difference between the versions"
    out["message"] = (
        f"Median handle time {label_b} - {label_a}: {diff:+.1f} s "
        f"(95 % CI {low:+.1f} to {high:+.1f} s; n = {len(a)} vs {len(b)}): {verdict}."
    )
    return out
