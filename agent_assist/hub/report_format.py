"""The lead reports as text: ``table`` for reading in a terminal, ``csv`` for a spreadsheet,
``json`` exactly as the HTTP API returns it (what scripts already parse).

Tables put the words a lead knows first (step text, SOP, version) and clip long text to a
column width, so a row fits a terminal; CSV is long format (one row per step, the version's
figures repeated), written by the ``csv`` module so any text quotes correctly.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from agent_assist.core.worklog.durations import format_seconds

FORMATS = ("table", "csv", "json")
TEXT_WIDTH = 56
"""Step text and queries longer than this are clipped in tables (never in CSV or JSON)."""


def _secs(value: Any) -> str:
    return "-" if value is None else format_seconds(float(value))


def _pct(value: Any) -> str:
    return "-" if value is None else f"{float(value):.0%}"


def _clip(text: Any, width: int = TEXT_WIDTH) -> str:
    value = " ".join(str(text or "").split())
    return value if len(value) <= width else value[: width - 1] + "…"


def _grid(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    """Columns as wide as their widest cell; numbers (``right``) aligned right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().rstrip("\n")


def _quality_words(q: dict[str, Any]) -> str:
    if not q or not q.get("n"):
        return "quality: no ratings or reopen data yet"
    sat = q["satisfaction_mean"]
    return (
        f"quality: reopened {_pct(q['reopen_rate'])} (n = {q['reopen_known']}), "
        f"satisfaction {'-' if sat is None else f'{sat:.2f}'} (n = {q['satisfaction_n']})"
    )


def _version_block(row: dict[str, Any]) -> list[str]:
    title = f" “{row['title']}”" if row.get("title") else ""
    where = (
        f"published {row['published_at'][:10]}"
        if row.get("published_at")
        else row.get("unpublished_reason") or "no SOP opened"
    )
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(row["outcomes"].items())) or "-"
    lines = [
        f"{row['sop_id']} v{row['version'] if row['version'] is not None else '-'}{title} "
        f"({where})",
        f"  {row['sessions']} session(s): median {_secs(row['median_seconds'])}, "
        f"p90 {_secs(row['p90_seconds'])}, escalated {_pct(row['escalation_rate'])}, "
        f"steps skipped {_pct(row['skip_rate'])}, acknowledged {_pct(row['ack_coverage'])}",
        f"  outcomes: {outcomes}",
        f"  {_quality_words(row.get('quality') or {})}",
    ]
    steps = row.get("steps") or []
    if steps:
        cells = [
            [
                str(s["position"]) if s["position"] is not None else "+",
                _clip(s["text"] if s["text"] else f"({s['step_id']})"),
                str(s["count"]),
                _secs(s["median_seconds"]),
                _secs(s["p90_seconds"]),
                _pct(s["skip_rate"]),
                _clip(" ".join(f"{k}={v:.0%}" for k, v in s["branches"].items()), 40),
            ]
            for s in steps
        ]
        grid = _grid(
            ["#", "step", "n", "median", "p90", "skipped", "branches"], cells, {0, 2, 3, 4, 5}
        )
        lines += ["  " + g for g in grid]
    return lines


def sops_table(data: dict[str, Any]) -> str:
    since = data["since"][:16] if data.get("since") else "the beginning"
    lines = [f"{data['sessions']} ended session(s) since {since}"]
    for row in data["sops"]:
        lines += ["", *_version_block(row)]
    if data.get("unpublished"):
        lines += ["", "Not from this hub (content never published here; not a hub version):"]
        for row in data["unpublished"]:
            lines += ["", *_version_block(row)]
    return "\n".join(lines)


SOPS_CSV = (
    "source",
    "sop_id",
    "version",
    "title",
    "unpublished_reason",
    "sessions",
    "median_seconds",
    "p90_seconds",
    "escalation_rate",
    "skip_rate",
    "ack_coverage",
    "reopen_rate",
    "satisfaction_mean",
    "quality_n",
    "step_position",
    "step_id",
    "step_text",
    "step_count",
    "step_median_seconds",
    "step_p90_seconds",
    "step_skip_rate",
    "step_branches",
)


def sops_csv(data: dict[str, Any]) -> str:
    rows = []
    for row in [*data["sops"], *data.get("unpublished", [])]:
        q = row.get("quality") or {}
        head = [
            row["source"],
            row["sop_id"],
            row["version"],
            row.get("title"),
            row.get("unpublished_reason"),
            row["sessions"],
            row["median_seconds"],
            row["p90_seconds"],
            row["escalation_rate"],
            row["skip_rate"],
            row["ack_coverage"],
            q.get("reopen_rate"),
            q.get("satisfaction_mean"),
            q.get("n"),
        ]
        for s in row["steps"] or [None]:
            tail = (
                [
                    s["position"],
                    s["step_id"],
                    s["text"],
                    s["count"],
                    s["median_seconds"],
                    s["p90_seconds"],
                    s["skip_rate"],
                    ";".join(f"{k}={v}" for k, v in s["branches"].items()),
                ]
                if s
                else [None] * 8
            )
            rows.append([("" if v is None else v) for v in head + tail])
    return _csv(SOPS_CSV, rows)


