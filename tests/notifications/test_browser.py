"""In Chromium: a member sees the unread count, reads a notification, chooses what she is told
of, and a one-click unsubscribe link works; axe finds no serious problem on these pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conversations import services
from conversations.models import Moderation
from notifications import tokens
from notifications.models import Kind, Notification, Preference
from tests.browser.test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visible_reply(conversation, user, body, reply_to, moderator):
    message = services.post_comment(
        conversation, author=user.person, body_md=body, reply_to=reply_to
    )
    if message.moderation == Moderation.HELD:
        services.approve(message, by=moderator)
    return message


def test_a_member_reads_and_chooses_her_notifications(sign_in, site, question, maria, sam, ada):
    opening = question.messages.get(is_opening=True)
    answer = visible_reply(question, sam, "Yes, under Orders → Address.", opening, ada)
    visible_reply(question, sam, "And @maria: it takes a day.", None, ada)
    assert Notification.objects.filter(recipient=maria.person).count() == 2

    page = sign_in(maria).new_page()
    page.goto(site + "/")
    badge = page.locator(".account-links .badge")
    expect(badge).to_have_text("2 unread")  # fetched once the page loaded
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator("li.unread")).to_have_count(2)
    assert_accessible(page, "notifications-list")

    page.get_by_role("link", name=f"Sam Osei replied to you on “{question.title}”").click()
    expect(page).to_have_url(f"{site}{question.get_absolute_url()}#m{answer.pk}")
    page.goto(site + "/notifications/")
    expect(page.locator("li.unread")).to_have_count(1)
    expect(page.locator(".account-links .badge")).to_have_text("1 unread")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_text("All read.")).to_be_visible()
    expect(page.locator("li.unread")).to_have_count(0)

    page.get_by_role("link", name="Choose what you are told of, and how").click()
    expect(page.get_by_label("Your handle")).to_have_value("maria")
    assert_accessible(page, "notifications-preferences")
    mentions = page.get_by_role("group", name="@mentions of you")
    mentions.get_by_label("By e-mail").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: you will be told as you chose.")).to_be_visible()
    assert Preference.objects.get(person=maria.person, kind=Kind.MENTION).email is False

    token = tokens.make(maria.person.pk, Kind.REPLY)
    page.goto(f"{site}/notifications/unsubscribe/{token}/")
    assert_accessible(page, "notifications-unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_text("You will no longer get e-mails about replies")).to_be_visible()
    assert Preference.objects.get(person=maria.person, kind=Kind.REPLY).email is False
