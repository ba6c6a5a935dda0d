"""In Chromium: voting and merging ideas keeps counts right.

Two members vote for idea A and one of them also for idea B (a member with one vote left is
refused a vote for B, with the way out named); staff merge B into A. A shows 2 votes (no
double vote), B's address lands on A, and the member who voted for both uses one vote."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from community import ideas
from community.models import Idea, IdeaStatusChange, Vote
from moderation.trust import set_trust_level
from tests.browser.test_accessibility import assert_accessible
from tests.community.test_ideas import make_idea

pytestmark = pytest.mark.browser


def test_voting_and_merging_ideas_keeps_counts_right(
    site, sign_in, settings, idea, maria, sam, newbie, alex
):
    settings.IDEA_VOTE_BUDGET = "0=1,1=10,2=20,3=30,4=50"
    set_trust_level(newbie.person, 1)
    duplicate = make_idea(maria, "Choose a two-hour delivery window")
    a_url, b_url = site + idea.get_absolute_url(), site + duplicate.get_absolute_url()

    # Sam votes for A from the ideas list; his one vote is then used.
    member = sign_in(sam).new_page()
    member.goto(site + "/community/ideas/")
    assert_accessible(member, "ideas-list")
    member.get_by_role("button", name=f"Vote for {idea.title}").click()
    expect(member.get_by_role("button", name=f"Take back my vote for {idea.title}")).to_be_visible()
    expect(member.locator("#idea-budget")).to_contain_text("You have used 1 of your 1 vote")
    # A vote for B is refused, saying where to take one back; nothing changes.
    member.get_by_role("button", name=f"Vote for {duplicate.title}").click()
    refusal = member.locator(f"#vote-{duplicate.pk}").get_by_role("alert")
    expect(refusal).to_contain_text("You have used your only vote; take one back")
    expect(refusal).to_contain_text("My votes")
    assert Idea.objects.get(pk=duplicate.pk).vote_count == 0

    # Nina votes for A and for B on their pages, through the idea panel.
    nina = sign_in(newbie).new_page()
    nina.goto(a_url)
    panel = nina.locator("#idea-panel")
    panel.get_by_role("button", name="Vote for this idea").click()
    expect(panel.get_by_role("button", name="Take my vote back")).to_be_visible()
    expect(panel.locator(".vote-count")).to_have_text("2")
    nina.goto(b_url)
    nina.locator("#idea-panel").get_by_role("button", name="Vote for this idea").click()
    expect(nina.locator("#idea-panel .vote-count")).to_have_text("1")
    expect(nina.locator("#idea-budget")).to_contain_text("You have used 2 of your 10 votes")
    assert_accessible(nina, "idea-panel")

    # Alex merges B into A, naming A by its address.
    staff = sign_in(alex).new_page()
    staff.goto(b_url)
    staff.get_by_text("Staff: change the status or merge").click()
    assert_accessible(staff, "idea-panel-staff")
    staff.get_by_label("Idea to keep (its address or number)").fill(a_url)
    staff.get_by_role("button", name="Merge this idea").click()
    expect(staff).to_have_url(a_url)
    expect(staff.get_by_text(f"Merged “{duplicate.title}” into this idea")).to_be_visible()
    expect(staff.locator("#idea-panel .vote-count")).to_have_text("2")  # not 3

    assert Idea.objects.get(pk=idea.pk).vote_count == Vote.objects.filter(idea_id=idea.pk).count()
    assert Vote.objects.filter(idea_id=idea.pk).count() == 2
    assert Idea.objects.get(pk=duplicate.pk).vote_count == 0
    assert ideas.budget(newbie.person) == (1, 10)

    # B's address lands on A; Nina's votes page shows one vote, for A.
    nina.goto(b_url)
    expect(nina).to_have_url(a_url)
    nina.goto(site + "/community/ideas/my-votes/")
    expect(nina.locator("#idea-budget")).to_contain_text("You have used 1 of your 10 votes")
    expect(nina.locator("li.idea-row")).to_have_count(1)
    expect(nina.locator("li.idea-row")).to_contain_text(idea.title)
    assert_accessible(nina, "my-votes")

    # Alex plans A with a public reason; it shows on the idea and on the roadmap.
    staff.get_by_text("Staff: change the status or merge").click()
    staff.get_by_label("New status").select_option("planned")
    staff.get_by_role("button", name="Change the status").click()
    expect(staff.get_by_role("alert")).to_contain_text("Give a public reason for the change")
    staff.get_by_label("Public reason").fill("We are building **time slots** this spring.")
    staff.get_by_role("button", name="Change the status").click()
    timeline = staff.locator(".idea-timeline")
    expect(timeline).to_contain_text("We are building time slots this spring.")
    expect(staff.locator("#idea-panel .idea-standing")).to_contain_text("Planned")
    assert IdeaStatusChange.objects.filter(idea_id=idea.pk, to_status__slug="planned").exists()

    visitor = sign_in(maria).new_page()
    visitor.goto(site + "/community/roadmap/")
    column = visitor.locator("section.roadmap-column", has=visitor.locator("#col-planned"))
    expect(column).to_contain_text(idea.title)
    expect(column).to_contain_text("2 votes")
    expect(column).to_contain_text("We are building time slots this spring.")
    expect(visitor.locator("#col-under-review")).to_have_text(re.compile(r"Under review\s*\(0\)"))
    assert_accessible(visitor, "roadmap")
