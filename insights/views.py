"""The manager dashboard at /staff/insights/ and its CSV downloads (docs/insights.md).

Managers and admins (the "report" capability) see everyone's figures and may filter by
agent. Other staff see their own figures only: the agent filter is forced to themselves,
whatever the query string says, and the per-team table is not theirs to see.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from conversations.models import Channel
from insights import charts, figures
from insights.figures import Filters, Table
from insights.forms import FilterForm
from openline.jinja import url, when

# The tables a CSV download can name, and what computes each.
TABLES = {
    "summary": None,  # the headline figures, built below from figures.response and backlog
    "volume": figures.volume,
    "sentiment": figures.sentiment,
    "channels": figures.response_by_channel,
    "agents": figures.agents,
    "teams": figures.teams,
    "satisfaction": figures.satisfaction,
    "topics": figures.topics,
    "known_issues": figures.known_issues,
    "alerts": figures.alerts,
    "won_back": figures.won_back,
    "advocates": figures.advocates,
}
FOR_MANAGERS = {"teams"}
DURATIONS = {
    "first_response_median",
    "first_response_p90",
    "resolution_median",
    "resolution_p90",
}
SHARES = {"within_share", "negative_share", "answered_share"}
RATINGS = {"satisfaction"}
# Which column links to the row's "url" (the first column when not named here).
LINKED = {"alerts": "scope", "won_back": "positive"}
# Characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _require_staff(user):
    if not user.can("answer"):
        raise PermissionDenied("The dashboard is for staff.")


def _form(request) -> FilterForm:
    user = request.user
    return FilterForm(
        request.GET,
        choices=figures.choices(),
        today=timezone.localdate(),
        own_agent=0 if user.can("report") else user.pk,
    )


def _own_rows(table: Table, user) -> Table:
    """Only the user's own row of the agents table, unless they may see everyone's."""
    if not user.can("report"):
        table.rows = [r for r in table.rows if r.get("agent_id") == user.pk]
    return table


def _summary(response: dict, backlog: dict) -> Table:
    """The headline figures as a table of (figure, value): what the summary CSV holds."""
    table = Table("summary", "Headline figures", [("figure", "Figure"), ("value", "Value")])
    values = [
        ("Customer messages", response["messages"]),
        ("Answered", response["answered"]),
        ("No reply needed", response["no_reply"]),
        ("Answered share (of those needing an answer)", response["answered_share"]),
        ("First response, median (s)", response["first_response_median"]),
        ("First response, 90th percentile (s)", response["first_response_p90"]),
        ("First response on the clock, median (s)", response["first_response_clock_median"]),
        ("First response on the clock, 90th percentile (s)", response["first_response_clock_p90"]),
        ("Answered within target", response["within_target"]),
        ("Answered late", response["answered_late"]),
        ("Still waiting past target", response["waiting_overdue"]),
        ("Within target share", response["within_share"]),
        ("Cases resolved", response["resolved"]),
        ("Resolved: the company gave way", response["conceded"]),
        ("Resolved: the company held its ground", response["held"]),
        ("Resolution, median (s)", response["resolution_median"]),
        ("Resolution, 90th percentile (s)", response["resolution_p90"]),
        ("Ratings", response["rated"]),
        ("Average rating", response["satisfaction"]),
        *((f"Ratings of {score}", n) for score, n in sorted(response["scores"].items())),
        ("Waiting now", backlog["awaiting"]),
        ("Waiting now, past target", backlog["overdue"]),
        ("Oldest waiting since", backlog["oldest"]),
    ]
    table.rows = [{"figure": name, "value": value} for name, value in values]
    return table


def _table(slug: str, f: Filters, user) -> Table:
    if slug == "summary":
        return _summary(figures.response(f), figures.backlog(f))
    table = TABLES[slug](f)
    return _own_rows(table, user) if slug == "agents" else table


# -- the page -------------------------------------------------------------------------------


def _day(value: date) -> str:
    return f"{value.day} {value:%b}"


def cell(key: str, value) -> str:
    """A table value as the page shows it (the CSV keeps it plain)."""
    if value is None:
        return charts.NONE
    if isinstance(value, int | float) and key in DURATIONS:
        return charts.duration(value)
    if isinstance(value, int | float) and key in SHARES:
        return charts.share(value)
    if isinstance(value, int | float) and key in RATINGS:
        return charts.rating(value)
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, date):
        return f"{value:%a} {value.day} {value:%b %Y}"
    if isinstance(value, int | float):
        return charts.number(value)
    return str(value)


def _numeric(table: Table) -> set[str]:
    """The columns holding numbers (aligned right)."""
    found = set()
    for key, _ in table.columns:
        values = [r.get(key) for r in table.rows if r.get(key) is not None]
        if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            found.add(key)
    return found


def _view(table: Table, query: str) -> dict:
    """What the page's table macro needs."""
    return {
        "table": table,
        "numeric": _numeric(table),
        "link": LINKED.get(table.slug, table.columns[0][0]),
        "csv": f"{_export_url(table.slug)}?{query}" if query else _export_url(table.slug),
    }


