"""The overview's charts as server-rendered SVG: no script, no library, no external asset."""

from __future__ import annotations

from html import escape
from itertools import count

_ids = count(1)  # every chart on a page needs ids of its own for aria-labelledby

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 34
INK, GRID = "#1f2933", "#c9d2dc"


def _nice_max(value: float) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return step * 4
    return int(value) + 1


def bars(days: list[dict], series: list[tuple[str, str, str]], title: str, desc: str) -> str:
    """Stacked bars per day. series: (key in each day, colour, label), bottom first."""
    n = max(1, len(days))
    top = _nice_max(max((sum(d[k] for k, _, _ in series) for d in days), default=0) or 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n
    bar = max(1.0, slot * 0.7)
    key = f"c-{next(_ids)}"
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{key}-t {key}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{key}-t">{escape(title)}</title>',
        f'<desc id="{key}-d">{escape(desc)}</desc>',
    ]
    for i in range(5):  # four grid steps with their values
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{INK}">{value:g}</text>'
        )
    for n_day, d in enumerate(days):
        x = LEFT + n_day * slot + (slot - bar) / 2
        base = TOP + plot_h
        for key, colour, label in series:
            h = plot_h * d[key] / top
            if h > 0:
                out.append(
                    f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"><title>{escape(d["day"])} {escape(label)}：{d[key]}</title>'
                    "</rect>"
                )
                base -= h
    step = max(1, n // 6)  # a date label every few days, the last day always
    for n_day, d in enumerate(days):
        if n_day % step == 0 or n_day == n - 1:
            x = LEFT + n_day * slot + slot / 2
            out.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 12}" text-anchor="middle" font-size="11" '
                f'fill="{INK}">{escape(d["day"][5:])}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def legend(series: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    return [(colour, label) for _, colour, label in series]


def hbars(rows: list[tuple[str, float | None]], colour: str, title: str, desc: str) -> str:
    """One horizontal bar per row for a share between 0 and 1, the value written beside it."""
    row_h, label_w, value_w = 26, 170, 56
    height = TOP + row_h * max(1, len(rows)) + 8
    plot_w = WIDTH - label_w - value_w - RIGHT
    key = f"h-{next(_ids)}"
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{key}-t {key}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{key}-t">{escape(title)}</title><desc id="{key}-d">{escape(desc)}</desc>',
    ]
    for frac in (0, 0.5, 1):
        x = label_w + plot_w * frac
        out.append(
            f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{height - 8}" stroke="{GRID}"/>'
        )
    for n, (label, value) in enumerate(rows):
        y = TOP + n * row_h
        out.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{escape(label)}</text>'
        )
        if value is not None:
            out.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{plot_w * value:.1f}" height="{row_h - 8}"'
                f' fill="{colour}"/>'
            )
        shown = "—" if value is None else f"{value:.3f}"
        out.append(
            f'<text x="{label_w + plot_w + 8}" y="{y + 16}" font-size="13" fill="{INK}">'
            f"{shown}</text>"
        )
    out.append("</svg>")
    return "".join(out)
