"""The permission matrix: every staff page by role, and what customers can never see.

Roles: anonymous, customer (maria owns the private conversation, sam does not), agent,
blogger, moderator, manager, admin. Every role that answers customers may use the inbox;
customers and strangers never see a staff page, an internal note or another customer's
private conversation.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client

from conversations import services
from conversations.models import Attachment, Channel, Conversation, Message, Moderation

STAFF = ["alex", "lionel", "mona", "priya", "ada"]
CUSTOMERS = ["maria", "sam"]
ROLES = ["anonymous", *CUSTOMERS, *STAFF]
SECRET = "Internal: she has asked for refunds four times this year"


@pytest.fixture
def world(maria, sam, alex, lionel, mona, priya, ada, known_issue):
    """Maria's private e-mail with an attachment and an internal note; a public known issue
    with Maria's comment and an internal note on it."""
    private = services.receive_private_message(
        conversation=None,
        author=maria.person,
        title="My account number",
        body_md="My card ends 4242, please refund.",
        channel=Channel.EMAIL,
    )
    attachment = Attachment(message=private, filename="receipt.pdf", content_type="x", size=3)
    attachment.file.save("receipt.pdf", ContentFile(b"pdf"), save=True)
    services.add_internal_note(private.conversation, by=alex, body_md=SECRET)
    comment = services.post_comment(known_issue, author=maria.person, body_md="Still late.")
    if comment.moderation == Moderation.HELD:
        services.approve(comment, by=mona)
    note = services.add_internal_note(known_issue, by=alex, body_md=SECRET)
    return {
        "private": private.conversation,
        "message": private,
        "attachment": attachment,
        "comment": comment,
        "note": note,
        "person": maria.person,
    }


def client_for(request, role: str) -> Client:
    return Client() if role == "anonymous" else request.getfixturevalue(f"{role}_client")


STAFF_PAGES = {
    "queue": lambda w: "/staff/queue/",
    "queue due": lambda w: "/staff/queue/?view=due",
    "topics": lambda w: "/staff/topics/",
    "conversation": lambda w: f"/staff/conversations/{w['private'].pk}/",
    "attachment": lambda w: f"/staff/attachments/{w['attachment'].pk}/",
    "profile": lambda w: f"/staff/people/{w['person'].pk}/",
    "people": lambda w: "/staff/people/?q=maria",
    "canned replies": lambda w: "/staff/canned/",
    "playbooks": lambda w: "/staff/playbooks/",
}


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_staff_pages_by_role(request, world, role, page):
    response = client_for(request, role).get(STAFF_PAGES[page](world))
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role in CUSTOMERS:
        assert response.status_code in (403, 404)
    else:
        assert response.status_code == 200
    if response.status_code != 200:
        assert SECRET.encode() not in response.content


STAFF_ACTIONS = {
    "reply": lambda w: (f"/staff/conversations/{w['private'].pk}/reply/", {"body": "Hi"}),
    "note": lambda w: (f"/staff/conversations/{w['private'].pk}/note/", {"body": "Hi"}),
    "desk": lambda w: (f"/staff/conversations/{w['private'].pk}/desk/", {"priority": 3}),
    "resolve": lambda w: (f"/staff/conversations/{w['private'].pk}/resolve/", {"outcome": 1}),
    "reopen": lambda w: (f"/staff/conversations/{w['private'].pk}/reopen/", {}),
    "merge": lambda w: (f"/staff/conversations/{w['private'].pk}/merge/", {"into": 1}),
    "bulk": lambda w: ("/staff/queue/bulk/", {"ids": [w["message"].pk], "action": "assign"}),
    "queue reply": lambda w: (f"/staff/queue/messages/{w['comment'].pk}/reply/", {"body": "x"}),
    "no reply": lambda w: (f"/staff/queue/messages/{w['comment'].pk}/no-reply/", {"reason": "x"}),
    "remove": lambda w: (f"/staff/queue/messages/{w['comment'].pk}/remove/", {}),
    "person note": lambda w: (f"/staff/people/{w['person'].pk}/note/", {"body": "x"}),
}


def snapshot():
    return (
        list(Message.objects.order_by("pk").values_list("pk", "response_state", "moderation")),
        list(Conversation.objects.order_by("pk").values_list("pk", "priority", "resolved_at")),
    )


@pytest.mark.parametrize("action", STAFF_ACTIONS)
@pytest.mark.parametrize("role", ["anonymous", *CUSTOMERS])
def test_customers_and_strangers_can_do_nothing_on_the_desk(request, world, role, action):
    before = snapshot()
    url, data = STAFF_ACTIONS[action](world)
    response = client_for(request, role).post(url, data)
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code in (403, 404)
    assert snapshot() == before


@pytest.mark.parametrize("role", ["alex", "lionel", "priya"])
def test_only_moderators_remove(request, world, role):
    response = client_for(request, role).post(
        f"/staff/queue/messages/{world['comment'].pk}/remove/"
    )
    assert response.status_code == 403
    assert Message.objects.get(pk=world["comment"].pk).moderation == Moderation.VISIBLE


@pytest.mark.parametrize("role", ROLES)
def test_internal_notes_never_reach_public_pages_or_feeds(request, world, role, known_issue):
    client = client_for(request, role)
    for url in (
        known_issue.get_absolute_url(),
        f"/posts/{known_issue.slug}/comments/atom/",
        f"/posts/{known_issue.slug}/comments/rss/",
        "/feed/atom/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert SECRET.encode() not in response.content, url
    assert client.get(f"/m/{world['note'].pk}/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_private_conversations_have_no_public_page(request, world, role):
    client = client_for(request, role)
    private = world["private"]
    assert client.get(f"/posts/{private.slug}/").status_code == 404
    response = client.get(f"/m/{world['message'].pk}/")
    assert response.status_code in (302, 404)
    if response.status_code == 302:  # staff are sent to the staff page
        assert response["Location"].startswith("/staff/") and role in STAFF


def test_internal_notes_are_never_sent_by_email(world, alex, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.add_internal_note(world["private"], by=alex, body_md=SECRET)
        services.answer(world["message"], by=alex, body_md="Refund on its way, Maria.")
    assert mail.outbox, "the answer is e-mailed"
    for sent in mail.outbox:
        assert SECRET not in sent.body
        assert all(SECRET not in str(part) for part in getattr(sent, "alternatives", []))
