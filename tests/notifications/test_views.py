"""The notifications page, opening one, marking all read, preferences and unsubscribing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations import services
from notifications import tasks, tokens
from notifications.models import Kind, MemberSettings, Notification, Preference
from tests.test_query_counts import count_queries

LIST = "/notifications/"
PREFERENCES = "/notifications/preferences/"


@pytest.fixture
def notify(known_issue):
    """notify(user, n=1, **fields): n stored notifications for `user`, each newer than the last."""
    start = timezone.now() - timedelta(hours=1)

    def _notify(user, n=1, **fields):
        made = []
        for i in range(n):
            order = Notification.objects.count()
            made.append(
                Notification.objects.create(
                    recipient=user.person,
                    kind=fields.get("kind", Kind.FOLLOWED_REPLY),
                    event=f"test:{user.pk}:{order}",
                    conversation=known_issue,
                    message=fields.get("message"),
                    summary=fields.get("summary", f"Note {i}"),
                    excerpt=fields.get("excerpt", ""),
                    created_at=start + timedelta(minutes=order),
                    read_at=fields.get("read_at"),
                )
            )
        return made

    return _notify


# --- The list --------------------------------------------------------------------------------


def test_the_list_shows_my_notifications_newest_first_with_unread_marked(
    maria_client, maria, sam, notify
):
    notify(maria, 2)
    notify(maria, 1, summary="Old and read", read_at=timezone.now())
    notify(sam, 1, summary="Sam's own")
    page = maria_client.get(LIST).content.decode()
    assert page.index("Old and read") < page.index("Note 1") < page.index("Note 0")
    assert page.count('<span class="badge">New</span>') == 2
    assert "Sam&#39;s own" not in page and "Sam's own" not in page


def test_the_list_needs_a_sign_in_and_a_get(client, maria_client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert maria_client.post(LIST).status_code == 405


def test_the_list_is_paged(maria_client, maria, notify):
    notify(maria, 25)
    first = maria_client.get(LIST).content.decode()
    assert "Note 24" in first and "Note 4" not in first and "Page 1 of 2" in first
    assert "Note 4" in maria_client.get(LIST + "?page=2").content.decode()
    assert maria_client.get(LIST + "?page=9").status_code == 404


def test_the_list_costs_the_same_for_two_or_twelve(maria_client, maria, notify, settings):
    settings.PAGE_CACHE_SECONDS = 0
    notify(maria, 2)
    few = count_queries(maria_client, LIST)
    notify(maria, 10)
    assert count_queries(maria_client, LIST) == few <= 7


def test_the_header_asks_nothing_of_the_database_for_visitors(client, article, settings):
    settings.PAGE_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    assert not any("notifications_" in q["sql"] for q in ctx.captured_queries)


BADGE = 'Notifications <span class="badge">{}<span class="visually-hidden"> unread</span>'


def test_the_header_counts_unread_without_a_query_on_the_page(
    maria_client, maria, sam, notify, maria_comment, reply, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    notify(maria, 2)
    # Not at hand: the page asks for it once loaded, and nothing is counted meanwhile.
    with CaptureQueriesContext(connection) as ctx:
        page = maria_client.get("/").content.decode()
    assert not any("notifications_" in q["sql"] for q in ctx.captured_queries)
    assert 'hx-get="/notifications/unread/"' in page and "badge" not in page.split("Sign out")[0]
    link = maria_client.get("/notifications/unread/").content.decode()
    assert BADGE.format(2) in link and "hx-get" not in link
    # From then on the page shows it, still without a query.
    with CaptureQueriesContext(connection) as ctx:
        assert BADGE.format(2) in maria_client.get("/").content.decode()
    assert not any("notifications_" in q["sql"] for q in ctx.captured_queries)

    # A new notification, or reading one, makes the page fetch the count afresh.
    answer = reply(maria_comment.conversation, sam, "Same here", maria_comment)
    tasks.message_posted.call_local(answer.pk)
    assert 'hx-get="/notifications/unread/"' in maria_client.get("/").content.decode()
    assert BADGE.format(3) in maria_client.get("/notifications/unread/").content.decode()
    maria_client.post("/notifications/read/")
    assert 'hx-get="/notifications/unread/"' in maria_client.get("/").content.decode()
    link = maria_client.get("/notifications/unread/").content.decode()
    assert "badge" not in link
    assert "badge" not in maria_client.get("/").content.decode().split("Sign out")[0]


def test_the_header_says_99_plus(maria_client, client, maria, notify):
    notify(maria, 101)
    assert BADGE.format("99+") in maria_client.get("/notifications/unread/").content.decode()
    assert BADGE.format("99+") in maria_client.get(LIST).content.decode()
    assert "badge" not in client.get("/notifications/unread/").content.decode()


def test_an_excerpt_of_a_message_removed_since_is_not_shown(
    maria_client, maria, maria_comment, mona, notify
):
    notify(maria, 1, message=maria_comment, excerpt="Where is my parcel")
    assert "Where is my parcel" in maria_client.get(LIST).content.decode()
    services.remove(maria_comment, by=mona)
    assert "Where is my parcel" not in maria_client.get(LIST).content.decode()


# --- Opening one, marking all read -----------------------------------------------------------


def test_opening_marks_read_and_goes_to_the_message(maria_client, maria, maria_comment, notify):
    (note,) = notify(maria, 1, message=maria_comment)
    response = maria_client.get(f"/notifications/{note.pk}/")
    assert response.status_code == 302
    assert response["Location"] == maria_comment.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None
    assert "New</span>" not in maria_client.get(LIST).content.decode()
    # Opening it again keeps the first reading's time.
    assert maria_client.get(f"/notifications/{note.pk}/").status_code == 302
    assert Notification.objects.get(pk=note.pk).read_at == note.read_at


def test_opening_one_about_no_message_goes_to_the_conversation(maria_client, maria, notify):
    (note,) = notify(maria, 1)
    response = maria_client.get(f"/notifications/{note.pk}/")
    assert response["Location"] == note.conversation.get_absolute_url()


def test_someone_elses_notification_is_a_404(maria_client, sam_client, client, maria, notify):
    (note,) = notify(maria, 1)
    assert sam_client.get(f"/notifications/{note.pk}/").status_code == 404
    assert maria_client.get("/notifications/99999999/").status_code == 404
    assert maria_client.get(f"/notifications/{2**64}/").status_code == 404
    assert client.get(f"/notifications/{note.pk}/").status_code == 302  # to sign in
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read(maria_client, sam, maria, notify):
    notify(maria, 3)
    (sams,) = notify(sam, 1)
    assert maria_client.get("/notifications/read/").status_code == 405
    response = maria_client.post("/notifications/read/")
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Notification.objects.filter(recipient=maria.person, read_at__isnull=True).exists()
    sams.refresh_from_db()
    assert sams.read_at is None


# --- Preferences --------------------------------------------------------------------------------


def preference_form(**changes):
    data = {"handle": "maria"}
    for kind in Kind.values:
        data[f"{kind}__site"] = "on"
        if kind != Kind.FOLLOWED_REPLY:
            data[f"{kind}__email"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_preferences_show_the_defaults_and_a_handle(maria_client, maria):
    page = maria_client.get(PREFERENCES).content.decode()
    assert 'value="maria"' in page
    assert 'name="followed_reply__email"' in page
    assert 'name="followed_reply__email" id="id_followed_reply__email">' in page  # not ticked
    assert 'name="reply__email" id="id_reply__email" checked>' in page
    assert MemberSettings.objects.get(person=maria.person).handle == "maria"


def test_saving_preferences(maria_client, maria):
    form = preference_form(handle="@MariaK", no_email="on", reply__email=None, mention__site=None)
    response = maria_client.post(PREFERENCES, form)
    assert response.status_code == 302
    settings_row = MemberSettings.objects.get(person=maria.person)
    assert settings_row.handle == "mariak" and settings_row.no_email
    chosen = {p.kind: (p.in_site, p.email) for p in Preference.objects.filter(person=maria.person)}
    assert chosen[Kind.REPLY] == (True, False)
    assert chosen[Kind.MENTION] == (False, True)
    assert chosen[Kind.FOLLOWED_REPLY] == (True, False)


@pytest.mark.parametrize(
    ("handle", "message"),
    [
        ("sam", "@sam is taken"),
        ("all", "kept for groups"),
        ("m", "2 to 30 letters"),
        ("maria keller", "2 to 30 letters"),
        ("-maria", "2 to 30 letters"),
        ("", "This field is required"),
    ],
)
def test_a_handle_that_cannot_be_had_is_refused(maria_client, maria, sam, handles, handle, message):
    response = maria_client.post(PREFERENCES, preference_form(handle=handle))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert MemberSettings.objects.get(person=maria.person).handle == "maria"
    assert not Preference.objects.filter(person=maria.person).exists()


def test_preferences_are_for_members(client, maria_client):
    assert client.get(PREFERENCES).status_code == 302
    assert maria_client.put(PREFERENCES).status_code == 405


# --- One-click unsubscribe ----------------------------------------------------------------------


def test_unsubscribe_get_asks_and_post_unsubscribes_without_csrf(maria):
    Preference.objects.create(person=maria.person, kind=Kind.MENTION, in_site=False, email=True)
    url = f"/notifications/unsubscribe/{tokens.make(maria.person.pk, Kind.MENTION)}/"
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    assert page.status_code == 200
    assert "Stop e-mails about <strong>@mentions of you</strong>?" in page.content.decode()
    # Mail scanners follow links: a GET changes nothing.
    assert Preference.objects.get(person=maria.person, kind=Kind.MENTION).email is True
    done = browser.post(url, "List-Unsubscribe=One-Click",
                        content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert done.status_code == 200
    assert "You will no longer get e-mails about @mentions of you." in done.content.decode()
    chosen = Preference.objects.get(person=maria.person, kind=Kind.MENTION)
    assert (chosen.in_site, chosen.email) == (False, False)  # the site stays as it was
    assert str(chosen) == f"{maria.person.pk} mention: site=False email=False"
    assert browser.post(url).status_code == 200  # twice is fine


def test_a_bad_unsubscribe_link_is_a_clear_404(maria):
    good = tokens.make(maria.person.pk, Kind.MENTION)
    tampered = good.replace(":", "x", 1)
    someone_else = tokens.make(maria.person.pk + 1000, Kind.MENTION)
    wrong_kind = tokens.make(maria.person.pk, "nonsense")
    for token in (tampered, "nonsense", someone_else, wrong_kind, good[:-2]):
        response = Client().post(f"/notifications/unsubscribe/{token}/")
        assert response.status_code == 404
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert not Preference.objects.exists()
    assert Client().put(f"/notifications/unsubscribe/{good}/").status_code == 405