COMPARE_FIELDS = (
    "sop_id",
    "a",
    "b",
    "n_a",
    "n_b",
    "median_a",
    "median_b",
    "difference",
    "ci95_low",
    "ci95_high",
    "relative_difference",
    "enough_data",
    "reopen_rate_a",
    "reopen_rate_b",
    "satisfaction_a",
    "satisfaction_b",
    "summary",
)


def _compare_values(data: dict[str, Any]) -> dict[str, Any]:
    ci = data.get("ci95") or [None, None]
    qa, qb = data.get("quality_a") or {}, data.get("quality_b") or {}
    return {
        **{k: data.get(k) for k in COMPARE_FIELDS},
        "ci95_low": ci[0],
        "ci95_high": ci[1],
        "reopen_rate_a": qa.get("reopen_rate"),
        "reopen_rate_b": qb.get("reopen_rate"),
        "satisfaction_a": qa.get("satisfaction_mean"),
        "satisfaction_b": qb.get("satisfaction_mean"),
    }


def compare_table(data: dict[str, Any]) -> str:
    a, b = f"v{data['a']}", f"v{data['b']}"
    ci = data.get("ci95")
    rows = [
        ["sessions", str(data["n_a"]), str(data["n_b"])],
        ["median handle time", _secs(data["median_a"]), _secs(data["median_b"])],
    ]
    qa, qb = data.get("quality_a") or {}, data.get("quality_b") or {}
    rows.append(["reopened", _pct(qa.get("reopen_rate")), _pct(qb.get("reopen_rate"))])
    sat_a, sat_b = qa.get("satisfaction_mean"), qb.get("satisfaction_mean")
    rows.append(
        [
            "satisfaction (0-1)",
            "-" if sat_a is None else f"{sat_a:.2f}",
            "-" if sat_b is None else f"{sat_b:.2f}",
        ]
    )
    lines = [f"{data['sop_id']}: {a} vs {b}", "", *_grid(["", a, b], rows, {1, 2}), ""]
    if ci:
        lines.append(
            f"difference {b} - {a}: {data['difference']:+.1f} s "
            f"(95 % CI {ci[0]:+.1f} to {ci[1]:+.1f} s)"
        )
    lines.append(str(data.get("summary") or data.get("message", "")))
    return "\n".join(lines)


def compare_csv(data: dict[str, Any]) -> str:
    values = _compare_values(data)
    return _csv(COMPARE_FIELDS, [["" if values[k] is None else values[k] for k in COMPARE_FIELDS]])


def gaps_table(data: dict[str, Any]) -> str:
    groups = data.get("groups") or []
    lines = [f"{len(groups)} group(s) of {data.get('queries', 0)} distinct gap queries"]
    if not groups:
        return lines[0]
    cells = [
        [
            str(g["count"]),
            str(g["agents"]),
            str(g["first_seen"])[:10],
            str(g["last_seen"])[:10],
            _clip(g["label"], 44),
            str(len(g["queries"]) + g.get("more_queries", 0)),
            _clip(", ".join(n["sop_id"] for n in g.get("nearest", [])[:2]) or "-", 36),
            "open" if g.get("open", True) else "decided",
        ]
        for g in groups
    ]
    headers = ["count", "agents", "first", "last", "gap", "queries", "nearest SOPs", "state"]
    return "\n".join([lines[0], "", *_grid(headers, cells, {0, 1, 5})])


GAPS_CSV = ("group", "query", "count", "agents", "first_seen", "last_seen", "sources", "open")


def gaps_csv(data: dict[str, Any]) -> str:
    rows = [
        [
            g["key"],
            q["text"],
            q["count"],
            q["agents"],
            q["first_seen"],
            q["last_seen"],
            ";".join(q["sources"]),
            q["decision"] is None,
        ]
        for g in data.get("groups") or []
        for q in g["queries"]
    ]
    return _csv(GAPS_CSV, rows)


RENDERERS: dict[str, dict[str, Callable[[dict[str, Any]], str]]] = {
    "sops": {"table": sops_table, "csv": sops_csv},
    "compare": {"table": compare_table, "csv": compare_csv},
    "gaps": {"table": gaps_table, "csv": gaps_csv},
}


def render(report: str, fmt: str, data: dict[str, Any]) -> str:
    """``data`` of ``report`` (sops, compare, gaps) in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False)
    return RENDERERS[report][fmt](data)
