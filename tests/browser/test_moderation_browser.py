"""In Chromium: three members flag a comment on a known issue, and it disappears for the
public; a moderator restores it from the review queue, and it is back with its flags cleared."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from moderation.models import Flag, FlagState
from moderation.trust import set_trust_level
from tests.browser.test_accessibility import assert_accessible
from tests.conftest import make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "Where is my parcel? Order 1042."


@pytest.fixture
def flaggers(db):
    users = [
        make_customer(f"flagger{i}@example.com", name)
        for i, name in enumerate(["Ann Flag", "Ben Flag", "Cleo Flag"])
    ]
    for user in users:
        set_trust_level(user.person, 1)  # each flag weighs 1; three reach the threshold of 3
    return users


def test_a_flagged_post_is_hidden_and_restored(
    page, site, sign_in, known_issue, maria_comment, flaggers, mona
):
    post_url = f"{site}{known_issue.get_absolute_url()}"
    page.goto(post_url)
    expect(page.locator(f"#m{maria_comment.pk}")).to_contain_text(COMMENT)

    for i, user in enumerate(flaggers):
        member = sign_in(user).new_page()
        member.goto(post_url)
        member.locator(f"#m{maria_comment.pk}").get_by_role("link", name="Flag").click()
        expect(member.get_by_role("heading", name="Flag a post")).to_be_visible()
        if i == 0:
            assert_accessible(member, "moderation-flag")
        member.get_by_label("Inappropriate").check()
        member.get_by_label("Note for the moderators").fill(f"Rude, says {user.person.first_name}")
        member.get_by_role("button", name="Send flag").click()
        if i < 2:
            expect(member.get_by_text("A moderator will look at the post.")).to_be_visible()
            expect(member.locator(f"#m{maria_comment.pk}")).to_contain_text(COMMENT)
        else:
            expect(member.get_by_text("The post is hidden until a moderator")).to_be_visible()
            expect(member.locator(f"#m{maria_comment.pk}")).to_have_count(0)

    page.reload()
    expect(page.locator(f"#m{maria_comment.pk}")).to_have_count(0)
    expect(page.get_by_text(COMMENT)).to_have_count(0)

    moderator = sign_in(mona).new_page()
    moderator.goto(f"{site}/moderation/")
    item = moderator.locator(f"article#m{maria_comment.pk}")
    expect(item).to_contain_text("Flags weigh 3")
    expect(item).to_contain_text("Rude, says Cleo")
    expect(item).to_contain_text("Hidden after flags")
    assert_accessible(moderator, "moderation-queue")
    item.get_by_role("button", name="Restore").click()
    expect(moderator.get_by_text("Restored: the post is shown")).to_be_visible()
    expect(moderator.get_by_text("No flags waiting.")).to_be_visible()

    page.reload()
    expect(page.locator(f"#m{maria_comment.pk}")).to_contain_text(COMMENT)
    assert set(Flag.objects.values_list("state", flat=True)) == {FlagState.DISMISSED}

    moderator.goto(f"{site}/moderation/log/")
    expect(moderator.locator("table.moderation-log")).to_contain_text("hidden by flags")
    expect(moderator.locator("table.moderation-log")).to_contain_text("restored")
    assert_accessible(moderator, "moderation-log")
    moderator.goto(f"{site}/moderation/members/{maria_comment.author_id}/")
    expect(moderator.get_by_role("heading", name="Flags on their posts")).to_be_visible()
    assert_accessible(moderator, "moderation-member")


def test_on_a_community_topic_members_flag_inline_and_a_moderator_locks_it(
    page, site, sign_in, discussion, sam, flaggers, mona
):
    from conversations import services

    reply = services.post_comment(discussion, author=sam.person, body_md="Cheap watches here")
    services.approve(reply, by=mona)
    topic_url = f"{site}{discussion.get_absolute_url()}"

    for i, user in enumerate(flaggers):
        member = sign_in(user).new_page()
        member.goto(topic_url)
        post = member.locator(f"#m{reply.pk}")
        post.get_by_text("Flag", exact=True).click()  # opens the <details>
        post.get_by_label("Spam").check()
        if i == 0:
            assert_accessible(member, "moderation-topic-flag-open")
        post.get_by_role("button", name="Send flag").click()
        if i < 2:
            expect(member.get_by_text("A moderator will look at the post.")).to_be_visible()
        else:
            expect(member.get_by_text("The post is hidden until a moderator")).to_be_visible()
            expect(member.locator(f"#m{reply.pk}")).to_have_count(0)
            assert member.url.startswith(topic_url)

    moderator = sign_in(mona).new_page()
    moderator.goto(f"{site}/moderation/")
    moderator.locator(f"article#m{reply.pk}").get_by_role("button", name="Restore").click()
    moderator.goto(topic_url)
    moderator.locator(f"#m{reply.pk}").get_by_role("button", name="Hide").click()
    expect(moderator.get_by_text("Hidden from the public.")).to_be_visible()
    moderator.get_by_role("button", name="Lock").click()
    expect(moderator.get_by_text("Locked: no more replies, votes or flags.")).to_be_visible()
    expect(moderator.get_by_role("button", name="Unlock")).to_be_visible()
    assert_accessible(moderator, "moderation-topic-moderator")

    page.goto(topic_url)
    expect(page.get_by_text("Cheap watches here")).to_have_count(0)
    expect(page.get_by_text("This topic is locked")).to_be_visible()
