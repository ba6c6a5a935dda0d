"""Background jobs for conversations. They take ids and re-read the database."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from conversations.markup import plain_text
from conversations.models import Message, StatusUpdate, Subscription

log = logging.getLogger(__name__)


def _send_to_subscribers(
    conversation, subject: str, template: str, context: dict, skip_person=None
):
    subscriptions = Subscription.objects.filter(conversation=conversation).select_related("person")
    if skip_person is not None:
        subscriptions = subscriptions.exclude(person_id=skip_person)
    messages = []
    for subscription in subscriptions:
        unsubscribe_url = f"{settings.SITE_URL}/unsubscribe/{subscription.token}/"
        body = render_to_string(
            template,
            {
                **context,
                "person": subscription.person,
                "conversation": conversation,
                "post_url": settings.SITE_URL + conversation.get_absolute_url(),
                "unsubscribe_url": unsubscribe_url,
                "site_name": settings.SITE_NAME,
            },
        )
        mail = EmailMultiAlternatives(
            subject=subject,
            body=body,
            to=[subscription.email],
            headers={
                # One-click unsubscribe (RFC 8058) for mail clients that offer it.
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
                # Recognised if it ever comes back in through the e-mail channel.
                "X-Openline-Loop": settings.SUPPORT_EMAIL_DOMAIN,
            },
        )
        messages.append(mail)
    if messages:
        get_connection().send_messages(messages)
    log.info("notified %d subscribers of %s", len(messages), conversation.slug)
    return len(messages)


@db_task()
def notify_status_update(update_id: int) -> int:
    update = (
        StatusUpdate.objects.select_related("known_issue__conversation", "author")
        .filter(pk=update_id)
        .first()
    )
    if update is None:
        return 0
    conversation = update.known_issue.conversation
    return _send_to_subscribers(
        conversation,
        f"[{update.get_status_display()}] {conversation.title}",
        "email/status_update.txt",
        {"update": update, "text": plain_text(update.body_html)},
    )


@db_task()
def notify_official_reply(message_id: int) -> int:
    message = (
        Message.objects.select_related("conversation", "author", "reply_to__author")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.internal or not message.official:
        return 0
    conversation = message.conversation
    return _send_to_subscribers(
        conversation,
        f"{message.author.display_name} replied: {conversation.title}",
        "email/official_reply.txt",
        {"message": message, "text": plain_text(message.body_html)},
        skip_person=message.author_id,
    )


@db_task(retries=2, retry_delay=30)
def analyse_messages(message_ids: list[int]) -> int:
    """Sentiment, intent and topic for new or edited messages (see conversations.scoring)."""
    from conversations import scoring

    return scoring.analyse_ids(message_ids)


@db_periodic_task(crontab(hour="3", minute="30"))
def refit_topics_nightly() -> int:
    """Incremental topics split finely as messages arrive; a nightly batch fit tidies them."""
    from conversations import scoring

    return scoring.refit_topics()
