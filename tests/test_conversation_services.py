from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Person
from conversations import services
from conversations.models import (
    Kind,
    KnownIssueStatus,
    Message,
    Moderation,
    ResponseState,
    Subscription,
)
from openline.ratelimit import RateLimited


def test_publish_article_keeps_body_as_official_opening_message(article, lionel):
    opening = article.messages.get()
    assert opening.is_opening and opening.official
    assert opening.author == lionel.person
    assert "<strong>by hand</strong>" in opening.body_html
    assert article.summary == "Every parcel is packed by hand in our Leeds warehouse."
    assert article.is_published
    assert [label.name for label in article.labels.all()] == ["Packaging"]


def test_same_title_gets_a_new_slug(article, lionel):
    again = services.publish_post(
        author=lionel.person, kind=Kind.ARTICLE, title=article.title, body_md="Again"
    )
    assert again.slug == f"{article.slug}-2"


def test_known_issue_has_its_side_table(known_issue):
    issue = known_issue.known_issue
    assert issue.status == KnownIssueStatus.INVESTIGATING
    assert issue.affected_area.startswith("Deliveries")
    assert issue.is_open and not issue.update_overdue()
    assert issue.update_overdue(timezone.now() + timedelta(hours=5))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"title": ""}, "needs a title"),
        ({"title": "x" * 201}, "limited to 200"),
        ({"body_md": "   "}, "write something"),
        ({"kind": Kind.EMAIL}, "Only articles and known issues"),
        ({"kind": Kind.KNOWN_ISSUE}, "what the known issue affects"),
    ],
)
def test_publish_rejects_bad_input_and_stores_nothing(lionel, kwargs, error):
    args = {"author": lionel.person, "kind": Kind.ARTICLE, "title": "T", "body_md": "B", **kwargs}
    with pytest.raises(services.PostingError, match=error):
        services.publish_post(**args)
    assert not Message.objects.exists()


def test_customer_comment_awaits_a_response(maria_comment):
    assert maria_comment.response_state == ResponseState.AWAITING
    assert not maria_comment.official
    assert maria_comment.moderation == Moderation.VISIBLE


def test_new_member_first_comment_is_held_then_later_ones_are_not(newbie, known_issue, mona):
    first = services.post_comment(known_issue, author=newbie.person, body_md="Hello?")
    assert first.moderation == Moderation.HELD
    assert first.response_state == ResponseState.AWAITING
    known_issue.refresh_from_db()
    assert known_issue.comment_count == 0
    services.approve(first, by=mona)
    known_issue.refresh_from_db()
    assert known_issue.comment_count == 1
    second = services.post_comment(known_issue, author=newbie.person, body_md="Thanks")
    assert second.moderation == Moderation.VISIBLE


def test_staff_comment_is_official_and_not_awaiting(known_issue, alex):
    message = services.post_comment(known_issue, author=alex.person, body_md="We are on it")
    assert message.official
    assert message.response_state == ResponseState.NOT_APPLICABLE
    assert message.moderation == Moderation.VISIBLE


def test_script_tags_are_shown_as_text_never_run(known_issue, maria_comment, maria):
    message = services.post_comment(
        known_issue, author=maria.person, body_md="<script>alert(1)</script> [x](javascript:evil)"
    )
    assert "<script" not in message.body_html
    assert "&lt;script&gt;" in message.body_html
    assert 'href="javascript' not in message.body_html
    assert message.body_md.startswith("<script>")


def test_double_submit_stores_one_message(known_issue, maria_comment, maria):
    one = services.post_comment(
        known_issue, author=maria.person, body_md="Once", idempotency_key="k1"
    )
    two = services.post_comment(
        known_issue, author=maria.person, body_md="Once", idempotency_key="k1"
    )
    assert one.pk == two.pk
    assert Message.objects.filter(author=maria.person, body_md="Once").count() == 1


def test_oversized_and_empty_comments_are_refused(known_issue, maria, settings):
    settings.COMMENT_MAX_LENGTH = 100
    with pytest.raises(services.PostingError, match="the limit is 100"):
        services.post_comment(known_issue, author=maria.person, body_md="x" * 101)
    with pytest.raises(services.PostingError, match="write something"):
        services.post_comment(known_issue, author=maria.person, body_md=" \n ")
    assert not known_issue.messages.filter(is_opening=False).exists()


def test_reply_to_message_of_another_conversation_is_refused(known_issue, article, maria):
    elsewhere = services.post_comment(article, author=maria.person, body_md="Hi")
    with pytest.raises(services.PostingError, match="another conversation"):
        services.post_comment(known_issue, author=maria.person, body_md="x", reply_to=elsewhere)


