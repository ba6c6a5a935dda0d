"""The satisfaction follow-up: a survey per resolution, one-click scores, comments, summaries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Person
from accounts.services import add_identity
from conversations import services as conversations
from conversations.models import AuditEvent, Channel, Kind
from satisfaction import services, tasks
from satisfaction.models import COMMENT_MAX, Survey
from tests.browser.helpers import link_in
from tests.test_query_counts import count_queries

OLGA = "olga.berg@example.net"


@pytest.fixture
def olga(db):
    """A customer who only ever wrote by e-mail: no login, one address."""
    person = Person.objects.create(display_name="Olga Berg")
    add_identity(person, "email", OLGA)
    return person


def open_case(author: Person, title="My kettle arrived broken", kind=Kind.EMAIL):
    message = conversations.receive_private_message(
        conversation=None,
        author=author,
        title=title,
        body_md="The lid is cracked. Order 2210.",
        channel=Channel.EMAIL,
        kind=kind,
    )
    return message.conversation


@pytest.fixture
def resolve(django_capture_on_commit_callbacks):
    """Resolve a case as the resolve service does: fields set, then request_rating() inside
    the same transaction; the e-mail job runs on commit."""

    def _resolve(conversation, by, assignee=None):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            conversation.assignee = assignee
            conversation.resolved_at = timezone.now()
            conversation.resolved_by = by
            conversation.opened_at = None
            conversation.save(update_fields=["assignee", "resolved_at", "resolved_by", "opened_at"])
            return services.request_rating(conversation)

    return _resolve


@pytest.fixture
def case(olga):
    return open_case(olga)


@pytest.fixture
def survey(case, alex, priya, resolve):
    """Olga's case, assigned to Alex, resolved by Priya: a survey sent."""
    return resolve(case, priya, assignee=alex)


def survey_url(survey, suffix=""):
    return f"/satisfaction/{survey.token}/{suffix}"


# --- Asking ------------------------------------------------------------------------------


def test_resolving_sends_one_survey_with_five_one_click_links(survey, case, alex):
    (sent,) = mail.outbox
    assert sent.to == [OLGA]
    assert sent.subject == "How did we do? My kettle arrived broken"
    assert sent.body.startswith("Hi Olga,\n")
    assert '"My kettle arrived broken"' in sent.body
    assert sent.body.rstrip().splitlines()[-1].startswith("We ask once each time")
    assert "\nOpenline\n" in sent.body
    links = [link_in(sent.body, f"/satisfaction/{survey.token}/{n}/") for n in range(1, 6)]
    assert [link.rsplit("/", 2)[-2] for link in links] == ["1", "2", "3", "4", "5"]
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    stop_url = link_in(sent.body, f"/satisfaction/{survey.token}/stop/")
    assert sent.extra_headers["List-Unsubscribe"] == f"<{stop_url}>"
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert html.count(f"/satisfaction/{survey.token}/") >= 7
    survey.refresh_from_db()
    assert survey.conversation == case
    assert survey.person.display_name == "Olga Berg"
    assert survey.email == OLGA
    assert survey.agent == alex  # the assignee, not Priya who resolved it
    assert survey.resolved_at == case.resolved_at
    assert survey.sent_at is not None
    assert survey.score is None
    assert len(survey.token) >= 32


def test_the_agent_is_the_resolver_when_nobody_was_assigned(case, priya, resolve):
    assert resolve(case, priya).agent == priya


def test_the_same_resolution_is_never_asked_about_twice(survey, case, priya, resolve):
    with transaction.atomic():
        assert services.request_rating(case) == survey
    assert tasks.send_survey.call_local(survey.pk) is False  # the job, run again, sends nothing
    assert Survey.objects.count() == 1
    assert len(mail.outbox) == 1

    # Reopened and resolved again: a new resolution, a new survey.
    second = resolve(case, priya)
    assert second != survey
    assert Survey.objects.filter(conversation=case).count() == 2
    assert len(mail.outbox) == 2


def test_no_survey_without_an_email_address(alex, resolve):
    nameless = Person.objects.create(display_name="Someone on Mastodon")
    add_identity(nameless, "mastodon", "@someone@example.social")
    assert resolve(open_case(nameless), alex) is None
    assert not Survey.objects.exists()
    assert mail.outbox == []


def test_no_survey_when_switched_off(settings, case, alex, resolve):
    settings.SATISFACTION_SURVEYS = False
    assert resolve(case, alex) is None
    assert not Survey.objects.exists()
    assert mail.outbox == []


