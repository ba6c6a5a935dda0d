"""Trust levels: what a member has earned by taking part, and what it lets them do."""

from __future__ import annotations

from accounts.models import Person
from moderation.models import Member, TrustLevel


def trust_level(person: Person) -> int:
    """The person's trust level, 0 to 4. Staff are trusted fully."""
    if person.is_staff_member:
        return TrustLevel.LEADER
    level = Member.objects.filter(person=person).values_list("trust_level", flat=True).first()
    return TrustLevel.NEW if level is None else level


def set_trust_level(person: Person, level: int, *, locked: bool = True) -> Member:
    """Set a member's level by hand (a moderator's decision, or a test's); `locked` keeps
    activity from moving it afterwards."""
    if level not in TrustLevel.values:
        raise ValueError(f"Trust levels run from 0 to 4, not {level}.")
    member, _ = Member.objects.update_or_create(
        person=person, defaults={"trust_level": level, "trust_locked": locked}
    )
    return member
