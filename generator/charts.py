"""Verdict charts as inline SVG, made at build time: no JavaScript, no third-party service.

Each chart is a bar per verdict with its label and count written as text, so the colour never
carries meaning alone, and a <title>/<desc> pair gives screen readers the same figures.
Labels come from fact files, so every text node and attribute is escaped here.
"""

from __future__ import annotations

from html import escape

from .model import Verdict

ROW = 30          # height of one bar's row
LABEL_WIDTH = 150  # room for the verdict label, right-aligned before the bar
BAR_WIDTH = 360    # the longest bar
WIDTH = LABEL_WIDTH + 10 + BAR_WIDTH + 50


def verdict_chart(tally: list[tuple[Verdict, int]], colors: dict[str, str], chart_id: str, title: str) -> str:
    """An SVG bar chart of (verdict, count) pairs, on one line so Markdown leaves it whole."""
    if not tally:
        return ""
    largest = max(count for _, count in tally)
    height = ROW * len(tally) + 4
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    described = "; ".join(f"{verdict.label}: {count}" for verdict, count in tally)
    parts = [
        f'<svg class="fc-chart__svg" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(described)}.</desc>',
    ]
    for row, (verdict, count) in enumerate(tally):
        y = row * ROW + 2
        width = max(2, round(BAR_WIDTH * count / largest))
        middle = y + ROW / 2
        parts += [
            f'<text x="{LABEL_WIDTH}" y="{middle}" text-anchor="end" dominant-baseline="central" '
            f'fill="currentColor">{escape(verdict.label)}</text>',
            f'<rect x="{LABEL_WIDTH + 10}" y="{y + 5}" width="{width}" height="{ROW - 10}" rx="3" '
            f'fill="{escape(colors[verdict.id])}"/>',
            f'<text x="{LABEL_WIDTH + 16 + width}" y="{middle}" dominant-baseline="central" '
            f'fill="currentColor">{count}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)
