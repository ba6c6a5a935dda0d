"""IMAP polling through the Django side: stored once, flagged seen only after storing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conversations.models import Message
from mail.models import InboundEmail, MailboxState
from tests.mail.imap_server import ImapTestServer

# Processing is queued when each delivery commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def raw(n: int) -> bytes:
    return (
        f"From: Customer {n} <c{n}@example.org>\r\nTo: support@larder.test\r\n"
        f"Subject: Question {n}\r\nMessage-ID: <q{n}@example.org>\r\n\r\n"
        f"Is order {n} on its way?\r\n"
    ).encode()


@pytest.fixture
def mailbox():
    with ImapTestServer(users={"support": "s3cret"}, mailbox=[raw(1), raw(2)]) as server:
        yield server


def url(server, secret="s3cret"):
    return f"imap://support:{secret}@127.0.0.1:{server.port}/INBOX"


def test_polling_stores_new_mail_and_flags_it_seen(db, mailbox):
    out = io.StringIO()
    call_command("imap_poll", "--url", url(mailbox), stdout=out)
    assert out.getvalue().strip() == "Fetched 2 new messages."
    assert sorted(Message.objects.values_list("external_id", flat=True)) == [
        "q1@example.org",
        "q2@example.org",
    ]
    assert all("\\Seen" in mailbox.flags(uid) for uid in mailbox.uids())
    state = MailboxState.objects.get()
    assert state.last_uid == max(mailbox.uids()) and state.messages_seen == 2

    mailbox.deliver(raw(3))
    out = io.StringIO()
    call_command("imap_poll", "--url", url(mailbox), stdout=out)
    assert out.getvalue().strip() == "Fetched 1 new message."
    assert InboundEmail.objects.count() == 3 and Message.objects.count() == 3


def test_a_new_folder_generation_is_read_again_without_doubling(db, mailbox):
    call_command("imap_poll", "--url", url(mailbox), stdout=io.StringIO())
    mailbox.uid_validity += 1
    call_command("imap_poll", "--url", url(mailbox), stdout=io.StringIO())
    assert Message.objects.count() == 2  # the same bytes again are stored once


def test_a_failed_login_is_recorded_and_reported(db, mailbox):
    with pytest.raises(CommandError, match="login") as failed:
        call_command("imap_poll", "--url", url(mailbox, "wrong"), stdout=io.StringIO())
    assert "wrong" not in str(failed.value)
    state = MailboxState.objects.get()
    assert "login" in state.last_error and state.last_success_at is None
    assert not InboundEmail.objects.exists()


def test_no_mailbox_configured_is_a_clear_error(db, settings):
    settings.IMAP_URL = None
    with pytest.raises(CommandError, match="set OPENLINE_IMAP_URL"):
        call_command("imap_poll")
