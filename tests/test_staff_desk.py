"""The staff desk: queue views, assigning, priorities, snoozing, and the audit log."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from conversations import services
from conversations.models import AuditEvent, Channel, Message, Priority
from tests.test_query_counts import add_comments, count_queries

ROW_AUTHOR = re.compile(
    r'<li class="queue-row[^"]*" id="q\d+">\s*<div class="queue-meta">\s*'
    r"<p>(?:<input[^>]*> )?<strong>([^<]+)</strong>"
)


def queue_authors(client, **params) -> list[str]:
    page = client.get("/staff/queue/", params)
    assert page.status_code == 200
    return ROW_AUTHOR.findall(page.content.decode())


@pytest.fixture
def two_threads(known_issue, article, maria, sam):
    first = services.post_comment(known_issue, author=maria.person, body_md="Where is my parcel?")
    second = services.post_comment(article, author=sam.person, body_md="This is awful, useless!")
    second.sentiment = "negative"
    second.save(update_fields=["sentiment"])
    return first, second


def test_views_mine_unassigned_and_negative(alex_client, alex, two_threads):
    first, _second = two_threads
    services.assign(first.conversation, to=alex, by=alex)
    assert queue_authors(alex_client) == ["Maria Keller", "Sam Osei"]
    assert queue_authors(alex_client, view="mine") == ["Maria Keller"]
    assert queue_authors(alex_client, view="unassigned") == ["Sam Osei"]
    assert queue_authors(alex_client, view="negative") == ["Sam Osei"]
    assert queue_authors(alex_client, channel=Channel.EMAIL) == []
    assert queue_authors(alex_client, view="nonsense", channel="nonsense") == [
        "Maria Keller",
        "Sam Osei",
    ]


def test_urgent_first_and_snoozed_out_of_sight(alex_client, alex, two_threads):
    _first, second = two_threads
    services.set_priority(second.conversation, priority=Priority.URGENT, by=alex)
    assert queue_authors(alex_client) == ["Sam Osei", "Maria Keller"]
    services.snooze(second.conversation, until=timezone.now() + timedelta(hours=2), by=alex)
    assert queue_authors(alex_client) == ["Maria Keller"]
    assert queue_authors(alex_client, view="snoozed") == ["Sam Osei"]
    services.snooze(second.conversation, until=None, by=alex)
    assert queue_authors(alex_client) == ["Sam Osei", "Maria Keller"]


def test_the_desk_form_assigns_prioritises_snoozes_and_records_it(
    alex_client, alex, priya, two_threads
):
    conversation = two_threads[0].conversation
    until = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = alex_client.post(
        f"/staff/conversations/{conversation.pk}/desk/",
        {"assignee": priya.pk, "priority": Priority.HIGH, "snoozed_until": until},
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.assignee == priya
    assert conversation.priority == Priority.HIGH
    assert conversation.snoozed_until is not None
    verbs = list(
        AuditEvent.objects.filter(conversation=conversation).values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["assigned", "prioritised", "snoozed"]
    page = alex_client.get(f"/staff/conversations/{conversation.pk}/").content.decode()
    assert "Alex R. assigned" in page


def test_bad_desk_input_changes_nothing(alex_client, maria, two_threads):
    conversation = two_threads[0].conversation
    url = f"/staff/conversations/{conversation.pk}/desk/"
    # A customer cannot be given the conversation; a time in the past is no snooze.
    assert alex_client.post(url, {"assignee": maria.pk, "priority": 1}).status_code == 400
    past = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    refused = alex_client.post(url, {"priority": 1, "snoozed_until": past})
    assert refused.status_code == 400
    assert "Snooze until a time in the future." in refused.content.decode()
    assert alex_client.post(url, {"priority": 9}).status_code == 400
    conversation.refresh_from_db()
    assert conversation.assignee is None and conversation.snoozed_until is None
    assert not AuditEvent.objects.filter(conversation=conversation).exists()


def test_customers_cannot_use_the_desk(maria_client, two_threads):
    conversation = two_threads[0].conversation
    response = maria_client.post(
        f"/staff/conversations/{conversation.pk}/desk/", {"priority": Priority.URGENT}
    )
    assert response.status_code == 404
    conversation.refresh_from_db()
    assert conversation.priority == Priority.NORMAL


def test_agent_actions_are_audited(alex, mona, two_threads):
    first, second = two_threads
    services.answer(first, by=alex, body_md="It left today.")
    services.mark_no_reply_needed(second, by=alex, reason="Spam")
    services.add_internal_note(first.conversation, by=alex, body_md="Courier delayed.")
    events = {(e.actor_id, e.verb) for e in AuditEvent.objects.all()}
    assert {(alex.pk, "answered"), (alex.pk, "closed without reply"), (alex.pk, "noted")} <= events


@pytest.mark.parametrize(
    "view", ["all", "mine", "teams", "unassigned", "due", "negative", "snoozed"]
)
def test_every_queue_view_is_constant(alex_client, alex, known_issue, article, view):
    add_comments(known_issue, 2)
    add_comments(article, 2)
    # One past its target, so "due soon" lists something whatever the time of day.
    Message.objects.filter(conversation=known_issue).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )
    services.assign(known_issue, to=alex, by=alex)
    services.snooze(article, until=timezone.now() + timedelta(hours=1), by=alex)
    few = count_queries(alex_client, f"/staff/queue/?view={view}")
    add_comments(known_issue, 20)
    add_comments(article, 20)
    assert count_queries(alex_client, f"/staff/queue/?view={view}") == few <= 10


def test_saving_the_desk_unchanged_records_nothing_new(alex_client, alex, two_threads):
    conversation = two_threads[0].conversation
    until = timezone.now() + timedelta(days=1, seconds=37)
    services.snooze(conversation, until=until, by=alex)
    page = alex_client.get(f"/staff/conversations/{conversation.pk}/").content.decode()
    shown = re.search(r'name="snoozed_until"[^>]*value="([^"]+)"', page).group(1)
    response = alex_client.post(
        f"/staff/conversations/{conversation.pk}/desk/",
        {"priority": Priority.HIGH, "snoozed_until": shown},
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.snoozed_until == until  # kept to the second, not re-snoozed
    verbs = list(
        AuditEvent.objects.filter(conversation=conversation).values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["prioritised", "snoozed"]
