"""The demo company: complete enough to show every part of Openline, loaded only once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.utils import timezone

from accounts.models import Identity, IdentityKind, Person, Role, User
from conversations.models import (
    Category,
    Conversation,
    Kind,
    KnownIssue,
    KnownIssueStatus,
    Label,
    Message,
    Moderation,
    ResponseState,
    StatusUpdate,
    Subscription,
)
from openline.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.django_db

MODELS = (User, Person, Identity, Category, Label, Conversation, Message, StatusUpdate)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def customer_messages():
    return Message.objects.exclude(response_state=ResponseState.NOT_APPLICABLE)


def test_demo_command_loads_a_whole_company_once(django_capture_on_commit_callbacks, mailoutbox):
    # One load for every check: it takes a few seconds. Commit hooks run, as in real use.
    output = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=output)
    assert "Loaded Larder & Ladle" in output.getvalue()
    assert DEMO_PASSWORD in output.getvalue()
    now = timezone.now()

    posts = Conversation.objects.published().blog()
    assert 18 <= posts.count() <= 24
    assert posts.filter(kind=Kind.ARTICLE).count() >= 8
    assert not posts.filter(published_at__lt=now - timezone.timedelta(days=62)).exists()

    # Known issues in every state, each with a timeline; one open promise broken, others kept.
    issues = list(KnownIssue.objects.all())
    assert {issue.status for issue in issues} == set(KnownIssueStatus.values)
    assert all(issue.updates.exists() for issue in issues)
    open_issues = [issue for issue in issues if issue.is_open]
    assert any(issue.update_overdue(now) for issue in open_issues)
    assert any(issue.next_update_due > now for issue in open_issues)
    for issue in issues:
        if issue.status == KnownIssueStatus.RESOLVED:
            assert issue.resolved_at is not None and issue.next_update_due is None

    # Hundreds of customer comments: most answered or closed, a queue waiting, a few held.
    comments = customer_messages()
    assert 300 <= comments.count() <= 500
    by_state = {state: comments.filter(response_state=state).count() for state in ResponseState}
    assert by_state[ResponseState.ANSWERED] >= 0.4 * comments.count()
    assert by_state[ResponseState.NO_REPLY_NEEDED] >= 20
    assert 15 <= by_state[ResponseState.AWAITING] <= 80
    assert 3 <= comments.filter(moderation=Moderation.HELD).count() <= 10
    assert comments.values("author").distinct().count() >= 80

    # Every message scored, every customer message in a topic, in every tone.
    import analysis
    from conversations.models import Topic

    assert not Message.objects.exclude(analysed_with=analysis.version()).exists()
    # (a message with no topic-bearing word, such as "Thanks!", joins none)
    assert comments.filter(topic__isnull=True).count() <= 0.1 * comments.count()
    assert 5 <= Topic.objects.filter(size__gt=0).count() <= 80
    assert set(comments.values_list("sentiment", flat=True)) == {"negative", "neutral", "positive"}
    assert {"question", "complaint", "praise"} <= set(comments.values_list("intent", flat=True))
    assert "topics." in output.getvalue()

    # Nothing before its post, nothing in the future, no answer before its question.
    replies = Message.objects.filter(is_opening=False)
    assert not replies.filter(created_at__lt=F("conversation__published_at")).exists()
    assert not Message.objects.filter(created_at__gt=now).exists()
    assert not StatusUpdate.objects.filter(created_at__gt=now).exists()
    assert not comments.filter(answered_at__lt=F("created_at")).exists()

    # Staff answer customers by first name.
    official = replies.filter(official=True).select_related("reply_to__author")
    assert official.count() >= 100
    for reply in official:
        assert reply.reply_to.author.first_name in reply.body_md

    # A person behind every role, with a title, and a guest author with a bio.
    staff = Person.objects.filter(is_staff_member=True).select_related("user")
    assert {person.user.role for person in staff} == set(Role.values) - {Role.CUSTOMER}
    assert all(person.title for person in staff)
    assert Person.objects.filter(is_guest_author=True).exclude(bio="").exists()

    # The desk: teams, e-mail cases waiting, and resolved ones with an outcome and a rating.
    from satisfaction.models import Survey

    emails = Conversation.objects.filter(kind="email")
    assert emails.filter(opened_at__isnull=False, team__name="Deliveries").exists()
    resolved = emails.filter(resolved_at__isnull=False).values_list("outcome__stance", flat=True)
    assert set(resolved) == {"conceded", "held"}
    assert sorted(Survey.objects.values_list("score", flat=True)) == [2, 5]

    # The listening post: mentions from elsewhere, those that need an answer in the queue.
    from listening.models import Mention, Source

    mentions = Mention.objects.select_related("message")
    assert mentions.count() == 8
    assert mentions.filter(message__response_state="awaiting").count() >= 3
    job_post = mentions.get(external_id="demo-6")
    assert job_post.message.response_state == "no_reply"
    assert job_post.inbox_reason == "query “Job posts” never sends to the inbox"
    assert mentions.get(external_id="demo-3").inbox_reason == "query “Refunds” sends every match"
    assert not Source.objects.filter(kind="feed", active=True).exists()  # never goes online

    # The community: questions solved by a customer and by staff, one waiting; voted ideas
    # with statuses; a FAQ with an entry promoted from a question.
    from community.models import FaqEntry, Idea, Question

    solved = Question.objects.filter(accepted_answer__isnull=False).select_related(
        "accepted_answer"
    )
    assert {q.accepted_answer.official for q in solved} == {True, False}
    assert Question.objects.filter(accepted_answer__isnull=True).exists()
    ideas = Idea.objects.select_related("status")
    assert all(idea.vote_count == idea.votes.count() for idea in ideas)
    assert {idea.status.slug for idea in ideas} >= {"under-review", "planned", "done"}
    assert FaqEntry.objects.filter(source__kind="question").count() == 1
    assert FaqEntry.objects.count() >= 4

    # Made-up addresses only, and not a single e-mail sent about the demo's past.
    addresses = list(User.objects.values_list("email", flat=True))
    # Reddit names (u/name) carry no domain.
    addresses += list(
        Identity.objects.exclude(kind=IdentityKind.REDDIT).values_list("value", flat=True)
    )
    assert all(address.endswith((".test", ".example")) for address in addresses)
    assert not Subscription.objects.exists()
    assert mailoutbox == []

    # Every published login works with the published password.
    for email, _ in DEMO_LOGINS:
        assert Client().login(username=email, password=DEMO_PASSWORD), email

    # The site shows it: home page, an overdue known issue, the staff queue.
    assert Client().get("/").status_code == 200
    overdue = next(issue for issue in open_issues if issue.update_overdue(now))
    response = Client().get(overdue.conversation.get_absolute_url())
    assert response.status_code == 200
    assert overdue.conversation.title in response.content.decode()
    agent = Client()
    agent.force_login(User.objects.get(email=DEMO_LOGINS[1][0]))
    assert agent.get("/staff/queue/").status_code == 200

    # Loading again changes nothing.
    before = row_counts()
    assert load_demo()["already_loaded"] is True
    again = StringIO()
    call_command("demo", stdout=again)
    assert "already loaded" in again.getvalue()
    assert row_counts() == before
