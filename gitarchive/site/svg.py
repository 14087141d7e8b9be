"""Likes over time as inline SVG: a chart with axes for playlist pages, a sparkline for the index.

Rendered here, in Python, so that the pages need no charting script, no CDN
and no network. Every text is escaped; numbers are formatted with fixed
precision so that the output is deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from html import escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 16, 40


# made once per commit's date: every playlist a commit changed shares it (strptime is slow)
@lru_cache(maxsize=4096)
def _moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def format_count(value: float) -> str:
    """Axis labels: 1,234 / 12.3k / 4.5M (short enough for the left margin)."""
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if magnitude >= 10_000:
        return f"{value / 1_000:.1f}k".replace(".0k", "k")
    return f"{value:,.0f}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5, 5 x 10^n steps)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(value)
        value += step
    return ticks


def _date_ticks(first: datetime, last: datetime, count: int = 6) -> list[datetime]:
    if last <= first:
        return [first]
    span = (last - first).total_seconds()
    return [first + timedelta(seconds=span * i / (count - 1)) for i in range(count)]


def _date_label(moment: datetime, span: timedelta) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if span < timedelta(days=2) else f"{moment:%Y-%m-%d}"


@dataclass(frozen=True, slots=True)
class _Frame:
    """The plot area: dates across, likes from ``low`` to ``high`` up."""

    first: datetime
    last: datetime
    low: float
    high: float
    plot_w: float = WIDTH - LEFT - RIGHT
    plot_h: float = HEIGHT - TOP - BOTTOM

    def x(self, moment: datetime) -> float:
        if self.last == self.first:
            return LEFT + self.plot_w / 2
        span = (self.last - self.first).total_seconds() or 1.0
        return LEFT + self.plot_w * (moment - self.first).total_seconds() / span

    def y(self, value: float) -> float:
        return TOP + self.plot_h * (1 - (value - self.low) / ((self.high - self.low) or 1))


def likes_chart(points: list[tuple[str, int]], *, title: str) -> str:
    """The chart: one circle per change of likes, joined by a line; axes with dates and counts."""
    label = escape(title, quote=True)
    if not points:
        return f'<p class="nolikes">No likes recorded for {label}.</p>'
    moments = [_moment(when) for when, _ in points]
    values = [likes for _, likes in points]
    ticks = nice_ticks(min(values), max(values))
    frame = _Frame(moments[0], moments[-1], ticks[0], ticks[-1])
    parts = [
        f'<svg class="likes" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="Likes over time: {label}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>Likes over time: {label}</title>",
        '<g class="axis y">',
        *_y_axis(frame, ticks),
        '</g><g class="axis x">',
        *_x_axis(frame),
        "</g>",
    ]
    coords = [(frame.x(m), frame.y(v)) for m, v in zip(moments, values, strict=True)]
    path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
    parts.append(f'<polyline class="line" points="{path}"/>')
    parts.append('<g class="points">')
    for (cx, cy), (when, likes) in zip(coords, points, strict=True):
        parts.append(
            f'<circle class="pt" cx="{cx:.1f}" cy="{cy:.1f}" r="3" data-date="{when}" '
            f'data-likes="{likes}"><title>{when[:10]}: {likes:,} likes</title></circle>'
        )
    parts.append("</g></svg>")
    return "".join(parts)


def _y_axis(frame: _Frame, ticks: list[float]) -> list[str]:
    return [
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" '
        f'y1="{frame.y(tick):.1f}" y2="{frame.y(tick):.1f}"/>'
        f'<text x="{LEFT - 8}" y="{frame.y(tick) + 4:.1f}" text-anchor="end">'
        f"{format_count(tick)}</text>"
        for tick in ticks
    ]


def _x_axis(frame: _Frame) -> list[str]:
    bottom = TOP + frame.plot_h
    return [
        f'<line x1="{frame.x(moment):.1f}" x2="{frame.x(moment):.1f}" y1="{bottom}" '
        f'y2="{bottom + 5}"/>'
        f'<text x="{frame.x(moment):.1f}" y="{bottom + 20}" text-anchor="middle">'
        f"{_date_label(moment, frame.last - frame.first)}</text>"
        for moment in _date_ticks(frame.first, frame.last)
    ]


def sparkline(points: list[tuple[str, int]], *, width: int = 120, height: int = 28) -> str:
    """A small line of likes for the index (no axes); empty when fewer than two points."""
    if len(points) < 2:
        return ""
    moments = [_moment(when).timestamp() for when, _ in points]
    values = [likes for _, likes in points]
    low, high = min(values), max(values)
    t0, t1 = moments[0], moments[-1]
    coords = " ".join(
        f"{2 + (width - 4) * (t - t0) / ((t1 - t0) or 1):.1f},"
        f"{height - 2 - (height - 4) * (v - low) / ((high - low) or 1):.1f}"
        for t, v in zip(moments, values, strict=True)
    )
    summary = f"likes {values[0]:,} to {values[-1]:,}"
    return (
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{summary}" xmlns="http://www.w3.org/2000/svg">'
        f'<polyline points="{coords}"/></svg>'
    )
