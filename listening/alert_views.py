"""Staff pages of the early warning: the alerts, newest first, and one alert with its windows
and the mentions that caused it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from conversations.markup import plain_text
from listening import alerts as service
from listening.models import Alert, AlertMetric
from openline.paging import page_or_404

ALERTS_PER_PAGE = 25
MENTIONS_PER_PAGE = 25
EXCERPT_CHARS = 240


@login_required
@require_GET
def alerts(request):
    page = page_or_404(request, service.alerts_for_staff(request.user), ALERTS_PER_PAGE)
    for alert in page.object_list:
        _describe(alert)
    return render(request, "listening/alerts.html", {"page": page})


@login_required
@require_GET
def alert(request, pk):
    alert = _describe(service.get_alert_for_staff(request.user, pk))
    mentions = alert.mentions.select_related("message__author").order_by("-created_at", "-pk")
    page = page_or_404(request, mentions, MENTIONS_PER_PAGE)
    for mention in page.object_list:
        mention.excerpt = plain_text(mention.message.body_html, EXCERPT_CHARS)
        mention.original = _web_address(mention.url or mention.message.external_url)
    windows = alert_windows(alert)
    return render(
        request,
        "listening/alert.html",
        {"alert": alert, "page": page, "windows": windows, "chart": alert_chart(alert, windows)},
    )


def _describe(alert: Alert) -> Alert:
    alert.summary = service.summary(alert)
    alert.observed_text = service.figure(alert, alert.observed)
    alert.baseline_text = service.figure(alert, alert.baseline)
    alert.threshold_text = service.figure(alert, alert.threshold)
    if alert.metric == AlertMetric.NEGATIVE_SHARE:
        alert.spread_text = f"{alert.spread * 100:.1f} points"
    else:
        alert.spread_text = f"{alert.spread:.1f}"
    return alert


def _web_address(url: str) -> str:
    """Only http(s) addresses become links: a post's URL comes from elsewhere."""
    return url if url.startswith(("https://", "http://")) else ""


# --- The windows and their chart -------------------------------------------------------------


@dataclass
class Window:
    start: datetime
    end: datetime
    count: int
    negative: int
    scored: int
    current: bool

    @property
    def share(self) -> float | None:
        return self.negative / self.scored if self.scored else None


def alert_windows(alert: Alert) -> list[Window]:
    """The windows the detector compared, oldest first; the last is the alert's."""
    start, end = alert.window_start.astimezone(UTC), alert.window_end.astimezone(UTC)
    width = end - start
    last = len(alert.series) - 1
    return [
        Window(
            start=start - width * (last - i),
            end=end - width * (last - i),
            count=w["count"],
            negative=w["negative"],
            scored=w["scored"],
            current=i == last,
        )
        for i, w in enumerate(alert.series)
    ]


# The chart's geometry, in SVG user units.
BAR_STEP, BAR_WIDTH, LEFT = 22, 16, 52
TOP, PLOT_HEIGHT = 12, 140
LABELS_WANTED = 8
COLOURS = {"baseline": "#68716f", "current": "#a4161a", "usual": "#1d6b34", "threshold": "#a4161a"}


@dataclass
class Bar:
    window: Window
    value: float
    text: str
    x: int
    y: float
    height: float
    label: str


def alert_chart(alert: Alert, windows: list[Window]) -> dict | None:
    """One bar per window (the count, or the negative share), the alert's window in red, and
    lines at the usual level and at the threshold it crossed."""
    if not windows:
        return None
    share = alert.metric == AlertMetric.NEGATIVE_SHARE
    values = [(w.share or 0.0) if share else float(w.count) for w in windows]
    peak = max([*values, alert.threshold, alert.baseline]) or 1.0
    if not share:
        peak = float(math.ceil(peak))
    bottom = TOP + PLOT_HEIGHT

    def y(value: float) -> float:
        return round(bottom - PLOT_HEIGHT * value / peak, 2)

    # Label every few windows, counting back from the alert's so that it is always labelled.
    every = max(1, math.ceil(len(windows) / LABELS_WANTED))
    daily = windows[0].end - windows[0].start >= timedelta(days=1)
    bars = []
    for i, (window, value) in enumerate(zip(windows, values, strict=True)):
        labelled = (len(windows) - 1 - i) % every == 0
        label = window.start.strftime("%-d %b" if daily else "%H:%M") if labelled else ""
        text = "no sentiment known" if share and window.share is None else _text(alert, value)
        bars.append(
            Bar(
                window=window,
                value=value,
                text=text,
                x=LEFT + i * BAR_STEP + (BAR_STEP - BAR_WIDTH) // 2,
                y=y(value),
                height=round(PLOT_HEIGHT * value / peak, 2),
                label=label,
            )
        )
    return {
        "bars": bars,
        "peak": _text(alert, peak),
        "width": LEFT + len(windows) * BAR_STEP + 8,
        "height": bottom + 30,
        "left": LEFT,
        "top": TOP,
        "bottom": bottom,
        "label_y": bottom + 16,
        "bar_width": BAR_WIDTH,
        "usual_y": y(alert.baseline),
        "threshold_y": y(alert.threshold),
        "colours": COLOURS,
        "measure": "negative share" if share else "mentions",
        "window": service.duration(service.window_minutes(alert)),
    }


def _text(alert: Alert, value: float) -> str:
    if alert.metric == AlertMetric.NEGATIVE_SHARE:
        return service.percent(value)
    return f"{value:g}"
