"""Discussions and questions: starting topics, replying, quoting, live updates, accepted
answers, the lists, and every customer message waiting for a response."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from community import services as community_services
from community.models import Question
from conversations import services
from conversations.models import Conversation, Kind, Message, Moderation, ResponseState
from tests.conftest import make_customer, signed_in
from tests.test_query_counts import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uncached(settings):
    """Count what rendering costs, not what the anonymous page cache saves."""
    settings.PAGE_CACHE_SECONDS = 0


def _approved(message):
    if message.moderation == Moderation.HELD:
        services.approve(message, by=message.conversation.author.user)
    message.refresh_from_db()
    return message


def _reply(conversation, user, body, **kwargs):
    return _approved(
        services.post_comment(conversation, author=user.person, body_md=body, **kwargs)
    )


# --- Starting a topic ------------------------------------------------------------------------


def test_a_question_is_started_waiting_for_a_response(maria_client, maria, deliveries):
    response = maria_client.post(
        reverse("community:new_topic", args=["question"]),
        {
            "title": "Do you deliver on Sundays?",
            "body": "I am out all week.",
            "category": deliveries.pk,
        },
    )
    conversation = Conversation.objects.get(title="Do you deliver on Sundays?")
    assert response.status_code == 302
    assert response["Location"] == conversation.get_absolute_url()
    assert conversation.kind == Kind.QUESTION and conversation.category == deliveries
    assert Question.objects.filter(pk=conversation.pk, accepted_answer__isnull=True).exists()
    opening = conversation.messages.get()
    assert opening.is_opening and opening.response_state == ResponseState.AWAITING
    assert opening.due_at is not None
    # Maria's first post is held: the topic is unlisted until a moderator lets it through.
    assert opening.moderation == Moderation.HELD and conversation.published_at is None
    assert Client().get(conversation.get_absolute_url()).status_code == 404
    own = maria_client.get(conversation.get_absolute_url())
    assert own.status_code == 200 and b"Awaiting moderation" in own.content


def test_approving_a_held_opening_lists_the_topic(maria, mona, deliveries):
    conversation = community_services.start_topic(
        kind=Kind.DISCUSSION, author=maria.person, title="Favourite packaging", body_md="Mine!"
    )
    assert conversation not in Conversation.objects.published()
    services.approve(conversation.messages.get(), by=mona)
    conversation.refresh_from_db()
    assert conversation in Conversation.objects.published()
    assert conversation.comment_count == 0  # the opening post is not a reply
    assert Client().get(conversation.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"title": "Hi", "body": "Short title"}, b"at least 5 characters"),
        ({"title": "x" * 201, "body": "Huge title"}, b"at most 200 characters"),
        ({"title": "A fine title", "body": "   "}, b"This field is required"),
        ({"title": "A fine title", "body": "x" * 10_001}, b"at most 10000 characters"),
        ({"title": "\x00\x00\x00\x00\x00\x00", "body": "Only NUL bytes in the title"}, b"Null"),
    ],
)
def test_bad_topics_are_refused_and_nothing_is_stored(maria_client, data, error):
    response = maria_client.post(reverse("community:new_topic", args=["discussion"]), data)
    assert response.status_code == 400
    assert error in response.content
    assert not Conversation.objects.exists()


def test_a_robot_filling_the_honeypot_stores_nothing(maria_client):
    response = maria_client.post(
        reverse("community:new_topic", args=["idea"]),
        {"title": "Cheap pills here", "body": "Buy now", "website": "http://spam.example"},
    )
    assert response.status_code == 400
    assert not Conversation.objects.exists()


def test_sending_the_form_twice_starts_one_topic(maria_client):
    data = {"title": "Parcel left in the rain", "body": "Soaked.", "idempotency_key": "k-1"}
    url = reverse("community:new_topic", args=["discussion"])
    first = maria_client.post(url, data)
    second = maria_client.post(url, data)
    assert first["Location"] == second["Location"]
    assert Conversation.objects.count() == 1


def test_starting_topics_too_fast_is_refused(maria_client, settings):
    settings.COMMUNITY_TOPIC_RATE_LIMIT = "1/m"
    url = reverse("community:new_topic", args=["discussion"])
    assert maria_client.post(url, {"title": "First topic", "body": "One"}).status_code == 302
    response = maria_client.post(url, {"title": "Second topic", "body": "Two"})
    assert response.status_code == 429
    assert Conversation.objects.count() == 1


def test_signing_in_is_needed_to_start_a_topic(client):
    response = client.get(reverse("community:new_topic", args=["question"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/community/new/article/").status_code == 302
    assert (
        signed_in(make_customer("x@example.com", "X")).get("/community/new/article/").status_code
        == 404
    )


def test_suggestions_offer_similar_conversations_while_typing(client, question, known_issue):
    response = client.get(
        reverse("community:suggest"), {"title": "change delivery address after order"}
    )
    assert question.title.encode() in response.content
    assert client.get(reverse("community:suggest"), {"title": "abc"}).content.strip() == b""
    late = client.get(reverse("community:suggest"), {"title": "deliveries running late north"})
    assert known_issue.title.encode() in late.content


# --- Replies, quoting, live updates ------------------------------------------------------


def test_replies_are_flat_with_reply_to_and_staff_replies_are_official(
    sam_client, sam, alex_client, question
):
    first = _reply(question, sam, "Try the account page.")
    response = alex_client.post(
        reverse("community:reply", args=[question.slug]),
        {"body": "You can, until it ships.", "reply_to": first.pk},
    )
    assert response.status_code == 302
    official = Message.objects.get(body_md="You can, until it ships.")
    assert official.official and official.reply_to == first
    page = Client().get(question.get_absolute_url()).content.decode()
    assert "Official" in page and "in reply to Sam Osei" in page
    assert page.index("Try the account page.") < page.index("You can, until it ships.")


def test_quoting_starts_the_reply_with_the_quoted_text(sam_client, question):
    opening = question.messages.get(is_opening=True)
    page = sam_client.get(question.get_absolute_url(), {"quote": opening.pk}).content.decode()
    assert "&gt; **Maria Keller** wrote:\n&gt; I moved last week." in page
    assert f'name="reply_to" value="{opening.pk}"' in page


def test_a_reply_over_htmx_comes_back_as_the_new_message(sam_client, sam, question):
    _reply(question, sam, "An earlier reply of Sam's, so the next one is not held.")
    response = sam_client.post(
        reverse("community:reply", args=[question.slug]),
        {"body": "Another *thought*"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"<em>thought</em>" in response.content and b'id="reply-form"' in response.content


def test_live_updates_send_only_newer_visible_replies(sam, maria, question):
    anon = Client()
    url = reverse("community:updates", args=[question.slug])
    assert anon.get(url, {"after": 0}).status_code == 204
    first = _reply(question, sam, "First reply")
    response = anon.get(url, {"after": 0})
    assert response.status_code == 200 and b"First reply" in response.content
    assert anon.get(url, {"after": first.pk}).status_code == 204
    hidden = _reply(question, sam, "Hidden reply")
    Message.objects.filter(pk=hidden.pk).update(moderation=Moderation.HIDDEN)
    assert anon.get(url, {"after": first.pk}).status_code == 204
    assert anon.get(url, {"after": "x"}).status_code == 400


def test_a_locked_topic_takes_no_replies_and_a_closed_one_only_from_staff(
    sam_client, alex_client, question
):
    Conversation.objects.filter(pk=question.pk).update(comments_open=False)
    url = reverse("community:reply", args=[question.slug])
    refused = sam_client.post(url, {"body": "Me too"})
    assert refused.status_code == 400 and b"closed" in refused.content
    assert alex_client.post(url, {"body": "Staff note for all"}).status_code == 302
    Conversation.objects.filter(pk=question.pk).update(locked=True)
    locked = alex_client.post(url, {"body": "Another"})
    assert locked.status_code == 400 and b"locked" in locked.content
    assert question.messages.filter(body_md__in=["Me too", "Another"]).count() == 0


# --- Accepted answers ----------------------------------------------------------------------------


def test_the_asker_accepts_a_customers_answer_and_it_counts_as_answered(
    maria_client, sam, question
):
    opening = question.messages.get(is_opening=True)
    answer = _reply(question, sam, "Yes: Account, Orders, Change address.")
    assert answer.response_state == ResponseState.AWAITING
    response = maria_client.post(
        reverse("community:accept", args=[question.slug]), {"message": answer.pk}
    )
    assert response.status_code == 302
    question_row = Question.objects.get(pk=question.pk)
    assert question_row.accepted_answer == answer
    opening.refresh_from_db()
    answer.refresh_from_db()
    assert opening.response_state == ResponseState.ANSWERED and opening.answered_by == answer
    assert answer.response_state == ResponseState.NO_REPLY_NEEDED
    page = Client().get(question.get_absolute_url()).content.decode()
    assert "Answered by the community" in page and "Solved" in page


def test_with_the_setting_off_an_accepted_customer_answer_leaves_the_question_waiting(
    maria, sam, question, settings
):
    settings.COMMUNITY_ACCEPTED_ANSWER_COUNTS = False
    answer = _reply(question, sam, "Ring them.")
    community_services.accept_answer(question, answer, by=maria)
    opening = question.messages.get(is_opening=True)
    assert opening.response_state == ResponseState.AWAITING


def test_staff_accept_an_official_answer(alex, alex_client, question):
    answer = services.post_comment(question, author=alex.person, body_md="Yes, in your account.")
    alex_client.post(reverse("community:accept", args=[question.slug]), {"message": answer.pk})
    page = Client().get(question.get_absolute_url()).content.decode()
    assert "Official answer" in page
    assert question.messages.get(is_opening=True).response_state == ResponseState.ANSWERED


def test_nobody_else_accepts_an_answer_on_someone_elses_question(sam_client, sam, question):
    answer = _reply(question, sam, "Pick me!")
    response = sam_client.post(
        reverse("community:accept", args=[question.slug]), {"message": answer.pk}
    )
    assert response.status_code == 400
    assert b"Only the person who asked, or staff" in response.content
    assert Question.objects.get(pk=question.pk).accepted_answer is None


def test_the_asker_cannot_accept_their_own_reply(maria_client, maria, question):
    own = _reply(question, maria, "Never mind, found it myself.")
    response = maria_client.post(
        reverse("community:accept", args=[question.slug]), {"message": own.pk}
    )
    assert response.status_code == 400
    assert Question.objects.get(pk=question.pk).accepted_answer is None


def test_an_accepted_answer_can_be_taken_back(maria, maria_client, sam, question):
    answer = _reply(question, sam, "Answer")
    community_services.accept_answer(question, answer, by=maria)
    maria_client.post(reverse("community:accept", args=[question.slug]), {"action": "unaccept"})
    assert Question.objects.get(pk=question.pk).accepted_answer is None


def test_discussions_have_no_accepted_answers(maria, sam, discussion):
    reply = _reply(discussion, sam, "Nice")
    with pytest.raises(services.PostingError):
        community_services.accept_answer(discussion, reply, by=maria)


def test_a_question_page_carries_qapage_markup_safely(maria, sam, deliveries, mona):
    conversation = community_services.start_topic(
        kind=Kind.QUESTION,
        author=maria.person,
        title="Why </script><script>alert(1)</script> in my order?",
        body_md="Weird text & <b>tags</b>",
    )
    services.approve(conversation.messages.get(), by=mona)
    conversation.refresh_from_db()
    answer = _reply(conversation, sam, "A template bug, probably.")
    community_services.accept_answer(conversation, answer, by=maria)
    page = Client().get(conversation.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@type"] == "QAPage"
    assert data["mainEntity"]["name"].startswith("Why </script>")
    assert data["mainEntity"]["acceptedAnswer"]["text"] == "A template bug, probably."
    assert data["mainEntity"]["answerCount"] == 1


# --- Lists ------------------------------------------------------------------------------------


def test_the_unanswered_list_shows_questions_without_replies(sam, question, maria, deliveries):
    other = community_services.start_topic(
        kind=Kind.QUESTION, author=maria.person, title="Gift wrapping?", body_md="Do you?"
    )
    services.approve(other.messages.get(), by=maria)
    _reply(question, sam, "A reply")
    page = Client().get(reverse("community:questions"), {"show": "unanswered"}).content.decode()
    assert "Gift wrapping?" in page and question.title not in page
    assert Client().get(reverse("community:questions"), {"show": "nope"}).status_code == 404


def test_category_filter_and_unknown_category(client, question, discussion):
    page = client.get(reverse("community:home"), {"category": "deliveries"}).content.decode()
    assert question.title in page and discussion.title in page
    assert client.get(reverse("community:home"), {"category": "nope"}).status_code == 404


def _topics(author, n, kind=Kind.QUESTION):
    for i in range(n):
        conversation = community_services.start_topic(
            kind=kind, author=author.person, title=f"Topic number {i}", body_md="Body"
        )
        services.approve(conversation.messages.get(), by=author)


@pytest.mark.parametrize(
    "url",
    ["/community/", "/community/discussions/", "/community/questions/",
     "/community/questions/?show=unanswered"],
)  # fmt: skip
def test_community_lists_are_constant(client, lionel, maria, url):
    _topics(maria, 2)
    _topics(maria, 1, Kind.DISCUSSION)
    few = count_queries(client, url)
    _topics(maria, 12)
    _topics(maria, 6, Kind.DISCUSSION)
    many = count_queries(client, url)
    assert few == many


def test_the_topic_page_is_constant_in_replies(client, question, lionel):
    people = [make_customer(f"c{i}@example.com", f"Customer {i}") for i in range(12)]
    for person in people[:2]:
        _reply(question, person, "A reply")
    few = count_queries(client, question.get_absolute_url())
    for person in people[2:]:
        _reply(question, person, "A reply")
    many = count_queries(client, question.get_absolute_url())
    assert few == many


# --- Every customer message waits for a response -----------------------------------------------


def test_community_posts_reach_the_staff_queue(alex_client, sam, question):
    _reply(question, sam, "Same question here, order 3003.")
    queue = alex_client.get(reverse("inbox:queue")).content.decode()
    assert question.title in queue


def test_following_a_topic(sam_client, sam, question):
    url = reverse("community:follow", args=[question.slug])
    sam_client.post(url)
    assert question.subscriptions.filter(person=sam.person).exists()
    sam_client.post(url, {"action": "unfollow"})
    assert not question.subscriptions.filter(person=sam.person).exists()


def test_merged_topics_redirect_to_where_they_went(alex, question, maria, mona):
    other = community_services.start_topic(
        kind=Kind.QUESTION, author=maria.person, title="Address change again", body_md="Same"
    )
    services.approve(other.messages.get(), by=mona)
    from conversations.cases import merge_conversations

    merge_conversations(other, question, by=alex)
    response = Client().get(other.get_absolute_url())
    assert response.status_code == 301 and response["Location"] == question.get_absolute_url()


def test_message_permalinks_lead_to_the_topic(sam, question):
    reply = _reply(question, sam, "Permalinked")
    response = Client().get(reverse("blog:message", args=[reply.pk]))
    assert response["Location"] == f"{question.get_absolute_url()}#m{reply.pk}"


def test_articles_are_not_community_topics(client, article):
    assert client.get(reverse("community:topic", args=[article.slug])).status_code == 404
