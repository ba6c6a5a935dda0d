"""Charts and number formats for the manager dashboard (docs/insights.md).

Charts are inline SVG drawn on the server: no script, readable by screen readers through
role="img", a <title> and a <desc>, and always shown next to a table of the same numbers.
Every function takes plain numbers and strings and returns markup-safe text; every string
that goes into the SVG is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

SVG_NS = "http://www.w3.org/2000/svg"

# Distinguishable colours, also for the most common colour blindness (Okabe & Ito's set,
# with darker shades where a colour would be too light on white).
CHANNEL_COLOURS = {
    "web": "#0072b2",
    "email": "#e69f00",
    "mastodon": "#009e73",
    "bluesky": "#56b4e9",
    "reddit": "#d55e00",
    "feed": "#cc79a7",
    "webhook": "#7a5c00",
    "import": "#5b5b5b",
    "api": "#1a1a1a",
}
SENTIMENT_COLOURS = {
    "negative": "#a4161a",
    "neutral": "#68716f",
    "positive": "#1d6b34",
    "unscored": "#cfc8b8",
}
SCORE_COLOUR = "#0072b2"
INK, MUTED, GRID = "#1f2a28", "#4f5b58", "#b5b0a5"
FONT = "system-ui, sans-serif"
NONE = "\u2013"  # an en dash: no figure

# Geometry of the bar charts, in SVG units (the chart scales to the page's width).
WIDTH = 720
LEFT, RIGHT, TOP = 48, 8, 14
PLOT_HEIGHT = 180
AXIS_BAND = 22  # day labels under the bars
LEGEND_ROW, LEGEND_ITEM = 20, 120
MAX_LABELS = 10


# -- formats --------------------------------------------------------------------------------


def duration(seconds: int | float | None) -> str:
    """Business seconds as "42 min", "3 h 10 min" or "2 d 4 h" (a day is 24 business hours);
    NONE for none. Durations are bucketed: whole minutes are all there is to show."""
    if seconds is None:
        return NONE
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return "< 1 min"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def share(value: float | None) -> str:
    """A share 0..1 as a whole percentage ("87%"); NONE for none. Under 1% but above 0 is
    "< 1%", so a rare event never reads as none."""
    if value is None:
        return NONE
    percent = value * 100
    if 0 < percent < 1:
        return "< 1%"
    if 99 < percent < 100:
        return "> 99%"
    return f"{round(percent)}%"


def rating(value: float | None) -> str:
    """An average rating (1 to 5) with one decimal; NONE for none."""
    return NONE if value is None else f"{value:.1f}"


def number(value: int | float | None) -> str:
    if value is None:
        return NONE
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}"


# -- SVG helpers ----------------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 11) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" fill="{MUTED}" '
        f'text-anchor="{anchor}">{escape(content)}</text>'
    )


def _svg(chart_id: str, title: str, desc: str, height: float, body: list[str]) -> Markup:
    ident = escape(chart_id)
    head = (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {WIDTH} {_n(height)}" width="100%" '
        f'class="chart" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="{FONT}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>'
    )
    # Every piece of text in `body` went through escape() above or in _text().
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704


def _legend(items: Sequence[tuple[str, str]], top: float) -> tuple[list[str], float]:
    """Coloured squares with names, in rows under the chart; returns the parts and the
    height they take."""
    per_row = max((WIDTH - LEFT) // LEGEND_ITEM, 1)
    parts = ['<g class="legend">']
    for i, (name, colour) in enumerate(items):
        x = LEFT + (i % per_row) * LEGEND_ITEM
        y = top + (i // per_row) * LEGEND_ROW
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="10" height="10" fill="{escape(colour)}"/>'
        )
        parts.append(_text(x + 14, y + 9, name))
    parts.append("</g>")
    rows = math.ceil(len(items) / per_row) if items else 0
    return parts, rows * LEGEND_ROW


def _scale(peak: int) -> int:
    """A round top for the axis at or above `peak` (1, 2, 5, 10, 20, 50 …)."""
    if peak <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(peak))
    return next((s * magnitude for s in (1, 2, 5) if s * magnitude >= peak), 10 * magnitude)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


# -- charts ---------------------------------------------------------------------------------


def stacked_bars(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[int]]],
    unit: str = "message",
    note: str = "",
) -> Markup:
    """Stacked vertical bars, one per label (a day), one segment per series, first series
    at the bottom. `series` are (name, colour, one count per label). The description
    gives the span, the totals per series and the highest bar; `note` is added to it (say
    where the table with the same numbers is)."""
    labels = list(labels)
    series = [(name, colour, [int(v or 0) for v in values]) for name, colour, values in series]
    for name, _, values in series:
        if len(values) != len(labels):
            raise ValueError(f"{name}: {len(values)} values for {len(labels)} labels")
    totals = [sum(values[i] for _, _, values in series) for i in range(len(labels))]
    grand = sum(totals)
    top = _scale(max(totals, default=0))
    bottom = TOP + PLOT_HEIGHT
    plot_width = WIDTH - LEFT - RIGHT

    if not labels:
        desc = f"{title}: no data."
    else:
        span = labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"
        desc = f"{title}, {span}: {_plural(grand, unit)} in all"
        if series:
            desc += " (" + ", ".join(f"{name} {sum(values):,}" for name, _, values in series) + ")"
        desc += "."
        if grand:
            peak = max(range(len(labels)), key=lambda i: totals[i])
            desc += f" Highest: {totals[peak]:,} on {labels[peak]}."
    if note:
        desc += f" {note}"

    body = [f'<g stroke="{GRID}" stroke-width="1">']
    for fraction in (0, 0.5, 1):
        y = bottom - PLOT_HEIGHT * fraction
        dash = "" if fraction == 0 else ' stroke-dasharray="2 3"'
        body.append(f'<line x1="{LEFT}" y1="{_n(y)}" x2="{WIDTH - RIGHT}" y2="{_n(y)}"{dash}/>')
    body.append("</g>")
    for fraction in (0, 0.5, 1):
        value = top * fraction
        text = f"{value:g}" if value != int(value) else f"{int(value):,}"
        body.append(_text(LEFT - 6, bottom - PLOT_HEIGHT * fraction + 4, text, anchor="end"))

    if not labels or not grand:
        body.append(
            _text(LEFT + plot_width / 2, TOP + PLOT_HEIGHT / 2, "Nothing to show", anchor="middle")
        )
    step = plot_width / max(len(labels), 1)
    bar = max(step * 0.75, 1)
    every = max(math.ceil(len(labels) / MAX_LABELS), 1)
    for i, label in enumerate(labels):
        x = LEFT + i * step + (step - bar) / 2
        y = bottom
        parts = []
        for name, colour, values in series:
            if not values[i]:
                continue
            height = PLOT_HEIGHT * values[i] / top
            y -= height
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(bar)}" height="{_n(height)}" '
                f'fill="{escape(colour)}"><title>{escape(label)}: {values[i]:,} '
                f"{escape(name)}</title></rect>"
            )
        if parts:
            body.append("<g>" + "".join(parts) + "</g>")
        if i % every == 0:
            body.append(_text(x + bar / 2, bottom + 15, label, anchor="middle", size=10))

    legend, legend_height = _legend([(n, c) for n, c, _ in series], bottom + AXIS_BAND + 4)
    body.extend(legend)
    return _svg(chart_id, title, desc, bottom + AXIS_BAND + 4 + legend_height, body)


def horizontal_bars(
    *,
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, int]],
    colour: str = SCORE_COLOUR,
    unit: str = "rating",
    note: str = "",
) -> Markup:
    """One horizontal bar per row, (label, count), with the count written after it."""
    rows = [(label, int(count or 0)) for label, count in rows]
    grand = sum(count for _, count in rows)
    peak = max((count for _, count in rows), default=0) or 1
    row_height, bar_height = 22, 14
    label_width = 120
    plot_width = WIDTH - LEFT - label_width - 60
    desc = f"{title}: " + (
        ", ".join(f"{label} {count:,}" for label, count in rows) if rows else "no data"
    )
    desc += f"; {_plural(grand, unit)} in all."
    if note:
        desc += f" {note}"
    body = []
    for i, (label, count) in enumerate(rows):
        y = TOP + i * row_height
        body.append(_text(LEFT + label_width - 8, y + bar_height - 3, label, anchor="end"))
        width = plot_width * count / peak
        if count:
            body.append(
                f'<rect x="{LEFT + label_width}" y="{_n(y)}" width="{_n(width)}" '
                f'height="{bar_height}" fill="{escape(colour)}"><title>{escape(label)}: '
                f"{count:,}</title></rect>"
            )
        body.append(_text(LEFT + label_width + width + 6, y + bar_height - 3, f"{count:,}"))
    if not grand:
        body.append(
            _text(LEFT + label_width + plot_width / 2, TOP + 12, "Nothing to show", anchor="middle")
        )
    height = TOP + max(len(rows), 1) * row_height + 8
    return _svg(chart_id, title, desc, height, body)
