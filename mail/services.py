"""The e-mail channel: keeping what arrives, turning it into conversations, threading answers.

Every door (the SMTP listener, IMAP polling, the inbound webhook) calls `store`, which keeps the
raw bytes and nothing else, then queues `process` after commit. Processing reads the message
(`mail.parsing`), recognises auto-replies, bounces, loops and redeliveries, finds the thread
(the reply token in our Reply-To address first, then In-Reply-To and References), finds or
creates the sender as a Person, and records the message with its attachments.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Identity, IdentityKind, Person
from accounts.services import add_identity, normalise_identity
from conversations import cases
from conversations import services as conversation_services
from conversations.models import Attachment, Channel, Conversation, Kind, Message
from mail import parsing
from mail.models import InboundEmail, MailboxState
from openline.tasks import enqueue

log = logging.getLogger(__name__)


def store(
    raw: bytes, source: str, *, envelope_from: str = "", envelope_to: Iterable[str] = ()
) -> tuple[InboundEmail, bool]:
    """Keep one delivery's bytes; returns (row, created). The same bytes twice are kept once."""
    digest = hashlib.sha256(raw).hexdigest()
    try:
        with transaction.atomic():
            row = InboundEmail.objects.create(
                source=source,
                envelope_from=envelope_from[:320],
                envelope_to=[str(a)[:320] for a in envelope_to][:50],
                raw=raw,
                size=len(raw),
                sha256=digest,
            )
            from mail import tasks

            enqueue(tasks.process_inbound, row.pk)
    except IntegrityError:
        return InboundEmail.objects.get(sha256=digest), False
    return row, True


def _person_for(address: str, name: str) -> Person:
    """The Person behind an address: known by that e-mail identity, or new."""
    value = normalise_identity(IdentityKind.EMAIL, address)
    identity = (
        Identity.objects.select_related("person")
        .filter(kind=IdentityKind.EMAIL, value__iexact=value)
        .first()
    )
    if identity is not None:
        person = identity.person
        while person.merged_into_id is not None:
            person = person.merged_into
        return person
    display = name.strip() or value.partition("@")[0].replace(".", " ").title() or "Customer"
    person = Person.objects.create(display_name=display[:100])
    add_identity(person, IdentityKind.EMAIL, value)
    return person


def find_thread(email: parsing.ParsedEmail) -> tuple[Conversation | None, Message | None]:
    """The conversation an e-mail continues, and the message it answers, if any."""
    domain = settings.SUPPORT_EMAIL_DOMAIN
    for address in [*email.delivered_to, *email.to, *email.cc]:
        token = parsing.address_token(address)
        if token and address.rpartition("@")[2].lower() == domain:
            conversation = cases.final(
                Conversation.objects.filter(reply_token=token.lower()).first()
            )
            if conversation is not None:
                answered = _latest_email_message(conversation, email.in_reply_to)
                return conversation, answered
    ids = [*email.in_reply_to, *reversed(email.references)]
    if ids:
        known = {
            m.external_id: m
            for m in Message.objects.filter(
                channel=Channel.EMAIL, external_id__in=ids
            ).select_related("conversation")
        }
        for message_id in ids:
            if message_id in known:
                return cases.final(known[message_id].conversation), known[message_id]
    return None, None


def _latest_email_message(conversation: Conversation, in_reply_to: list[str]) -> Message | None:
    messages = Message.objects.filter(conversation=conversation, channel=Channel.EMAIL)
    if in_reply_to:
        answered = messages.filter(external_id__in=in_reply_to).first()
        if answered is not None:
            return answered
    return messages.filter(official=True, internal=False).order_by("-created_at").first()


def _ignore(row: InboundEmail, note: str) -> InboundEmail:
    row.status = InboundEmail.Status.IGNORED
    row.note = note
    return row


