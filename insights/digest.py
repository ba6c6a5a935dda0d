"""The weekly digest: last week's figures, e-mailed to every manager and admin on Monday
morning (docs/transparency.md).

A week is Monday to Sunday in local time (TIME_ZONE); the digest covers the last full week
before the day it runs, compared with the week before. Figures come from the daily rollups
(insights/figures.py); the backlog is live, as it stands when the digest is sent.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.access import staff_addresses
from insights import figures
from insights.models import DigestSent
from insights.public_views import count, duration, share

TOP_TOPICS = 5
TOPICS_LOOKED_AT = 10
LISTED = 5  # alerts, customers won back, advocates: how many are named


def week_before(today: date) -> figures.Filters:
    """The last full Monday-to-Sunday week before `today`."""
    start = today - timedelta(days=today.weekday() + 7)
    return figures.Filters(start=start, end=start + timedelta(days=6))


def _satisfaction(found: dict) -> str:
    if not found["rated"]:
        return "no ratings"
    return f"{found['satisfaction']:.1f} of 5 ({found['rated']} rated)"


def _headline(now: dict, before: dict) -> list[tuple[str, str, str]]:
    """(figure, this week, the week before), as they read."""

    def answered(found: dict) -> str:
        needing = found["messages"] - found["no_reply"]
        if not needing:
            return "none needed an answer"
        return f"{share(found['answered_share'])} ({found['answered']} of {needing})"

    return [
        ("Customer messages", count(now["messages"]), count(before["messages"])),
        ("Answered", answered(now), answered(before)),
        (
            "First response, median",
            duration(now["first_response_median"]),
            duration(before["first_response_median"]),
        ),
        (
            "First response, 90th percentile",
            duration(now["first_response_p90"]),
            duration(before["first_response_p90"]),
        ),
        (
            "First response, median around the clock",
            duration(now["first_response_clock_median"]),
            duration(before["first_response_clock_median"]),
        ),
        ("Within target", share(now["within_share"]), share(before["within_share"])),
        ("Cases resolved", count(now["resolved"]), count(before["resolved"])),
        ("Satisfaction", _satisfaction(now), _satisfaction(before)),
    ]


def _channels(f: figures.Filters) -> list[tuple[str, str, str]]:
    now = {r["channel"]: r["messages"] for r in figures.response_by_channel(f).rows}
    before = {r["channel"]: r["messages"] for r in figures.response_by_channel(f.previous()).rows}
    names = [n for n in now if now[n]] + [n for n in before if before[n] and not now.get(n)]
    return [(n, count(now.get(n, 0)), count(before.get(n, 0))) for n in names]


def _topics(f: figures.Filters) -> tuple[list[dict], list[dict]]:
    rows = figures.topics(f, limit=TOPICS_LOOKED_AT).rows
    plain = [
        {
            "name": r["topic"],
            "messages": r["messages"],
            "previous": r["previous"],
            "negative": share(r["negative_share"]),
            "trending": r["trending"],
        }
        for r in rows
    ]
    return plain[:TOP_TOPICS], [t for t in plain if t["trending"]]


def _issues(now) -> list[dict]:
    found = []
    for conversation in figures.open_known_issues():
        issue = conversation.known_issue
        found.append(
            {
                "title": conversation.title,
                "status": issue.get_status_display(),
                "affected_area": issue.affected_area,
                "started_at": timezone.localtime(issue.started_at),
                "next_update_due": (
                    timezone.localtime(issue.next_update_due) if issue.next_update_due else None
                ),
                "overdue": issue.update_overdue(now),
                "url": settings.SITE_URL + conversation.get_absolute_url(),
            }
        )
    return found


def weekly_figures(today: date) -> dict:
    """Everything the digest says about the last full week before `today`: plain data."""
    f = week_before(today)
    now_figures, before_figures = figures.response(f), figures.response(f.previous())
    backlog = figures.backlog(figures.Filters(start=today, end=today))
    top, trending = _topics(f)
    alerts = figures.alerts(f).rows
    won_back = figures.won_back(f, limit=1000).rows
    advocates = figures.advocates(f, limit=LISTED).rows
    dashboard = reverse("insights:dashboard")
    return {
        "start": f.start,
        "end": f.end,
        "previous_start": f.previous().start,
        "headline": _headline(now_figures, before_figures),
        "channels": _channels(f),
        "backlog": {
            "awaiting": backlog["awaiting"],
            "overdue": backlog["overdue"],
            "oldest": timezone.localtime(backlog["oldest"]) if backlog["oldest"] else None,
        },
        "top_topics": top,
        "trending": trending,
        "issues": _issues(timezone.now()),
        "alerts": [
            {
                "created_at": timezone.localtime(a["created_at"]),
                "metric": a["metric"],
                "scope": a["scope"],
                "count": a["count"],
            }
            for a in alerts
        ],
        "won_back": [
            {"person": w["person"], "at": timezone.localtime(w["positive_at"])} for w in won_back
        ],
        "advocates": [
            {
                "person": a["person"],
                "score": a["score"],
                "accepted": a["accepted"],
                "helped": a["helped"],
                "positive": a["positive"],
            }
            for a in advocates
        ],
        "listed": LISTED,
        "zone": timezone.get_current_timezone_name(),
        "dashboard_url": f"{settings.SITE_URL}{dashboard}?start={f.start}&end={f.end}",
    }


def subject(found: dict) -> str:
    start, end = found["start"], found["end"]
    return f"Customer service, week of {start:%-d %b} to {end:%-d %b %Y}"


def _headers() -> dict:
    # As the inbox's own automatic mail (inbox/tasks.py): no auto-replies, no mail loops.
    return {"Auto-Submitted": "auto-generated", "X-Openline-Loop": settings.SUPPORT_EMAIL_DOMAIN}


def send_weekly_digest(today: date | None = None) -> int:
    """E-mail the last full week's figures to every active manager and admin, one e-mail
    each; returns how many were sent. Nothing is sent when INSIGHTS_DIGEST is off, and an
    address is sent a week's digest once: a `DigestSent` row marks it, stored in the same
    transaction as the send, so a failed send is tried again on the next run."""
    if not settings.INSIGHTS_DIGEST:
        return 0
    today = today or timezone.localdate()
    week = week_before(today).start
    done = set(DigestSent.objects.filter(week=week).values_list("email", flat=True))
    recipients = [a for a in sorted(set(staff_addresses("report"))) if a not in done]
    if not recipients:
        return 0
    found = weekly_figures(today)
    body = render_to_string(
        "insights/digest.txt",
        {**found, "site_url": settings.SITE_URL, "site_name": settings.SITE_NAME},
    )
    title = subject(found)
    sent = 0
    with get_connection() as connection:
        for address in recipients:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        DigestSent.objects.create(week=week, email=address)
                except IntegrityError:
                    continue  # another run sent it meanwhile
                mail = EmailMessage(subject=title, body=body, to=[address], headers=_headers())
                sent += connection.send_messages([mail]) or 0
    return sent
