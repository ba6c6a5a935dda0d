"""The public transparency page at /transparency/ (docs/transparency.md).

How quickly the company answers its customers, this month so far and last month, and the
known issues it is working on. Only aggregate figures from the daily rollups
(insights/figures.py) and what a published known-issue post already shows in public: never a
customer, a message, or who answered it.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from conversations.models import KnownIssueStatus, StatusUpdate
from insights import figures
from openline.pagecache import cache_for_anonymous

CACHE_KEY = "openline:transparency:v1:{zone}:{day}"
STATUS_NAMES = dict(KnownIssueStatus.choices)


# -- how figures read -----------------------------------------------------------------------


def duration(seconds: int | None) -> str:
    """Business seconds as people read them: "42 min", "3 h 10 min", "under 1 min"."""
    if seconds is None:
        return "no data"
    minutes = int(seconds) // 60
    if minutes < 1:
        return "under 1 min"
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def share(value: float | None) -> str:
    """A share (0..1) as a whole percentage that never rounds up to 100 % or down to 0 %."""
    if value is None:
        return "no data"
    percent = round(value * 100)
    if percent == 100 and value < 1:
        return "99%"
    if percent == 0 and value > 0:
        return "under 1%"
    return f"{percent}%"


def count(value: int) -> str:
    return f"{value:,}"


# -- the figures ----------------------------------------------------------------------------


def _span(f: figures.Filters, heading: str) -> dict:
    found = figures.response(f)
    needing = found["messages"] - found["no_reply"]
    return {
        "heading": heading,
        "start": f.start,
        "end": f.end,
        "messages": found["messages"],
        "needing": needing,
        "answered": found["answered"],
        "answered_share": found["answered_share"],
        "first_response_median": found["first_response_median"],
        "messages_text": count(found["messages"]),
        "answered_text": share(found["answered_share"]),
        "answered_of": f"{count(found['answered'])} of {count(needing)}",
        "median_text": duration(found["first_response_median"]),
        "median_clock_text": duration(found["first_response_clock_median"]),
    }


def month_figures(today: date) -> dict:
    """This month up to `today` (a local date) and the whole month before: plain data."""
    this = figures.Filters.month_to_date(today)
    last_day = this.start - timedelta(days=1)
    last = figures.Filters(start=last_day.replace(day=1), end=last_day)
    so_far = f"{this.start:%B %Y} so far"
    if this.end != this.start:
        so_far += f" (1 to {this.end.day} {this.end:%b})"
    else:
        so_far += f" (1 {this.end:%b})"
    return {
        "this_month": _span(this, so_far),
        "last_month": _span(last, f"{last.start:%B %Y}"),
    }


def cached_month_figures(today: date | None = None) -> dict:
    """`month_figures`, kept in the cache for INSIGHTS_TRANSPARENCY_CACHE_SECONDS. The key
    holds the local date and time zone, so a new day (or month) never reads yesterday's."""
    today = today or timezone.localdate()
    key = CACHE_KEY.format(zone=timezone.get_current_timezone_name(), day=today.isoformat())
    found = cache.get(key)
    if found is None:
        found = month_figures(today)
        seconds = settings.INSIGHTS_TRANSPARENCY_CACHE_SECONDS
        if seconds > 0:
            cache.set(key, found, timeout=seconds)
    return found


def open_issues(now=None) -> list[dict]:
    """Published known issues still open, newest first, with their latest public status
    update (its time and status only) and the promised next update. Read fresh on each
    render: two queries, whatever the number of issues."""
    now = now or timezone.now()
    issues = figures.open_known_issues()
    latest: dict[int, tuple[str, object]] = {}
    for issue_id, status, at in (
        StatusUpdate.objects.filter(known_issue_id__in=[c.pk for c in issues])
        .order_by("known_issue_id", "-created_at", "-id")
        .values_list("known_issue_id", "status", "created_at")
    ):
        latest.setdefault(issue_id, (status, at))
    found = []
    for conversation in issues:
        issue = conversation.known_issue
        update = latest.get(conversation.pk)
        found.append(
            {
                "title": conversation.title,
                "url": conversation.get_absolute_url(),
                "status": issue.status,
                "status_name": issue.get_status_display(),
                "affected_area": issue.affected_area,
                "started_at": issue.started_at,
                "last_update_at": update[1] if update else None,
                "last_update_status": STATUS_NAMES.get(update[0], "") if update else "",
                "next_update_due": issue.next_update_due,
                "overdue": issue.update_overdue(now),
            }
        )
    return found


# -- the page -------------------------------------------------------------------------------


def _recomputed(seconds: int) -> str:
    if seconds <= 0:
        return "on every visit"
    if seconds < 120:
        return f"at most every {seconds} seconds"
    return f"at most every {seconds // 60} minutes"


@require_safe
@cache_for_anonymous
def transparency(request):
    if not settings.INSIGHTS_TRANSPARENCY_PAGE:
        raise Http404("There is no transparency page here.")
    month = cached_month_figures()
    return render(
        request,
        "insights/transparency.html",
        {
            "this_month": month["this_month"],
            "last_month": month["last_month"],
            "issues": open_issues(),
            "zone": timezone.get_current_timezone_name(),
            "business_hours": settings.BUSINESS_HOURS,
            "holidays": bool(settings.HOLIDAYS),
            "recomputed": _recomputed(settings.INSIGHTS_TRANSPARENCY_CACHE_SECONDS),
        },
    )