def process(inbound_id: int) -> InboundEmail:
    """Turn one stored delivery into a message, or record why it is not one. Safe to repeat."""
    with transaction.atomic():
        row = InboundEmail.objects.select_for_update().get(pk=inbound_id)
        if row.status in (InboundEmail.Status.STORED, InboundEmail.Status.IGNORED):
            return row
        row.attempts += 1
        email = parsing.parse(
            bytes(row.raw),
            own_domains=[settings.SUPPORT_EMAIL_DOMAIN],
            max_attachment_bytes=settings.MAIL_ATTACHMENT_MAX_BYTES,
        )
        row.header_message_id = email.message_id[:500]
        row.kind = email.kind
        notes = list(email.problems)
        duplicate = Message.objects.filter(
            channel=Channel.EMAIL, external_id=email.message_id[:500]
        ).first()
        if email.kind != "customer":
            _ignore(row, f"{email.kind.replace('_', ' ')}: not a customer message")
        elif duplicate is not None:
            _ignore(row, f"already received as message {duplicate.pk}")
            row.message = duplicate
        elif not email.from_address:
            _ignore(row, "no sender address could be read")
        else:
            row.message = _record(email)
            row.status = InboundEmail.Status.STORED
        if notes:
            row.note = "\n".join(filter(None, [row.note, *notes]))
        row.processed_at = timezone.now()
        row.save()
    return row


def _record(email: parsing.ParsedEmail) -> Message:
    conversation, answered = find_thread(email)
    author = _person_for(email.from_address, email.from_name)
    body = email.reply_text or email.text
    if not body.strip() and email.attachments:
        body = "*(Attachments only.)*"
    message = conversation_services.receive_private_message(
        conversation=conversation,
        author=author,
        title=email.subject,
        body_md=body,
        channel=Channel.EMAIL,
        external_id=email.message_id,
        reply_to=answered,
        kind=Kind.EMAIL,
    )
    for attachment in email.attachments:
        Attachment.objects.create(
            message=message,
            filename=attachment.filename,
            content_type=attachment.content_type[:100],
            size=attachment.size,
            file=ContentFile(attachment.data, name=attachment.filename),
        )
    for filename, content_type, size in email.dropped_attachments:
        log.info("dropped %s (%s, %d bytes) of %s", filename, content_type, size, message)
    return message


def retry_unprocessed(*, older_than_seconds: int = 300, max_attempts: int = 5) -> int:
    """Process deliveries a crashed worker left waiting, and failed ones a few more times."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    ids = list(
        InboundEmail.objects.filter(
            status__in=[InboundEmail.Status.PENDING, InboundEmail.Status.FAILED],
            received_at__lt=cutoff,
            attempts__lt=max_attempts,
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        try:
            process(pk)
        except Exception as exc:
            mark_failed(pk, exc)
    return len(ids)


def mark_failed(inbound_id: int, exc: BaseException) -> None:
    InboundEmail.objects.filter(pk=inbound_id).exclude(
        status__in=[InboundEmail.Status.STORED, InboundEmail.Status.IGNORED]
    ).update(
        status=InboundEmail.Status.FAILED,
        note=f"{type(exc).__name__}: {exc}"[:2000],
        attempts=F("attempts") + 1,
    )


def imap_settings(url: str):
    """ImapSettings from imaps://user:password@host[:port][/folder] (imap:// without TLS)."""
    from urllib.parse import unquote, urlsplit

    from mail.imap import ImapSettings

    parts = urlsplit(url)
    secure = parts.scheme == "imaps"
    return ImapSettings(
        host=parts.hostname or "",
        port=parts.port or (993 if secure else 143),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        ssl=secure,
    )


def poll_mailbox(url: str) -> int:
    """Fetch new mail from the IMAP mailbox, store it, then flag it seen; returns how many."""
    from mail import imap

    config = imap_settings(url)
    key = f"{'imaps' if config.ssl else 'imap'}://{config.username}@{config.host}:{config.port}"
    state, _ = MailboxState.objects.get_or_create(key=f"{key}/{config.folder}"[:500])
    try:
        validity, fetched = imap.fetch_new(config, state.last_uid, state.uid_validity)
        if validity != state.uid_validity:
            state.last_uid = 0  # old UIDs mean nothing in the new folder generation
        for item in fetched:
            store(item.raw, InboundEmail.Source.IMAP)
        if fetched:
            imap.mark_seen(config, [item.uid for item in fetched], validity)
    except imap.ImapError as exc:
        state.last_error, state.last_error_at = str(exc)[:2000], timezone.now()
        state.save(update_fields=["last_error", "last_error_at"])
        raise
    state.uid_validity = validity
    state.last_uid = max([state.last_uid, *(item.uid for item in fetched)])
    state.last_success_at = timezone.now()
    state.messages_seen += len(fetched)
    state.save()
    return len(fetched)
