"""A member's own notifications: reading them, choosing what they hear of, unsubscribing.

Telling people is done by the jobs in notifications.tasks (see notifications.events).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Person, User
from accounts.services import person_for_user
from conversations.services import PostingError
from notifications import mentions, tokens, unread
from notifications.models import Kind, MemberSettings, Notification, Preference


def mark_read(notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
        unread.forget([notification.recipient.user_id])
    return notification


def mark_all_read(person: Person) -> int:
    count = Notification.objects.filter(recipient=person, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    unread.forget([person.user_id])
    return count


# --- Preferences -----------------------------------------------------------------------------


def member_settings(user: User) -> MemberSettings:
    """The member's handle and e-mail switch; a handle is made the first time."""
    return mentions.settings_for(person_for_user(user))


def save_preferences(
    user: User,
    *,
    handle: str,
    no_email: bool,
    choices: dict[str, tuple[bool, bool]],
) -> MemberSettings:
    """Store a member's handle, "no e-mail at all" switch and (in-site, e-mail) per kind."""
    current = member_settings(user)
    handle = handle.strip().removeprefix("@").lower()
    if not mentions.valid_handle(handle):
        raise PostingError(
            "A handle is 2 to 30 letters, digits, - or _, starting and ending with a letter "
            "or digit."
        )
    if handle in mentions.RESERVED:
        raise PostingError(f"@{handle} is kept for groups; choose another handle.")
    unknown = set(choices) - set(Kind.values)
    if unknown:
        raise PostingError("Unknown kind of notification.")
    now = timezone.now()
    try:
        with transaction.atomic():
            if MemberSettings.objects.filter(handle=handle).exclude(pk=current.pk).exists():
                raise IntegrityError("handle taken")
            current.handle, current.no_email, current.updated_at = handle, no_email, now
            current.save(update_fields=["handle", "no_email", "updated_at"])
            for kind, (in_site, email) in choices.items():
                Preference.objects.update_or_create(
                    person_id=current.pk,
                    kind=kind,
                    defaults={"in_site": in_site, "email": email, "updated_at": now},
                )
    except IntegrityError:
        raise PostingError(f"@{handle} is taken; choose another handle.") from None
    return current


# --- One-click unsubscribe -------------------------------------------------------------------


def unsubscribe_target(token: str) -> tuple[Person, str] | None:
    """The person and kind an unsubscribe link is for; None if it was not made here."""
    read = tokens.read(token)
    if read is None:
        return None
    person = Person.objects.filter(pk=read[0]).first()
    return (person, read[1]) if person is not None else None


def stop_emails(person: Person, kind: str) -> Preference:
    """Turn e-mail off for one kind; what shows on the site stays as it was."""
    now = timezone.now()
    with transaction.atomic():
        preference, created = Preference.objects.select_for_update().get_or_create(
            person=person, kind=kind, defaults={"in_site": True, "email": False, "updated_at": now}
        )
        if not created and preference.email:
            preference.email, preference.updated_at = False, now
            preference.save(update_fields=["email", "updated_at"])
    return preference
