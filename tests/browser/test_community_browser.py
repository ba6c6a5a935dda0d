"""In Chromium: a customer asks a question (similar ones are offered as she types), another
customer answers, the answer appears on the asker's open page without a reload, and staff
accept it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from community.models import Question
from conversations import services
from conversations.models import Conversation, Message, Moderation, ResponseState
from moderation.trust import set_trust_level
from tests.browser.test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def regulars(maria, sam, article, mona):
    """Maria and Sam have taken part before, so their posts are not held."""
    for user in (maria, sam):
        set_trust_level(user.person, 1)
        message = services.post_comment(article, author=user.person, body_md="Thanks!")
        if message.moderation != Moderation.VISIBLE:
            services.approve(message, by=mona)
    return maria, sam


def test_a_customer_asks_another_answers_and_staff_accept(
    sign_in, site, regulars, alex, known_issue, settings
):
    settings.COMMUNITY_LIVE_UPDATE_SECONDS = 2
    maria, sam = regulars
    asker = sign_in(maria).new_page()
    asker.goto(f"{site}/community/questions/")
    asker.get_by_role("link", name="Ask a question").click()
    asker.get_by_label("Title").press_sequentially("Deliveries to the north running late?")
    # Suggest while typing: the known issue on the same subject is offered.
    expect(asker.locator("#suggestions")).to_contain_text(known_issue.title)
    asker.get_by_label("Details").fill("My parcel to Leeds is two days late. Is it the storm?")
    asker.get_by_role("button", name="Ask").click()
    expect(asker.get_by_role("heading", level=1)).to_have_text(
        "Deliveries to the north running late?"
    )
    question = Conversation.objects.get(title="Deliveries to the north running late?")
    opening = question.messages.get(is_opening=True)
    assert opening.response_state == ResponseState.AWAITING
    assert_accessible(asker, "community-question")

    helper = sign_in(sam).new_page()
    helper.goto(f"{site}{question.get_absolute_url()}")
    helper.get_by_label("Your reply").fill(
        "Yes, the storm: see the known issue. Mine came a day late."
    )
    helper.get_by_role("button", name="Post reply").click()
    expect(helper.locator("#thread")).to_contain_text("Mine came a day late.")

    # The asker's page, left open, shows the answer without a reload.
    expect(asker.locator("#thread")).to_contain_text("Mine came a day late.", timeout=8_000)

    staff = sign_in(alex).new_page()
    staff.goto(f"{site}{question.get_absolute_url()}")
    staff.get_by_role("button", name="Accept as the answer").click()
    expect(staff.get_by_role("heading", name="Answered by the community")).to_be_visible()

    answer = Message.objects.get(body_md__startswith="Yes, the storm")
    assert Question.objects.get(pk=question.pk).accepted_answer == answer
    opening.refresh_from_db()
    assert opening.response_state == ResponseState.ANSWERED
    asker.reload()
    expect(asker.locator(".accepted-answer")).to_contain_text("Mine came a day late.")


def test_quoting_a_reply_puts_it_in_the_reply_box(sign_in, site, regulars, question):
    maria, sam = regulars
    services.post_comment(question, author=maria.person, body_md="Order 2001, to be exact.")
    page = sign_in(sam).new_page()
    page.goto(f"{site}{question.get_absolute_url()}")
    page.get_by_role("link", name="Quote").first.click()
    expect(page.get_by_label("Your reply")).to_have_value(
        "> **Maria Keller** wrote:\n> Order 2001, to be exact.\n\n"
    )
    expect(page.locator(".reply-note")).to_be_visible()


@pytest.mark.parametrize(
    "path",
    ["/community/", "/community/questions/?show=unanswered", "/community/new/question/"],
)
def test_community_pages_are_accessible(page, site, sign_in, maria, question, path):
    page = sign_in(maria).new_page()
    page.goto(site + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "community" + path.replace("/", "-").replace("?", "-"))


@pytest.mark.parametrize("persona", ["sam", "mona", None])
def test_a_question_page_is_accessible_to_every_viewer(
    page, site, sign_in, question, sam, regulars, persona, request
):
    services.post_comment(question, author=sam.person, body_md="Try the app, under Orders.")
    if persona:
        page = sign_in(request.getfixturevalue(persona)).new_page()
    page.goto(site + question.get_absolute_url())
    expect(page.locator("#thread")).to_contain_text("Try the app")
    assert_accessible(page, f"community-question-{persona or 'visitor'}")


def test_searching_finds_a_community_answer_with_its_snippet(page, site, question, sam, regulars):
    services.post_comment(
        question, author=sam.person, body_md="The **courier** app lets you redirect it."
    )
    page.goto(site + "/")
    page.get_by_role("link", name="Search").click()
    page.get_by_label("Search articles, known issues and community topics").fill("courier redirect")
    page.get_by_role("button", name="Search").click()
    result = page.locator("main").get_by_role("link", name=question.title)
    expect(result).to_be_visible()
    expect(page.locator("main mark").first).to_have_text(re.compile("courier|redirect", re.I))
    assert_accessible(page, "search-results")
    page.get_by_label("Kind").select_option("idea")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("main").get_by_role("link", name=question.title)).to_have_count(0)
