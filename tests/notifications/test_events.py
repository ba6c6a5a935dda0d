"""Who is told of what: each event, the kinds, the e-mails, and what tells nobody."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Person, User
from accounts.services import add_identity
from community.models import IdeaStatusChange, Vote
from community.services import accept_answer, start_topic, unaccept_answer
from conversations import services
from conversations.models import Kind as ConversationKind
from conversations.models import KnownIssueStatus, Moderation, Subscription
from notifications import tasks
from notifications.models import EmailState, Kind, Notification
from notifications.services import stop_emails
from tests.conftest import make_customer
from tests.notifications.conftest import visible


def told(event_key=None):
    """{recipient's display name: kind} of the stored notifications."""
    rows = Notification.objects.select_related("recipient")
    if event_key:
        rows = rows.filter(event=event_key)
    return {n.recipient.display_name: n.kind for n in rows}


def mails_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def opening(conversation):
    return conversation.messages.get(is_opening=True)


# --- Replies and followers ----------------------------------------------------------------------


def test_a_reply_to_you_is_told_on_the_site_and_by_email(question, maria, sam, reply):
    answer = reply(question, sam, "Yes: Account → Orders → Change address.", opening(question))
    assert tasks.message_posted.call_local(answer.pk) == 1

    # Maria follows her question too, but a reply to her is the more specific reason.
    (note,) = Notification.objects.all()
    assert note.recipient == maria.person and note.kind == Kind.REPLY
    assert note.in_site and note.read_at is None
    assert note.summary == f"Sam Osei replied to you on “{question.title}”"
    assert note.excerpt == "Yes: Account → Orders → Change address."
    assert note.email == "maria@example.com" and note.email_state == EmailState.SENT
    assert note.emailed_at is not None

    (sent,) = mail.outbox
    assert sent.to == ["maria@example.com"]
    assert sent.subject == f"Sam Osei replied to you: {question.title}"
    assert sent.body.startswith("Hi Maria,\n")
    assert "Account → Orders → Change address." in sent.body
    assert f"{settings.SITE_URL}{question.get_absolute_url()}#m{answer.pk}" in sent.body


def test_followers_see_new_replies_on_the_site_without_email(discussion, maria, sam, reply):
    message = reply(discussion, sam, "Here is mine: a very squashed box.")
    tasks.message_posted.call_local(message.pk)
    (note,) = Notification.objects.all()
    assert (note.recipient, note.kind) == (maria.person, Kind.FOLLOWED_REPLY)
    assert note.in_site and note.email == "" and note.email_state == EmailState.NONE
    assert mail.outbox == []


def test_an_official_reply_is_emailed_to_each_follower_once(
    known_issue, maria_comment, sam, alex, reply, django_capture_on_commit_callbacks
):
    reply(known_issue, sam, "Same here, order 2210.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer(maria_comment, by=alex, body_md="Hi Maria, it left Leeds today.")
    # Maria is answered; Sam follows the post. One e-mail each, whatever jobs were queued.
    assert sorted(m.to[0] for m in mail.outbox) == ["maria@example.com", "sam@example.com"]
    (to_maria,) = mails_to("maria@example.com")
    (to_sam,) = mails_to("sam@example.com")
    assert to_maria.subject == f"Alex R. replied to you: {known_issue.title}"
    assert to_sam.subject == f"Alex R. replied: {known_issue.title}"
    assert told() == {"Maria Keller": Kind.REPLY, "Sam Osei": Kind.OFFICIAL_REPLY}
    # Sam is told because he follows: his link stops following the post.
    token = Subscription.objects.get(person=sam.person, conversation=known_issue).token
    assert to_sam.extra_headers["List-Unsubscribe"] == f"<{settings.SITE_URL}/unsubscribe/{token}/>"
    assert "/notifications/unsubscribe/" in to_maria.extra_headers["List-Unsubscribe"]


def test_a_new_visible_topic_tells_only_the_members_it_mentions(
    maria, sam, ada, handles, deliveries
):
    topic = start_topic(
        kind=ConversationKind.DISCUSSION,
        author=maria.person,
        title="Packaging feedback thread",
        body_md="What do you think of the new boxes, @sam?",
        category=deliveries,
    )
    message = visible(opening(topic), ada)
    tasks.message_posted.call_local(message.pk)
    assert told() == {"Sam Osei": Kind.MENTION}


# --- @mentions --------------------------------------------------------------------------------


def test_mentions_are_case_insensitive_and_skip_code_and_quotes(
    discussion, maria, sam, alex, lionel, newbie, handles, reply
):
    body = (
        "Thanks @Sam and @ALEX! Staff like @lionel wrote:\n\n"
        "> ask @nina\n\n"
        "Use `@nina` in code, or:\n\n```\n@nina again\n```\n\n"
        "Mail maria@example.com, or @nobody-here."
    )
    message = reply(discussion, maria, body)
    tasks.message_posted.call_local(message.pk)
    assert told() == {"Sam Osei": Kind.MENTION, "Alex R.": Kind.MENTION, "Lionel M.": Kind.MENTION}
    note = Notification.objects.get(recipient=sam.person)
    assert note.summary == f"Maria Keller mentioned you on “{discussion.title}”"
    assert (
        mails_to("sam@example.com")[0].subject == f"Maria Keller mentioned you: {discussion.title}"
    )


def test_a_reply_that_also_mentions_you_in_a_topic_you_follow_is_one_notification(
    discussion, maria, sam, handles, reply
):
    theirs = reply(discussion, sam, "Mine came in a bag.")
    answer = reply(discussion, maria, "@sam a bag? Really?", theirs)
    tasks.message_posted.call_local(answer.pk)
    assert told() == {"Sam Osei": Kind.REPLY}
    assert len(mails_to("sam@example.com")) == 1


def test_mentions_are_capped_per_message(
    discussion, maria, sam, alex, lionel, handles, reply, settings
):
    settings.NOTIFICATIONS_MENTION_LIMIT = 2
    message = reply(discussion, maria, "@sam @sam @alex @lionel")
    tasks.message_posted.call_local(message.pk)
    assert told() == {"Sam Osei": Kind.MENTION, "Alex R.": Kind.MENTION}


def test_a_member_without_a_handle_yet_can_be_mentioned(discussion, maria, newbie, reply):
    message = reply(discussion, maria, "Welcome @nina!")
    tasks.message_posted.call_local(message.pk)
    assert told() == {"Nina Novak": Kind.MENTION}


def test_resolving_mentions_costs_the_same_for_two_or_ten(discussion, maria, ada, reply):
    people = [make_customer(f"m{i}@example.com", f"Member{i} Test") for i in range(10)]

    def queries_for(count):
        body = " ".join(f"@member{i}" for i in range(count))
        message = reply(discussion, maria, body + f" ({count})")
        with CaptureQueriesContext(connection) as ctx:
            tasks.message_posted.call_local(message.pk)
        assert Notification.objects.filter(event=f"message:{message.pk}").count() == count
        return len(ctx.captured_queries)

    queries_for(1)  # everyone gets a handle on the first call
    assert queries_for(2) == queries_for(10)
    assert len(mail.outbox) == 1 + 2 + 10
    assert people


# --- Accepted answers -------------------------------------------------------------------------


def test_the_askers_accepting_tells_the_author_of_the_answer(question, maria, sam, reply):
    answer = reply(question, sam, "Change it under Orders.")
    accept_answer(question, answer, by=maria)
    tasks.answer_accepted.call_local(question.pk)
    assert told() == {"Sam Osei": Kind.ANSWER_ACCEPTED}
    note = Notification.objects.get()
    assert note.summary == f"Maria Keller accepted your answer to “{question.title}”"
    (sent,) = mail.outbox
    assert sent.subject == f"Your answer was accepted: {question.title}"
    assert "Change it under Orders." in sent.body


def test_staff_accepting_tells_the_author_and_the_asker(question, maria, sam, alex, reply):
    answer = reply(question, sam, "Change it under Orders.")
    accept_answer(question, answer, by=alex)
    tasks.answer_accepted.call_local(question.pk)
    assert told() == {"Sam Osei": Kind.ANSWER_ACCEPTED, "Maria Keller": Kind.ANSWER_ACCEPTED}
    to_maria = Notification.objects.get(recipient=maria.person)
    assert to_maria.summary == f"Alex R. accepted an answer to your question “{question.title}”"
    assert {m.subject for m in mail.outbox} == {
        f"Your answer was accepted: {question.title}",
        f"An answer to your question was accepted: {question.title}",
    }


def test_accepting_the_same_answer_again_tells_nobody_twice(question, maria, sam, reply):
    answer = reply(question, sam, "Change it under Orders.")
    accept_answer(question, answer, by=maria)
    tasks.answer_accepted.call_local(question.pk)
    unaccept_answer(question, by=maria)
    assert tasks.answer_accepted.call_local(question.pk) == 0
    accept_answer(question, answer, by=maria)
    tasks.answer_accepted.call_local(question.pk)
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


# --- Ideas ---------------------------------------------------------------------------------------


@pytest.fixture
def planned(idea, idea_statuses, sam, newbie, alex):
    """Sam voted for Maria's idea; Alex moved it to Planned, with a reason."""
    Vote.objects.create(idea=idea.idea, person=sam.person)
    return IdeaStatusChange.objects.create(
        idea=idea.idea,
        from_status=idea_statuses["under-review"],
        to_status=idea_statuses["planned"],
        reason_md="We start on **time slots** in March.",
        reason_html="<p>We start on <strong>time slots</strong> in March.</p>",
        by=alex,
    )


def test_an_idea_status_change_tells_voters_and_followers_with_the_reason(
    planned, idea, maria, sam
):
    assert tasks.idea_status_changed.call_local(planned.pk) == 2
    assert told() == {"Maria Keller": Kind.IDEA_STATUS, "Sam Osei": Kind.IDEA_STATUS}
    assert (
        Notification.objects.get(recipient=sam.person).summary == f"“{idea.title}” is now Planned"
    )
    (to_sam,) = mails_to("sam@example.com")
    assert to_sam.subject == f"[Planned] {idea.title}"
    assert "is now Planned (it was Under review)" in to_sam.body
    assert "We start on time slots in March." in to_sam.body
    # Sam voted (he does not follow): his link turns idea e-mails off. Maria follows hers.
    assert "/notifications/unsubscribe/" in to_sam.extra_headers["List-Unsubscribe"]
    (to_maria,) = mails_to("maria@example.com")
    token = Subscription.objects.get(person=maria.person).token
    assert to_maria.extra_headers["List-Unsubscribe"].endswith(f"/unsubscribe/{token}/>")


def test_the_person_who_changed_the_status_is_not_told(planned, alex):
    Vote.objects.create(idea=planned.idea, person=alex.person)
    tasks.idea_status_changed.call_local(planned.pk)
    assert "Alex R." not in told()


# --- Known issues ------------------------------------------------------------------------------


def test_a_status_update_tells_followers_with_and_without_a_login(
    known_issue, maria_comment, lionel
):
    olga = Person.objects.create(display_name="olga@example.org")
    add_identity(olga, "email", "olga@example.org")
    services.subscribe(known_issue, olga)
    update = services.post_status_update(
        known_issue,
        author=lionel.person,
        status=KnownIssueStatus.IDENTIFIED,
        body_md="The motorway reopens tonight.",
        next_update_due=timezone.now() + timedelta(hours=3),
    )
    assert tasks.status_update_posted.call_local(update.pk) == 2
    subject = f"[Identified] {known_issue.title}"
    assert {(m.to[0], m.subject) for m in mail.outbox} == {
        ("maria@example.com", subject),
        ("olga@example.org", subject),
    }
    (to_olga,) = mails_to("olga@example.org")
    assert to_olga.body.startswith("Hello,\n")  # known only by an address
    assert "Our next update comes by" in to_olga.body
    assert "Choose what we e-mail you about" not in to_olga.body  # no login, no preferences
    # On the site only for the member: Olga has no page to see it on.
    assert Notification.objects.get(recipient=maria_comment.author).in_site
    assert not Notification.objects.get(recipient=olga).in_site


# --- Who is never told -------------------------------------------------------------------------


def test_nobody_is_told_of_their_own_message(question, maria, reply):
    message = reply(question, maria, "Answering myself: found it.", opening(question))
    assert tasks.message_posted.call_local(message.pk) == 0
    assert not Notification.objects.exists()


def test_held_hidden_removed_and_internal_messages_tell_nobody(
    known_issue, maria_comment, newbie, alex, mona, sam, handles
):
    held = services.post_comment(
        known_issue, author=newbie.person, body_md="First! @sam", reply_to=maria_comment
    )
    assert held.moderation == Moderation.HELD
    hidden = services.post_comment(known_issue, author=sam.person, body_md="@maria hi")
    hidden.moderation = Moderation.HIDDEN
    hidden.save(update_fields=["moderation"])
    removed = services.post_comment(
        known_issue, author=sam.person, body_md="spam @maria", reply_to=maria_comment
    )
    services.remove(removed, by=mona)
    note = services.add_internal_note(known_issue, by=alex, body_md="@maria is a VIP")
    for message in (held, hidden, removed, note):
        assert tasks.message_posted.call_local(message.pk) == 0
    assert not Notification.objects.exists() and mail.outbox == []


def test_private_conversations_tell_nobody(maria, alex):
    message = services.receive_private_message(
        conversation=None, author=maria.person, title="Refund", body_md="Hi", channel="email"
    )
    reply = services.answer(message, by=alex, body_md="On its way, @maria.")
    assert tasks.message_posted.call_local(reply.pk) == 0
    assert not Notification.objects.exists()


def test_history_imported_with_its_old_time_tells_nobody(known_issue, maria_comment, sam):
    old = services.post_comment(
        known_issue,
        author=sam.person,
        body_md="Imported",
        reply_to=maria_comment,
        at=timezone.now() - timedelta(days=3),
    )
    assert tasks.message_posted.call_local(old.pk) == 0
    assert tasks.message_posted.call_local(999_999) == 0


def test_a_job_that_waited_days_for_a_worker_still_tells(question, maria, sam, reply):
    answer = reply(question, sam, "Under Orders.", opening(question))
    Message = type(answer)
    two_days_ago = timezone.now() - timedelta(days=2)
    Message.objects.filter(pk=answer.pk).update(created_at=two_days_ago, updated_at=two_days_ago)
    # Queued when it was posted; the worker was down until now.
    queued_then = (two_days_ago + timedelta(seconds=1)).isoformat()
    assert tasks.message_posted.call_local(answer.pk, queued_then) == 1
    assert told() == {"Maria Keller": Kind.REPLY}


def test_a_held_reply_let_through_days_later_is_still_news(
    known_issue, maria_comment, newbie, mona, django_capture_on_commit_callbacks
):
    held = services.post_comment(
        known_issue,
        author=newbie.person,
        body_md="Me too",
        reply_to=maria_comment,
        at=timezone.now() - timedelta(days=3),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(held, by=mona)
    assert told() == {"Maria Keller": Kind.REPLY}


# --- Running twice, preferences ------------------------------------------------------------------


def test_a_job_that_runs_twice_tells_once(question, maria, sam, reply):
    answer = reply(question, sam, "Under Orders.", opening(question))
    assert tasks.message_posted.call_local(answer.pk) == 1
    assert tasks.message_posted.call_local(answer.pk) == 0
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


def test_preferences_decide_site_and_email(question, discussion, maria, sam, reply, handles):
    from notifications.services import save_preferences

    choices = {Kind.REPLY: (True, False), Kind.MENTION: (False, False)}
    save_preferences(maria, handle="maria", no_email=False, choices=choices)
    first = reply(question, sam, "Under Orders.", opening(question))
    tasks.message_posted.call_local(first.pk)
    note = Notification.objects.get()
    assert note.in_site and note.email_state == EmailState.NONE and mail.outbox == []
    # Neither on the site nor by e-mail: not stored at all.
    second = reply(discussion, sam, "Hey @maria")
    Subscription.objects.filter(person=maria.person, conversation=discussion).delete()
    tasks.message_posted.call_local(second.pk)
    assert Notification.objects.count() == 1


def test_no_email_at_all_switch(question, maria, sam, reply):
    from notifications.services import save_preferences

    save_preferences(maria, handle="maria", no_email=True, choices={})
    answer = reply(question, sam, "Under Orders.", opening(question))
    tasks.message_posted.call_local(answer.pk)
    assert Notification.objects.get().in_site and mail.outbox == []


def test_followers_who_turned_updates_off_get_no_email(known_issue, maria_comment, maria, lionel):
    stop_emails(maria.person, Kind.STATUS_UPDATE)
    update = services.post_status_update(
        known_issue, author=lionel.person, status=KnownIssueStatus.MONITORING, body_md="Better."
    )
    tasks.status_update_posted.call_local(update.pk)
    assert mail.outbox == [] and Notification.objects.get().in_site


def test_inactive_members_and_reserved_domains_get_no_email(known_issue, maria_comment, lionel):
    shop = make_customer("buyer@shop.test", "Bo Buyer")
    services.subscribe(known_issue, shop.person)
    gone = make_customer("gone@example.com", "Gil Gone")
    services.subscribe(known_issue, gone.person)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    update = services.post_status_update(
        known_issue, author=lionel.person, status=KnownIssueStatus.MONITORING, body_md="Better."
    )
    tasks.status_update_posted.call_local(update.pk)
    assert [m.to for m in mail.outbox] == [["maria@example.com"]]
    assert told() == {"Maria Keller": Kind.STATUS_UPDATE, "Bo Buyer": Kind.STATUS_UPDATE}
    assert Notification.objects.get(recipient=shop.person).email_state == EmailState.NONE


# --- Edges ---------------------------------------------------------------------------------------


def test_events_that_are_gone_or_not_public_tell_nobody(
    planned, known_issue, lionel, idea_statuses
):
    assert tasks.answer_accepted.call_local(999_999) == 0
    assert tasks.idea_status_changed.call_local(999_999) == 0
    assert tasks.status_update_posted.call_local(999_999) == 0
    # An idea change from days ago (history) and a draft known issue's update.
    IdeaStatusChange.objects.filter(pk=planned.pk).update(at=timezone.now() - timedelta(days=3))
    assert tasks.idea_status_changed.call_local(planned.pk) == 0
    draft = services.publish_post(
        author=lionel.person,
        kind=ConversationKind.KNOWN_ISSUE,
        title="Not yet public",
        body_md="Draft",
        affected_area="Everything",
        draft=True,
    )
    update = services.post_status_update(
        draft, author=lionel.person, status=KnownIssueStatus.IDENTIFIED, body_md="x"
    )
    assert tasks.status_update_posted.call_local(update.pk) == 0
    assert not Notification.objects.exists()


def test_an_event_whose_only_follower_is_its_author_tells_nobody(known_issue, lionel):
    services.subscribe(known_issue, lionel.person)
    update = services.post_status_update(
        known_issue, author=lionel.person, status=KnownIssueStatus.MONITORING, body_md="Mine."
    )
    assert tasks.status_update_posted.call_local(update.pk) == 0
    assert not Notification.objects.exists()


def test_a_change_or_acceptance_by_a_login_since_removed_is_from_someone(
    planned, question, maria, sam, alex, reply
):
    IdeaStatusChange.objects.filter(pk=planned.pk).update(by=None)
    assert tasks.idea_status_changed.call_local(planned.pk) == 2
    answer = reply(question, sam, "Under Orders.")
    accept_answer(question, answer, by=alex)
    question.question.__class__.objects.filter(pk=question.pk).update(accepted_by=None)
    tasks.answer_accepted.call_local(question.pk)
    note = Notification.objects.get(event=f"accepted:{answer.pk}", recipient=sam.person)
    assert note.summary == f"Someone accepted your answer to “{question.title}”"
    assert str(note) == f"Accepted answers to your questions and from you for {sam.person.pk}: " + (
        f"accepted:{answer.pk}"
    )


def test_set_status_tells_voters_after_commit(
    idea, sam, alex, idea_statuses, django_capture_on_commit_callbacks
):
    from community import ideas

    ideas.vote(idea, sam.person)
    with django_capture_on_commit_callbacks(execute=True):
        ideas.set_status(idea, "planned", by=alex, reason_md="Starting in March.")
    assert told() == {"Maria Keller": Kind.IDEA_STATUS, "Sam Osei": Kind.IDEA_STATUS}
    assert "Starting in March." in mails_to("sam@example.com")[0].body


def test_a_merge_tells_the_voters_and_followers_it_brought_together(
    idea, maria, sam, newbie, alex, ada, deliveries, django_capture_on_commit_callbacks
):
    from community import ideas

    duplicate = start_topic(
        kind=ConversationKind.IDEA,
        author=sam.person,
        title="Choose when the parcel comes",
        body_md="An hour window, please.",
        category=deliveries,
    )
    visible(opening(duplicate), ada)
    ideas.vote(duplicate, newbie.person)
    with django_capture_on_commit_callbacks(execute=True):
        ideas.merge_ideas(duplicate, idea, by=alex)
    summary = f"“Choose when the parcel comes” was merged into “{idea.title}”"
    assert told() == {
        "Maria Keller": Kind.IDEA_STATUS,
        "Sam Osei": Kind.IDEA_STATUS,
        "Nina Novak": Kind.IDEA_STATUS,
    }
    assert set(Notification.objects.values_list("summary", flat=True)) == {summary}
    (to_nina,) = mails_to("newbie@example.com")
    assert to_nina.subject == "[Merged] Choose when the parcel comes"
    assert f'was merged into "{idea.title}"' in to_nina.body
    assert idea.get_absolute_url() in to_nina.body
