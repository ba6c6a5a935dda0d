"""Trust levels: what a member has earned by taking part, and what it lets them do.

A level is earned from visible posts, topics started, answers accepted and days since
joining (thresholds in MODERATION_TRUST_LEVELS). Posts hidden or removed by moderators count
against it: every MODERATION_HIDDEN_POSTS_PER_LEVEL of them costs a level. Flags moderators
agreed with count for it: MODERATION_AGREED_FLAGS_FOR_STANDING more agreed than dismissed
flags earn one level, up to Regular. A level set by a moderator is locked: activity no
longer moves it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Person
from conversations.models import Message, Moderation
from moderation import conf
from moderation.models import Flag, FlagState, Member, TrustLevel


@dataclass(frozen=True)
class Activity:
    posts: int = 0
    topics: int = 0
    answers: int = 0
    days: int = 0
    hidden: int = 0
    flags_agreed: int = 0
    flags_dismissed: int = 0


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
        person=person,
        defaults={"trust_level": level, "trust_locked": locked, "updated_at": timezone.now()},
    )
    return member


def earned_level(activity: Activity) -> int:
    """The level `activity` earns under the configured thresholds."""
    level = TrustLevel.NEW
    for candidate, needs in sorted(conf.trust_thresholds().items()):
        if all(getattr(activity, criterion) >= minimum for criterion, minimum in needs.items()):
            level = candidate
        else:
            break
    standing = activity.flags_agreed - activity.flags_dismissed
    if standing >= settings.MODERATION_AGREED_FLAGS_FOR_STANDING and level < TrustLevel.REGULAR:
        level += 1
    level -= activity.hidden // settings.MODERATION_HIDDEN_POSTS_PER_LEVEL
    return max(TrustLevel.NEW, min(TrustLevel.LEADER, level))


def activity(person: Person, now=None) -> Activity:
    """What `person` has done that trust is earned (or lost) by."""
    from community.models import Question

    posts = Message.objects.filter(author=person, internal=False).aggregate(
        posts=Count("pk", filter=Q(moderation=Moderation.VISIBLE, conversation__is_public=True)),
        topics=Count(
            "pk",
            filter=Q(moderation=Moderation.VISIBLE, conversation__is_public=True, is_opening=True),
        ),
        hidden=Count("pk", filter=Q(moderation__in=[Moderation.HIDDEN, Moderation.REMOVED])),
    )
    flags = Flag.objects.filter(flagger=person).aggregate(
        agreed=Count("pk", filter=Q(state=FlagState.AGREED)),
        dismissed=Count("pk", filter=Q(state=FlagState.DISMISSED)),
    )
    joined = person.created_at or (now or timezone.now())
    return Activity(
        posts=posts["posts"],
        topics=posts["topics"],
        answers=Question.objects.filter(
            accepted_answer__author=person, accepted_answer__moderation=Moderation.VISIBLE
        ).count(),
        days=max(0, ((now or timezone.now()) - joined).days),
        hidden=posts["hidden"],
        flags_agreed=flags["agreed"],
        flags_dismissed=flags["dismissed"],
    )


def recompute_trust(person: Person, now=None) -> int:
    """Work a member's level out afresh from their activity (unless a moderator locked it);
    staff are always Leader."""
    if person.is_staff_member:
        return TrustLevel.LEADER
    member = Member.objects.filter(person=person).first()
    if member is not None and member.trust_locked:
        return member.trust_level
    level = earned_level(activity(person, now))
    if member is None:
        Member.objects.get_or_create(person=person, defaults={"trust_level": level})
    elif member.trust_level != level:
        member.trust_level, member.updated_at = level, timezone.now()
        member.save(update_fields=["trust_level", "updated_at"])
    return level


def flag_weight(level: int) -> float:
    """How much one flag from a member of `level` counts towards hiding a post."""
    return conf.per_level("MODERATION_FLAG_WEIGHTS")[level]


def recompute_all(now=None) -> int:
    """Recompute every member whose level activity still moves; how many changed."""
    changed = 0
    members = Member.objects.filter(
        trust_locked=False, trust_level__lt=TrustLevel.LEADER, person__is_staff_member=False
    ).select_related("person")
    for member in members.iterator(chunk_size=500):
        if recompute_trust(member.person, now) != member.trust_level:
            changed += 1
    return changed
