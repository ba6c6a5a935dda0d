"""Notification e-mail over a real SMTP conversation: the headers that arrive, a bounced
address that loses nobody else's notification, and a mail server that is down."""

from __future__ import annotations

import email
import socket
from email import policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from conversations import services
from conversations.models import KnownIssueStatus
from notifications import tasks
from notifications.models import EmailState, Kind, Notification, Preference
from tests.conftest import make_customer

BOUNCING = "gone@example.com"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An SMTP server's handler that keeps what it is given and refuses one address."""

    def __init__(self):
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == BOUNCING:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append((envelope.rcpt_tos, message))
        return "250 Message accepted"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it."""
    mailbox = Mailbox()
    server = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.hostname, server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield mailbox
    server.stop()


def post_update(known_issue, lionel):
    return services.post_status_update(
        known_issue,
        author=lionel.person,
        status=KnownIssueStatus.MONITORING,
        body_md="Parcels move again; **most** arrive tomorrow.",
    )


def test_a_real_smtp_conversation(smtp_server, known_issue, maria_comment, sam, lionel, reply):
    services.subscribe(known_issue, sam.person)
    gone = make_customer(BOUNCING, "Gus Gone")
    services.subscribe(known_issue, gone.person)

    update = post_update(known_issue, lionel)
    assert tasks.status_update_posted.call_local(update.pk) == 2

    # Every follower is told on the site; the bounced address loses nobody else's e-mail.
    states = dict(Notification.objects.values_list("recipient__display_name", "email_state"))
    assert states == {
        "Maria Keller": EmailState.SENT,
        "Sam Osei": EmailState.SENT,
        "Gus Gone": EmailState.FAILED,
    }
    failed = Notification.objects.get(recipient=gone.person)
    assert "550" in failed.email_error and failed.in_site
    assert sorted(to for tos, _ in smtp_server.received for to in tos) == [
        "maria@example.com",
        "sam@example.com",
    ]

    # What arrived carries the headers mail clients act on.
    (message,) = [m for tos, m in smtp_server.received if tos == ["maria@example.com"]]
    assert message["Subject"] == f"[Monitoring] {known_issue.title}"
    assert message["To"] == "maria@example.com"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe.startswith("http") and unsubscribe in message.get_content()
    assert "Parcels move again; most arrive tomorrow." in message.get_content()

    # A reply to Maria: its one-click link (a POST from her mail client, without any cookie
    # or CSRF token) turns e-mail about replies off for her.
    smtp_server.received.clear()
    answer = reply(known_issue, sam, "Mine too!", maria_comment)
    tasks.message_posted.call_local(answer.pk)
    (message,) = [m for tos, m in smtp_server.received if tos == ["maria@example.com"]]
    one_click = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert "/notifications/unsubscribe/" in one_click
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(one_click).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Preference.objects.get(person=maria_comment.author, kind=Kind.REPLY).email is False


def test_a_mail_server_that_is_down_keeps_the_emails_for_the_retry(
    settings, known_issue, maria_comment, lionel
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    update = post_update(known_issue, lionel)
    with pytest.raises(OSError):
        tasks.status_update_posted.call_local(update.pk)
    (note,) = Notification.objects.all()
    assert note.in_site and note.email_state == EmailState.PENDING

    # The retry, once the server is back, sends what was waiting, once.
    mailbox = Mailbox()
    server = Controller(mailbox, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    server.start()
    try:
        assert tasks.status_update_posted.call_local(update.pk) == 1
        assert tasks.status_update_posted.call_local(update.pk) == 0
    finally:
        server.stop()
    assert [tos for tos, _ in mailbox.received] == [["maria@example.com"]]
    note.refresh_from_db()
    assert note.email_state == EmailState.SENT
