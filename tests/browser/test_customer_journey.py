"""End-to-end in Chromium: a customer signs up, comments on a known issue and follows it;
staff post a status update and answer from the queue, all through the real pages."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from conversations import services
from conversations.models import Message, Moderation, ResponseState, Subscription
from tests.browser.helpers import link_in, session_cookie_for, snap

pytestmark = pytest.mark.browser

EMAIL = "jo.walker@example.net"
PASSWORD = "plum tree at dawn 47"
COMMENT = "My parcel to Aberdeen, order 3301, has not moved since Monday."
UPDATE = "The backlog is cleared in Newcastle; Aberdeen parcels go out tomorrow."


def mark_page(page) -> None:
    """Tag the loaded document; the tag survives htmx swaps but not a reload."""
    page.evaluate("window.__notReloaded = true")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def test_sign_up_comment_follow_and_get_the_status_update(page, site, known_issue, sign_in):
    lionel = known_issue.author.user

    # A visitor finds the known issue from the home page and decides to join.
    page.goto(site + "/")
    page.get_by_role("link", name=known_issue.title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(known_issue.title)
    page.get_by_role("link", name="create an account").click()

    # Sign-up; e-mail verification is mandatory.
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    page.get_by_label("Your name").fill("Jo Walker")
    page.get_by_label("Email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()  # not signed in yet

    (verification,) = mails_to(EMAIL)
    confirm_url = link_in(verification.body, "/accounts/confirm-email/")
    assert urlsplit(confirm_url).netloc == urlsplit(site).netloc
    page.goto(confirm_url)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    expect(page.locator(".site-header .who")).to_have_text("Jo Walker")

    # Back to the post; comment through the htmx form, without a page load.
    page.goto(site + known_issue.get_absolute_url())
    mark_page(page)
    page.get_by_label("Your comment").fill(COMMENT)
    page.get_by_role("button", name="Post comment").click()
    mine = page.locator("#thread > li.comment", has_text=COMMENT)
    expect(mine).to_be_visible()
    expect(mine).to_contain_text("Awaiting moderation")
    expect(mine).to_contain_text("Jo Walker")
    expect(page.get_by_label("Your comment")).to_have_value("")  # a fresh form
    # Nobody else can see it yet, so it cannot be replied to.
    expect(mine.get_by_role("button", name="Reply")).to_have_count(0)
    assert_not_reloaded(page)
    snap(page, "journey-commented")

    user = User.objects.get(email=EMAIL)
    message = Message.objects.get(author__user=user, is_opening=False)
    assert message.body_md == COMMENT
    assert message.moderation == Moderation.HELD
    assert message.response_state == ResponseState.AWAITING
    subscription = Subscription.objects.get(conversation=known_issue, person=user.person)
    assert subscription.email == EMAIL

    # Commenting followed the post: the page now offers to stop the e-mails.
    page.reload()
    expect(page.get_by_role("button", name="Stop e-mails about this post")).to_be_visible()
    expect(page.locator("#thread")).to_contain_text("Awaiting moderation")

    # The blogger posts a status update through the staff form, in their own browser.
    staff = sign_in(lionel).new_page()
    staff.goto(site + known_issue.get_absolute_url())
    staff.get_by_role("link", name="Post a status update").click()
    staff.get_by_label("Status").select_option(label="Monitoring")
    staff.get_by_label("What changed").fill(UPDATE)
    due = timezone.localtime(timezone.now() + timedelta(days=1))
    staff.get_by_label("Next update by").fill(due.strftime("%Y-%m-%dT%H:%M"))
    snap(staff, "journey-update-form")
    staff.get_by_role("button", name="Post update").click()
    expect(staff.get_by_text("Update posted; subscribers are being told.")).to_be_visible()
    assert staff.url == site + known_issue.get_absolute_url()

    # The customer reloads and sees the new status and the update on the timeline.
    page.reload()
    expect(page.locator(".post .kicker .badge")).to_have_text("Monitoring")
    entry = page.locator(".timeline li", has_text=UPDATE)
    expect(entry).to_be_visible()
    expect(entry.locator(".badge")).to_have_text("Monitoring")
    snap(page, "journey-updated")

    # ... and has the update by e-mail, with a working unsubscribe link.
    (news,) = [m for m in mails_to(EMAIL) if m is not verification]
    assert news.subject == f"[Monitoring] {known_issue.title}"
    assert UPDATE in news.body
    assert news.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = link_in(news.body, "/unsubscribe/")
    assert news.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    page.goto(site + urlsplit(unsubscribe_url).path)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_text("You will no longer get e-mails about")).to_be_visible()
    assert not Subscription.objects.filter(person=user.person).exists()


def test_agent_answers_from_the_queue_in_place(page, site, maria_comment, sam, alex):
    # Two customers wait; the agent answers Maria in her row of the queue.
    sams = services.post_comment(
        maria_comment.conversation, author=sam.person, body_md="Mine is late too."
    )
    page.context.add_cookies([session_cookie_for(alex, site)])
    page.goto(site + "/staff/queue/")
    expect(page.locator(".lead")).to_contain_text("2 customer messages waiting")
    mark_page(page)

    row = page.locator(f"#q{maria_comment.pk}")
    expect(row).to_contain_text("Where is my parcel? Order 1042.")
    reply = row.get_by_label("Reply to Maria")
    expect(reply).to_have_value("Hi Maria,\n\n")
    reply.fill("Hi Maria, order 1042 is with the carrier and arrives on Thursday.")
    row.get_by_role("button", name="Reply publicly").click()

    expect(row.get_by_role("status")).to_have_text("Answered Maria Keller.")
    expect(row).to_have_class(re.compile(r"\bdone\b"))
    expect(row.get_by_role("button", name="Reply publicly")).to_have_count(0)
    expect(
        page.locator(f"#q{sams.pk}").get_by_role("button", name="Reply publicly")
    ).to_be_visible()
    assert_not_reloaded(page)
    snap(page, "queue-answered")

    maria_comment.refresh_from_db()
    assert maria_comment.response_state == ResponseState.ANSWERED
    answer = maria_comment.answered_by
    assert answer.official and answer.author == alex.person
    assert answer.body_md == "Hi Maria, order 1042 is with the carrier and arrives on Thursday."
    assert Message.objects.get(pk=sams.pk).response_state == ResponseState.AWAITING
    # Maria follows the post since she commented: she is told of the official reply.
    (told,) = mails_to("maria@example.com")
    assert "order 1042 is with the carrier" in told.body


def test_queue_says_why_an_action_was_refused(page, site, maria_comment, alex, priya):
    """Two agents on one message: the second one's action is refused (409) and the
    row says why, in place."""
    page.context.add_cookies([session_cookie_for(alex, site)])
    page.goto(site + "/staff/queue/")
    mark_page(page)
    services.mark_no_reply_needed(maria_comment, by=priya, reason="Answered elsewhere")

    row = page.locator(f"#q{maria_comment.pk}")
    row.get_by_label("Reason for no reply").fill("Thanks only")
    row.get_by_role("button", name="No reply needed").click()
    expect(row.get_by_role("status")).to_have_text("This message is not waiting for a response.")
    assert_not_reloaded(page)
    maria_comment.refresh_from_db()
    assert maria_comment.no_reply_reason == "Answered elsewhere"


def test_blogger_is_shown_a_similar_post_while_typing_a_title(page, site, known_issue, lionel):
    page.context.add_cookies([session_cookie_for(lionel, site)])
    page.goto(site + "/staff/posts/new/?kind=known_issue")
    page.get_by_label("Title").press_sequentially("Late deliveries in the north", delay=20)
    suggestion = page.locator("#similar-posts")
    expect(suggestion).to_contain_text("Already published on this subject")
    expect(suggestion.get_by_role("link", name=known_issue.title)).to_be_visible()
    snap(page, "similar-while-typing")
    page.get_by_label("Title").fill("Gift card balance")
    page.get_by_label("Title").press("End")
    page.get_by_label("Title").press_sequentially("s", delay=20)
    expect(suggestion).to_be_empty()
