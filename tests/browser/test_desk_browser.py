"""The staff desk in Chromium: keyboard shortcuts, bulk actions, searching the queue, and a
case answered with a canned reply, resolved with an outcome and merged."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from conversations import services
from conversations.models import Channel, Conversation, Message, ResponseState
from inbox import canned
from tests.browser.test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def email_from(person, text, title):
    return services.receive_private_message(
        conversation=None, author=person, title=title, body_md=text, channel=Channel.EMAIL
    )


def test_keyboard_select_and_bulk_no_reply(sign_in, site, alex, maria, sam, known_issue):
    first = services.post_comment(known_issue, author=maria.person, body_md="Thanks, all fine!")
    second = services.post_comment(known_issue, author=sam.person, body_md="Cheers for this.")
    third = email_from(maria.person, "Where is my refund?", "Refund")
    page = sign_in(alex).new_page()
    page.goto(site + "/staff/queue/")
    expect(page.locator(".queue-row")).to_have_count(3)

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    # j selects the first row, x ticks it; j, x the second.
    page.keyboard.press("j")
    expect(page.locator(f"#q{first.pk}")).to_have_class("queue-row is-current")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator(f"#q{second.pk} input[name=ids]")).to_be_checked()
    expect(page.locator(f"#q{third.pk} input[name=ids]")).not_to_be_checked()

    # a jumps to the bulk action; only the field for the chosen action shows.
    page.keyboard.press("a")
    expect(page.locator("#bulk-action")).to_be_focused()
    page.locator("#bulk-action").select_option("no_reply")
    expect(page.locator("#bulk-reason")).to_be_visible()
    expect(page.locator("#bulk-assignee")).to_be_hidden()
    page.locator("#bulk-reason").fill("Thanks only")
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_text("Closed 2 messages: no reply needed.")).to_be_visible()
    expect(page.locator(".queue-row")).to_have_count(1)
    states = dict(Message.objects.values_list("pk", "response_state"))
    assert states[first.pk] == states[second.pk] == ResponseState.NO_REPLY_NEEDED
    assert states[third.pk] == ResponseState.AWAITING

    # / goes to the search; the queue narrows to what matches.
    page.keyboard.press("/")
    expect(page.locator("#queue-search")).to_be_focused()
    page.keyboard.type("nothing like this")
    page.keyboard.press("Enter")
    expect(page.locator(".queue-row")).to_have_count(0)
    assert_accessible(page, "queue-searched")


def test_a_case_answered_with_a_canned_reply_resolved_and_merged(
    sign_in, site, alex, priya, maria, outcomes
):
    canned.save_canned_reply(
        None,
        by=priya,
        title="Refund sent",
        body_md="Hi {first_name}, the refund is on its way.\n\nBest, {agent_name}",
        shared=True,
    )
    refund = email_from(maria.person, "Where is my refund for the kettle?", "Kettle refund")
    again = email_from(maria.person, "Hello? Refund?", "Refund again")
    page = sign_in(alex).new_page()
    page.goto(f"{site}/staff/conversations/{refund.conversation_id}/")
    assert_accessible(page, "conversation-case")

    page.get_by_label("Canned reply").select_option(label="Refund sent")
    page.get_by_role("button", name="Use").click()
    reply = page.get_by_label("Reply to Maria")
    expect(reply).to_have_value("Hi Maria, the refund is on its way.\n\nBest, Alex R.")
    mail.outbox.clear()
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Answered Maria Keller by e-mail.")).to_be_visible()
    sent = [m for m in mail.outbox if "maria@example.com" in m.to]
    assert sent and "the refund is on its way" in sent[0].body

    # The second e-mail is about the same thing: merge it into this one.
    page.goto(f"{site}/staff/conversations/{again.conversation_id}/")
    page.get_by_label("Merge into conversation number").fill(str(refund.conversation_id))
    page.get_by_role("button", name="Merge").click()
    expect(page).to_have_url(f"{site}/staff/conversations/{refund.conversation_id}/")
    expect(page.get_by_text("Hello? Refund?")).to_be_visible()

    page.get_by_label("Outcome").select_option(label="Refunded")
    page.get_by_role("button", name="Resolve", exact=True).click()
    expect(page.get_by_text("Resolved: Refunded.")).to_be_visible()
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    conversation = Conversation.objects.get(pk=refund.conversation_id)
    assert conversation.outcome.name == "Refunded" and conversation.resolved_by == alex
    # The customer is asked how it went.
    assert any("satisfaction" in m.body for m in mail.outbox if "maria@example.com" in m.to)
