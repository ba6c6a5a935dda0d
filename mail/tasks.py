"""Background jobs of the e-mail channel. They take ids and re-read the database."""

from __future__ import annotations

import logging
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from accounts.models import Identity, IdentityKind
from conversations.markup import plain_text
from conversations.models import Channel, Message
from mail import services

log = logging.getLogger(__name__)
REFERENCES_KEPT = 20


@db_task(retries=3, retry_delay=60)
def process_inbound(inbound_id: int) -> str:
    try:
        return services.process(inbound_id).status
    except Exception as exc:
        services.mark_failed(inbound_id, exc)
        raise


@db_periodic_task(crontab(minute="*/5"))
def retry_inbound() -> int:
    """Deliveries a crashed worker left waiting, and failed ones, are tried again."""
    return services.retry_unprocessed()


def _recipient(reply: Message) -> tuple[Message | None, str]:
    """The customer message being answered, and the address the answer goes to."""
    answered = reply.reply_to
    if answered is None or answered.official:
        answered = (
            Message.objects.filter(conversation_id=reply.conversation_id, official=False)
            .exclude(pk=reply.pk)
            .order_by("-created_at")
            .first()
        )
    customer = answered.author if answered else reply.conversation.author
    address = (
        Identity.objects.filter(person=customer, kind=IdentityKind.EMAIL)
        .order_by("-id")
        .values_list("value", flat=True)
        .first()
    )
    return answered, address or ""


def _quoted(message: Message | None) -> list[str]:
    if message is None:
        return []
    return plain_text(message.body_html, 2000).splitlines()[:40]


@db_task(retries=3, retry_delay=60)
def send_reply(message_id: int) -> bool:
    """Send a staff answer on an e-mail conversation to the customer, in their thread.

    Message-ID is ours and stored on the reply, so the customer's answer (In-Reply-To) finds
    it; References carries the thread; Reply-To carries the conversation's token, which finds
    the thread even when a mail client drops the other headers. Sent once: a reply that already
    has its Message-ID was sent.
    """
    reply = (
        Message.objects.select_related("conversation", "author", "reply_to__author")
        .filter(pk=message_id, official=True, internal=False)
        .first()
    )
    if reply is None or reply.external_id:
        return False
    conversation = reply.conversation
    answered, address = _recipient(reply)
    if not address:
        log.warning("no e-mail address to answer message %s", reply.pk)
        return False
    thread_ids = list(
        Message.objects.filter(conversation=conversation, channel=Channel.EMAIL)
        .exclude(external_id="")
        .order_by("created_at")
        .values_list("external_id", flat=True)
    )[-REFERENCES_KEPT:]
    message_id_header = make_msgid(domain=settings.SUPPORT_EMAIL_DOMAIN)
    local, _, domain = settings.SUPPORT_EMAIL.partition("@")
    subject = conversation.title
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    headers = {
        "Message-ID": message_id_header,
        "Reply-To": f"{local}+{conversation.reply_token}@{domain}",
    }
    if answered is not None and answered.channel == Channel.EMAIL and answered.external_id:
        headers["In-Reply-To"] = f"<{answered.external_id}>"
    if thread_ids:
        headers["References"] = " ".join(f"<{i}>" for i in thread_ids)
    body = render_to_string(
        "mail/reply.txt",
        {
            "text": reply.body_md,
            "staff": reply.author,
            "site_name": settings.SITE_NAME,
            "answered": answered,
            "quoted": _quoted(answered),
        },
    )
    from_name = f"{reply.author.display_name} at {settings.SITE_NAME}".replace('"', "")
    mail = EmailMessage(
        subject=subject,
        body=body,
        from_email=f'"{from_name}" <{settings.SUPPORT_EMAIL}>',
        to=[address],
        headers=headers,
    )
    get_connection().send_messages([mail])
    reply.channel = Channel.EMAIL
    reply.external_id = message_id_header.strip("<>")
    reply.save(update_fields=["channel", "external_id"])
    return True


@db_periodic_task(crontab(minute=f"*/{max(1, settings.IMAP_POLL_SECONDS // 60)}"))
def poll_imap() -> int:
    """New mail from the IMAP mailbox, when OPENLINE_IMAP_URL is set."""
    if not settings.IMAP_URL:
        return 0
    return services.poll_mailbox(settings.IMAP_URL)
