"""Bootstrap comparison of median handle times: enough data, too little, seeded."""

from __future__ import annotations

import random

import pytest

from agent_assist.hub.stats import MIN_SAMPLES, bootstrap_median_diff, compare


def test_clear_difference_has_an_interval_excluding_zero() -> None:
    rng = random.Random(1)
    a = [rng.gauss(600, 60) for _ in range(40)]
    b = [rng.gauss(400, 60) for _ in range(40)]
    out = compare(a, b, "v1", "v2")
    assert out["enough_data"] is True
    low, high = out["ci95"]
    assert low <= out["difference"] <= high < 0
    assert "v2 is faster than v1" in out["message"]


def test_no_difference_has_an_interval_around_zero() -> None:
    rng = random.Random(2)
    a = [rng.gauss(500, 80) for _ in range(60)]
    b = a[::-1]  # the same handle times in another order
    out = compare(a, b)
    low, high = out["ci95"]
    assert out["difference"] == 0 and low < 0 < high
    assert "no clear difference" in out["message"]


@pytest.mark.parametrize(("n_a", "n_b"), [(0, 0), (MIN_SAMPLES - 1, 50), (50, 3)])
def test_too_little_data_says_so_plainly(n_a: int, n_b: int) -> None:
    out = compare([100.0] * n_a, [90.0] * n_b, "v1", "v2")
    assert out["enough_data"] is False
    assert out["ci95"] is None and out["difference"] is None
    assert out["n_a"] == n_a and out["n_b"] == n_b
    assert out["message"].startswith("Too little data to compare")


def test_bootstrap_is_seeded() -> None:
    rng = random.Random(3)
    a = [rng.uniform(100, 900) for _ in range(25)]
    b = [rng.uniform(100, 900) for _ in range(25)]
    assert bootstrap_median_diff(a, b) == bootstrap_median_diff(a, b)
    assert bootstrap_median_diff(a, b, 50, seed=1) != bootstrap_median_diff(a, b, 50, seed=2)


@pytest.mark.parametrize("text", ["6393131211600", "1e400", "99999999999w", "tomorrow-ish"])
def test_report_since_rejects_what_it_cannot_mean(text: str) -> None:
    from agent_assist.core.errors import AgentAssistError
    from agent_assist.hub.reports import parse_since

    with pytest.raises(AgentAssistError):
        parse_since(text)


def test_report_since_accepts_spans_and_times() -> None:
    from agent_assist.hub.reports import parse_since

    assert parse_since(None) is None
    assert parse_since("2026-11-01T00:00:00Z") is not None
    assert parse_since("7d") is not None


def _bootstrap_loop(
    a: list[float], b: list[float], resamples: int = 2000, seed: int = 20261126
) -> tuple[float, float]:
    """The bootstrap as first written (the definition the vectorised one must match)."""
    from agent_assist.core.worklog.reports import percentile
    from agent_assist.hub.stats import median

    rng = random.Random(seed)
    diffs = []
    for _ in range(resamples):
        ra = rng.choices(a, k=len(a))
        rb = rng.choices(b, k=len(b))
        diffs.append(median(rb) - median(ra))
    return percentile(diffs, 2.5), percentile(diffs, 97.5)


@pytest.mark.parametrize("sizes", [(10, 10), (11, 12), (1, 2), (37, 120), (400, 399)])
def test_vectorised_bootstrap_gives_the_loops_very_numbers(sizes: tuple[int, int]) -> None:
    rng = random.Random(sum(sizes))
    a = [rng.lognormvariate(5, 1) for _ in range(sizes[0])]
    b = [round(rng.uniform(0, 900), 1) for _ in range(sizes[1])]  # ties, odd and even sizes
    assert bootstrap_median_diff(a, b) == _bootstrap_loop(a, b)
    assert bootstrap_median_diff(a, b, 30, seed=7) == _bootstrap_loop(a, b, 30, seed=7)


def test_vectorised_bootstrap_draws_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    import agent_assist.hub.stats as stats

    monkeypatch.setattr(stats, "CHUNK_DRAWS", 64)  # many blocks: the stream must carry on
    rng = random.Random(3)
    a, b = [rng.random() for _ in range(25)], [rng.random() for _ in range(30)]
    assert bootstrap_median_diff(a, b, 200) == _bootstrap_loop(a, b, 200)
