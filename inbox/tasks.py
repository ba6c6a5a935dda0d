"""Background jobs of the staff inbox: warnings before a target passes, escalation after."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from accounts.access import staff_addresses
from conversations import targets
from conversations.models import Conversation, Message, ResponseState

BATCH = 200


def _headers() -> dict:
    return {"Auto-Submitted": "auto-generated", "X-Openline-Loop": settings.SUPPORT_EMAIL_DOMAIN}


def _send(subject: str, template: str, to: list[str], context: dict) -> EmailMessage:
    body = render_to_string(
        template, {**context, "site_url": settings.SITE_URL, "site_name": settings.SITE_NAME}
    )
    return EmailMessage(subject=subject, body=body, to=to, headers=_headers())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def escalate_missed_targets() -> int:
    """Tell managers, once per message and once per case, about targets that passed:
    customers still waiting for a first answer, and cases still open past their
    resolution target."""
    now = timezone.now()
    with transaction.atomic():
        missed = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(response_state=ResponseState.AWAITING, due_at__lt=now, escalated_at=None)
            .select_related("author", "conversation")
            .order_by("due_at")[:BATCH]
        )
        late_cases = list(
            Conversation.objects.select_for_update(skip_locked=True)
            .filter(
                opened_at__isnull=False,
                resolution_due_at__lt=now,
                resolution_escalated_at=None,
                merged_into=None,
            )
            .select_related("author")
            .order_by("resolution_due_at")[:BATCH]
        )
        if not missed and not late_cases:
            return 0
        managers = staff_addresses("report")
        if managers:
            parts = []
            if missed:
                parts.append(f"{_plural(len(missed), 'customer message')} past the response target")
            if late_cases:
                parts.append(f"{_plural(len(late_cases), 'case')} past the resolution target")
            mail = _send(
                " and ".join(parts),
                "email/escalation.txt",
                managers,
                {"messages": missed, "count": len(missed), "cases": late_cases},
            )
            get_connection().send_messages([mail])
        Message.objects.filter(pk__in=[m.pk for m in missed]).update(escalated_at=now)
        Conversation.objects.filter(pk__in=[c.pk for c in late_cases]).update(
            resolution_escalated_at=now
        )
    return len(missed) + len(late_cases)


def _recipients(conversation: Conversation, everyone: list[str], teams: dict) -> list[str]:
    """Who is warned: the assignee; else the team (its members and its address); else every
    member of staff who answers customers."""
    if conversation.assignee_id and conversation.assignee.email:
        return [conversation.assignee.email]
    if conversation.team_id:
        members = teams.get(conversation.team_id)
        if members:
            return members
    return everyone


def warn_before_breach() -> int:
    """Warn the people handling each message and case, once, when its target is near
    (OPENLINE_RESPONSE_WARNING before it passes). One e-mail per person per run."""
    now = timezone.now()
    horizon = now + timedelta(seconds=targets.warning_seconds())
    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                response_state=ResponseState.AWAITING,
                due_at__gt=now,
                due_at__lte=horizon,
                warned_at=None,
            )
            .select_related("author", "conversation__assignee")
            .order_by("due_at")[:BATCH]
        )
        cases = list(
            Conversation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                opened_at__isnull=False,
                resolution_due_at__gt=now,
                resolution_due_at__lte=horizon,
                resolution_warned_at=None,
                merged_into=None,
            )
            .select_related("author", "assignee")
            .order_by("resolution_due_at")[:BATCH]
        )
        if not messages and not cases:
            return 0
        everyone = staff_addresses("answer")
        teams = _team_addresses(
            {m.conversation.team_id for m in messages} | {c.team_id for c in cases}
        )
        per_person: dict[str, dict[str, list]] = defaultdict(lambda: {"messages": [], "cases": []})
        for message in messages:
            for address in _recipients(message.conversation, everyone, teams):
                per_person[address]["messages"].append(message)
        for case in cases:
            for address in _recipients(case, everyone, teams):
                per_person[address]["cases"].append(case)
        mails = [
            _send(
                f"Due soon: {_plural(len(items['messages']) + len(items['cases']), 'customer')} "
                "waiting",
                "email/warning.txt",
                [address],
                items,
            )
            for address, items in sorted(per_person.items())
        ]
        get_connection().send_messages(mails)
        Message.objects.filter(pk__in=[m.pk for m in messages]).update(warned_at=now)
        Conversation.objects.filter(pk__in=[c.pk for c in cases]).update(resolution_warned_at=now)
    return len(messages) + len(cases)


def _team_addresses(team_ids: set) -> dict[int, list[str]]:
    from accounts.models import Team

    addresses: dict[int, list[str]] = {}
    for team in Team.objects.filter(pk__in=[t for t in team_ids if t]).prefetch_related("members"):
        found = [u.email for u in team.members.all() if u.is_active and u.email]
        addresses[team.pk] = sorted(set(found + ([team.email] if team.email else [])))
    return addresses


@db_periodic_task(crontab(minute="*/5"))
def escalate() -> int:
    return warn_before_breach() + escalate_missed_targets()
