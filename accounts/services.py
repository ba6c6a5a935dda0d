"""State changes for people and their identities."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.models import NOTE_MAX, Identity, IdentityKind, Person, PersonNote, Role, User
from openline.text import written_text


def normalise_identity(kind: str, value: str) -> str:
    value = value.strip()
    if kind in (IdentityKind.EMAIL, IdentityKind.BLUESKY, IdentityKind.MASTODON):
        value = value.lower().removeprefix("@") if kind != IdentityKind.EMAIL else value.lower()
    return value


def person_for_user(user: User) -> Person:
    """The Person behind a login, created on first use (e.g. for `createsuperuser`)."""
    try:
        return user.person
    except Person.DoesNotExist:
        pass
    name = user.get_full_name() or (user.email.split("@")[0] if user.email else user.username)
    with transaction.atomic():
        person = Person.objects.create(
            user=user, display_name=name, is_staff_member=user.is_staff_member
        )
        if user.email:
            add_identity(person, IdentityKind.EMAIL, user.email, verified=False)
    user.person = person
    return person


def add_identity(person: Person, kind: str, value: str, *, verified: bool = False) -> Identity:
    value = normalise_identity(kind, value)
    existing = Identity.objects.filter(kind=kind, value__iexact=value).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Identity.objects.create(person=person, kind=kind, value=value, verified=verified)
    except IntegrityError:
        # Another request added the same identity at the same moment.
        return Identity.objects.get(kind=kind, value__iexact=value)


def register_customer(user: User, display_name: str) -> Person:
    """A member who signed up on the site."""
    display_name = display_name.strip() or user.email.split("@")[0]
    with transaction.atomic():
        person = person_for_user(user)
        if person.display_name != display_name:
            person.display_name = display_name
            person.save(update_fields=["display_name"])
    return person


def create_staff(
    *, email: str, display_name: str, title: str, role: str, password: str | None = None
) -> Person:
    if role == Role.CUSTOMER:
        raise ValueError("staff need a staff role")
    with transaction.atomic():
        user = User.objects.create_user(
            username=email.lower(),
            email=email.lower(),
            password=password,
            role=role,
            # Admins configure Openline, which includes Django's admin site.
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        person = Person.objects.create(
            user=user, display_name=display_name, title=title, is_staff_member=True
        )
        add_identity(person, IdentityKind.EMAIL, email, verified=True)
    return person


def set_role(user: User, role: str) -> None:
    """Change what a login may do; the Person's official status follows the role."""
    with transaction.atomic():
        user.role = role
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.save(update_fields=["role", "is_staff", "is_superuser"])
        person = person_for_user(user)
        person.is_staff_member = user.is_staff_member
        person.save(update_fields=["is_staff_member"])


def create_guest_author(display_name: str, bio: str) -> Person:
    return Person.objects.create(display_name=display_name, bio=bio, is_guest_author=True)


class NoteError(ValueError):
    """The note cannot be stored; the message says why, in words for staff."""


def add_person_note(person: Person, *, by: User, body: str) -> PersonNote:
    """A note about a person for colleagues; the person never sees it."""
    if not (by.is_authenticated and by.can("answer")):
        raise NoteError("Only staff who answer customers write notes about them.")
    body = written_text(body, NOTE_MAX, NoteError, what="note")
    return PersonNote.objects.create(person=person, author=by, body=body)
