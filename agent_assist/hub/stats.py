"""Version comparison: difference in median handle time with a bootstrap 95 % interval.

A percentile bootstrap of the difference of medians (``b - a``): resample each version's
handle times with replacement, take the difference of the resampled medians, repeat, and read
the 2.5th and 97.5th percentiles.  It assumes nothing about the shape of handle times (which
are skewed) and is seeded, so one report gives one answer.  Below :data:`MIN_SAMPLES`
sessions per version an interval would look precise and mean nothing, so none is given.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from agent_assist.core.worklog.reports import percentile

MIN_SAMPLES = 10
RESAMPLES = 2000
SEED = 20261126


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def bootstrap_median_diff(
    a: Sequence[float], b: Sequence[float], resamples: int = RESAMPLES, seed: int = SEED
) -> tuple[float, float]:
    """The 95 % percentile-bootstrap interval of ``median(b) - median(a)``."""
    rng = random.Random(seed)
    diffs = []
    for _ in range(resamples):
        ra = rng.choices(a, k=len(a))
        rb = rng.choices(b, k=len(b))
        diffs.append(median(rb) - median(ra))
    return percentile(diffs, 2.5), percentile(diffs, 97.5)


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
