"""The queue's search, filters and bulk actions; resolving, reopening and merging from the
conversation page."""

from __future__ import annotations

import pytest

from accounts.models import Identity, Team
from conversations import cases, services
from conversations.models import (
    Category,
    Channel,
    Conversation,
    Label,
    Message,
    Outcome,
    ResponseState,
)
from tests.test_staff_desk import queue_authors


def email_from(person, text, title="Order 1042"):
    return services.receive_private_message(
        conversation=None, author=person, title=title, body_md=text, channel=Channel.EMAIL
    )


@pytest.fixture
def inbox(maria, sam, known_issue, article, outcomes):
    """Maria e-mails about a refund; Sam comments on the article; Maria comments too."""
    refund = email_from(maria.person, "I want my refund for the kettle", title="Refund please")
    comment = services.post_comment(article, author=sam.person, body_md="Nice packing!")
    late = services.post_comment(known_issue, author=maria.person, body_md="Parcel still late")
    return refund, comment, late


def test_search_finds_words_titles_names_and_addresses(alex_client, inbox, sam):
    Identity.objects.create(person=sam.person, kind="email", value="sam.osei@mailbox.test")
    assert queue_authors(alex_client, q="refund") == ["Maria Keller"]
    assert queue_authors(alex_client, q="REFUND PLEASE") == ["Maria Keller"]
    assert queue_authors(alex_client, q="osei") == ["Sam Osei"]
    assert queue_authors(alex_client, q="mailbox.test") == ["Sam Osei"]
    assert queue_authors(alex_client, q="nothing-like-this") == []
    page = alex_client.get("/staff/queue/", {"q": "x" * 5000})
    assert page.status_code == 200


def test_filters_by_category_label_and_team(alex_client, alex, inbox, known_issue):
    refund, _comment, _late = inbox
    deliveries = Category.objects.create(name="Deliveries", slug="deliveries")
    Conversation.objects.filter(pk=known_issue.pk).update(category=deliveries)
    team = Team.objects.create(name="Refunds")
    cases.set_team(refund.conversation, team=team, by=alex)
    team.members.add(alex)
    assert queue_authors(alex_client, category="deliveries") == ["Maria Keller"]
    assert queue_authors(alex_client, label="packaging") == ["Sam Osei"]
    assert queue_authors(alex_client, team=str(team.pk)) == ["Maria Keller"]
    assert queue_authors(alex_client, view="teams") == ["Maria Keller"]
    assert Label.objects.filter(slug="packaging").exists()
    # Unknown values filter nothing away from the unknown: an empty queue, never an error.
    assert queue_authors(alex_client, category="nope") == []
    assert len(queue_authors(alex_client, team="abc")) == 3


def bulk(client, ids, **data):
    return client.post("/staff/queue/bulk/", {"ids": ids, **data, "next": "/staff/queue/?view=all"})


def test_bulk_assign_and_team(alex_client, alex, priya, inbox):
    refund, comment, late = inbox
    response = bulk(alex_client, [refund.pk, late.pk], action="assign", assignee=priya.pk)
    assert response.status_code == 302 and response["Location"] == "/staff/queue/?view=all"
    assignees = Conversation.objects.filter(
        pk__in=[refund.conversation_id, late.conversation_id]
    ).values_list("assignee", flat=True)
    assert set(assignees) == {priya.pk}
    assert Conversation.objects.get(pk=comment.conversation_id).assignee is None
    team = Team.objects.create(name="Refunds")
    bulk(alex_client, [refund.pk], action="team", team=team.pk)
    assert Conversation.objects.get(pk=refund.conversation_id).team == team
    page = alex_client.get("/staff/queue/").content.decode()
    assert "Handed 1 conversation to Refunds." in page


def test_bulk_no_reply_needed(alex_client, inbox):
    refund, comment, late = inbox
    bulk(alex_client, [comment.pk, late.pk], action="no_reply", reason="Thanks only")
    states = dict(Message.objects.values_list("pk", "response_state"))
    assert states[comment.pk] == states[late.pk] == ResponseState.NO_REPLY_NEEDED
    assert states[refund.pk] == ResponseState.AWAITING