def _export_url(slug: str) -> str:
    return url("insights:export", slug)


def _charts(volume: Table, sentiment: Table, response: dict) -> dict:
    days = [_day(r["day"]) for r in volume.rows]
    names = dict(Channel.choices)
    channels = [key for key, _ in volume.columns if key in names]
    volume_chart = charts.stacked_bars(
        chart_id="volume-chart",
        title="Customer messages per day, by channel",
        labels=days,
        series=[
            (names[c], charts.CHANNEL_COLOURS.get(c, charts.INK), [r[c] for r in volume.rows])
            for c in channels
        ],
        note="The table under the chart gives each day's numbers.",
    )
    sentiment_chart = charts.stacked_bars(
        chart_id="sentiment-chart",
        title="Sentiment of customer messages per day",
        labels=[_day(r["day"]) for r in sentiment.rows],
        series=[
            (heading, charts.SENTIMENT_COLOURS[key], [r[key] for r in sentiment.rows])
            for key, heading in sentiment.columns
            if key in charts.SENTIMENT_COLOURS
        ],
        note="The table under the chart gives each day's numbers.",
    )
    ratings_chart = charts.horizontal_bars(
        chart_id="ratings-chart",
        title="Ratings by score",
        rows=[(f"{score} of 5", response["scores"][score]) for score in range(5, 0, -1)],
        note="The ratings table gives the same numbers.",
    )
    return {"volume": volume_chart, "sentiment": sentiment_chart, "ratings": ratings_chart}


@login_required
@require_GET
def dashboard(request):
    _require_staff(request.user)
    user = request.user
    can_report = user.can("report")
    form = _form(request)
    context = {"form": form, "can_report": can_report, "cell": cell}
    if form.is_valid():
        f = form.filters
        query = urlencode(form.query())
        response, backlog = figures.response(f), figures.backlog(f)
        tables = {
            slug: _table(slug, f, user)
            for slug in TABLES
            if slug != "summary" and (can_report or slug not in FOR_MANAGERS)
        }
        context |= {
            "f": f,
            "response": response,
            "backlog": backlog,
            "tables": {slug: _view(t, query) for slug, t in tables.items()},
            "summary_csv": _view(_summary(response, backlog), query)["csv"],
            "charts": _charts(tables["volume"], tables["sentiment"], response),
        }
    return render(request, "insights/dashboard.html", context)


# -- CSV ------------------------------------------------------------------------------------


def plain(value) -> str:
    """A value as a CSV cell: dates ISO, shares and averages as decimals, durations as
    business seconds, nothing as empty; text that a spreadsheet would take for a formula
    starts with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 4))
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


@login_required
@require_GET
def export(request, slug: str):
    _require_staff(request.user)
    if slug not in TABLES:
        raise Http404("No such table.")
    if slug in FOR_MANAGERS and not request.user.can("report"):
        raise PermissionDenied("The per-team figures are for managers.")
    form = _form(request)
    if not form.is_valid():
        errors = [e for field in form.errors.values() for e in field]
        return HttpResponse(
            "These filters cannot be used: " + " ".join(errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    f = form.filters
    table = _table(slug, f, request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="insights-{slug}-{f.start.isoformat()}-{f.end.isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([plain(heading) for _, heading in table.columns])
    for row in table.rows:
        writer.writerow([plain(row.get(key)) for key, _ in table.columns])
    return response
