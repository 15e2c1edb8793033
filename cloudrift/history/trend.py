"""Drift over time as inline SVG: one line per finding kind (or per provider), one point per day.

Drawn from the report's ``trend`` (which the history fills), with nothing to fetch: no script,
no font, no image. Colours come from classes the page's own stylesheet defines (``TREND_STYLE``),
since a Content-Security-Policy without ``'unsafe-inline'`` ignores ``style`` attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from cloudrift.model import FindingKind, TrendPoint

WIDTH, HEIGHT = 640, 200
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 12, 12, 42
_PALETTE = 6

TREND_STYLE = """
svg.trend { width: 100%; max-width: 640px; height: auto; overflow: visible; }
svg.trend .axis { stroke: var(--line); stroke-width: 1; }
svg.trend text { fill: var(--muted); font: 11px system-ui, sans-serif; }
svg.trend polyline { fill: none; stroke-width: 2; }
svg.trend .s-changed { stroke: var(--changed); fill: var(--changed); }
svg.trend .s-missing { stroke: var(--missing); fill: var(--missing); }
svg.trend .s-unmanaged { stroke: var(--unmanaged); fill: var(--unmanaged); }
svg.trend .s-unapplied { stroke: var(--unapplied); fill: var(--unapplied); }
svg.trend polyline.s-changed, svg.trend polyline.s-missing, svg.trend polyline.s-unmanaged,
svg.trend polyline.s-unapplied, svg.trend polyline[class^=p] { fill: none; }
svg.trend .p0 { stroke: #0969da; fill: #0969da; } svg.trend .p1 { stroke: #bf3989; fill: #bf3989; }
svg.trend .p2 { stroke: #1a7f37; fill: #1a7f37; } svg.trend .p3 { stroke: #9a6700; fill: #9a6700; }
svg.trend .p4 { stroke: #8250df; fill: #8250df; } svg.trend .p5 { stroke: #57606a; fill: #57606a; }
"""


def _series(points: Sequence[TrendPoint], by: str) -> dict[str, list[int]]:
    if by == "kinds":
        names = [k.value for k in FindingKind if any(k.value in p.kinds for p in points)]
        return {name: [p.kinds.get(name, 0) for p in points] for name in names}
    names = sorted({name for p in points for name in p.providers})
    return {name: [p.providers.get(name, 0) for p in points] for name in names}


def _nice_max(value: int) -> int:
    if value <= 4:
        return max(value, 1)
    step = int(10 ** (len(str(value)) - 1))
    for factor in (1, 2, 5, 10):
        if value <= factor * step:
            return factor * step
    return value


def trend_svg(points: Sequence[TrendPoint], by: str = "kinds", title: str = "") -> str:
    """An SVG chart of open drift per day (``by`` ``kinds`` or ``providers``); "" without
    points."""
    if not points:
        return ""
    series = _series(points, by)
    days = [date.fromisoformat(p.day) for p in points]
    span = max((days[-1] - days[0]).days, 1)
    top = _nice_max(max((max(v) for v in series.values()), default=0))
    inner_w, inner_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM

    def x(day: date) -> float:
        offset = (day - days[0]).days / span if len(days) > 1 else 0.5
        return round(_LEFT + offset * inner_w, 1)

    def y(count: int) -> float:
        return round(_TOP + inner_h - count / top * inner_h, 1)

    label = title or f"Open drift per day by {by[:-1]}"
    parts = [
        f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(label)}" data-by="{escape(by)}">',
        f"<title>{escape(label)}</title>",
        f'<line class="axis" x1="{_LEFT}" y1="{_TOP + inner_h}" x2="{WIDTH - _RIGHT}" '
        f'y2="{_TOP + inner_h}"/>',
        f'<line class="axis" x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_TOP + inner_h}"/>',
        f'<text x="{_LEFT - 6}" y="{_TOP + 4}" text-anchor="end">{top}</text>',
        f'<text x="{_LEFT - 6}" y="{_TOP + inner_h}" text-anchor="end">0</text>',
        f'<text x="{_LEFT}" y="{HEIGHT - _BOTTOM + 16}">{escape(points[0].day)}</text>',
    ]
    if len(points) > 1:
        parts.append(f'<text x="{WIDTH - _RIGHT}" y="{HEIGHT - _BOTTOM + 16}" '
                     f'text-anchor="end">{escape(points[-1].day)}</text>')
    legend_x = _LEFT
    for position, (name, counts) in enumerate(series.items()):
        css = f"s-{name}" if by == "kinds" else f"p{position % _PALETTE}"
        coords = " ".join(f"{x(d)},{y(c)}" for d, c in zip(days, counts, strict=True))
        parts.append(f'<g class="series" data-name="{escape(name)}">')
        if len(points) > 1:
            parts.append(f'<polyline class="{css}" points="{coords}"/>')
        for day, count in zip(days, counts, strict=True):
            parts.append(
                f'<circle class="{css}" cx="{x(day)}" cy="{y(count)}" r="3">'
                f"<title>{escape(day.isoformat())}: {count} {escape(name)}</title></circle>"
            )
        parts.append("</g>")
        parts.append(f'<rect class="{css}" x="{legend_x}" y="{HEIGHT - 14}" width="10" '
                     f'height="10"/><text x="{legend_x + 14}" y="{HEIGHT - 5}">'
                     f"{escape(name)} ({counts[-1]})</text>")
        legend_x += 24 + 7 * (len(name) + len(str(counts[-1])) + 3)
    parts.append("</svg>")
    return "".join(parts)
