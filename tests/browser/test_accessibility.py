"""axe-core in Chromium: no serious or critical violation on the main pages.

Set OPENLINE_SCREENSHOTS to a folder to also save a full-page screenshot of each page
checked, for a look at the design.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from conversations import services
from conversations.models import KnownIssueStatus
from tests.browser.helpers import session_cookie_for, snap

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


def assert_accessible(page, name: str) -> None:
    """Run axe on the page as it is now; fail on serious or critical violations."""
    snap(page, name)
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING]
    assert not blocking, f"{name}: axe found " + "; ".join(
        f"{v['id']} ({v['impact']}: {v['help']}) at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in blocking
    )


@pytest.fixture
def busy_issue(known_issue, maria_comment, newbie, alex, lionel):
    """A known issue with a timeline entry, an official reply and a held first comment."""
    services.post_status_update(
        known_issue,
        author=lionel.person,
        status=KnownIssueStatus.IDENTIFIED,
        body_md="The motorway has reopened; **our carrier** is clearing the backlog.",
        next_update_due=timezone.now() + timedelta(hours=3),
    )
    services.answer(maria_comment, by=alex, body_md="Hi Maria, order 1042 left Leeds today.")
    services.post_comment(known_issue, author=newbie.person, body_md="Mine too, order 2210.")
    return known_issue


def test_home_page(page, site, article, busy_issue):
    page.goto(site + "/")
    expect(page.get_by_role("heading", name="Known issues we are working on")).to_be_visible()
    assert_accessible(page, "home")


def test_post_page_for_a_visitor(page, site, busy_issue):
    page.goto(site + busy_issue.get_absolute_url())
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    assert_accessible(page, "post-visitor")


def test_post_page_for_a_member_with_a_held_comment(page, site, busy_issue, newbie):
    page.context.add_cookies([session_cookie_for(newbie, site)])
    page.goto(site + busy_issue.get_absolute_url())
    expect(page.get_by_text("Awaiting moderation")).to_be_visible()
    expect(page.get_by_label("Your comment")).to_be_visible()
    assert_accessible(page, "post-member")


def test_signup_page(page, site):
    page.goto(site + "/accounts/signup/")
    expect(page.get_by_label("Your name")).to_be_visible()
    # allauth's pages share the Jinja header and footer: as markup, not as escaped text.
    expect(page.locator("header.site-header nav")).to_be_visible()
    expect(page.locator("footer.site-footer")).to_be_visible()
    assert "<a " not in page.locator("body").inner_text()
    assert_accessible(page, "signup")


def test_signup_page_with_errors(page, site):
    page.goto(site + "/accounts/signup/")
    page.get_by_label("Your name").fill("Eve")
    page.get_by_label("Email").fill("eve@example.net")
    page.locator("#id_password1").fill("blue sky over leeds")
    page.locator("#id_password2").fill("grey sky over leeds")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_text("You must type the same password each time.")).to_be_visible()
    assert_accessible(page, "signup-errors")


def test_login_page(page, site):
    page.goto(site + "/accounts/login/")
    expect(page.get_by_label("Remember me")).not_to_be_checked()
    assert_accessible(page, "login")


@pytest.mark.parametrize("persona", ["alex", "mona"])
def test_staff_queue(page, site, busy_issue, persona, request):
    staff = request.getfixturevalue(persona)
    page.context.add_cookies([session_cookie_for(staff, site)])
    page.goto(site + "/staff/queue/")
    expect(page.get_by_role("heading", name="Staff queue")).to_be_visible()
    assert_accessible(page, f"queue-{persona}")


def test_staff_queue_after_answering_in_place(page, site, busy_issue, alex):
    page.context.add_cookies([session_cookie_for(alex, site)])
    page.goto(site + "/staff/queue/")
    row = page.locator(".queue-row").first
    row.get_by_role("button", name="Reply publicly").click()
    expect(row.get_by_role("status")).to_contain_text("Answered")
    assert_accessible(page, "queue-answered-axe")


def test_home_and_post_on_a_phone(page, site, busy_issue, maria):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(site + "/")
    assert_accessible(page, "phone-home")
    page.context.add_cookies([session_cookie_for(maria, site)])
    page.goto(site + busy_issue.get_absolute_url())
    assert_accessible(page, "phone-post")


def test_status_update_form(page, site, busy_issue, lionel):
    page.context.add_cookies([session_cookie_for(lionel, site)])
    page.goto(site + f"/staff/posts/{busy_issue.slug}/update/")
    assert_accessible(page, "status-update-form")


@pytest.mark.parametrize("width", [1280, 375])
def test_staff_topics(page, site, busy_issue, alex, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.context.add_cookies([session_cookie_for(alex, site)])
    page.goto(site + "/staff/topics/")
    expect(page.get_by_role("heading", name="Topics", exact=True)).to_be_visible()
    # Maria's and the newbie's comments were scored after commit and formed topics.
    expect(page.locator("table.data tbody tr").first).to_be_visible()
    assert_accessible(page, f"topics-{width}")


def test_staff_conversation_with_an_email_and_a_note(page, site, alex):
    from conversations import services as conversation_services
    from mail import services as mail_services
    from mail.models import InboundEmail

    raw = (
        b"From: Sam Osei <sam@example.net>\r\nTo: support@larder.test\r\n"
        b"Subject: Missing oat milk\r\nMessage-ID: <sam-axe@example.net>\r\n\r\n"
        b"My oat milk was missing from order 2210.\r\n"
    )
    row, _ = mail_services.store(raw, InboundEmail.Source.WEBHOOK)
    row.refresh_from_db()
    conversation = row.message.conversation
    conversation_services.add_internal_note(conversation, by=alex, body_md="Check the van.")
    page.context.add_cookies([session_cookie_for(alex, site)])
    page.goto(site + f"/staff/conversations/{conversation.pk}/")
    expect(page.get_by_role("heading", name="Missing oat milk")).to_be_visible()
    expect(page.get_by_text("Internal note", exact=True)).to_be_visible()
    assert_accessible(page, "conversation-email")
    page.get_by_label("Reply to Sam (sent by e-mail)").fill("Hi Sam, a refund is on its way.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Answered Sam Osei by e-mail.")).to_be_visible()
    expect(page.get_by_text("Hi Sam, a refund is on its way.")).to_be_visible()
