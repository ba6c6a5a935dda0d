"""The customer profile, staff notes about people, and merging two Persons."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.test.utils import isolate_apps
from django.urls import reverse

from accounts.access import find_people_for_staff, get_person_for_staff
from accounts.merge import MergeError, _links, _unique_rules, current_person, merge_persons
from accounts.models import NOTE_MAX, Identity, IdentityKind, Person, PersonNote, Team, User
from accounts.services import NoteError, add_identity, add_person_note
from conversations import services
from conversations.models import (
    AuditEvent,
    Channel,
    Conversation,
    Message,
    Sentiment,
    Subscription,
)
from inbox.people import Week, sentiment_by_week, sentiment_chart
from tests.conftest import make_customer
from tests.test_query_counts import count_queries


def profile(person) -> str:
    return reverse("inbox:person", args=[person.pk])


def email_from(person, *, title="Parcel 1042", body="Where is my parcel?", at=None, **fields):
    """A customer e-mail opening a private conversation; `fields` are set on the message."""
    message = services.receive_private_message(
        conversation=None, author=person, title=title, body_md=body, channel=Channel.EMAIL, at=at
    )
    if fields:
        Message.objects.filter(pk=message.pk).update(**fields)
        message.refresh_from_db()
    return message


@pytest.fixture
def duplicate(db):
    """Maria again: the e-mail sender the inbox met before she signed up."""
    person = Person.objects.create(display_name="M. Keller")
    add_identity(person, IdentityKind.EMAIL, "m.keller@example.net")
    return person


def state() -> dict:
    """Everything a merge could change, to show a refused merge changed nothing."""
    return {
        "people": sorted(Person.objects.values_list("pk", "user_id", "merged_into_id")),
        "identities": sorted(Identity.objects.values_list("pk", "person_id")),
        "conversations": sorted(Conversation.objects.values_list("pk", "author_id")),
        "messages": sorted(Message.objects.values_list("pk", "author_id")),
        "subscriptions": sorted(Subscription.objects.values_list("pk", "person_id")),
        "notes": sorted(PersonNote.objects.values_list("pk", "person_id")),
        "audit": AuditEvent.objects.count(),
    }


# --- Merging ------------------------------------------------------------------------------


def test_merge_moves_identities_history_subscriptions_and_notes(
    alex, maria, duplicate, known_issue, article, maria_comment
):
    mail = email_from(duplicate)
    comment = services.post_comment(known_issue, author=duplicate, body_md="Me again")
    # Both follow the known issue; only the duplicate follows the article.
    assert Subscription.objects.filter(conversation=known_issue).count() == 2
    services.subscribe(article, duplicate)
    note = add_person_note(duplicate, by=alex, body="Rings every morning.")
    older = Person.objects.create(display_name="Maria K.", merged_into=duplicate)
    version = Conversation.objects.get(pk=known_issue.pk).thread_version

    kept = merge_persons(duplicate, maria.person, by=alex)

    assert kept == maria.person
    assert sorted(kept.identities.values_list("value", flat=True)) == [
        "m.keller@example.net",
        "maria@example.com",
    ]
    assert Message.objects.get(pk=mail.pk).author == kept
    assert Conversation.objects.get(pk=mail.conversation_id).author == kept
    assert Message.objects.get(pk=comment.pk).author == kept
    assert Message.objects.get(pk=maria_comment.pk).author == kept
    assert Subscription.objects.filter(conversation=known_issue, person=kept).count() == 1
    assert Subscription.objects.filter(conversation=article, person=kept).exists()
    assert not Subscription.objects.filter(person=duplicate).exists()
    assert PersonNote.objects.get(pk=note.pk).person == kept
    assert Person.objects.get(pk=older.pk).merged_into == kept  # no chain left behind
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
    assert duplicate.display_name == "M. Keller"
    assert kept.user == maria  # her login stays hers
    # Cached threads showed the old name.
    assert Conversation.objects.get(pk=known_issue.pk).thread_version == version + 1
    event = AuditEvent.objects.get(verb="merged people")
    assert event.actor == alex
    assert event.detail["source"] == duplicate.pk and event.detail["into"] == kept.pk
    assert event.detail["moved"]["conversations.message"] == 2


def test_a_login_moves_to_the_person_kept(alex, duplicate):
    sam = make_customer("sam@example.com", "Sam Osei")
    email_from(sam.person)
    source = sam.person

    kept = merge_persons(source, duplicate, by=alex)

    source.refresh_from_db()
    assert kept == duplicate and source.user is None
    assert User.objects.get(pk=sam.pk).person == duplicate
    assert set(duplicate.identities.values_list("value", flat=True)) == {
        "m.keller@example.net",
        "sam@example.com",
    }
    assert AuditEvent.objects.get(verb="merged people").detail["moved"]["login"] == sam.pk


def test_merging_into_a_merged_person_follows_the_chain(alex, maria, duplicate, sam):
    third = Person.objects.create(display_name="Mrs Keller")
    merge_persons(duplicate, maria.person, by=alex)
    assert merge_persons(third, duplicate, by=alex) == maria.person
    third.refresh_from_db()
    assert third.merged_into == maria.person
    assert current_person(third) == maria.person


def test_current_person_stops_at_a_loop(db):
    a = Person.objects.create(display_name="A")
    b = Person.objects.create(display_name="B", merged_into=a)
    Person.objects.filter(pk=a.pk).update(merged_into=b)
    a.refresh_from_db()
    with pytest.raises(MergeError, match="loop"):
        current_person(a)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("self", "cannot be merged with themselves"),
        ("staff", "is a member of staff and Maria Keller is not"),
        ("both logins", "both sign in with their own login"),
        ("already merged", "was already merged into"),
        ("into merged into source", "M. Keller was already merged into Sam Osei"),
        ("customer", "Only staff"),
        ("anonymous", "Only staff"),
    ],
)
def test_refused_merges_change_nothing(case, message, alex, maria, sam, duplicate, known_issue):
    email_from(duplicate)
    services.subscribe(known_issue, duplicate)
    source, into, by = duplicate, maria.person, alex
    if case == "self":
        into = duplicate
    elif case == "staff":
        source = Person.objects.create(display_name="Alex (old)", is_staff_member=True)
    elif case == "both logins":
        source = sam.person
    elif case == "already merged":
        merge_persons(duplicate, sam.person, by=alex)
    elif case == "into merged into source":
        source, into = sam.person, duplicate
        Person.objects.filter(pk=duplicate.pk).update(merged_into=sam.person)
        duplicate.refresh_from_db()
    elif case == "customer":
        by = maria
    else:
        by = AnonymousUser()
    before = state()
    with pytest.raises(MergeError, match=message):
        merge_persons(source, into, by=by)
    assert state() == before


def test_a_clash_on_a_link_that_is_not_deleted_with_the_person_refuses(
    alex, maria, duplicate, known_issue
):
    """Messages are never dropped: the same form key on both cannot be merged away."""
    email_from(maria.person, idempotency_key="k1")
    email_from(duplicate, idempotency_key="k1")
    before = state()
    with pytest.raises(MergeError, match="message that may exist only once per person"):
        merge_persons(duplicate, maria.person, by=alex)
    assert state() == before


def test_every_link_to_a_person_is_found_with_its_unique_rules(db):
    links = {(model._meta.label, field.name): cascades for model, field, cascades in _links(Person)}
    assert links[("conversations.Message", "author")] is False
    assert links[("conversations.Subscription", "person")] is True
    assert links[("accounts.PersonNote", "person")] is True
    assert links[("accounts.Identity", "person")] is True
    subscription = Subscription._meta.get_field("person")
    ((others, condition, _),) = _unique_rules(Subscription, subscription)
    assert [o.name for o in others] == ["conversation"] and condition is None
    # Identity's (kind, value) is unique across everyone, so it never clashes in a merge.
    assert _unique_rules(Identity, Identity._meta.get_field("person")) == []
    # A one-to-one and a many-to-many table (seen here on User, which has both).
    assert _unique_rules(Person, Person._meta.get_field("user")) == [([], None, True)]
    through = Team.members.through
    assert (through, through._meta.get_field("user"), True) in _links(User)
    ((others, _, _),) = _unique_rules(through, through._meta.get_field("user"))
    assert [o.name for o in others] == ["team"]


@pytest.mark.parametrize("which", ["source", "into"])
def test_a_person_deleted_meanwhile_is_not_merged(alex, which):
    source = Person.objects.create(display_name="Source")
    into = Person.objects.create(display_name="Into")
    Person.objects.filter(pk=(source if which == "source" else into).pk).delete()
    with pytest.raises(MergeError, match="no longer exists"):
        merge_persons(source, into, by=alex)


def test_a_person_merged_away_meanwhile_is_not_merged_into(alex, maria, sam, monkeypatch):
    target = Person.objects.create(display_name="Target")
    merge_persons(target, sam.person, by=alex)
    # As if the merge above had committed between looking up the chain and locking.
    monkeypatch.setattr("accounts.merge.current_person", lambda person: person)
    with pytest.raises(MergeError, match="merged into someone else just now"):
        merge_persons(Person.objects.create(display_name="X"), target, by=alex)


@isolate_apps("tests")
def test_links_through_an_explicit_table_are_listed_once():
    class Club(models.Model):  # noqa: DJ008
        class Meta:
            app_label = "tests"

    class Member(models.Model):  # noqa: DJ008
        clubs = models.ManyToManyField(Club, through="Membership", related_name="members")

        class Meta:
            app_label = "tests"

    class Membership(models.Model):  # noqa: DJ008
        club = models.ForeignKey(Club, on_delete=models.PROTECT)
        member = models.ForeignKey(Member, on_delete=models.CASCADE)
        since = models.DateField()

        class Meta:
            app_label = "tests"
            unique_together = [("member", "since")]

    ((model, field, cascades),) = _links(Club)
    assert (model, field.name, cascades) == (Membership, "club", False)
    assert _unique_rules(Membership, field) == []  # its unique rule is about members


# --- Notes ---------------------------------------------------------------------------------


def test_add_person_note(alex, maria):
    note = add_person_note(maria.person, by=alex, body="  Prefers e-mail.\x00 ")
    assert (note.person, note.author, note.body) == (maria.person, alex, "Prefers e-mail.")


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "Please write something first."), ("x" * (NOTE_MAX + 1), "the limit is 2,000")],
)
def test_add_person_note_refuses_bad_input(alex, maria, body, message):
    with pytest.raises(NoteError, match=message):
        add_person_note(maria.person, by=alex, body=body)
    assert not PersonNote.objects.exists()


def test_only_staff_add_person_notes(maria, sam):
    with pytest.raises(NoteError, match="Only staff"):
        add_person_note(sam.person, by=maria, body="Nice")
    assert not PersonNote.objects.exists()


# --- Access ---------------------------------------------------------------------------------


def test_get_person_for_staff(alex, maria):
    assert get_person_for_staff(alex, maria.person.pk) == maria.person
    with pytest.raises(Http404):
        get_person_for_staff(alex, 10**30)
    with pytest.raises(Http404):
        get_person_for_staff(alex, 0)
    with pytest.raises(PermissionDenied):
        get_person_for_staff(maria, maria.person.pk)
    with pytest.raises(PermissionDenied):
        get_person_for_staff(AnonymousUser(), maria.person.pk)


def test_find_people_for_staff(alex, maria, sam, duplicate):
    def names(query):
        return [p.display_name for p in find_people_for_staff(alex, query)]

    assert names("M.KELLER@example") == ["M. Keller"]
    assert names("keller") == ["M. Keller", "Maria Keller"]
    assert names("sam@") == ["Sam Osei"]  # identity and login e-mail: found once
    assert names(f"#{sam.person.pk}") == ["Sam Osei"]
    assert names("")[:3] == ["M. Keller", "Sam Osei", "Maria Keller"]  # newest first
    merge_persons(duplicate, maria.person, by=alex)
    assert names("keller") == ["Maria Keller"]  # the merged-away profile is not offered
    with pytest.raises(PermissionDenied):
        find_people_for_staff(maria, "keller")


# --- Profile page --------------------------------------------------------------------------


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
def test_who_sees_a_profile(request, persona, status, sam):
    assert request.getfixturevalue(persona).get(profile(sam.person)).status_code == status


@pytest.mark.parametrize("name", ["inbox:person", "inbox:person_note", "inbox:person_merge"])
def test_anonymous_is_sent_to_sign_in(client, sam, name):
    url = reverse(name, args=[sam.person.pk])
    response = client.get(url) if name == "inbox:person" else client.post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_person_is_404(alex_client):
    assert alex_client.get("/staff/people/999999/").status_code == 404


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("post", "inbox:person"),
        ("get", "inbox:person_note"),
        ("get", "inbox:person_merge"),
        ("post", "inbox:people"),
    ],
)
def test_wrong_method(alex_client, sam, method, name):
    args = [] if name == "inbox:people" else [sam.person.pk]
    assert getattr(alex_client, method)(reverse(name, args=args)).status_code == 405


def test_profile_shows_who_they_are_and_everything_they_wrote(
    alex, alex_client, maria, maria_comment, known_issue
):
    mail = email_from(maria.person, title="Refund for order 77", sentiment=Sentiment.NEGATIVE)
    services.answer(maria_comment, by=alex, body_md="On its way.")
    add_identity(maria.person, IdentityKind.MASTODON, "@maria@social.example")
    add_person_note(maria.person, by=alex, body="Called twice about 1042.")

    html = alex_client.get(profile(maria.person)).content.decode()

    assert '<h1 class="page-title">Maria Keller</h1>' in html
    assert "E-mail: maria@example.com" in html and "Mastodon: maria@social.example" in html
    assert "Login: maria@example.com" in html
    assert f'href="/staff/conversations/{mail.conversation_id}/"' in html
    assert f'href="/staff/conversations/{known_issue.pk}/"' in html
    assert "Refund for order 77" in html and known_issue.title in html
    assert "2 conversations, on every channel" in html
    assert "E-mail</td>" in html and "Website</td>" in html
    assert "Waiting for an answer" in html and "answered" in html
    assert "Where is my parcel? Order 1042." in html  # her recent messages
    assert "sentiment-negative" in html
    assert "Called twice about 1042." in html and "Alex R." in html


def test_profile_of_a_merged_person_redirects_to_the_person_kept(alex, alex_client, maria, sam):
    first = Person.objects.create(display_name="M. K.")
    second = Person.objects.create(display_name="Maria K.")
    merge_persons(first, second, by=alex)
    merge_persons(second, maria.person, by=alex)
    response = alex_client.get(profile(first))
    assert response.status_code == 302 and response["Location"] == profile(maria.person)


def test_profile_shows_their_ratings(alex, alex_client, maria):
    from satisfaction.models import Survey

    first, second = email_from(maria.person), email_from(maria.person, title="Damaged box")
    for message, score, comment in [(first, 2, "Took a week."), (second, 5, "")]:
        Survey.objects.create(
            conversation=message.conversation,
            person=maria.person,
            agent=alex,
            email="maria@example.com",
            resolved_at=message.created_at,
            score=score,
            comment=comment,
        )
    html = alex_client.get(profile(maria.person)).content.decode()
    assert "Average <strong>3.5 of 5</strong> from 2 ratings" in html
    assert "★★☆☆☆" in html and "Poor" in html and "Took a week." in html
    assert f'href="/staff/conversations/{second.conversation_id}/">Damaged box<' in html


def test_surveys_move_in_a_merge(alex, maria, duplicate):
    from satisfaction.models import Survey

    message = email_from(duplicate)
    survey = Survey.objects.create(
        conversation=message.conversation,
        person=duplicate,
        email="m.keller@example.net",
        resolved_at=message.created_at,
    )
    merge_persons(duplicate, maria.person, by=alex)
    survey.refresh_from_db()
    assert survey.person == maria.person


def test_add_a_note_on_the_profile(alex, alex_client, maria):
    url = reverse("inbox:person_note", args=[maria.person.pk])
    response = alex_client.post(url, {"body": "Prefers a call back."})
    assert response.status_code == 302 and response["Location"] == profile(maria.person)
    note = PersonNote.objects.get()
    assert (note.person, note.author, note.body) == (maria.person, alex, "Prefers a call back.")
    assert "Prefers a call back." in alex_client.get(profile(maria.person)).content.decode()


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "This field is required."), ("x" * (NOTE_MAX + 1), "the limit is 2,000")],
)
def test_bad_note_is_400_and_stores_nothing(alex_client, maria, body, message):
    url = reverse("inbox:person_note", args=[maria.person.pk])
    response = alex_client.post(url, {"body": body})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PersonNote.objects.exists()


def test_customers_cannot_add_notes_or_merge(maria_client, sam, duplicate):
    before = state()
    note = maria_client.post(reverse("inbox:person_note", args=[sam.person.pk]), {"body": "Hi"})
    merge = maria_client.post(
        reverse("inbox:person_merge", args=[sam.person.pk]), {"duplicate": duplicate.pk}
    )
    assert note.status_code == merge.status_code == 403
    assert state() == before


def test_a_note_on_a_merged_away_profile_goes_to_the_person_kept(alex, alex_client, maria):
    old = Person.objects.create(display_name="M. K.")
    merge_persons(old, maria.person, by=alex)
    response = alex_client.post(reverse("inbox:person_note", args=[old.pk]), {"body": "Hi"})
    assert response["Location"] == profile(maria.person)
    assert PersonNote.objects.get().person == maria.person


def test_merge_from_the_profile(alex_client, maria, duplicate):
    email_from(duplicate)
    url = reverse("inbox:person_merge", args=[maria.person.pk])
    response = alex_client.post(url, {"duplicate": duplicate.pk}, follow=True)
    assert response.redirect_chain == [(profile(maria.person), 302)]
    html = response.content.decode()
    assert "Merged M. Keller into Maria Keller." in html
    assert "m.keller@example.net" in html and "maria@example.com" in html
    assert "Merged in: M. Keller" in html
    duplicate.refresh_from_db()
    assert duplicate.merged_into == maria.person


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "This field is required."),
        ("maria", "Enter a whole number."),
        ("999999", "Nobody has that profile number."),
        ("self", "cannot be merged with themselves"),
        ("sam", "both sign in with their own login"),
    ],
)
def test_bad_merge_is_400_and_changes_nothing(alex_client, maria, sam, value, message):
    value = {"self": maria.person.pk, "sam": sam.person.pk}.get(value, value)
    before = state()
    url = reverse("inbox:person_merge", args=[maria.person.pk])
    response = alex_client.post(url, {"duplicate": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state() == before


# --- People search -------------------------------------------------------------------------


def test_people_search_finds_by_email_and_offers_merging(alex_client, maria, duplicate, sam):
    html = alex_client.get("/staff/people/", {"q": "M.Keller@EXAMPLE.net"}).content.decode()
    assert "1 person matches" in html and profile(duplicate) in html
    assert "Merge" not in html
    url = reverse("inbox:person_merge", args=[maria.person.pk])
    html = alex_client.get(
        "/staff/people/", {"q": "keller", "into": maria.person.pk}
    ).content.decode()
    assert "Merge a duplicate into Maria Keller" in html
    assert f'action="{url}"' in html and f'name="duplicate" value="{duplicate.pk}"' in html
    results = html.split("<tbody>")[1]
    assert f'href="{profile(duplicate)}"' in results
    assert f'href="{profile(maria.person)}"' not in results  # never merged into herself


@pytest.mark.parametrize(
    ("persona", "query", "status"),
    [
        ("maria_client", {}, 403),
        ("alex_client", {"into": "x"}, 404),
        ("alex_client", {"into": "²"}, 404),
        ("alex_client", {"q": "#²"}, 200),
        ("alex_client", {"into": "999999"}, 404),
        ("alex_client", {"page": "9"}, 404),
        ("priya_client", {}, 200),
    ],
)
def test_people_search_refusals(request, sam, persona, query, status):
    response = request.getfixturevalue(persona).get("/staff/people/", query)
    assert response.status_code == status


# --- Sentiment over time --------------------------------------------------------------------


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def moods(settings, maria, sam):
    """Maria's scored e-mails over three weeks (weeks start on Monday 2, 9 and 16 March)."""
    settings.TIME_ZONE = "UTC"
    for when, sentiment, score in [
        (at(3), Sentiment.NEGATIVE, -0.8),
        (at(4), Sentiment.NEGATIVE, -0.4),
        (at(8, 23, 59), Sentiment.POSITIVE, 0.6),  # Sunday: still the first week
        (at(16, 0, 1), Sentiment.NEUTRAL, 0.0),  # Monday: the third week
        (at(17), Sentiment.NEUTRAL, None),  # labelled but without a score
        (at(22), Sentiment.POSITIVE, 0.9),
        (at(18), "", None),  # not scored yet: left out
    ]:
        email_from(maria.person, at=when, sentiment=sentiment, sentiment_score=score)
    email_from(sam.person, at=at(3), sentiment=Sentiment.POSITIVE, sentiment_score=1.0)
    return maria.person