def test_closed_or_draft_conversations_take_no_comments(known_issue, lionel, maria):
    known_issue.comments_open = False
    known_issue.save()
    with pytest.raises(services.PostingError, match="closed"):
        services.post_comment(known_issue, author=maria.person, body_md="x")
    draft = services.publish_post(
        author=lionel.person, kind=Kind.ARTICLE, title="Draft", body_md="x", draft=True
    )
    with pytest.raises(services.PostingError, match="closed"):
        services.post_comment(draft, author=maria.person, body_md="x")


def test_rate_limit_stops_a_flood(known_issue, maria_comment, maria, settings):
    settings.COMMENT_RATE_LIMIT = "2/m"
    for n in range(2):
        services.post_comment(
            known_issue, author=maria.person, body_md=f"n{n}", rate_limit_key="user:1"
        )
    with pytest.raises(RateLimited, match="Too many posts"):
        services.post_comment(
            known_issue, author=maria.person, body_md="n3", rate_limit_key="user:1"
        )
    assert not Message.objects.filter(body_md="n3").exists()


def test_commenting_subscribes_the_customer(maria_comment, maria, known_issue):
    sub = Subscription.objects.get(person=maria.person, conversation=known_issue)
    assert sub.email == "maria@example.com"
    assert len(sub.token) >= 24


def test_answer_marks_answered_with_first_response_time(
    maria_comment, alex, django_capture_on_commit_callbacks
):
    later = maria_comment.created_at + timedelta(minutes=42)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.answer(
            maria_comment, by=alex, body_md="Hi Maria, it ships today.", at=later
        )
    maria_comment.refresh_from_db()
    assert reply.official and reply.reply_to == maria_comment
    assert maria_comment.response_state == ResponseState.ANSWERED
    assert maria_comment.answered_by == reply
    assert maria_comment.first_response_seconds == 42 * 60
    assert maria_comment.closed_at == later
    # The customer, who follows the post, is told by e-mail.
    assert [m.to for m in mail.outbox] == [["maria@example.com"]]
    body = mail.outbox[0].body
    assert "Hi Maria," in body and "it ships today" in body
    assert "/unsubscribe/" in body
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_answer_also_answers_earlier_waiting_messages_of_that_customer(
    known_issue, maria_comment, maria, sam, alex
):
    again = services.post_comment(known_issue, author=maria.person, body_md="Hello??")
    sams = services.post_comment(known_issue, author=sam.person, body_md="Me too")
    services.answer(again, by=alex, body_md="Sorry Maria")
    states = dict(
        Message.objects.filter(pk__in=[maria_comment.pk, again.pk, sams.pk]).values_list(
            "pk", "response_state"
        )
    )
    assert states == {
        maria_comment.pk: ResponseState.ANSWERED,
        again.pk: ResponseState.ANSWERED,
        sams.pk: ResponseState.AWAITING,
    }


def test_answering_a_held_comment_publishes_it(newbie, known_issue, alex):
    held = services.post_comment(known_issue, author=newbie.person, body_md="First!")
    services.answer(held, by=alex, body_md="Welcome")
    held.refresh_from_db()
    known_issue.refresh_from_db()
    assert held.moderation == Moderation.VISIBLE
    assert known_issue.comment_count == 2


def test_only_staff_answer(maria_comment, sam):
    with pytest.raises(services.PostingError, match="Only staff"):
        services.answer(maria_comment, by=sam, body_md="I'm not staff")


def test_no_reply_needed_needs_a_reason_and_a_waiting_message(maria_comment, alex):
    with pytest.raises(services.PostingError, match="Say why"):
        services.mark_no_reply_needed(maria_comment, by=alex, reason=" ")
    services.mark_no_reply_needed(maria_comment, by=alex, reason="Thanks only")
    maria_comment.refresh_from_db()
    assert maria_comment.response_state == ResponseState.NO_REPLY_NEEDED
    assert maria_comment.closed_by == alex and maria_comment.closed_at is not None
    with pytest.raises(services.PostingError, match="not waiting"):
        services.mark_no_reply_needed(maria_comment, by=alex, reason="again")


def test_remove_hides_and_closes(maria_comment, known_issue, mona):
    services.remove(maria_comment, by=mona, reason="Spam")
    maria_comment.refresh_from_db()
    known_issue.refresh_from_db()
    assert maria_comment.moderation == Moderation.REMOVED
    assert maria_comment.response_state == ResponseState.NO_REPLY_NEEDED
    assert known_issue.comment_count == 0
    with pytest.raises(services.PostingError):
        services.remove(known_issue.messages.get(is_opening=True), by=mona)
    services.approve(maria_comment, by=mona)
    known_issue.refresh_from_db()
    assert known_issue.comment_count == 1


