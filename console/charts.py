"""Bar charts as SVG, drawn on the server: no chart library, nothing to download."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 520, 220, 36, 28, 10
COLORS = ("#0b5cad", "#e0892b", "#1b7f3b", "#b3261e")


def bar_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> str:
    """Grouped bars: one group per label, one bar per series; axis ticks at 0 and the max."""
    top = max([1, *(v for _, values in series for v in values)])
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    group_w = plot_w / max(len(labels), 1)
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1.0)
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 8}" y2="{TOP + plot_h}" stroke="#999"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 8}" font-size="10" text-anchor="end">{top}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" font-size="10" text-anchor="end">0</text>',
    ]
    for i, label in enumerate(labels):
        x0 = LEFT + i * group_w + group_w * 0.1
        for j, (name, values) in enumerate(series):
            value = values[i]
            h = plot_h * value / top
            x = x0 + j * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                f'height="{h:.1f}" fill="{COLORS[j % len(COLORS)]}">'
                f"<title>{escape(name)} {escape(label)}: {value}</title></rect>"
            )
        if len(labels) <= 13:
            parts.append(
                f'<text x="{x0 + group_w * 0.4:.1f}" y="{HEIGHT - 12}" font-size="9" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def legend(names: Sequence[str]) -> list[tuple[str, str]]:
    return [(name, COLORS[j % len(COLORS)]) for j, name in enumerate(names)]