def test_sentiment_by_week(moods):
    assert sentiment_by_week(moods) == [
        Week(date(2026, 3, 2), negative=2, neutral=0, positive=1, average=pytest.approx(-0.2)),
        Week(date(2026, 3, 9)),  # a quiet week counts zero
        Week(date(2026, 3, 16), negative=0, neutral=2, positive=1, average=pytest.approx(0.45)),
    ]
    assert [w.start.day for w in sentiment_by_week(moods, weeks=2)] == [9, 16]


def test_sentiment_by_week_in_the_sites_time_zone(moods, settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # Sunday 8 March 23:59 UTC is Monday morning there
    first, second, *_ = sentiment_by_week(moods)
    assert (first.negative, first.positive, second.start, second.positive) == (
        2,
        0,
        date(2026, 3, 9),
        1,
    )


def test_sentiment_chart_geometry(moods):
    chart = sentiment_chart(sentiment_by_week(moods))
    first, quiet, third = chart["bars"]
    assert chart["peak"] == 3 and chart["totals"] == {"negative": 2, "neutral": 2, "positive": 2}
    # 120 units for the peak of 3 messages, stacked from the baseline at 132.
    assert first.segments == [("negative", 52.0, 80.0, 2), ("positive", 12.0, 40.0, 1)]
    assert third.segments == [("neutral", 52.0, 80.0, 2), ("positive", 12.0, 40.0, 1)]
    assert quiet.segments == [] and quiet.score is None
    assert first.score == (200, 8.0, "#a4161a")  # -0.2 hangs 8 units below zero
    assert third.score == (182.0, 18.0, "#1d6b34")
    assert sentiment_chart([]) is None


def test_profile_shows_sentiment_as_a_chart_and_a_table(alex_client, moods):
    html = alex_client.get(profile(moods)).content.decode()
    assert 'role="img" aria-labelledby="sentiment-title sentiment-desc"' in html
    assert "2 negative, 2 neutral and 2 positive messages" in html
    assert html.count("<rect") >= 6
    table = html.split('class="data sentiment-table"')[1].split("</table>")[0]
    rows = [r.split("</tr>")[0] for r in table.split("<tr>")[2:]]
    assert "16 Mar 2026" in rows[0] and '"num">+0.45<' in rows[0]
    assert "9 Mar 2026" in rows[1] and '"num">\N{EN DASH}<' in rows[1]
    assert "2 Mar 2026" in rows[2] and '"num">-0.20<' in rows[2]
    assert [r.count('"num">2<') for r in rows] == [1, 0, 1]


# --- Query budgets --------------------------------------------------------------------------


def test_profile_costs_the_same_however_much_they_wrote(alex, alex_client, maria, known_issue):
    def add_history(n):
        for i in range(n):
            email_from(maria.person, title=f"Order {i}", sentiment=Sentiment.NEUTRAL)
            services.post_comment(known_issue, author=maria.person, body_md=f"Comment {i}")
            add_person_note(maria.person, by=alex, body=f"Note {i}")

    add_history(2)
    few = count_queries(alex_client, profile(maria.person))
    add_history(15)
    assert count_queries(alex_client, profile(maria.person)) == few <= 14


def test_people_search_costs_the_same_however_many_match(alex_client, db):
    def add_people(start, n):
        for i in range(start, start + n):
            person = Person.objects.create(display_name=f"Customer {i}")
            add_identity(person, IdentityKind.EMAIL, f"c{i}@example.com")
            email_from(person)

    add_people(0, 2)
    few = count_queries(alex_client, "/staff/people/?q=example.com")
    add_people(2, 20)
    assert count_queries(alex_client, "/staff/people/?q=example.com") == few <= 7
    assert count_queries(alex_client, "/staff/people/") == few


def test_people_search_pages(alex_client, db):
    for i in range(27):
        Person.objects.create(display_name=f"Customer {i}")
    html = alex_client.get("/staff/people/", {"q": "customer", "page": 2}).content.decode()
    assert "Page 2 of 2" in html and "Customer 9" in html
    assert 'href="?q=customer&amp;page=1"' in html


def test_a_conversation_closed_without_reply_says_so(alex, alex_client, maria, known_issue):
    comment = services.post_comment(known_issue, author=maria.person, body_md="Thanks!")
    services.mark_no_reply_needed(comment, by=alex, reason="Thanks only")
    timeline = alex_client.get(profile(maria.person)).content.decode().split("Recent messages")[0]
    assert "no reply needed" in timeline and "Waiting for an answer" not in timeline
