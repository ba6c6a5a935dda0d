"""Response targets in business hours: due times, first-response time, due-soon view, escalation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.checks import run_checks

from conversations import services, targets
from conversations.models import Conversation, Priority
from inbox.tasks import escalate_missed_targets

FRIDAY_4PM = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # office hours: Mon-Fri 09:00-17:00 UTC
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def at(moment):
    return time_machine.travel(moment, tick=False)


def published_earlier(post):
    """Published before the fixed days these tests travel to."""
    Conversation.objects.filter(pk=post.pk).update(
        published_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    )
    post.refresh_from_db()
    return post


@pytest.fixture
def known_issue(known_issue):
    return published_earlier(known_issue)


@pytest.fixture
def article(article):
    return published_earlier(article)


def test_due_time_counts_only_business_hours(maria, known_issue):
    with at(FRIDAY_4PM):
        message = services.post_comment(known_issue, author=maria.person, body_md="Where is it?")
    # normal = 8 business hours: Friday 16-17, then Monday 09-16.
    assert message.due_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def test_a_new_priority_moves_the_due_time_of_waiting_messages(maria, alex, known_issue):
    with at(FRIDAY_4PM):
        message = services.post_comment(known_issue, author=maria.person, body_md="Help!")
        services.set_priority(known_issue, priority=Priority.URGENT, by=alex)
    message.refresh_from_db()
    assert message.due_at == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # urgent = 1 h


def test_targets_per_channel_override_the_priority(settings, maria, known_issue):
    settings.RESPONSE_TARGETS = "urgent=1h,high=4h,normal=8h,low=24h,web:normal=30m"
    with at(FRIDAY_4PM):
        message = services.post_comment(known_issue, author=maria.person, body_md="Hello")
    assert message.due_at == datetime(2026, 11, 27, 16, 30, tzinfo=UTC)


def test_first_response_time_is_kept_in_wall_clock_and_business_hours(maria, alex, known_issue):
    with at(FRIDAY_4PM):
        message = services.post_comment(known_issue, author=maria.person, body_md="Where is it?")
    with at(MONDAY_10AM):
        services.answer(message, by=alex, body_md="On its way.")
    message.refresh_from_db()
    assert message.first_response_seconds == 66 * 3600
    assert message.first_response_business_seconds == 2 * 3600  # Fri 16-17, Mon 09-10


def test_holidays_are_closed(settings, maria, known_issue):
    settings.HOLIDAYS = ["2026-11-30"]
    with at(FRIDAY_4PM):
        message = services.post_comment(known_issue, author=maria.person, body_md="Hi")
    assert message.due_at == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


def test_due_soon_view_and_overdue_badge(maria, sam, alex, alex_client, known_issue, article):
    with at(FRIDAY_4PM):
        late = services.post_comment(known_issue, author=maria.person, body_md="Late one")
        services.post_comment(article, author=sam.person, body_md="Fresh one")
        services.set_priority(known_issue, priority=Priority.URGENT, by=alex)
    with at(datetime(2026, 11, 27, 16, 45, tzinfo=UTC)):
        # urgent (due 17:00) is within the 1 h warning; normal (due Monday) is not.
        page = alex_client.get("/staff/queue/?view=due").content.decode()
        assert "Late one" in page and "Fresh one" not in page
        assert "Due soon" in page
    with at(datetime(2026, 11, 30, 15, 30, tzinfo=UTC)):
        # Now the urgent one is overdue and the normal one (due 16:00) is due soon: by due time.
        page = alex_client.get("/staff/queue/?view=due").content.decode()
        assert "Overdue" in page and "Due soon" in page
        assert page.index("Late one") < page.index("Fresh one")
    late.refresh_from_db()
    assert late.due_at == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


def test_managers_hear_once_about_missed_targets(maria, sam, alex, priya, ada, known_issue):
    with at(FRIDAY_4PM):
        missed = services.post_comment(known_issue, author=maria.person, body_md="Still waiting")
        answered = services.post_comment(known_issue, author=sam.person, body_md="Me too")
    with at(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)):
        services.answer(answered, by=alex, body_md="Sorted, Sam.")
    with at(MONDAY_10AM):
        assert escalate_missed_targets() == 0  # not due until 16:00
    with at(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)):
        assert escalate_missed_targets() == 1
        assert escalate_missed_targets() == 0
    (sent,) = mail.outbox
    assert sorted(sent.to) == sorted([priya.email, ada.email])
    assert "Maria Keller" in sent.body and "Sam Osei" not in sent.body
    assert f"/staff/conversations/{missed.conversation_id}/" in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("RESPONSE_TARGETS", "normal=8h", "no time for: low, high, urgent"),
        ("RESPONSE_TARGETS", "soon=1h", "write priority=duration"),
        ("RESPONSE_WARNING", "an hour", "not a duration"),
        ("BUSINESS_HOURS", "mon-fri 9-5", "business hours"),
    ],
)
def test_unreadable_settings_are_reported_by_the_checks(settings, name, value, message):
    setattr(settings, name, value)
    errors = [e for e in run_checks() if e.id == "openline.E002"]
    assert errors, name
    if name != "BUSINESS_HOURS":
        assert message in errors[0].msg


def test_durations():
    assert targets.parse_duration("90m") == 5400
    assert targets.parse_duration("1.5h") == 5400
    with pytest.raises(ValueError, match="not a duration"):
        targets.parse_duration("2 days")
