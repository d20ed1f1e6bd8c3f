"""The overview's charts as server-rendered SVG: no script, no library, no external asset."""

from __future__ import annotations

from html import escape

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
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="c-{id(days)}-t c-{id(days)}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="c-{id(days)}-t">{escape(title)}</title>',
        f'<desc id="c-{id(days)}-d">{escape(desc)}</desc>',
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
