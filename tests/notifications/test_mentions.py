"""Handles: how they are made, read from messages and changed; and the settings behind them."""

from __future__ import annotations

import pytest
from django.conf import settings

from accounts.models import Person
from conversations.markup import render_markdown
from notifications import mentions, tasks
from notifications.models import Kind, MemberSettings, Notification
from notifications.services import save_preferences
from tests.conftest import make_customer
from tests.test_settings import run_openline


def found(markdown, limit=10):
    return mentions.handles_in(render_markdown(markdown), limit)


@pytest.mark.parametrize(
    ("markdown", "handles"),
    [
        ("Hi @Maria, thanks", ["maria"]),
        ("@maria_ and @sam-. and @MARIA again", ["maria", "sam"]),
        ("(@sam) @lionel! @alex?", ["sam", "lionel", "alex"]),
        ("Write to maria@example.com or x.@sam or a/@sam", []),
        ("@a is too short; @all, @here and @staff are groups", []),
        ("`@sam` and\n\n    @alex in an indented block", []),
        ("> @sam said so", []),
        ("**@sam** and _@alex_ and [@lionel](https://example.com)", ["sam", "alex", "lionel"]),
        ("@" + "x" * 31, []),
        ("no mention at all", []),
    ],
)
def test_what_counts_as_a_mention(markdown, handles):
    assert found(markdown) == handles


def test_only_the_first_different_handles_count():
    assert found("@a1 @a2 @a1 @a3 @a4", limit=3) == ["a1", "a2", "a3"]
    assert found("@a1", limit=0) == []
    assert settings.NOTIFICATIONS_MENTION_LIMIT == 10


def test_handles_come_from_the_display_name_and_stay_unique(db):
    names = ["Maria Keller", "Maria Lopez", "Maria Keller", "Maria Keller", "José Núñez", "李雷"]
    people = [make_customer(f"p{i}@example.com", name).person for i, name in enumerate(names)]
    staff_only = Person.objects.create(display_name="No Login")
    assert mentions.assign_missing_handles() == len(names)
    handles = mentions.handles_of([p.pk for p in people])
    assert [handles[p.pk] for p in people] == [
        "maria",
        "marialopez",
        "mariakeller",
        "maria2",
        "jose",
        f"member{people[-1].pk}",
    ]
    assert not MemberSettings.objects.filter(person=staff_only).exists()
    assert mentions.assign_missing_handles() == 0


def test_a_reserved_word_is_never_a_made_handle(db):
    admin = make_customer("a@example.com", "Admin Person").person
    mentions.assign_missing_handles()
    assert mentions.handles_of([admin.pk]) == {admin.pk: "adminperson"}


def test_when_every_candidate_is_taken_the_person_number_makes_it_unique(db):
    for i in range(22):
        make_customer(f"ann{i}@example.com", "Ann")
    last = make_customer("ann-last@example.com", "Ann").person
    mentions.assign_missing_handles()
    assert mentions.handles_of([last.pk])[last.pk] == f"ann-{last.pk}"


def test_a_changed_handle_is_the_one_that_mentions(discussion, maria, sam, reply):
    save_preferences(sam, handle="Sammy", no_email=False, choices={})
    old = reply(discussion, maria, "@sam are you there?")
    tasks.message_posted.call_local(old.pk)
    assert not Notification.objects.filter(kind=Kind.MENTION).exists()
    new = reply(discussion, maria, "@SAMMY are you there?")
    tasks.message_posted.call_local(new.pk)
    assert Notification.objects.get(kind=Kind.MENTION).recipient == sam.person


def test_settings_for_makes_the_row_once(maria):
    row = mentions.settings_for(maria.person)
    assert row.handle == "maria" and not row.no_email
    assert mentions.settings_for(maria.person) == row


def test_the_kinds_in_settings_are_the_kinds_of_notification():
    assert set(settings.NOTIFICATION_KINDS) == set(Kind.values)
    assert set(settings.NOTIFICATIONS_EMAIL_BY_DEFAULT) == set(Kind.values) - {Kind.FOLLOWED_REPLY}


def test_an_unknown_kind_stops_start_up(tmp_path):
    result = run_openline(tmp_path, OPENLINE_NOTIFICATIONS_EMAIL_BY_DEFAULT="reply,replies")
    assert result.returncode == 2
    assert "OPENLINE_NOTIFICATIONS_EMAIL_BY_DEFAULT names replies" in result.stderr


def test_unknown_kinds_are_refused(maria):
    from conversations.services import PostingError

    with pytest.raises(PostingError, match="Unknown kind"):
        save_preferences(maria, handle="maria", no_email=False, choices={"digest": (True, True)})
    row = save_preferences(maria, handle="@Maria", no_email=False, choices={})
    assert str(row) == "@maria"


def test_email_text_keeps_paragraphs_lists_and_links():
    from notifications.text import email_text

    html = render_markdown(
        "Hi **there**,\nline two\n\n- one\n- [two](https://example.com/2)\n\n"
        "![a parcel](https://example.com/p.png) https://example.com/x\n\n"
        "```\n  keep  spacing\n```"
    )
    assert email_text(html) == (
        "Hi there, line two\n\n- one\n- two <https://example.com/2>\n\n"
        "[a parcel] https://example.com/x\n\n  keep  spacing"
    )
    staff = render_markdown("one<br>two<hr>three", trusted=True)
    assert email_text(staff) == "one\ntwo\n\nthree"