def test_status_update_moves_the_timeline_and_emails_subscribers(
    known_issue, maria_comment, lionel, django_capture_on_commit_callbacks
):
    due = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        update = services.post_status_update(
            known_issue,
            author=lionel.person,
            status=KnownIssueStatus.IDENTIFIED,
            body_md="The motorway reopens tonight.",
            next_update_due=due,
        )
    issue = known_issue.known_issue
    issue.refresh_from_db()
    assert issue.status == KnownIssueStatus.IDENTIFIED
    assert issue.next_update_due == due
    assert list(issue.updates.all()) == [update]
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["maria@example.com"]
    assert sent.subject == "[Identified] Deliveries to the north are running late"
    assert "The motorway reopens tonight." in sent.body
    assert sent.extra_headers["List-Unsubscribe"].startswith("<http")


def test_resolving_clears_the_promise(known_issue, lionel):
    services.post_status_update(
        known_issue,
        author=lionel.person,
        status=KnownIssueStatus.RESOLVED,
        body_md="All caught up.",
        next_update_due=timezone.now() + timedelta(hours=1),
    )
    issue = known_issue.known_issue
    issue.refresh_from_db()
    assert issue.status == KnownIssueStatus.RESOLVED
    assert issue.next_update_due is None and issue.resolved_at is not None
    assert not issue.update_overdue(timezone.now() + timedelta(days=9))


def test_status_update_rejects_past_promise_and_wrong_kind(known_issue, article, lionel):
    with pytest.raises(services.PostingError, match="future"):
        services.post_status_update(
            known_issue,
            author=lionel.person,
            status=KnownIssueStatus.MONITORING,
            body_md="x",
            next_update_due=timezone.now() - timedelta(minutes=1),
        )
    with pytest.raises(services.PostingError, match="belong to known issues"):
        services.post_status_update(article, author=lionel.person, status="identified", body_md="x")
    with pytest.raises(services.PostingError, match="Unknown status"):
        services.post_status_update(
            known_issue, author=lionel.person, status="sleeping", body_md="x"
        )
    assert not known_issue.known_issue.updates.exists()


def test_unsubscribe_by_token(maria_comment, maria):
    sub = Subscription.objects.get(person=maria.person)
    assert services.unsubscribe(sub.token).email == "maria@example.com"
    assert not Subscription.objects.filter(pk=sub.pk).exists()
    assert services.unsubscribe(sub.token) is None


def test_subscribe_without_an_address_is_not_possible(known_issue):
    stranger = Person.objects.create(display_name="No Mail")
    assert services.subscribe(known_issue, stranger) is None


def test_edit_post_rerenders_and_relabels(article, lionel):
    services.edit_post(
        article,
        editor=lionel.person,
        title="How we pack",
        body_md="Now with _paper_ only.",
        labels=services.labels_from_names(["Packaging", "Planet"]),
    )
    article.refresh_from_db()
    assert article.title == "How we pack"
    assert "<em>paper</em>" in article.messages.get(is_opening=True).body_html
    assert sorted(label.name for label in article.labels.all()) == ["Packaging", "Planet"]
    with pytest.raises(services.PostingError):
        services.edit_post(article, editor=lionel.person, title="", body_md="x")


def test_labels_from_names_skips_blanks_and_reuses_labels(db):
    first = services.labels_from_names(["Delivery", " ", "App"])
    again = services.labels_from_names(["delivery"])
    assert [label.name for label in first] == ["Delivery", "App"]
    assert again == first[:1]


def test_publishing_a_resolved_issue_keeps_no_promise(lionel):
    post = services.publish_post(
        author=lionel.person,
        kind=Kind.KNOWN_ISSUE,
        title="Old outage",
        body_md="Fixed already.",
        affected_area="App",
        status=KnownIssueStatus.RESOLVED,
        next_update_due=timezone.now() + timedelta(hours=1),
    )
    issue = post.known_issue
    assert issue.next_update_due is None and issue.resolved_at is not None


def test_removing_an_answered_message_keeps_its_answer(maria_comment, alex, mona):
    services.answer(maria_comment, by=alex, body_md="Done")
    services.remove(maria_comment, by=mona)
    maria_comment.refresh_from_db()
    assert maria_comment.moderation == Moderation.REMOVED
    assert maria_comment.response_state == ResponseState.ANSWERED


def test_decisions_use_the_stored_state_not_a_stale_copy(newbie, known_issue, mona, alex):
    held = services.post_comment(known_issue, author=newbie.person, body_md="Hi")
    stale = Message.objects.get(pk=held.pk)
    services.approve(held, by=mona)
    services.approve(stale, by=mona)  # a second moderator with the old page open
    known_issue.refresh_from_db()
    assert known_issue.comment_count == 1
    services.mark_no_reply_needed(held, by=alex, reason="Thanks only")
    with pytest.raises(services.PostingError, match="not waiting"):
        services.mark_no_reply_needed(stale, by=mona, reason="Spam")
