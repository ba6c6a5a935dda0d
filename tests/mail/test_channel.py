"""The e-mail channel end to end: real SMTP into the inbox, an answer out, the reply back in."""

from __future__ import annotations

import smtplib
import socket
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail as outbox
from django.db import OperationalError

from accounts.models import Identity
from conversations import services as conversation_services
from conversations.models import Attachment, Channel, Kind, Message, ResponseState
from mail import services
from mail.models import InboundEmail
from mail.smtpd import controller

# The listener stores in its own thread, on its own connection: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

SUPPORT = "support@larder.test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    server = controller("127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()


def customer_mail(
    body="Hello, my order 1042 never arrived. Can you help?",
    *,
    subject="Order 1042 never arrived",
    sender="Maria Keller <maria@example.org>",
    to=SUPPORT,
    in_reply_to=None,
    references=None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.org")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    msg.set_content(body)
    return msg


def send(server, msg: EmailMessage, to=SUPPORT) -> None:
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.send_message(msg, to_addrs=[to])


def test_a_real_smtp_conversation_threads_both_ways(smtp_server, alex):
    first = customer_mail()
    send(smtp_server, first)

    delivery = InboundEmail.objects.get()
    assert delivery.status == InboundEmail.Status.STORED
    message = delivery.message
    conversation = message.conversation
    assert conversation.kind == Kind.EMAIL and not conversation.is_public
    assert conversation.title == "Order 1042 never arrived"
    assert message.channel == Channel.EMAIL
    assert message.external_id == first["Message-ID"].strip("<>")
    assert message.response_state == ResponseState.AWAITING
    assert message.author.display_name == "Maria Keller"
    assert Identity.objects.filter(person=message.author, value="maria@example.org").exists()

    # An agent answers from the inbox: the answer leaves as an e-mail in the customer's thread.
    reply = conversation_services.answer(message, by=alex, body_md="Hi Maria, it left today.")
    sent = outbox.outbox[-1]
    assert sent.to == ["maria@example.org"]
    assert sent.subject == "Re: Order 1042 never arrived"
    assert sent.extra_headers["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in sent.extra_headers["References"]
    assert sent.extra_headers["Reply-To"] == f"support+{conversation.reply_token}@larder.test"
    assert "Hi Maria, it left today." in sent.body
    assert "> Hello, my order 1042 never arrived." in sent.body
    reply.refresh_from_db()
    assert f"<{reply.external_id}>" == sent.extra_headers["Message-ID"]
    message.refresh_from_db()
    assert message.response_state == ResponseState.ANSWERED

    # The customer answers that e-mail: it joins the same conversation and waits again.
    answer = customer_mail(
        "Thanks! Which courier is it?\n\nOn Monday, Alex wrote:\n> Hi Maria, it left today.",
        subject="Re: Order 1042 never arrived",
        in_reply_to=sent.extra_headers["Message-ID"],
        references=f"{first['Message-ID']} {sent.extra_headers['Message-ID']}",
    )
    send(smtp_server, answer)
    second = Message.objects.get(external_id=answer["Message-ID"].strip("<>"))
    assert second.conversation == conversation
    assert second.reply_to == reply
    assert second.response_state == ResponseState.AWAITING
    assert second.body_md == "Thanks! Which courier is it?"


def test_the_reply_token_alone_finds_the_thread(smtp_server, alex):
    send(smtp_server, customer_mail())
    conversation = Message.objects.get().conversation
    token_address = f"support+{conversation.reply_token}@larder.test"
    # A client that kept no threading headers, answering the Reply-To address.
    send(smtp_server, customer_mail("Any news?", subject="hello?", to=token_address), token_address)
    assert Message.objects.filter(conversation=conversation).count() == 2


def test_the_same_delivery_twice_is_stored_once(smtp_server):
    msg = customer_mail()
    send(smtp_server, msg)
    send(smtp_server, msg)
    assert Message.objects.count() == 1
    # The same message through another door (different bytes, same Message-ID).
    row, created = services.store(
        b"X-Relayed-By: provider\r\n" + msg.as_bytes(), InboundEmail.Source.WEBHOOK
    )
    row.refresh_from_db()
    assert created and row.status == InboundEmail.Status.IGNORED
    assert "already received" in row.note
    assert Message.objects.count() == 1


def test_other_domains_are_not_relayed(smtp_server):
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(smtp_server, customer_mail(to="someone@elsewhere.test"), "someone@elsewhere.test")
    assert not InboundEmail.objects.exists()


def test_a_database_that_cannot_store_says_try_again_later(smtp_server, monkeypatch):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "store", locked)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(smtp_server, customer_mail())
    assert refused.value.smtp_code == 451
    assert not InboundEmail.objects.exists()


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ({"Auto-Submitted": "auto-replied", "Subject": "Out of office"}, "auto_reply"),
        ({"X-Openline-Loop": "larder.test", "Auto-Submitted": "auto-generated"}, "loop"),
    ],
)
def test_automatic_mail_is_kept_but_never_enters_the_inbox(smtp_server, headers, kind):
    msg = customer_mail()
    for name, value in headers.items():
        del msg[name]
        msg[name] = value
    send(smtp_server, msg)
    delivery = InboundEmail.objects.get()
    assert delivery.status == InboundEmail.Status.IGNORED
    assert delivery.kind == kind
    assert not Message.objects.exists()


def test_attachments_are_kept_and_huge_ones_dropped_without_losing_the_message(
    smtp_server, settings
):
    settings.MAIL_ATTACHMENT_MAX_BYTES = 50_000
    msg = customer_mail("The label is attached, and a video of the box.")
    msg.add_attachment(
        b"%PDF-1.4 label", maintype="application", subtype="pdf", filename="label.pdf"
    )
    msg.add_attachment(b"\0" * 200_000, maintype="video", subtype="mp4", filename="box.mp4")
    send(smtp_server, msg)
    message = Message.objects.get()
    (kept,) = Attachment.objects.filter(message=message)
    assert (kept.filename, kept.content_type, kept.size) == ("label.pdf", "application/pdf", 14)
    assert kept.file.read() == b"%PDF-1.4 label"
    delivery = InboundEmail.objects.get()
    assert "box.mp4" in delivery.note
    assert message.body_md.startswith("The label is attached")


def test_internal_notes_are_never_sent(smtp_server, alex):
    send(smtp_server, customer_mail())
    conversation = Message.objects.get().conversation
    before = len(outbox.outbox)
    note = conversation_services.add_internal_note(
        conversation, by=alex, body_md="Courier says the van broke down."
    )
    assert note.internal and note.official
    assert len(outbox.outbox) == before
    assert Message.objects.get(official=False).response_state == ResponseState.AWAITING


def test_a_delivery_left_by_a_crashed_worker_is_processed_by_the_sweep(monkeypatch):
    monkeypatch.setattr("mail.services.enqueue", lambda *a: None)  # the worker died
    row, _ = services.store(customer_mail().as_bytes(), InboundEmail.Source.IMAP)
    assert row.status == InboundEmail.Status.PENDING
    assert services.retry_unprocessed(older_than_seconds=0) == 1
    row.refresh_from_db()
    assert row.status == InboundEmail.Status.STORED
    assert Message.objects.count() == 1
