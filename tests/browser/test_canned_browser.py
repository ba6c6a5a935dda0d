"""In Chromium: a manager shares a canned reply on /staff/canned/, and an agent finds it
in the list with its preview written to a sample customer."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from inbox import canned
from inbox.models import CannedReply, Playbook
from tests.browser.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

TEXT = "Hi {first_name},\n\nYour parcel is on the van today.\n\n{agent_name}"


def test_a_shared_reply_reaches_an_agent_with_a_preview(site, sign_in, priya, alex):
    manager = sign_in(priya).new_page()
    manager.goto(site + "/staff/canned/")
    manager.get_by_role("link", name="New canned reply").click()
    assert_accessible(manager, "canned-new")
    manager.get_by_label("Title").fill("Parcel on the van")
    manager.get_by_label("Text").fill("Hi {first_nam}")
    manager.get_by_label("Shared with all staff").check()
    manager.get_by_role("button", name="Save").click()
    # A misspelt field is refused, naming it.
    expect(manager.get_by_role("alert")).to_contain_text("Unknown field {first_nam}")
    manager.get_by_label("Text").fill(TEXT)
    manager.get_by_role("button", name="Save").click()
    expect(manager.get_by_text("Saved “Parcel on the van”.")).to_be_visible()
    assert CannedReply.objects.get(title="Parcel on the van").owner is None

    agent = sign_in(alex).new_page()
    agent.goto(site + "/staff/canned/")
    card = agent.locator("li.card", has_text="Parcel on the van")
    expect(card.locator(".canned-preview")).to_contain_text("Hi Jamie,")
    expect(card.locator(".canned-preview")).to_contain_text("Your parcel is on the van today.")
    expect(card.locator(".canned-preview")).to_contain_text("Alex R.")
    expect(card).to_contain_text("Shared")
    expect(card.get_by_role("link", name="Edit")).to_have_count(0)  # managers keep it
    agent.get_by_label("Search").fill("van")
    agent.get_by_role("button", name="Search").click()
    expect(agent.locator("li.card")).to_have_count(1)
    assert_accessible(agent, "canned-list")


def test_a_manager_starts_and_ends_a_playbook(site, sign_in, priya):
    reply = canned.save_canned_reply(
        None, by=priya, title="Courier delay", body_md="Updates: {link}", shared=True
    )
    playbook = Playbook.objects.create(
        name="Courier outage",
        issue_title="Deliveries delayed: courier outage",
        issue_affected_area="Home deliveries",
        issue_body_md="Our courier partner is down.",
    )
    playbook.canned_replies.set([reply])
    page = sign_in(priya).new_page()
    page.goto(site + "/staff/playbooks/")
    assert_accessible(page, "playbooks")
    page.get_by_role("button", name="Start Courier outage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deliveries delayed: courier outage")
    issue_path = urlsplit(page.url).path
    page.goto(site + "/staff/canned/")
    card = page.locator("li.card", has_text="Courier delay")
    expect(card).to_contain_text("Playbook running: Courier outage")
    link = card.locator(".canned-preview a")  # SITE_URL + the known issue's path
    expect(link).to_have_attribute("href", re.compile(re.escape(issue_path) + "$"))
    page.goto(site + "/staff/playbooks/")
    assert_accessible(page, "playbooks-running")
    page.get_by_role("button", name="End Courier outage").click()
    expect(page.get_by_text("No playbook is running.")).to_be_visible()
