"""Charts drawn on the server as SVG, each with the table of the numbers it shows.

No JavaScript and no library: a lead's browser on an isolated network gets finished markup.
Colours come from CSS classes (``bar``, ``s0``/``s1`` for series, ``point``, ``line``,
``interval``), so the light and dark themes restyle every chart.  The SVG scales with its
container (``viewBox``), so it stays readable at 200 % zoom.  Every chart is ``role="img"``
with a text alternative; the table beside it is the accessible form of the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

WIDTH = 560
BAR = 22
GAP = 8
LABEL_W = 180
PAD = 12


@dataclass(frozen=True)
class Chart:
    """An SVG and its table (``columns`` headings; ``rows`` of cells already formatted)."""

    svg: Markup
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    summary: str = ""


def _nice_max(value: float) -> float:
    """A round axis end at or above ``value`` (1, 2 or 5 times a power of ten)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def nice_seconds(value: float) -> float:
    """An axis end for durations: whole minutes (1, 2, 5, 10 … of them) past two minutes."""
    return _nice_max(value) if value <= 120 else _nice_max(value / 60) * 60


def _divisions(top: float, nice: Callable[[float], float]) -> int:
    """Grid lines that fall on round values: 1 and 5 split in fifths, 2 in quarters."""
    if nice is nice_seconds and top > 120:
        top /= 60
    lead = round(top / 10 ** math.floor(math.log10(top))) if top > 0 else 1
    if lead in (1, 5, 10):
        return 5
    return 4


def _svg(height: float, label: str, body: list[str], width: float = WIDTH) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{escape(label)}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, cls: str = "", anchor: str = "start") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{escape(text)}</text>'


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    label: str,
    fmt: Callable[[float], str],
    label_heading: str = "",
    links: Sequence[str] | None = None,
) -> Chart:
    """Horizontal bars, one group per label, one bar per series (``(name, values)``).

    A missing value (``None``) draws no bar; the table says "–".  ``links`` (one URL per
    label) make the labels, in the chart and in its table, links to their pages."""
    values = [v for _, vs in series for v in vs if v is not None and math.isfinite(v)]
    top = _nice_max(max(values, default=0.0))
    plot = WIDTH - LABEL_W - PAD - 80
    group = BAR * len(series) + GAP
    height = PAD * 2 + group * len(labels) + 18
    body = []
    for i, name in enumerate(labels):
        y0 = PAD + i * group
        text = _text(LABEL_W - 8, y0 + group / 2 + 4, _short(name, 26), "label", "end")
        if links:
            text = f'<a href="{escape(links[i])}">{text}</a>'
        body.append(text)
        for s, (sname, vs) in enumerate(series):
            value = vs[i]
            if value is None or not math.isfinite(value):
                continue
            w = max(1.0, plot * value / top)
            y = y0 + s * BAR
            body.append(
                f'<rect class="bar s{s}" x="{LABEL_W}" y="{y:.1f}" width="{w:.1f}" '
                f'height="{BAR - 4}"><title>{escape(f"{name}, {sname}: {fmt(value)}")}'
                "</title></rect>"
            )
            body.append(_text(LABEL_W + w + 6, y + BAR / 2 + 1, fmt(value), "value"))
    axis_y = PAD + group * len(labels)
    body.append(
        f'<line class="axis" x1="{LABEL_W}" y1="{PAD - 4}" x2="{LABEL_W}" y2="{axis_y:.1f}"/>'
    )
    legend = [f'<tspan class="key s{s}">■</tspan> {escape(n)}' for s, (n, _) in enumerate(series)]
    if len(series) > 1:
        body.append(
            f'<text class="legend" x="{LABEL_W}" y="{axis_y + 16:.1f}">'
            + " &#160; ".join(legend)
            + "</text>"
        )
    rows: list[list[str]] = [
        [_link(name, links[i]) if links else name]
        + [fmt(v) if (v := vs[i]) is not None else "–" for _, vs in series]
        for i, name in enumerate(labels)
    ]
    columns = [label_heading or "Item", *[n for n, _ in series]]
    return Chart(_svg(height, label, body), columns, rows, label)


@dataclass(frozen=True)
class _TimeAxes:
    """The frame of a chart over a time axis: one slot per label, values from 0 to ``top``
    on a grid of round values, the labels underneath."""

    left: float
    slots: int
    top: float
    height: float = 220.0
    bottom: float = 28.0
    top_pad: float = 14.0

    @property
    def plot_w(self) -> float:
        return WIDTH - self.left - PAD

    @property
    def plot_h(self) -> float:
        return self.height - self.bottom - self.top_pad

    @property
    def step(self) -> float:
        return self.plot_w / max(1, self.slots)

    def rise(self, value: float) -> float:
        """How far above the axis ``value`` is drawn."""
        return self.plot_h * value / self.top

    def frame(
        self, labels: Sequence[str], fmt: Callable[[float], str], nice: Callable[[float], float]
    ) -> tuple[list[str], list[str]]:
        """(the grid, the labels under the axis): what goes behind and under the data."""
        grid = _grid(
            self.left,
            self.top_pad,
            self.plot_w,
            self.plot_h,
            self.top,
            fmt,
            _divisions(self.top, nice),
        )
        return grid, _time_ticks(labels, self.left, self.step, self.height - 8)


