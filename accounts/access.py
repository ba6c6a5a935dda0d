"""Who may do what, and the one way views look up people: 403 for anyone who does not answer
customers, 404 when the person does not exist; and the addresses of staff by capability."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import CAPABILITIES, Identity, Person, User

# Larger numbers are no primary key, and SQLite cannot even bind them.
PK_MAX = 2**63 - 1


def require(user, capability: str, reason: str = "") -> None:
    """403 unless `user` is signed in and their role has `capability`."""
    if not (user.is_authenticated and user.can(capability)):
        raise PermissionDenied(reason or f"Only staff who may {capability} do that.")


def staff_addresses(capability: str) -> list[str]:
    """The e-mail addresses of active staff whose role has `capability`."""
    return list(
        User.objects.filter(role__in=CAPABILITIES[capability], is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _require_answerer(user) -> None:
    require(user, "answer", "Customer profiles are for staff who answer customers.")


def get_person_for_staff(user, pk: int) -> Person:
    """Any person, merged away or not, with their login."""
    _require_answerer(user)
    person = None
    if 0 < pk <= PK_MAX:
        person = Person.objects.select_related("user", "merged_into").filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    return person


def find_people_for_staff(user, query: str) -> QuerySet[Person]:
    """People whose name, login e-mail or identity contains `query` (or whose profile number
    it is); everyone when it is empty. People merged into someone else are left out."""
    _require_answerer(user)
    people = Person.objects.filter(merged_into__isnull=True)
    query = query.strip()
    if query:
        match = (
            Q(display_name__icontains=query)
            | Q(user__email__icontains=query)
            | Q(pk__in=Identity.objects.filter(value__icontains=query).values("person_id"))
        )
        number = query.removeprefix("#")
        if number.isdecimal() and 0 < int(number) <= PK_MAX:
            match |= Q(pk=int(number))
        people = people.filter(match).order_by("display_name", "pk")
    else:
        people = people.order_by("-created_at", "-pk")
    return people.select_related("user").prefetch_related("identities")
