"""In Chromium: an agent opens a customer's profile, leaves a note for colleagues, finds the
same customer's older e-mail-only profile by its address and merges it in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import IdentityKind, Person, PersonNote
from accounts.services import add_identity
from conversations import services
from conversations.models import Channel, Message, Sentiment
from tests.browser.helpers import snap
from tests.browser.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

NOTE = "Prefers a call back after 5 pm."


@pytest.fixture
def duplicate(db):
    """Maria as the inbox first met her: an e-mail sender without a login."""
    person = Person.objects.create(display_name="M. Keller")
    add_identity(person, IdentityKind.EMAIL, "m.keller@example.net")
    for weeks_ago, sentiment, score in [
        (3, Sentiment.NEGATIVE, -0.7),
        (1, Sentiment.POSITIVE, 0.5),
    ]:
        message = services.receive_private_message(
            conversation=None,
            author=person,
            title=f"Refund for order {70 + weeks_ago}",
            body_md="The box arrived crushed.",
            channel=Channel.EMAIL,
            at=timezone.now() - timedelta(weeks=weeks_ago),
        )
        Message.objects.filter(pk=message.pk).update(sentiment=sentiment, sentiment_score=score)
    return person


def test_agent_notes_and_merges_a_duplicate(sign_in, site, alex, maria, maria_comment, duplicate):
    page = sign_in(alex).new_page()
    page.goto(f"{site}/staff/people/{maria.person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Keller")
    conversations = page.get_by_role("region", name="Conversations")
    expect(conversations.get_by_role("link", name=maria_comment.conversation.title)).to_be_visible()

    # A note for colleagues.
    page.get_by_label("Note for colleagues").fill(NOTE)
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Note added. Only staff see it.")).to_be_visible()
    expect(page.locator(".notes")).to_contain_text(NOTE)
    assert PersonNote.objects.get().body == NOTE

    # The duplicate, found by the address she wrote from before she signed up.
    page.get_by_label("Find by name or e-mail").fill("M.Keller@example.net")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge a duplicate into Maria Keller")
    expect(page.locator("tbody tr")).to_have_count(1)  # not Maria herself
    assert_accessible(page, "people-merge-search")
    page.get_by_role("button", name="Merge M. Keller into Maria Keller").click()

    # Back on her profile, with both addresses, both histories and the note.
    expect(page.get_by_text("Merged M. Keller into Maria Keller.")).to_be_visible()
    assert page.url == f"{site}/staff/people/{maria.person.pk}/"
    identities = page.locator(".identities")
    expect(identities).to_contain_text("maria@example.com")
    expect(identities).to_contain_text("m.keller@example.net")
    expect(conversations.get_by_role("link", name="Refund for order 73")).to_be_visible()
    expect(page.get_by_role("img", name="Sentiment of Maria Keller's messages")).to_be_visible()
    expect(page.locator(".notes")).to_contain_text(NOTE)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == maria.person
    snap(page, "people-profile")
    assert_accessible(page, "people-profile")

    # The old profile's address now leads to hers.
    page.goto(f"{site}/staff/people/{duplicate.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Keller")
