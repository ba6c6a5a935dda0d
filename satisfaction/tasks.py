"""The survey e-mail. Jobs take ids and re-read the database."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from huey.contrib.djhuey import db_task

from satisfaction import services
from satisfaction.models import OPEN_FOR, Score, Survey

log = logging.getLogger(__name__)


def _greeting_name(survey: Survey) -> str:
    # A customer known only by an address is greeted without it.
    name = survey.person.first_name
    return "" if "@" in name else name


def survey_links(survey: Survey) -> dict:
    base = f"{settings.SITE_URL}/satisfaction/{survey.token}/"
    return {
        "survey_url": base,
        "stop_url": f"{base}stop/",
        "score_links": [(value, label, f"{base}{value}/") for value, label in Score.choices],
    }


@db_task(retries=3, retry_delay=60)
def send_survey(survey_id: int) -> bool:
    """E-mail the five one-click links; sent once (a survey with sent_at was sent)."""
    survey = (
        Survey.objects.select_related("conversation", "person")
        .filter(pk=survey_id, sent_at__isnull=True)
        .first()
    )
    if survey is None or not settings.SATISFACTION_SURVEYS:
        return False
    title = " ".join(survey.conversation.title.split())
    context = {
        **survey_links(survey),
        "survey": survey,
        "name": _greeting_name(survey),
        "title": title,
        "days": OPEN_FOR.days,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    mail = EmailMultiAlternatives(
        subject=f"How did we do? {title}",
        body=render_to_string("satisfaction/email.txt", context),
        to=[survey.email],
        headers={
            # Mail clients offer "unsubscribe", which here stops future surveys (RFC 8058).
            "List-Unsubscribe": f"<{context['stop_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            # Recognised if it ever comes back in through the e-mail channel.
            "X-Openline-Loop": settings.SUPPORT_EMAIL_DOMAIN,
        },
    )
    mail.attach_alternative(render_to_string("satisfaction/email.html", context), "text/html")
    get_connection().send_messages([mail])
    services.mark_sent(survey)
    log.info("satisfaction survey %s sent for conversation %s", survey.pk, survey.conversation_id)
    return True
