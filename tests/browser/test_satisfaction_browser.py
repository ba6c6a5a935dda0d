"""In Chromium: a customer rates a resolved case from the survey e-mail, then adds a comment."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Person
from accounts.services import add_identity
from conversations import services as conversations
from conversations.models import Channel
from satisfaction import services
from satisfaction.models import Survey
from tests.browser.helpers import link_in
from tests.browser.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

EMAIL = "olga.berg@example.net"
COMMENT = "Sorted in a day, and the new kettle is lovely."


def test_one_click_rating_from_the_email_then_a_comment(page, site, alex):
    olga = Person.objects.create(display_name="Olga Berg")
    add_identity(olga, "email", EMAIL)
    case = conversations.receive_private_message(
        conversation=None,
        author=olga,
        title="My kettle arrived broken",
        body_md="The lid is cracked. Order 2210.",
        channel=Channel.EMAIL,
    ).conversation
    with transaction.atomic():  # as the resolve service does; the e-mail goes on commit
        case.resolved_at, case.resolved_by = timezone.now(), alex
        case.save(update_fields=["resolved_at", "resolved_by"])
        services.request_rating(case)

    (survey_mail,) = [m for m in mail.outbox if EMAIL in m.to]
    survey = Survey.objects.get(conversation=case)
    four = link_in(survey_mail.body, f"/satisfaction/{survey.token}/4/")
    page.goto(site + urlsplit(four).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    expect(page.locator(".your-score")).to_contain_text("4 out of 5")
    expect(page.get_by_role("link", name="4 · Good")).to_have_attribute("aria-current", "true")
    assert_accessible(page, "satisfaction-thanks")

    page.get_by_label("Anything to add?").fill(COMMENT)
    page.get_by_role("button", name="Save comment").click()
    expect(page.get_by_text("Thank you: your comment is saved.")).to_be_visible()
    expect(page.get_by_label("Anything to add?")).to_have_value(COMMENT)
    assert_accessible(page, "satisfaction-commented")

    survey.refresh_from_db()
    assert survey.score == 4
    assert survey.comment == COMMENT
    assert survey.agent == alex
