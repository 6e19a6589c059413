"""Turn the ranker's raw score into a calibrated probability and a ``confident`` flag.

``score = sigmoid(SLOPE * raw + GAP_SLOPE * gap + OFFSET)`` is Platt scaling on two
features: the raw blend and its gap to the best other result (a clear winner is more
likely right than the best of several near-ties).  The coefficients are a logistic
regression of "this top result is the right SOP" fitted on held-out Banking77 queries.
THRESHOLD is the smallest score that rejects at least 90 % of out-of-scope queries
(15 intents left out of the pack) on that held-out data.  Both are
re-derived with ``python -m benchmarks calibrate``; docs/suggestions.md explains the method.
"""

from __future__ import annotations

import math

SLOPE = 5.123
GAP_SLOPE = 9.091
OFFSET = -5.415
THRESHOLD = 0.414


def calibrate(raw: float, gap: float) -> float:
    z = SLOPE * raw + GAP_SLOPE * gap + OFFSET
    if z < -50:
        return 0.0
    if z > 50:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


def is_confident(score: float) -> bool:
    return score >= THRESHOLD
