"""The funnel drawn server-side as inline SVG: no script, no third-party request, presentation
attributes only (the console's CSP allows no inline style). One bar per count of the report; the
page carries the same figures as a table for screen readers. Imports nothing from Flask or the DB.
"""

from __future__ import annotations

from html import escape

from .funnel_report import Bar, Report, percent

__all__ = ["svg"]

WIDTH = 720
LABEL_W = 200  # the labels' column
BAR_MAX = 400
ROW_H = 34
BAR_H = 22
HEADING_H = 30
INK = "#1b1f24"  # 16:1 on white
FILLS = {  # each at least 3:1 against the white page (WCAG 1.4.11)
    "funnel": "#1d4f91",
    "any": "#4a5260",
    "crisis": "#a4161a",
    "concern": "#7a4b00",
}


def _fill(bar: Bar) -> str:
    if bar.funnel:
        return FILLS["funnel"]
    return FILLS.get(bar.key, FILLS["any"])


def _summary(report: Report) -> str:
    if not report.started:
        return "No conversations were started in the chosen period."
    parts = [f"{bar.label}: {bar.count} ({percent(bar.share)})" for bar in report.bars[1:]]
    return f"Of {report.started} conversations started — " + "; ".join(parts) + "."


def svg(report: Report, *, ident: str = "funnel") -> str:
    """The chart as an ``<svg>`` element; ``ident`` prefixes its element ids."""
    groups = [
        ("The funnel (share of conversations started)", [b for b in report.bars if b.funnel]),
        ("At any step", [b for b in report.bars if not b.funnel]),
    ]
    rows = sum(len(bars) for _title, bars in groups)
    height = rows * ROW_H + len(groups) * HEADING_H + 8
    top = max((bar.count for bar in report.bars), default=0) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="funnel-chart" id="{ident}-chart" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="inherit" font-size="15">',
        f'<title id="{ident}-title">Conversation funnel</title>',
        f'<desc id="{ident}-desc">{escape(_summary(report))}</desc>',
    ]
    y = 0
    for title, bars in groups:
        y += HEADING_H
        out.append(
            f'<text x="0" y="{y - 9}" fill="{INK}" font-weight="bold">{escape(title)}</text>'
        )
        for bar in bars:
            width = round(BAR_MAX * bar.count / top, 1)
            middle = y + ROW_H / 2
            out.append(
                f'<g class="funnel-bar" data-key="{escape(bar.key)}" data-count="{bar.count}">'
                f'<text x="0" y="{middle + 5}" fill="{INK}">{escape(bar.label)}</text>'
                f'<rect class="bar" x="{LABEL_W}" y="{middle - BAR_H / 2}" width="{width}" '
                f'height="{BAR_H}" fill="{_fill(bar)}"/>'
                f'<text x="{LABEL_W + width + 8}" y="{middle + 5}" fill="{INK}">'
                f"{bar.count} ({percent(bar.share)})</text></g>"
            )
            y += ROW_H
    out.append("</svg>")
    return "".join(out)
