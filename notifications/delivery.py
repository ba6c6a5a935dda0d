"""Telling people of one event: store each person's notification once, then e-mail it.

Notifications are stored first, in one transaction; an e-mail that fails afterwards loses
nothing on the site. The (recipient, event) unique constraint makes a job that runs twice
harmless: the second run finds the rows there and sends only what is still waiting. Each
e-mail is claimed (pending → sending) before it goes out, so two workers never both send it;
a worker killed mid-send leaves it "sending" rather than risk sending it twice.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Person
from conversations.models import Conversation, Message, Subscription
from notifications import tokens, unread
from notifications.models import FOLLOWING_KINDS, EmailState, Kind, Notification
from notifications.preferences import Choices
from openline.routing import cached_reverse

log = logging.getLogger(__name__)

# Reserved top-level domains (RFC 2606, RFC 6761): nothing there can receive mail.
UNDELIVERABLE = (".test", ".example", ".invalid", ".localhost")
# A refusal that concerns this one e-mail (a bounced address, a rejected message); anything
# else (the server is down, the session broke) stops the batch for a retry.
_REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    UnicodeError,
    ValueError,
)

WHY = {
    Kind.REPLY: "You get this because someone replied to you.",
    Kind.MENTION: "You get this because someone mentioned you.",
    Kind.OFFICIAL_REPLY: "You get this because you follow this conversation.",
    Kind.FOLLOWED_REPLY: "You get this because you follow this conversation.",
    Kind.ANSWER_ACCEPTED: "You get this because you asked or answered this question.",
    Kind.IDEA_STATUS: "You get this because you voted for or follow this idea.",
    Kind.STATUS_UPDATE: "You get this because you follow this post.",
}


@dataclass
class Recipient:
    person: Person  # with .user
    kind: str
    summary: str  # one line for the notifications page
    subject: str


@dataclass
class Event:
    key: str  # unique per event: "message:42", "status-update:7"
    conversation: Conversation
    message: Message | None
    actor_id: int | None  # who did it: never told of their own action
    at: datetime  # when it happened; old news tells nobody
    path: str  # where it is shown, with the anchor
    excerpt: str
    template: str  # the e-mail body, under notifications/email/
    context: dict = field(default_factory=dict)


def is_stale(at: datetime, queued_at: str = "") -> bool:
    """Old news when the job was queued (an import, the demo's past): nobody is told.

    Measured from when the job was queued, not when it runs, so a worker that was down for a
    day still tells everyone once it is back."""
    reference = datetime.fromisoformat(queued_at) if queued_at else timezone.now()
    return reference - at > timedelta(hours=settings.NOTIFICATIONS_MAX_AGE_HOURS)


def is_public(conversation: Conversation) -> bool:
    return conversation.is_public and conversation.is_published


def deliver(event: Event, recipients: dict[int, Recipient]) -> int:
    """Store the notifications of `event` and e-mail those who want it; the number e-mailed."""
    recipients = {
        pk: r
        for pk, r in recipients.items()
        if pk != event.actor_id and (r.person.user_id is None or r.person.user.is_active)
    }
    if not recipients:
        return 0
    follows = dict(
        Subscription.objects.filter(
            conversation=event.conversation, person_id__in=list(recipients)
        ).values_list("person_id", "email")
    )
    choices = Choices(recipients)
    rows = []
    for pk, r in recipients.items():
        in_site = r.person.user_id is not None and choices.in_site(pk, r.kind)
        address = ""
        if choices.email(pk, r.kind):
            address = follows.get(pk) or (r.person.user.email if r.person.user_id else "")
            if address.lower().endswith(UNDELIVERABLE):
                address = ""
        if not (in_site or address):
            continue
        rows.append(
            Notification(
                recipient_id=pk,
                kind=r.kind,
                event=event.key,
                conversation=event.conversation,
                message=event.message,
                actor_id=event.actor_id,
                summary=r.summary[:300],
                excerpt=event.excerpt[:300],
                in_site=in_site,
                email=address,
                email_state=EmailState.PENDING if address else EmailState.NONE,
            )
        )
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        unread.forget(recipients[row.recipient_id].person.user_id for row in rows if row.in_site)
    return send_waiting(event, recipients)


def send_waiting(event: Event, recipients: dict[int, Recipient]) -> int:
    """E-mail the event's notifications that wait for it, over one connection.

    The waiting rows are claimed in one update (pending → sending, with this run's claim), so
    two runs of the job never send the same e-mail; the queries do not grow with the number
    of recipients.
    """
    claim = secrets.token_hex(8)
    Notification.objects.filter(
        event=event.key, email_state=EmailState.PENDING, recipient_id__in=list(recipients)
    ).update(email_state=EmailState.SENDING, email_claim=claim)
    # Waiting for someone no longer told of it (they stopped following meanwhile): not sent.
    Notification.objects.filter(event=event.key, email_state=EmailState.PENDING).exclude(
        recipient_id__in=list(recipients)
    ).update(email_state=EmailState.NONE)
    claimed = list(
        Notification.objects.filter(email_claim=claim).select_related("recipient").order_by("pk")
    )
    if not claimed:
        return 0
    follow_tokens = dict(
        Subscription.objects.filter(
            conversation=event.conversation, person_id__in=[n.recipient_id for n in claimed]
        ).values_list("person_id", "token")
    )
    sent: list[int] = []
    refused: dict[int, str] = {}
    connection = get_connection()
    try:
        connection.open()
        for notification in claimed:
            mail = _mail(
                notification,
                event,
                recipients[notification.recipient_id],
                follow_tokens.get(notification.recipient_id),
            )
            try:
                connection.send_messages([mail])
            except _REFUSED as exc:
                log.warning("notification %s to %s refused: %s", notification.pk, mail.to, exc)
                refused[notification.pk] = str(exc)[:300]
            else:
                sent.append(notification.pk)
    finally:
        connection.close()
        Notification.objects.filter(pk__in=sent).update(
            email_state=EmailState.SENT, emailed_at=timezone.now()
        )
        for pk, error in refused.items():
            Notification.objects.filter(pk=pk).update(
                email_state=EmailState.FAILED, email_error=error
            )
        # What was not tried (the server went away) waits for the job's retry.
        Notification.objects.filter(email_claim=claim, email_state=EmailState.SENDING).exclude(
            pk__in=[*sent, *refused]
        ).update(email_state=EmailState.PENDING, email_claim="")
    log.info("event %s: %d e-mails sent, %d refused", event.key, len(sent), len(refused))
    return len(sent)


def _greeting_name(person: Person) -> str:
    # Someone known only by an address is greeted without it.
    name = person.first_name
    return "" if "@" in name else name


def _mail(
    notification: Notification, event: Event, recipient: Recipient, subscription_token
) -> EmailMessage:
    person = notification.recipient
    if notification.kind in FOLLOWING_KINDS and subscription_token:
        # Told because they follow the conversation: the link stops following it.
        unsubscribe_url = settings.SITE_URL + reverse("blog:unsubscribe", args=[subscription_token])
        unsubscribe_words = "Stop e-mails about this conversation"
    else:
        token = tokens.make(person.pk, notification.kind)
        unsubscribe_url = settings.SITE_URL + reverse("notifications:unsubscribe", args=[token])
        label = Kind(notification.kind).label
        unsubscribe_words = f"Stop e-mails about {label[0].lower()}{label[1:]}"
    preferences_url = ""
    if person.user_id:
        preferences_url = settings.SITE_URL + cached_reverse("notifications:preferences")
    context = {
        **event.context,
        "name": _greeting_name(person),
        "summary": notification.summary,
        "conversation": event.conversation,
        "link": settings.SITE_URL + event.path,
        "why": WHY[notification.kind],
        "unsubscribe_url": unsubscribe_url,
        "unsubscribe_words": unsubscribe_words,
        "preferences_url": preferences_url,
        "site_name": settings.SITE_NAME,
    }
    return EmailMessage(
        subject=" ".join(recipient.subject.split()),
        body=render_to_string(f"notifications/email/{event.template}", context),
        to=[notification.email],
        headers={
            # One-click unsubscribe (RFC 8058) for mail clients that offer it.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # No out-of-office or other automatic answers, please (RFC 3834).
            "Auto-Submitted": "auto-generated",
            # Recognised if it ever comes back in through the e-mail channel.
            "X-Openline-Loop": settings.SUPPORT_EMAIL_DOMAIN,
        },
    )