def column_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    label: str,
    fmt: Callable[[float], str],
    label_heading: str = "Day",
    value_heading: str = "Value",
    nice: Callable[[float], float] = _nice_max,
) -> Chart:
    """Vertical bars over a time axis (one per label, e.g. a day); zero draws no bar."""
    axes = _TimeAxes(48.0, len(values), nice(max(values, default=0.0)))
    body, ticks = axes.frame(labels, fmt, nice)
    step = axes.step
    for i, (name, value) in enumerate(zip(labels, values, strict=True)):
        if value <= 0:
            continue
        h = axes.rise(value)
        x = axes.left + i * step + step * 0.12
        body.append(
            f'<rect class="bar s0" x="{x:.1f}" y="{axes.top_pad + axes.plot_h - h:.1f}" '
            f'width="{max(1.0, step * 0.76):.1f}" height="{h:.1f}">'
            f"<title>{escape(f'{name}: {fmt(value)}')}</title></rect>"
        )
    rows = [[n, fmt(v)] for n, v in zip(labels, values, strict=True)]
    return Chart(
        _svg(axes.height, label, body + ticks), [label_heading, value_heading], rows, label
    )


def line_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    label: str,
    fmt: Callable[[float], str],
    label_heading: str = "Day",
    value_heading: str = "Value",
    nice: Callable[[float], float] = _nice_max,
) -> Chart:
    """A line through the points that have a value (a day without sessions has none)."""
    present = [v for v in values if v is not None]
    axes = _TimeAxes(64.0, len(values), nice(max(present, default=0.0)))
    body, ticks = axes.frame(labels, fmt, nice)
    step = axes.step
    points = []
    for i, (name, value) in enumerate(zip(labels, values, strict=True)):
        if value is None:
            continue
        x = axes.left + i * step + step / 2
        y = axes.top_pad + axes.plot_h - axes.rise(value)
        points.append((x, y, name, value))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        body.append(f'<polyline class="line" points="{path}"/>')
    for x, y, name, value in points:
        body.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
            f"<title>{escape(f'{name}: {fmt(value)}')}</title></circle>"
        )
    rows = [[n, fmt(v) if v is not None else "–"] for n, v in zip(labels, values, strict=True)]
    return Chart(
        _svg(axes.height, label, body + ticks), [label_heading, value_heading], rows, label
    )


def interval_chart(
    estimate: float,
    low: float,
    high: float,
    *,
    label: str,
    fmt: Callable[[float], str],
    heading: str = "Difference",
) -> Chart:
    """One estimate with its interval against zero (no change), e.g. a version comparison."""
    height = 90.0
    left, right = 40.0, WIDTH - 40.0
    reach = _nice_max(max(abs(low), abs(high), abs(estimate)))

    def x_of(v: float) -> float:
        return left + (v + reach) / (2 * reach) * (right - left)

    y = 36.0
    body = [
        f'<line class="axis" x1="{left}" y1="{y + 22}" x2="{right}" y2="{y + 22}"/>',
        f'<line class="zero" x1="{x_of(0):.1f}" y1="8" x2="{x_of(0):.1f}" y2="{y + 22}"/>',
        _text(x_of(0), y + 40, "no change", "tick", "middle"),
        _text(left, y + 40, fmt(-reach), "tick", "start"),
        _text(right, y + 40, fmt(reach), "tick", "end"),
        f'<line class="interval" x1="{x_of(low):.1f}" y1="{y}" x2="{x_of(high):.1f}" y2="{y}"/>',
        f'<line class="interval" x1="{x_of(low):.1f}" y1="{y - 8}" x2="{x_of(low):.1f}" '
        f'y2="{y + 8}"/>',
        f'<line class="interval" x1="{x_of(high):.1f}" y1="{y - 8}" x2="{x_of(high):.1f}" '
        f'y2="{y + 8}"/>',
        f'<circle class="point" cx="{x_of(estimate):.1f}" cy="{y}" r="6">'
        f"<title>{escape(f'{heading}: {fmt(estimate)} ({fmt(low)} to {fmt(high)})')}</title>"
        "</circle>",
    ]
    rows = [[fmt(estimate), fmt(low), fmt(high)]]
    columns = [heading, "95 % interval from", "to"]
    return Chart(_svg(height, label, body), columns, rows, label)


def _grid(
    left: float,
    top: float,
    w: float,
    h: float,
    top_value: float,
    fmt: Callable[[float], str],
    parts: int,
) -> list[str]:
    out = []
    for k in range(parts + 1):
        value = top_value * k / parts
        y = top + h - h * k / parts
        out.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{left + w:.1f}" y2="{y:.1f}"/>'
        )
        out.append(_text(left - 6, y + 4, fmt(value), "tick", "end"))
    return out


def _time_ticks(labels: Sequence[str], left: float, step: float, y: float) -> list[str]:
    """At most about eight labels under a time axis, so they never overlap."""
    every = max(1, math.ceil(len(labels) / 8))
    return [
        _text(left + i * step + step / 2, y, _short(name, 10), "tick", "middle")
        for i, name in enumerate(labels)
        if i % every == 0
    ]


def _link(text: str, href: str) -> str:
    return Markup('<a href="{}">{}</a>').format(href, text)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