def test_no_survey_for_open_cases_blog_posts_or_staff(case, article, alex, resolve):
    with transaction.atomic():
        assert services.request_rating(case) is None  # not resolved
    assert resolve(article, alex) is None  # comments on posts are not cases
    assert resolve(open_case(alex.person), alex) is None  # staff do not rate themselves
    assert not Survey.objects.exists()


def test_a_question_goes_to_the_account_address_an_email_to_the_one_written_from(
    maria, alex, resolve
):
    add_identity(maria.person, "email", "maria.home@example.org")
    question = open_case(maria.person, title="Gift cards?", kind=Kind.QUESTION)
    assert resolve(question, alex).email == "maria@example.com"
    assert resolve(open_case(maria.person), alex).email == "maria.home@example.org"


def test_a_survey_sent_after_surveys_are_switched_off_is_not_sent(settings, olga, alex):
    conversation = open_case(olga)
    conversation.resolved_at, conversation.resolved_by = timezone.now(), alex
    with transaction.atomic():  # the job is not run: nothing captures on_commit
        queued = services.request_rating(conversation)
    settings.SATISFACTION_SURVEYS = False
    assert tasks.send_survey.call_local(queued.pk) is False
    assert mail.outbox == []


def test_a_customer_known_by_address_only_is_greeted_without_it(alex, resolve):
    person = Person.objects.create(display_name="k.tanaka@example.jp")
    add_identity(person, "email", "k.tanaka@example.jp")
    resolve(open_case(person), alex)
    assert mail.outbox[0].body.startswith("Hi,\n")


def test_the_real_resolve_service_asks_once(
    case, alex, outcomes, django_capture_on_commit_callbacks
):
    from conversations import cases

    outcome = outcomes["Fixed"]
    with django_capture_on_commit_callbacks(execute=True):
        cases.resolve(case, by=alex, outcome=outcome)
    (survey,) = Survey.objects.filter(conversation=case)
    assert survey.agent == alex
    assert len(mail.outbox) == 1


# --- Answering: the one-click link -------------------------------------------------------


