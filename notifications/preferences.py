"""What each person wants to hear of, and how: their choices, else the defaults."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from notifications.models import Kind, MemberSettings, Preference


def default(kind: str) -> tuple[bool, bool]:
    """(in-site, e-mail) for someone who has not chosen: told of everything on the site,
    e-mailed about what OPENLINE_NOTIFICATIONS_EMAIL_BY_DEFAULT names."""
    return True, kind in settings.NOTIFICATIONS_EMAIL_BY_DEFAULT


class Choices:
    """The choices of a group of people, read in two queries."""

    def __init__(self, person_ids: Iterable[int]):
        ids = list(person_ids)
        self._rows = {
            (p.person_id, p.kind): (p.in_site, p.email)
            for p in Preference.objects.filter(person_id__in=ids)
        }
        self._no_email = set(
            MemberSettings.objects.filter(person_id__in=ids, no_email=True).values_list(
                "person_id", flat=True
            )
        )

    def chosen(self, person_id: int, kind: str) -> tuple[bool, bool]:
        """(in-site, e-mail) as set for this kind, before the "no e-mail at all" switch."""
        return self._rows.get((person_id, kind), default(kind))

    def in_site(self, person_id: int, kind: str) -> bool:
        return self.chosen(person_id, kind)[0]

    def email(self, person_id: int, kind: str) -> bool:
        return person_id not in self._no_email and self.chosen(person_id, kind)[1]


def choices_of(person_id: int) -> dict[str, tuple[bool, bool]]:
    """Every kind with one person's (in-site, e-mail), for their preferences page."""
    choices = Choices([person_id])
    return {kind: choices.chosen(person_id, kind) for kind in Kind.values}
