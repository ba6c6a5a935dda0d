import pytest
from django.urls import reverse

from conversations import services
from conversations.models import Message, Moderation, ResponseState

QUEUE = "/staff/queue/"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("maria_client", 403),
        ("alex_client", 200),
        ("lionel_client", 200),
        ("mona_client", 200),
        ("priya_client", 200),
        ("ada_client", 200),
    ],
)
def test_who_sees_the_queue(request, persona, status):
    assert request.getfixturevalue(persona).get(QUEUE).status_code == status


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_queue_wrong_method(alex_client):
    assert alex_client.post(QUEUE).status_code == 405


def test_queue_lists_waiting_customer_messages_oldest_first(
    alex, alex_client, known_issue, article, maria, sam, maria_comment
):
    from datetime import timedelta

    older = services.post_comment(
        article,
        author=sam.person,
        body_md="Older one",
        at=maria_comment.created_at - timedelta(hours=1),
    )
    answered = services.post_comment(known_issue, author=maria.person, body_md="Answered one")
    services.answer(answered, by=alex, body_md="Done")
    html = alex_client.get(QUEUE).content.decode()
    assert older.moderation == Moderation.HELD  # held comments wait in the queue too
    assert "Older one" in html and "Held: first comment" in html
    assert "Answered one" not in html
    assert "Where is my parcel?" not in html  # answered together with Maria's later message
    assert "1 customer message waiting" in html


def test_reply_in_place_answers_the_message(alex_client, maria_comment):
    url = reverse("inbox:reply", args=[maria_comment.pk])
    response = alex_client.post(url, {"body": "Hi Maria, on its way."}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Answered Maria Keller." in response.content.decode()
    maria_comment.refresh_from_db()
    assert maria_comment.response_state == ResponseState.ANSWERED
    reply = Message.objects.get(reply_to=maria_comment)
    assert reply.official and reply.author.display_name == "Alex R."
    assert "Where is my parcel?" not in alex_client.get(QUEUE).content.decode()


def test_reply_without_htmx_redirects_back(alex_client, maria_comment):
    response = alex_client.post(reverse("inbox:reply", args=[maria_comment.pk]), {"body": "Hi"})
    assert response.status_code == 302 and response["Location"] == QUEUE


def test_empty_reply_is_an_error_and_changes_nothing(alex_client, maria_comment):
    url = reverse("inbox:reply", args=[maria_comment.pk])
    response = alex_client.post(url, {"body": ""}, HTTP_HX_REQUEST="true")
    assert "This field is required" in response.content.decode()
    response = alex_client.post(url, {"body": ""})
    assert response.status_code == 400
    maria_comment.refresh_from_db()
    assert maria_comment.response_state == ResponseState.AWAITING


def test_customers_cannot_reply_or_close(maria_client, sam_client, maria_comment):
    for name in ("reply", "no_reply", "approve", "remove"):
        url = reverse(f"inbox:{name}", args=[maria_comment.pk])
        assert sam_client.post(url, {"body": "x", "reason": "x"}).status_code == 404
    maria_comment.refresh_from_db()
    assert maria_comment.response_state == ResponseState.AWAITING
    assert not Message.objects.filter(reply_to=maria_comment).exists()


def test_reply_to_unknown_message_is_404(alex_client, db):
    assert alex_client.post(reverse("inbox:reply", args=[424242]), {"body": "x"}).status_code == 404


def test_reply_wrong_method(alex_client, maria_comment):
    assert alex_client.get(reverse("inbox:reply", args=[maria_comment.pk])).status_code == 405


def test_no_reply_needed(alex_client, maria_comment):
    url = reverse("inbox:no_reply", args=[maria_comment.pk])
    assert alex_client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true").status_code == 400
    response = alex_client.post(url, {"reason": "Thanks only"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    maria_comment.refresh_from_db()
    assert maria_comment.response_state == ResponseState.NO_REPLY_NEEDED
    again = alex_client.post(url, {"reason": "Thanks only"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409


def test_only_moderators_approve_and_remove(alex_client, mona_client, newbie, known_issue):
    held = services.post_comment(known_issue, author=newbie.person, body_md="First!")
    approve = reverse("inbox:approve", args=[held.pk])
    assert alex_client.post(approve).status_code == 403
    assert mona_client.post(approve).status_code == 302
    held.refresh_from_db()
    assert held.moderation == Moderation.VISIBLE
    remove = reverse("inbox:remove", args=[held.pk])
    assert alex_client.post(remove).status_code == 403
    assert mona_client.post(remove, HTTP_HX_REQUEST="true").status_code == 200
    held.refresh_from_db()
    assert held.moderation == Moderation.REMOVED