def test_one_click_records_the_score_and_thanks(client, survey):
    page = client.get(survey_url(survey, "4/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thank you!" in html
    assert "My kettle arrived broken" in html
    assert "4 out of 5" in html
    assert 'name="comment"' in html
    assert page["Cache-Control"].startswith("max-age=0")
    survey.refresh_from_db()
    assert survey.score == 4
    assert survey.answered_at is not None
    (event,) = AuditEvent.objects.filter(verb="rated")
    assert event.conversation_id == survey.conversation_id
    assert event.actor is None
    assert event.detail == {"score": 4, "before": None}


def test_clicking_the_same_score_again_changes_nothing(client, survey):
    client.get(survey_url(survey, "5/"))
    client.get(survey_url(survey, "5/"))
    assert AuditEvent.objects.filter(verb="rated").count() == 1


def test_the_score_can_be_changed_for_14_days(client, survey):
    client.get(survey_url(survey, "2/"))
    with time_machine.travel(survey.created_at + timedelta(days=13, hours=23), tick=False):
        assert client.get(survey_url(survey, "5/")).status_code == 200
    survey.refresh_from_db()
    assert survey.score == 5
    details = [e.detail for e in AuditEvent.objects.filter(verb="rated").order_by("at", "id")]
    assert details == [{"score": 2, "before": None}, {"score": 5, "before": 2}]


def test_after_14_days_the_survey_is_closed(client, survey):
    client.get(survey_url(survey, "3/"))
    with time_machine.travel(survey.created_at + timedelta(days=14, seconds=1), tick=False):
        page = client.get(survey_url(survey, "1/"))
        assert page.status_code == 410
        assert "This survey closed on" in page.content.decode()
        with pytest.raises(services.SurveyClosed):
            services.add_comment(survey.token, "Too late?")
        page = client.post(survey_url(survey, "comment/"), {"comment": "Too late?"})
        assert page.status_code == 410
        # The survey page still shows the answer, without the links or the form.
        html = client.get(survey_url(survey)).content.decode()
        assert "3 out of 5" in html and 'name="comment"' not in html
        assert survey_url(survey, "1/") not in html
    survey.refresh_from_db()
    assert survey.score == 3
    assert AuditEvent.objects.filter(verb="rated").count() == 1


def test_a_first_answer_after_14_days_is_refused_too(survey):
    closed = pytest.raises(services.SurveyClosed, match="answers are taken for 14 days")
    with time_machine.travel(survey.created_at + timedelta(days=15), tick=False), closed:
        services.rate(survey.token, 5)


@pytest.mark.parametrize("score", [0, 6, 99])
def test_a_score_out_of_range_is_a_400_with_a_clear_message(client, survey, score):
    page = client.get(survey_url(survey, f"{score}/"))
    assert page.status_code == 400
    assert "choose a number from 1 to 5" in page.content.decode()
    assert client.head(survey_url(survey, f"{score}/")).status_code == 400
    survey.refresh_from_db()
    assert survey.score is None


def test_unknown_tokens_are_404(client, survey):
    assert client.get("/satisfaction/not-a-token/3/").status_code == 404
    assert client.get("/satisfaction/not-a-token/9/").status_code == 404
    assert client.get("/satisfaction/not-a-token/").status_code == 404
    assert client.post("/satisfaction/not-a-token/comment/", {"comment": "Hi"}).status_code == 404
    assert client.get("/satisfaction/not-a-token/stop/").status_code == 404
    assert client.post("/satisfaction/not-a-token/stop/").status_code == 404
    with pytest.raises(services.UnknownSurvey):
        services.rate("not-a-token", 3)
    with pytest.raises(services.UnknownSurvey):
        services.add_comment("", "Hello")


def test_head_records_nothing(client, survey):
    page = client.head(survey_url(survey, "1/"))
    assert page.status_code == 200
    survey.refresh_from_db()
    assert survey.score is None
    assert not AuditEvent.objects.filter(verb="rated").exists()


def test_wrong_methods(client, survey):
    assert client.post(survey_url(survey, "5/")).status_code == 405
    assert client.post(survey_url(survey)).status_code == 405
    assert client.get(survey_url(survey, "comment/")).status_code == 405
    assert client.put(survey_url(survey, "stop/")).status_code == 405
    survey.refresh_from_db()
    assert survey.score is None


# --- Answering: the comment ----------------------------------------------------------------


def test_a_comment_is_stored_and_shown(client, survey):
    client.get(survey_url(survey, "2/"))
    response = client.post(
        survey_url(survey, "comment/"), {"comment": "  The courier was rude.  "}, follow=True
    )
    assert response.redirect_chain == [(survey_url(survey), 302)]
    html = response.content.decode()
    assert "Thank you: your comment is saved." in html
    assert "The courier was rude." in html
    survey.refresh_from_db()
    assert survey.comment == "The courier was rude."
    assert survey.score == 2


def test_the_comment_form_is_csrf_protected(survey):
    strict = Client(enforce_csrf_checks=True)
    strict.get(survey_url(survey, "4/"))
    assert strict.post(survey_url(survey, "comment/"), {"comment": "Hi"}).status_code == 403
    page = strict.get(survey_url(survey))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = strict.post(
        survey_url(survey, "comment/"), {"comment": "Quick, thanks", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_a_comment_is_length_limited(client, survey):
    client.get(survey_url(survey, "3/"))
    page = client.post(survey_url(survey, "comment/"), {"comment": "x" * (COMMENT_MAX + 1)})
    assert page.status_code == 400
    assert f"at most {COMMENT_MAX} characters" in page.content.decode()
    with pytest.raises(services.RatingError, match="the limit is 2,000"):
        services.add_comment(survey.token, "x" * (COMMENT_MAX + 1))
    assert client.post(survey_url(survey, "comment/"), {"comment": "   "}).status_code == 400
    with pytest.raises(services.RatingError, match="write something"):
        services.add_comment(survey.token, "\x00 ")
    survey.refresh_from_db()
    assert survey.comment == ""


def test_a_comment_needs_a_score_first(client, survey):
    page = client.post(survey_url(survey, "comment/"), {"comment": "Hello?"})
    assert page.status_code == 400
    assert "choose a score from 1 to 5 first" in page.content.decode()
    assert 'name="comment"' not in client.get(survey_url(survey)).content.decode()


def test_comments_are_rate_limited(settings, client, survey):
    settings.COMMENT_RATE_LIMIT = "2/m"
    client.get(survey_url(survey, "5/"))
    for text in ("One", "Two"):
        assert client.post(survey_url(survey, "comment/"), {"comment": text}).status_code == 302
    page = client.post(survey_url(survey, "comment/"), {"comment": "Three"})
    assert page.status_code == 429
    assert "Too many posts" in page.content.decode()
    survey.refresh_from_db()
    assert survey.comment == "Two"


# --- Stopping ---------------------------------------------------------------------------------


def test_the_stop_link_asks_then_stops_future_surveys(client, survey, case, priya, resolve):
    page = client.get(survey_url(survey, "stop/"))
    assert page.status_code == 200
    assert '<button type="submit">Don' in page.content.decode()
    assert client.head(survey_url(survey, "stop/")).status_code == 200
    survey.refresh_from_db()
    assert survey.stopped_at is None

    # Mail clients' one-click unsubscribe is a POST without a CSRF token.
    strict = Client(enforce_csrf_checks=True)
    page = strict.post(survey_url(survey, "stop/"), {"List-Unsubscribe": "One-Click"})
    assert page.status_code == 200
    assert f"we will not ask {OLGA} for a rating again" in page.content.decode()
    survey.refresh_from_db()
    assert survey.stopped_at is not None
    assert services.stop_surveys(survey.token).stopped_at == survey.stopped_at  # once is enough
    assert (
        "We will not ask you for a rating again." in client.get(survey_url(survey)).content.decode()
    )
    assert "Done" in client.get(survey_url(survey, "stop/")).content.decode()

    assert resolve(case, priya) is None
    # The address stays stopped under another name too (a second Person, same address).
    twin = Person.objects.create(display_name="O. Berg")
    assert resolve(open_case(twin), priya) is None
    assert len(mail.outbox) == 1


# --- Reading -------------------------------------------------------------------------------


def test_ratings_and_averages_per_agent_and_conversation(olga, maria, alex, priya, resolve):
    first = open_case(olga)
    ratings = [
        (resolve(first, priya, assignee=alex), 5),
        (resolve(open_case(olga), alex), 3),
        (resolve(open_case(maria.person), priya), 2),
    ]
    unanswered = resolve(first, priya, assignee=alex)
    for survey, score in ratings:
        services.rate(survey.token, score)
    services.add_comment(ratings[0][0].token, "Quick and kind.")

    assert services.summary_for_agent(alex) == services.RatingSummary(count=2, average=4.0)
    assert services.summary_for_agent(priya) == services.RatingSummary(count=1, average=2.0)
    assert services.summary_for_conversation(first) == services.RatingSummary(1, 5.0)
    later = timezone.now() + timedelta(hours=1)
    assert services.summary_for_agent(alex, since=later) == services.RatingSummary(0, None)
    assert services.summary_for_agent(alex, until=later).count == 2
    assert services.agent_summary() == [
        services.AgentRating(agent_id=alex.pk, name="Alex R.", count=2, average=4.0),
        services.AgentRating(agent_id=priya.pk, name="Priya S.", count=1, average=2.0),
    ]
    assert services.agent_summary(since=later) == []

    on_first = services.ratings_for_conversation(first)
    assert on_first == [unanswered, ratings[0][0]]  # newest first, unanswered included
    assert [s.conversation for s in services.ratings_for_person(olga)] == [
        first,
        ratings[1][0].conversation,
        first,
    ]
    assert services.ratings_for_person(olga, limit=1) == [unanswered]


def test_the_staff_partial_shows_score_comment_agent_and_date(olga, alex, priya, resolve):
    survey = resolve(open_case(olga), priya, assignee=alex)
    services.rate(survey.token, 2)
    services.add_comment(survey.token, "Nobody <b>called</b> back.")
    resolve(survey.conversation, priya)  # asked again, not answered yet
    ratings = services.ratings_for_conversation(survey.conversation)
    with CaptureQueriesContext(connection) as ctx:
        html = render_to_string("satisfaction/_conversation_ratings.html", {"ratings": ratings})
        on_profile = render_to_string(
            "satisfaction/_conversation_ratings.html",
            {"ratings": services.ratings_for_person(olga), "show_conversation": True},
        )
    assert len(ctx.captured_queries) == 1  # the profile's list; the partial itself asks nothing
    assert "★★☆☆☆" in html and "2/5" in html and "Poor" in html
    assert "Nobody &lt;b&gt;called&lt;/b&gt; back." in html
    assert "Alex R." in html
    assert "<time datetime=" in html
    assert "no answer yet" in html
    assert f"/staff/conversations/{survey.conversation_id}/" in on_profile
    assert (
        render_to_string("satisfaction/_conversation_ratings.html", {"ratings": []}).strip() == ""
    )


def test_the_survey_page_costs_a_fixed_few_queries(client, survey, settings):
    settings.PAGE_CACHE_SECONDS = 0
    assert count_queries(client, survey_url(survey)) <= 1
    client.get(survey_url(survey, "4/"))
    services.add_comment(survey.token, "Fine.")
    assert count_queries(client, survey_url(survey)) <= 1
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(survey_url(survey, "5/")).status_code == 200
    assert len(ctx.captured_queries) <= 5  # savepoint, lock, save, audit, release


def test_admins_see_surveys_read_only(ada_client, alex_client, survey):
    page = ada_client.get("/admin/satisfaction/survey/")
    assert page.status_code == 200
    assert OLGA in page.content.decode()
    assert ada_client.get(f"/admin/satisfaction/survey/{survey.pk}/change/").status_code == 200
    assert ada_client.get("/admin/satisfaction/survey/add/").status_code == 403
    assert alex_client.get("/admin/satisfaction/survey/").status_code == 302
