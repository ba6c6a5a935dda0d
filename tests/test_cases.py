"""Cases: opened by a customer, resolved with an outcome, reopened, handed to teams, merged;
resolution targets, warnings before a target passes and escalation after."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail

from accounts.models import Person, Team
from conversations import cases, services
from conversations.models import (
    AuditEvent,
    Channel,
    Conversation,
    Message,
    Outcome,
    Priority,
    ResponseState,
    Stance,
    Subscription,
)
from inbox.tasks import escalate_missed_targets, warn_before_breach

FRIDAY_4PM = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # office hours: Mon-Fri 09:00-17:00 UTC


def at(moment):
    return time_machine.travel(moment, tick=False)


def email_from(person: Person, text: str, *, conversation=None, title="Broken kettle"):
    return services.receive_private_message(
        conversation=conversation,
        author=person,
        title=title,
        body_md=text,
        channel=Channel.EMAIL,
    )


@pytest.fixture
def refunded(outcomes):
    return outcomes["Refunded"]


@pytest.fixture
def case(maria):
    return email_from(maria.person, "My kettle leaks.").conversation


def test_default_outcomes_say_when_we_gave_way_and_when_we_held(outcomes):
    stances = dict(Outcome.objects.values_list("name", "stance"))
    assert stances["Refunded"] == Stance.CONCEDED
    assert stances["Policy upheld"] == Stance.HELD
    assert stances["Answered"] == Stance.NEUTRAL


def test_a_customer_message_opens_a_case_with_a_resolution_target(maria):
    with at(FRIDAY_4PM):
        conversation = email_from(maria.person, "Help").conversation
    conversation.refresh_from_db()
    assert conversation.opened_at == FRIDAY_4PM
    # normal = 40 business hours: Friday 16-17, then four full days and 7 hours on Friday.
    assert conversation.resolution_due_at == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


def test_comments_on_posts_are_not_cases(maria_comment):
    conversation = maria_comment.conversation
    conversation.refresh_from_db()
    assert conversation.opened_at is None and conversation.resolution_due_at is None


def test_resolving_closes_waiting_messages_and_records_the_outcome(case, alex, refunded):
    cases.resolve(case, by=alex, outcome=refunded)
    case.refresh_from_db()
    assert case.resolved_by == alex and case.outcome == refunded and case.opened_at is None
    assert case.resolution_business_seconds is not None
    (message,) = case.messages.all()
    assert message.response_state == ResponseState.NO_REPLY_NEEDED
    assert message.no_reply_reason == "Resolved: Refunded"
    assert AuditEvent.objects.filter(verb="resolved", conversation=case, actor=alex).exists()


def test_resolution_time_is_counted_in_business_hours(maria, alex, refunded):
    with at(FRIDAY_4PM):
        conversation = email_from(maria.person, "Help").conversation
    with at(datetime(2026, 11, 30, 10, 0, tzinfo=UTC)):
        cases.resolve(conversation, by=alex, outcome=refunded)
    conversation.refresh_from_db()
    assert conversation.resolution_business_seconds == 2 * 3600  # Friday 16-17, Monday 9-10


@pytest.mark.parametrize(
    "problem, message",
    [
        ("no outcome", "Choose how the conversation ended."),
        ("retired outcome", "Choose how the conversation ended."),
        ("twice", "already resolved"),
        ("customer", "Only staff who answer customers"),
    ],
)
def test_refused_resolutions_change_nothing(case, alex, maria, refunded, problem, message):
    outcome, by = refunded, alex
    if problem == "no outcome":
        outcome = None
    elif problem == "retired outcome":
        refunded.active = False
        refunded.save()
    elif problem == "twice":
        cases.resolve(case, by=alex, outcome=refunded)
    elif problem == "customer":
        by = maria
    before = Conversation.objects.filter(pk=case.pk).values().get()
    with pytest.raises(services.PostingError, match=message):
        cases.resolve(case, by=by, outcome=outcome)
    assert Conversation.objects.filter(pk=case.pk).values().get() == before


def test_comments_on_posts_cannot_be_resolved(maria_comment, alex, refunded):
    with pytest.raises(services.PostingError, match="answered one by one"):
        cases.resolve(maria_comment.conversation, by=alex, outcome=refunded)


def test_the_customer_writing_again_reopens_the_case(case, maria, alex, refunded):
    cases.resolve(case, by=alex, outcome=refunded)
    email_from(maria.person, "It leaks again.", conversation=case)
    case.refresh_from_db()
    assert case.opened_at is not None and case.resolved_at is None and case.outcome is None
    assert AuditEvent.objects.filter(verb="reopened by the customer", conversation=case).exists()


def test_staff_reopen_and_reopening_an_open_case_is_refused(case, alex, refunded):
    with pytest.raises(services.PostingError, match="Only a resolved conversation"):
        cases.reopen(case, by=alex)
    cases.resolve(case, by=alex, outcome=refunded)
    cases.reopen(case, by=alex)
    case.refresh_from_db()
    assert case.opened_at is not None and case.resolution_due_at is not None


def test_a_new_priority_moves_the_resolution_target(maria, alex):
    with at(FRIDAY_4PM):
        conversation = email_from(maria.person, "Help").conversation
        services.set_priority(conversation, priority=Priority.URGENT, by=alex)
    conversation.refresh_from_db()
    # urgent = 8 business hours from Friday 16:00: Friday 16-17, Monday 09-16.
    assert conversation.resolution_due_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def test_teams(case, alex, priya):
    team = Team.objects.create(name="Kettles")
    cases.set_team(case, team=team, by=alex)
    cases.set_team(case, team=team, by=alex)  # unchanged: recorded once
    assert Conversation.objects.get(pk=case.pk).team == team
    assert AuditEvent.objects.filter(verb="handed to team").count() == 1


# --- Merging conversations ------------------------------------------------------------


def test_merging_moves_messages_followers_and_history(maria, sam, alex):
    first = email_from(maria.person, "Kettle leaks", title="Kettle").conversation
    second = email_from(maria.person, "About my kettle again", title="Kettle again").conversation
    services.add_internal_note(second, by=alex, body_md="Same customer, same kettle")
    services.set_priority(second, priority=Priority.HIGH, by=alex)
    cases.merge_conversations(second, first, by=alex)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.merged_into == first and second.messages.count() == 0
    assert first.messages.count() == 3
    assert first.messages.filter(is_opening=True).count() == 1
    assert first.priority == Priority.HIGH
    assert AuditEvent.objects.filter(conversation=first, verb="merged").exists()
    assert AuditEvent.objects.filter(conversation=second).count() == 0
    assert cases.final(second) == first


def test_merging_public_threads_keeps_one_follower_each_and_counts(maria, sam, alex, lionel):
    from conversations.models import Kind

    one = Conversation.objects.create(
        kind=Kind.DISCUSSION, title="Leaky", slug="leaky", author=maria.person
    )
    two = Conversation.objects.create(
        kind=Kind.DISCUSSION, title="Leaky too", slug="leaky-too", author=sam.person
    )
    for conversation in (one, two):
        Subscription.objects.create(conversation=conversation, person=maria.person, email="m@x")
    Subscription.objects.create(conversation=two, person=sam.person, email="s@x")
    Message.objects.create(
        conversation=two, author=sam.person, body_md="x", body_html="x", is_opening=False
    )
    cases.merge_conversations(two, one, by=alex)
    assert sorted(one.subscriptions.values_list("person_id", flat=True)) == sorted(
        [maria.person.pk, sam.person.pk]
    )
    one.refresh_from_db()
    assert one.comment_count == 1


@pytest.mark.parametrize("problem", ["itself", "private into public", "post", "merged twice"])
def test_refused_merges_change_nothing(maria, alex, article, problem):
    from conversations.models import Kind

    source = email_from(maria.person, "Help").conversation
    into = email_from(maria.person, "Help again").conversation
    if problem == "itself":
        into = source
    elif problem == "private into public":
        into = Conversation.objects.create(
            kind=Kind.QUESTION, title="Public", slug="public-q", author=maria.person
        )
    elif problem == "post":
        into = article
    elif problem == "merged twice":
        cases.merge_conversations(source, into, by=alex)
        into = email_from(maria.person, "A third").conversation
    before = sorted(Message.objects.values_list("pk", "conversation_id"))
    with pytest.raises(services.PostingError):
        cases.merge_conversations(source, into, by=alex)
    assert sorted(Message.objects.values_list("pk", "conversation_id")) == before


def test_an_open_case_merged_into_a_resolved_one_reopens_it(maria, alex, refunded):
    resolved = email_from(maria.person, "Help").conversation
    cases.resolve(resolved, by=alex, outcome=refunded)
    open_one = email_from(maria.person, "Still broken").conversation
    cases.merge_conversations(open_one, resolved, by=alex)
    resolved.refresh_from_db()
    assert resolved.opened_at is not None and resolved.resolved_at is None


# --- Warnings and escalation ----------------------------------------------------------


def test_warnings_go_once_to_the_assignee_or_team_before_the_target(maria, sam, alex, priya):
    team = Team.objects.create(name="Billing", email="billing@larder.test")
    team.members.add(priya)
    with at(FRIDAY_4PM):
        mine = email_from(maria.person, "Mine").conversation
        theirs = email_from(sam.person, "Theirs", title="Invoice").conversation
        services.assign(mine, to=alex, by=alex)
        cases.set_team(theirs, team=team, by=alex)
    with at(datetime(2026, 11, 30, 14, 0, tzinfo=UTC)):
        assert warn_before_breach() == 0  # due at 16:00, warning one hour before
    with at(datetime(2026, 11, 30, 15, 5, tzinfo=UTC)):
        assert warn_before_breach() == 2
        assert warn_before_breach() == 0
    by_address = {tuple(m.to): m for m in mail.outbox}
    assert set(by_address) == {(alex.email,), ("billing@larder.test",), (priya.email,)}
    assert "Maria Keller" in by_address[(alex.email,)].body
    assert "Sam Osei" not in by_address[(alex.email,)].body
    assert "Sam Osei" in by_address[(priya.email,)].body
    assert by_address[(alex.email,)].extra_headers["Auto-Submitted"] == "auto-generated"


def test_unassigned_warnings_go_to_everyone_who_answers(maria, alex, mona, priya):
    with at(FRIDAY_4PM):
        email_from(maria.person, "Help")
    with at(datetime(2026, 11, 30, 15, 30, tzinfo=UTC)):
        assert warn_before_breach() == 1
    assert {m.to[0] for m in mail.outbox} == {alex.email, mona.email, priya.email}


def test_resolution_targets_warn_then_escalate_to_managers(maria, alex, priya):
    with at(FRIDAY_4PM):
        conversation = email_from(maria.person, "Help").conversation
        services.assign(conversation, to=alex, by=alex)
    with at(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)):
        message = conversation.messages.get()
        services.answer(message, by=alex, body_md="On it, Maria.")
    mail.outbox.clear()
    with at(datetime(2026, 12, 4, 15, 30, tzinfo=UTC)):  # resolution due Friday 16:00
        assert warn_before_breach() == 1
    (warning,) = mail.outbox
    assert warning.to == [alex.email] and "should be resolved by" in warning.body
    with at(datetime(2026, 12, 4, 16, 30, tzinfo=UTC)):
        assert escalate_missed_targets() == 1
        assert escalate_missed_targets() == 0
    escalation = mail.outbox[-1]
    assert escalation.to == [priya.email]
    assert "past the resolution target" in escalation.subject
    assert f"/staff/conversations/{conversation.pk}/" in escalation.body


def test_a_resolved_case_is_never_warned_about(case, alex, refunded):
    cases.resolve(case, by=alex, outcome=refunded)
    with at(datetime(2027, 1, 30, 12, 0, tzinfo=UTC)):
        assert warn_before_breach() == 0
        assert escalate_missed_targets() == 0
