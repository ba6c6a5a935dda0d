"""Background jobs of the staff inbox."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from accounts.models import CAPABILITIES, User
from conversations.models import Message, ResponseState

ESCALATION_BATCH = 200


def escalate_missed_targets() -> int:
    """Tell managers, once per message, about customers still waiting past their target."""
    now = timezone.now()
    with transaction.atomic():
        missed = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(response_state=ResponseState.AWAITING, due_at__lt=now, escalated_at=None)
            .select_related("author", "conversation")
            .order_by("due_at")[:ESCALATION_BATCH]
        )
        if not missed:
            return 0
        managers = list(
            User.objects.filter(role__in=CAPABILITIES["report"], is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if managers:
            body = render_to_string(
                "email/escalation.txt",
                {
                    "messages": missed,
                    "count": len(missed),
                    "site_url": settings.SITE_URL,
                    "site_name": settings.SITE_NAME,
                },
            )
            mail = EmailMessage(
                subject=f"{len(missed)} customer message{'s' if len(missed) != 1 else ''} "
                "past the response target",
                body=body,
                to=managers,
                headers={
                    "Auto-Submitted": "auto-generated",
                    "X-Openline-Loop": settings.SUPPORT_EMAIL_DOMAIN,
                },
            )
            get_connection().send_messages([mail])
        Message.objects.filter(pk__in=[m.pk for m in missed]).update(escalated_at=now)
    return len(missed)


@db_periodic_task(crontab(minute="*/5"))
def escalate() -> int:
    return escalate_missed_targets()