def test_bulk_resolve_resolves_cases_and_skips_comments(alex_client, inbox):
    refund, comment, _late = inbox
    outcome = Outcome.objects.get(name="Refunded")
    bulk(alex_client, [refund.pk, comment.pk], action="resolve", outcome=outcome.pk)
    assert Conversation.objects.get(pk=refund.conversation_id).outcome == outcome
    assert Message.objects.get(pk=comment.pk).response_state == ResponseState.AWAITING
    page = alex_client.get("/staff/queue/").content.decode()
    assert "Resolved 1 conversation as Refunded. 1 post skipped" in page


def test_bulk_leaves_messages_no_longer_waiting_alone(alex_client, alex, inbox):
    refund, comment, _late = inbox
    services.mark_no_reply_needed(comment, by=alex, reason="Spam")
    bulk(alex_client, [comment.pk, refund.pk], action="no_reply", reason="Duplicate")
    assert Message.objects.get(pk=comment.pk).no_reply_reason == "Spam"
    assert "1 no longer waiting" in alex_client.get("/staff/queue/").content.decode()


@pytest.mark.parametrize(
    "data, error",
    [
        ({"action": "no_reply"}, "Say why no reply is needed."),
        ({"action": "resolve"}, "Choose how the conversations ended."),
        ({"action": "explode"}, "Select a valid choice"),
        ({"action": "assign", "ids": []}, "Choose at least one message."),
        ({"action": "assign", "ids": ["abc"]}, "Those are not message numbers."),
        ({"action": "assign", "ids": list(range(1, 102))}, "at most 100"),
    ],
)
def test_bulk_bad_input_says_why_and_changes_nothing(alex_client, inbox, data, error):
    before = list(Message.objects.values_list("pk", "response_state"))
    data = {"ids": [m.pk for m in inbox], **data}
    response = alex_client.post("/staff/queue/bulk/", data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert list(Message.objects.values_list("pk", "response_state")) == before


def test_bulk_never_redirects_off_the_queue(alex_client, inbox):
    response = alex_client.post(
        "/staff/queue/bulk/",
        {"ids": [inbox[1].pk], "action": "no_reply", "reason": "x", "next": "https://evil.test/"},
    )
    assert response["Location"] == "/staff/queue/"


@pytest.mark.parametrize(
    "persona, status", [("maria", 403), ("newbie", 403), ("lionel", 302), ("ada", 302)]
)
def test_bulk_permissions(request, persona, status, inbox):
    client = request.getfixturevalue(f"{persona}_client")
    response = bulk(client, [inbox[1].pk], action="no_reply", reason="Thanks only")
    assert response.status_code == status
    changed = Message.objects.get(pk=inbox[1].pk).response_state != ResponseState.AWAITING
    assert changed == (status == 302)


def test_bulk_is_post_only(alex_client):
    assert alex_client.get("/staff/queue/bulk/").status_code == 405


# --- The conversation page --------------------------------------------------------------


def test_resolve_and_reopen_from_the_conversation_page(alex_client, inbox):
    refund = inbox[0]
    url = f"/staff/conversations/{refund.conversation_id}/"
    page = alex_client.get(url).content.decode()
    assert "Resolve" in page and "Messages still waiting are closed without a reply." in page
    outcome = Outcome.objects.get(name="Goodwill gesture")
    response = alex_client.post(url + "resolve/", {"outcome": outcome.pk})
    assert response.status_code == 302
    page = alex_client.get(url).content.decode()
    assert "Resolved: Goodwill gesture." in page and "Reopen" in page
    assert alex_client.post(url + "resolve/", {"outcome": outcome.pk}).status_code == 400
    assert alex_client.post(url + "reopen/").status_code == 302
    refused = alex_client.post(url + "reopen/")
    assert refused.status_code == 409
    assert "Only a resolved conversation can be reopened." in refused.content.decode()
    assert alex_client.post(url + "resolve/", {"outcome": 999}).status_code == 400


def test_merge_from_the_conversation_page(alex_client, maria, inbox):
    refund = inbox[0]
    again = email_from(maria.person, "Any news on my refund?", title="Refund?")
    url = f"/staff/conversations/{again.conversation_id}/"
    response = alex_client.post(url + "merge/", {"into": refund.conversation_id})
    assert response["Location"] == f"/staff/conversations/{refund.conversation_id}/"
    # The old address leads to where its messages went.
    assert alex_client.get(url)["Location"] == f"/staff/conversations/{refund.conversation_id}/"
    page = alex_client.get(response["Location"]).content.decode()
    assert "Any news on my refund?" in page and "I want my refund" in page


@pytest.mark.parametrize(
    "into, error",
    [("999999", "There is no conversation with that number."), ("abc", "Enter a whole number")],
)
def test_merge_bad_input(alex_client, inbox, into, error):
    url = f"/staff/conversations/{inbox[0].conversation_id}/merge/"
    response = alex_client.post(url, {"into": into})
    assert response.status_code == 400 and error in response.content.decode()


def test_merging_a_post_says_why_not(alex_client, inbox, article):
    url = f"/staff/conversations/{inbox[0].conversation_id}/merge/"
    response = alex_client.post(url, {"into": article.pk})
    assert response.status_code == 400 and "Only cases are merged" in response.content.decode()


def test_desk_hands_to_a_team(alex_client, inbox):
    team = Team.objects.create(name="Refunds")
    conversation = inbox[0].conversation
    response = alex_client.post(
        f"/staff/conversations/{conversation.pk}/desk/",
        {"assignee": "", "team": team.pk, "priority": 1, "snoozed_until": ""},
    )
    assert response.status_code == 302
    assert Conversation.objects.get(pk=conversation.pk).team == team


def test_the_page_shows_the_customers_other_conversations(alex_client, maria, inbox):
    refund, _comment, late = inbox
    page = alex_client.get(f"/staff/conversations/{refund.conversation_id}/").content.decode()
    assert "Other conversations" in page and late.conversation.title in page
    assert f"/staff/people/{maria.person.pk}/" in page


def test_a_canned_reply_fills_in_the_reply_for_this_customer(alex_client, alex, priya, inbox):
    from inbox import canned

    shared = canned.save_canned_reply(
        None,
        by=priya,
        title="Refund on its way",
        body_md="Hi {first_name}, your refund is on its way.\n\n{agent_name}",
        shared=True,
    )
    url = f"/staff/conversations/{inbox[0].conversation_id}/"
    page = alex_client.get(url).content.decode()
    assert "Refund on its way</option>" in page
    page = alex_client.get(url, {"canned": shared.pk}).content.decode()
    assert "Hi Maria, your refund is on its way.\n\nAlex R.</textarea>" in page
    shared.refresh_from_db()
    assert shared.use_count == 1


def test_someone_elses_personal_reply_is_not_offered(alex_client, lionel, inbox):
    from inbox import canned

    theirs = canned.save_canned_reply(
        None, by=lionel, title="Lionel's own", body_md="Hi {first_name}, Lionel's words."
    )
    url = f"/staff/conversations/{inbox[0].conversation_id}/"
    page = alex_client.get(url, {"canned": theirs.pk}).content.decode()
    assert "Lionel's words" not in page and "Lionel&#39;s own" not in page


def test_no_reply_needed_from_the_conversation_page(alex_client, inbox):
    refund = inbox[0]
    url = f"/staff/conversations/{refund.conversation_id}/"
    page = alex_client.get(url).content.decode()
    assert "No reply needed" in page
    refused = alex_client.post(
        f"/staff/queue/messages/{refund.pk}/no-reply/", {"from": "conversation"}
    )
    assert refused.status_code == 400
    assert "Give a reason for closing without a reply." in refused.content.decode()
    response = alex_client.post(
        f"/staff/queue/messages/{refund.pk}/no-reply/",
        {"from": "conversation", "reason": "Answered by phone"},
    )
    assert response["Location"] == url
    refund.refresh_from_db()
    assert refund.no_reply_reason == "Answered by phone"
    again = alex_client.post(
        f"/staff/queue/messages/{refund.pk}/no-reply/",
        {"from": "conversation", "reason": "Twice"},
    )
    assert again.status_code == 409 and "not waiting" in again.content.decode()


def test_admins_keep_outcomes_given_to_conversations(ada_client, alex, inbox, outcomes):
    cases.resolve(inbox[0].conversation, by=alex, outcome=outcomes["Refunded"])
    used = ada_client.get(f"/admin/conversations/outcome/{outcomes['Refunded'].pk}/delete/")
    assert used.status_code == 403
    unused = ada_client.get(f"/admin/conversations/outcome/{outcomes['Fixed'].pk}/delete/")
    assert unused.status_code == 200
    listing = ada_client.get("/admin/conversations/conversation/?outcome__stance__exact=conceded")
    assert listing.status_code == 200 and "Refund please" in listing.content.decode()
    assert ada_client.get("/admin/accounts/team/").status_code == 200
