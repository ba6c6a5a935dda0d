"""The moderation pages: who may use them, what they do, and what they cost."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Person, User
from conversations import services
from conversations.models import AuditEvent, Category, Conversation, Message, Moderation
from moderation import services as moderation
from moderation.models import Flag, FlagReason, FlagState, Member, TrustLevel
from moderation.trust import set_trust_level
from tests.conftest import make_customer
from tests.moderation.conftest import comment
from tests.test_query_counts import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.PAGE_CACHE_SECONDS = 0


def url(name, *args):
    return reverse(f"moderation:{name}", args=args)


# --- Flagging ---------------------------------------------------------------------------------


def test_the_flag_page_shows_the_post_and_the_reasons(sam_client, maria_comment):
    html = sam_client.get(url("flag", maria_comment.pk)).content.decode()
    assert "Where is my parcel?" in html
    for label in FlagReason.labels:
        assert label in html
    assert "you cannot flag it" not in html


def test_the_flag_page_tells_an_author_it_is_their_own(maria_client, maria_comment):
    assert "you cannot flag it" in maria_client.get(url("flag", maria_comment.pk)).content.decode()


def test_flagging_goes_back_where_the_member_came_from(sam_client, sam, maria_comment):
    back = f"{maria_comment.conversation.get_absolute_url()}?page=1"
    response = sam_client.post(
        url("flag", maria_comment.pk), {"reason": "spam", "note": "Ads", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    flag = Flag.objects.get()
    assert (flag.flagger, flag.reason, flag.note) == (sam.person, "spam", "Ads")


def test_flagging_ignores_a_next_address_on_another_site(sam_client, maria_comment):
    response = sam_client.post(
        url("flag", maria_comment.pk), {"reason": "spam", "next": "https://evil.example/"}
    )
    assert response["Location"] == maria_comment.get_absolute_url()


def test_the_flag_that_hides_a_post_says_so(client, known_issue, maria_comment, flaggers):
    for user in flaggers[:2]:
        moderation.flag_message(maria_comment, by=user, reason="spam")
    client.force_login(flaggers[2])
    response = client.post(url("flag", maria_comment.pk), {"reason": "spam"}, follow=True)
    assert "The post is hidden until a moderator looks at it." in response.content.decode()
    assert "Where is my parcel?" not in client.get(known_issue.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("who", "data", "words"),
    [
        ("maria_client", {"reason": "spam"}, "You cannot flag your own post."),
        ("sam_client", {"reason": "boring"}, "Choose why"),
        ("sam_client", {"reason": "spam", "note": "x" * 5000}, "That note is 5,000 characters"),
    ],
)
def test_a_refused_flag_is_a_400_with_the_reason(request, who, data, words, maria_comment):
    response = request.getfixturevalue(who).post(url("flag", maria_comment.pk), data)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Flag.objects.exists()


def test_flagging_twice_is_a_400(sam_client, maria_comment):
    sam_client.post(url("flag", maria_comment.pk), {"reason": "spam"})
    response = sam_client.post(url("flag", maria_comment.pk), {"reason": "off_topic"})
    assert response.status_code == 400
    assert "You have already flagged this post." in response.content.decode()
    assert Flag.objects.count() == 1


def test_too_many_flags_is_a_429(settings, sam_client, known_issue, maria):
    settings.MODERATION_FLAG_RATE_LIMIT = "1/m"
    first, second = comment(known_issue, maria, "One"), comment(known_issue, maria, "Two")
    sam_client.post(url("flag", first.pk), {"reason": "spam"})
    assert sam_client.post(url("flag", second.pk), {"reason": "spam"}).status_code == 429


def test_anonymous_visitors_are_sent_to_sign_in_to_flag(client, maria_comment):
    response = client.post(url("flag", maria_comment.pk), {"reason": "spam"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Flag.objects.exists()


def test_posts_nobody_may_see_are_not_found(sam_client, known_issue, newbie, alex):
    held = services.post_comment(known_issue, author=newbie.person, body_md="First")
    note = services.add_internal_note(known_issue, by=alex, body_md="Internal")
    for message in (held, note):
        assert sam_client.get(url("flag", message.pk)).status_code == 404
    assert sam_client.get(url("flag", 2**64)).status_code == 404
    assert sam_client.put(url("flag", held.pk)).status_code == 405


# --- History ----------------------------------------------------------------------------------


def test_an_edited_post_shows_its_history_to_readers(client, known_issue, maria_comment, mona):
    moderation.edit_message(maria_comment, by=mona, body_md="Where is my parcel?",
                            reason="Removed the order number")  # fmt: skip
    page = client.get(known_issue.get_absolute_url()).content.decode()
    assert url("history", maria_comment.pk) in page and "Edited" in page
    history = client.get(url("history", maria_comment.pk)).content.decode()
    assert "Order 1042" in history and "Removed the order number" in history
    assert "Mona T." in history


def test_the_history_of_a_hidden_post_is_for_staff(client, alex_client, maria_comment, mona):
    moderation.hide_message(maria_comment, by=mona)
    assert client.get(url("history", maria_comment.pk)).status_code == 404
    assert alex_client.get(url("history", maria_comment.pk)).status_code == 200


# --- Who may use the moderator pages -----------------------------------------------------------


def _moderator_requests(message, conversation, person):
    return [
        ("get", url("queue"), {}),
        ("get", url("log"), {}),
        ("get", url("members"), {}),
        ("get", url("member", person.pk), {}),
        ("post", url("sanction", person.pk), {"action": "lift"}),
        ("post", url("trust", person.pk), {"level": "2"}),
        ("post", url("decide", message.pk), {"action": "hide"}),
        ("get", url("edit", message.pk), {}),
        ("post", url("edit", message.pk), {"body": "x", "reason": "x"}),
        ("get", url("move", conversation.pk), {}),
        ("post", url("topic_state", conversation.pk), {"action": "lock"}),
    ]


@pytest.mark.parametrize("who", ["maria_client", "alex_client", "lionel_client", "priya_client"])
def test_customers_and_other_staff_are_refused(request, who, maria_comment, discussion, sam):
    client = request.getfixturevalue(who)
    events = AuditEvent.objects.count()
    for method, address, data in _moderator_requests(maria_comment, discussion, sam.person):
        assert getattr(client, method)(address, data).status_code == 403, address
    assert AuditEvent.objects.count() == events
    maria_comment.refresh_from_db()
    assert maria_comment.moderation == Moderation.VISIBLE


def test_anonymous_visitors_are_sent_to_sign_in(client, maria_comment, discussion, sam):
    for method, address, data in _moderator_requests(maria_comment, discussion, sam.person):
        response = getattr(client, method)(address, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_wrong_methods_are_refused(mona_client, maria_comment, discussion, sam):
    for address in (
        url("decide", maria_comment.pk),
        url("topic_state", discussion.pk),
        url("sanction", sam.person.pk),
        url("trust", sam.person.pk),
    ):
        assert mona_client.get(address).status_code == 405
    for address in (url("queue"), url("log"), url("members"), url("member", sam.person.pk)):
        assert mona_client.post(address).status_code == 405


def test_unknown_things_are_not_found(mona_client, alex, known_issue):
    note = services.add_internal_note(known_issue, by=alex, body_md="Internal")
    private = Conversation.objects.create(
        kind="email", is_public=False, title="Mail", slug="mail-1", author=alex.person
    )
    mail = services.receive_private_message(
        conversation=None, author=alex.person, title="Hi", body_md="Private", channel="email"
    )
    assert mona_client.post(url("decide", mail.pk), {"action": "hide"}).status_code == 404
    assert mona_client.post(url("decide", note.pk), {"action": "hide"}).status_code == 404
    assert mona_client.post(url("decide", 10**9), {"action": "hide"}).status_code == 404
    assert mona_client.get(url("move", private.pk)).status_code == 404
    assert mona_client.get(url("member", 10**9)).status_code == 404
    assert mona_client.get(url("member", 2**64)).status_code == 404


# --- The queue --------------------------------------------------------------------------------


def test_the_queue_shows_flags_grouped_by_post_with_reasons(mona_client, maria_comment, flaggers):
    moderation.flag_message(maria_comment, by=flaggers[0], reason="spam", note="Sells watches")
    moderation.flag_message(maria_comment, by=flaggers[1], reason="off_topic")
    html = mona_client.get(url("queue")).content.decode()
    assert "Flagged (1)" in html and "Flags weigh 2</strong> of 3" in html
    assert "Spam</strong> from" in html and "“Sells watches”" in html
    assert "Off-topic</strong> from" in html and "Flagger Ben" in html
    assert "Agree: hide" in html and "Disagree: keep it" in html


def test_the_queue_shows_held_posts_with_their_spam_score(mona_client, known_issue, sam, spammy):
    set_trust_level(sam.person, TrustLevel.REGULAR)
    services.post_comment(known_issue, author=sam.person, body_md=spammy)
    html = mona_client.get(url("queue"), {"show": "held"}).content.decode()
    assert "Held for approval (1)" in html and "Looks like spam" in html
    assert "Spam score 76%" in html and "“buy now”" in html
    assert ">Not spam<" in html


def test_the_queue_is_constant_in_flagged_posts(settings, mona_client, known_issue, flaggers):
    settings.MODERATION_FLAG_RATE_LIMIT = "100/m"

    def add(n):
        for i in range(n):
            author = Person.objects.create(display_name=f"Author {i}")
            message = comment(known_issue, author.user or _login(author), f"Post {i}")
            for user in flaggers[:2]:
                moderation.flag_message(message, by=user, reason="spam", note=f"n{i}")

    add(2)
    few = count_queries(mona_client, url("queue"))
    add(10)
    # session, user, two counts, the page, its flags with their flaggers
    assert count_queries(mona_client, url("queue")) == few <= 8


def test_the_held_queue_is_constant(mona_client, known_issue):
    def add(n):
        for i in range(n):
            author = Person.objects.create(display_name=f"Newcomer {i}")
            services.post_comment(known_issue, author=author, body_md=f"First {i}")

    add(2)
    few = count_queries(mona_client, url("queue") + "?show=held")
    add(10)
    assert count_queries(mona_client, url("queue") + "?show=held") == few <= 7


def _login(person):
    user = User.objects.create_user(username=f"u{person.pk}", email=f"u{person.pk}@example.com")
    person.user = user
    person.save(update_fields=["user"])
    return user


# --- Decisions --------------------------------------------------------------------------------


def test_a_moderator_restores_a_hidden_post_from_the_queue(
    mona_client, client, known_issue, maria_comment, flaggers
):
    for user in flaggers:
        moderation.flag_message(maria_comment, by=user, reason="spam")
    response = mona_client.post(
        url("decide", maria_comment.pk), {"action": "restore", "next": url("queue")}
    )
    assert response.status_code == 302 and response["Location"] == url("queue")
    assert "Where is my parcel?" in client.get(known_issue.get_absolute_url()).content.decode()
    assert not Flag.objects.filter(state=FlagState.PENDING).exists()
    assert "No flags waiting." in mona_client.get(url("queue")).content.decode()


@pytest.mark.parametrize(
    ("action", "state"),
    [("approve", Moderation.VISIBLE), ("not_spam", Moderation.VISIBLE),
     ("delete", Moderation.REMOVED), ("spam", Moderation.REMOVED)],
)  # fmt: skip
def test_decisions_on_a_held_post(mona_client, known_issue, newbie, action, state):
    held = services.post_comment(known_issue, author=newbie.person, body_md="First!")
    response = mona_client.post(url("decide", held.pk), {"action": action, "silence": "7"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.moderation == state
    silenced = Member.objects.filter(person=newbie.person, silenced_until__isnull=False).exists()
    assert silenced == (action == "spam")


def test_a_refused_decision_is_a_400_page_with_the_reason(mona_client, maria_comment):
    response = mona_client.post(url("decide", maria_comment.pk), {"action": "approve"})
    assert response.status_code == 400
    assert "This post is not waiting for approval." in response.content.decode()
    response = mona_client.post(url("decide", maria_comment.pk), {"action": "explode"})
    assert response.status_code == 400 and "Choose what to do" in response.content.decode()


def test_editing_from_the_edit_page(mona_client, maria_comment):
    page = mona_client.get(url("edit", maria_comment.pk)).content.decode()
    assert "Where is my parcel? Order 1042." in page
    bad = mona_client.post(url("edit", maria_comment.pk), {"body": "New", "reason": ""})
    assert bad.status_code == 400
    same = mona_client.post(
        url("edit", maria_comment.pk), {"body": maria_comment.body_md, "reason": "Typo"}
    )
    assert same.status_code == 400 and "The text is unchanged." in same.content.decode()
    done = mona_client.post(url("edit", maria_comment.pk), {"body": "New text", "reason": "Typo"})
    assert done.status_code == 302
    maria_comment.refresh_from_db()
    assert maria_comment.body_md == "New text"


def test_moving_a_topic_from_its_page(mona_client, discussion):
    billing = Category.objects.create(name="Billing", slug="billing")
    assert (
        "Move “Share your unboxing photos”"
        in mona_client.get(url("move", discussion.pk)).content.decode()
    )
    same = mona_client.post(url("move", discussion.pk), {"category": discussion.category_id})
    assert same.status_code == 400 and "already" in same.content.decode()
    assert mona_client.post(url("move", discussion.pk), {"category": "x"}).status_code == 400
    response = mona_client.post(url("move", discussion.pk), {"category": billing.pk})
    assert response.status_code == 302
    assert Conversation.objects.get(pk=discussion.pk).category == billing


def test_closing_and_locking_from_the_topic_controls(mona_client, discussion):
    for action in ("close", "lock"):
        response = mona_client.post(url("topic_state", discussion.pk), {"action": action})
        assert response.status_code == 302
    discussion.refresh_from_db()
    assert not discussion.comments_open and discussion.locked
    again = mona_client.post(url("topic_state", discussion.pk), {"action": "lock"})
    assert again.status_code == 400 and "locked already" in again.content.decode()
    unknown = mona_client.post(url("topic_state", discussion.pk), {"action": "burn"})
    assert unknown.status_code == 400


# --- The log ----------------------------------------------------------------------------------


def test_the_log_lists_moderation_only_newest_first(mona_client, maria_comment, mona, alex):
    services.mark_no_reply_needed(maria_comment, by=alex, reason="Thanks only")
    moderation.hide_message(maria_comment, by=mona, reason="Rude")
    moderation.restore_message(maria_comment, by=mona)
    html = mona_client.get(url("log")).content.decode()
    assert html.index("<td>restored</td>") < html.index("<td>hidden</td>")
    assert "Rude" in html and "closed without reply" not in html
    only = mona_client.get(url("log"), {"verb": "hidden"}).content.decode()
    assert "<td>hidden</td>" in only and "<td>restored</td>" not in only


def test_the_log_is_constant(mona_client, known_issue, maria, sam, mona):
    set_trust_level(maria.person, TrustLevel.REGULAR)  # hidden posts cost no level then

    def add(n):
        for i in range(n):
            message = comment(known_issue, maria, f"Post {i}")
            moderation.hide_message(message, by=mona, reason=f"r{i}")

    add(2)
    moderation.silence(sam.person, by=mona, until=timezone.now() + timedelta(days=1), reason="x")
    few = count_queries(mona_client, url("log"))
    add(10)
    assert count_queries(mona_client, url("log")) == few <= 5


# --- Members ----------------------------------------------------------------------------------


def test_the_member_list_is_constant_and_filters(mona_client, known_issue, mona):
    def add(n, start):
        for i in range(start, start + n):
            user = make_customer(f"m{i}@example.com", f"Member {i}")
            comment(known_issue, user, f"Hello {i}")

    add(2, 0)
    few = count_queries(mona_client, url("members"))
    add(10, 2)
    assert count_queries(mona_client, url("members")) == few <= 5
    member = Person.objects.get(display_name="Member 3")
    moderation.silence(member, by=mona, until=timezone.now() + timedelta(days=1), reason="x")
    html = mona_client.get(url("members"), {"show": "sanctioned"}).content.decode()
    assert "1 member." in html and "Member 3" in html and "Silenced until" in html
    html = mona_client.get(url("members"), {"q": "member 1"}).content.decode()
    assert "Member 10" in html and "Member 3" not in html


def test_the_member_page_shows_trust_flags_and_history(
    mona_client, maria_comment, maria, flaggers, mona
):
    moderation.flag_message(maria_comment, by=flaggers[0], reason="spam")
    moderation.hide_message(maria_comment, by=mona, reason="Advert")
    html = mona_client.get(url("member", maria.person.pk)).content.decode()
    assert "Trust level: New member (0)" in html  # the hidden post no longer counts
    assert "Flagger Ann" in html and "Agreed" in html
    assert "hidden" in html and "Advert" in html


def test_silencing_suspending_and_lifting_from_the_member_page(mona_client, maria):
    address = url("sanction", maria.person.pk)
    bad = mona_client.post(address, {"action": "silence", "duration": "1d", "reason": ""})
    assert bad.status_code == 400
    assert (
        mona_client.post(
            address, {"action": "suspend", "duration": "3d", "reason": "Threats"}
        ).status_code
        == 302
    )
    member = Member.objects.get(person=maria.person)
    assert member.suspended() and not User.objects.get(pk=maria.pk).is_active
    assert mona_client.post(address, {"action": "lift"}).status_code == 302
    assert User.objects.get(pk=maria.pk).is_active
    again = mona_client.post(address, {"action": "lift"})
    assert again.status_code == 400 and "neither silenced nor suspended" in again.content.decode()


def test_a_suspended_members_session_is_refused(maria_client, maria, mona, known_issue):
    assert maria_client.get(reverse("notifications:list")).status_code == 200
    moderation.suspend(maria.person, by=mona, until=timezone.now() + timedelta(days=1),
                       reason="Threats")  # fmt: skip
    response = maria_client.post(
        reverse("blog:comment", args=[known_issue.slug]), {"body": "Let me in"}
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Message.objects.filter(body_md="Let me in").exists()


def test_staff_cannot_be_sanctioned_from_the_member_page(mona_client, alex):
    response = mona_client.post(
        url("sanction", alex.person.pk), {"action": "silence", "duration": "1d", "reason": "x"}
    )
    assert response.status_code == 400 and "Staff are not silenced" in response.content.decode()


def test_setting_trust_from_the_member_page(mona_client, maria):
    assert mona_client.post(url("trust", maria.person.pk), {"level": "3"}).status_code == 302
    assert Member.objects.get(person=maria.person).trust_level == 3
    assert mona_client.post(url("trust", maria.person.pk), {"level": "9"}).status_code == 400
    assert mona_client.post(url("trust", maria.person.pk), {"level": "auto"}).status_code == 302
    again = mona_client.post(url("trust", maria.person.pk), {"level": "auto"})
    assert again.status_code == 400 and "already follows" in again.content.decode()


# --- The partials on topic and post pages -----------------------------------------------------


def _render(template, user, **context):
    request = RequestFactory().get("/community/t/x/")
    request.user = user
    return render_to_string(template, {"user": user, **context}, request)


def test_message_actions_cost_no_queries_for_a_page_of_replies(known_issue, maria, mona, sam):
    messages = [comment(known_issue, maria, f"Reply {i}") for i in range(3)]
    messages = list(Message.objects.filter(pk__in=[m.pk for m in messages]))
    post = Conversation.objects.get(pk=known_issue.pk)
    for user in (User.objects.get(pk=mona.pk), User.objects.get(pk=sam.pk)):
        user.person  # noqa: B018 (the page has loaded it already, for its header)
        with CaptureQueriesContext(connection) as ctx:
            for m in messages * 33:
                _render("moderation/_message_actions.html", user, m=m, post=post)
        assert len(ctx.captured_queries) == 0


def test_members_get_a_flag_form_and_moderators_their_controls(known_issue, maria, mona, sam):
    m = comment(known_issue, maria, "Reply")
    html = _render("moderation/_message_actions.html", sam, m=m, post=known_issue)
    assert "<summary>Flag</summary>" in html and "csrfmiddlewaretoken" in html
    assert [f'value="{v}"' in html for v in FlagReason.values] == [True] * 4
    assert ">Hide<" not in html
    own = _render("moderation/_message_actions.html", maria, m=m, post=known_issue)
    assert "Flag" not in own
    moderator = _render("moderation/_message_actions.html", mona, m=m, post=known_issue)
    assert ">Hide<" in moderator and ">Edit<" in moderator and "<summary>Flag" not in moderator
    locked = Conversation.objects.get(pk=known_issue.pk)
    locked.locked = True
    assert "Flag" not in _render("moderation/_message_actions.html", sam, m=m, post=locked)
    shared = _render("moderation/_message_actions.html", mona, m=m, post=known_issue, shared=True)
    assert "csrfmiddlewaretoken" not in shared and ">Hide<" not in shared
    assert url("flag", m.pk) in shared


def test_topic_actions_are_for_moderators(discussion, mona, sam):
    assert _render("moderation/_topic_actions.html", sam, post=discussion).strip() == ""
    html = _render("moderation/_topic_actions.html", mona, post=discussion)
    assert ">Move<" in html and ">Close<" in html and ">Lock<" in html
    discussion.comments_open, discussion.locked = False, True
    html = _render("moderation/_topic_actions.html", mona, post=discussion)
    assert ">Reopen<" in html and ">Unlock<" in html


def test_the_blog_thread_offers_members_a_flag_link(
    client, maria_client, known_issue, maria_comment
):
    assert (
        url("flag", maria_comment.pk)
        not in client.get(known_issue.get_absolute_url()).content.decode()
    )
    assert (
        url("flag", maria_comment.pk)
        in maria_client.get(known_issue.get_absolute_url()).content.decode()
    )


def test_the_flag_that_hides_a_topic_leads_to_the_community_page(client, discussion, flaggers):
    opening = discussion.messages.get(is_opening=True)
    for user in flaggers[:2]:
        moderation.flag_message(opening, by=user, reason="spam")
    client.force_login(flaggers[2])
    response = client.post(
        url("flag", opening.pk), {"reason": "spam", "next": discussion.get_absolute_url()}
    )
    assert response["Location"] == reverse("community:home")
    assert client.get(discussion.get_absolute_url()).status_code == 404


def test_suspended_members_cannot_sign_in(client, maria, mona):
    from tests.conftest import PASSWORD

    moderation.suspend(maria.person, by=mona, until=timezone.now() + timedelta(days=1),
                       reason="Threats")  # fmt: skip
    client.post(reverse("account_login"), {"login": "maria@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    moderation.lift_sanctions(maria.person, by=mona)
    response = client.post(
        reverse("account_login"), {"login": "maria@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(maria.pk)


def test_the_admin_lists_moderation_read_only(ada_client, maria_comment, sam):
    moderation.flag_message(maria_comment, by=sam, reason="spam")
    for model in ("member", "flag", "screening", "spamtoken", "spamcorpus"):
        assert ada_client.get(f"/admin/moderation/{model}/").status_code == 200
    assert ada_client.get("/admin/moderation/flag/add/").status_code == 403


def test_the_member_list_filters_flagged_and_new_members(mona_client, maria_comment, sam, newbie):
    moderation.flag_message(maria_comment, by=sam, reason="spam")
    Member.objects.filter(person=maria_comment.author).update(trust_level=TrustLevel.BASIC)
    flagged = mona_client.get(url("members"), {"show": "flagged"}).content.decode()
    assert "1 member." in flagged and "Maria Keller" in flagged
    new = mona_client.get(url("members"), {"show": "new"}).content.decode()
    assert "Nina Novak" in new and "Maria Keller" not in new


def test_staff_read_internal_notes_history_and_members_do_not(alex_client, sam_client, alex,
                                                              known_issue):  # fmt: skip
    note = services.add_internal_note(known_issue, by=alex, body_md="Depot called")
    assert alex_client.get(url("history", note.pk)).status_code == 200
    assert sam_client.get(url("history", note.pk)).status_code == 404


def test_hiding_from_the_topic_page(mona_client, maria_comment):
    response = mona_client.post(url("decide", maria_comment.pk), {"action": "hide"})
    assert response.status_code == 302
    maria_comment.refresh_from_db()
    assert maria_comment.moderation == Moderation.HIDDEN
    assert mona_client.get(url("move", 2**64)).status_code == 404


def test_posts_of_a_held_topic_are_not_found_for_other_members(sam_client, maria, deliveries):
    from community.services import start_topic

    topic = start_topic(kind="discussion", author=maria.person, title="Held topic here",
                        body_md="Waiting")  # fmt: skip
    opening = topic.messages.get()
    assert sam_client.get(url("flag", opening.pk)).status_code == 404
