"""Merging two Persons who turn out to be the same human (see docs/people.md).

Everything that points at the duplicate moves to the person kept. The rows are found by
walking `Person._meta.related_objects`, so a link another app adds later (a survey, a vote)
moves too without a change here. Where a unique rule that includes the link would clash (the
same subscription on both), the duplicate's row is dropped if it would have been deleted with
the person anyway (CASCADE), and the merge is refused otherwise. The duplicate is kept, empty,
with `merged_into` set, so old links to it still lead somewhere.
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.constraints import UniqueConstraint

from accounts.models import Person, User
from conversations.models import Conversation, Message
from conversations.services import audit
from openline import pagecache

# Longer chains mean a loop someone made by hand; they are never followed that far.
CHAIN_LIMIT = 50


class MergeError(ValueError):
    """The merge was refused and nothing changed; the message says why, in words for staff."""


def current_person(person: Person) -> Person:
    """The person `person` now is: itself, or the end of its chain of merges."""
    seen = {person.pk}
    while person.merged_into_id is not None:
        person = Person.objects.select_related("user").get(pk=person.merged_into_id)
        if person.pk in seen or len(seen) >= CHAIN_LIMIT:
            raise MergeError("These people were merged into each other in a loop.")
        seen.add(person.pk)
    return person


def merge_persons(source: Person, into: Person, *, by: User) -> Person:
    """Move everything of `source` to `into` (or to whom `into` was merged into) and
    mark `source` as merged there. Returns the person kept."""
    if not (by.is_authenticated and by.can("answer")):
        raise MergeError("Only staff who answer customers merge people.")
    with transaction.atomic():
        # Read afresh: the caller's copy may predate a merge of `into` itself.
        kept = Person.objects.filter(pk=into.pk).first()
        if kept is None:
            raise MergeError("One of these people no longer exists.")
        kept = current_person(kept)
        if kept.pk == source.pk != into.pk:
            raise MergeError(f"{into} was already merged into {source}.")
        source, into = _locked(source.pk, kept.pk)
        _check(source, into)
        # Their messages now show another name: cached threads and pages are stale.
        Conversation.objects.filter(
            pk__in=Message.objects.filter(author=source).values("conversation_id")
        ).update(thread_version=F("thread_version") + 1)
        moved = {}
        for model, field, cascades in _links(Person):
            count = _move(model, field, cascades, source, into)
            if count:
                moved[model._meta.label_lower] = count
        login = source.user
        source.user = None
        source.merged_into = into
        source.save(update_fields=["user", "merged_into"])
        if login is not None:
            into.user = login
            into.save(update_fields=["user"])
            moved["login"] = login.pk
        pagecache.invalidate()
        audit(
            by,
            "merged people",
            source=source.pk,
            into=into.pk,
            source_name=source.display_name,
            moved=moved,
        )
    return into


def _locked(source_pk: int, into_pk: int) -> tuple[Person, Person]:
    # One query, in primary-key order, so two merges of the same pair cannot deadlock.
    people = {
        p.pk: p
        # Only the people's rows: PostgreSQL locks no nullable side of an outer join.
        for p in Person.objects.select_for_update(of=("self",))
        .select_related("user", "merged_into")
        .filter(pk__in=[source_pk, into_pk])
        .order_by("pk")
    }
    if source_pk not in people or into_pk not in people:
        raise MergeError("One of these people no longer exists.")
    return people[source_pk], people[into_pk]


def _check(source: Person, into: Person) -> None:
    if source.pk == into.pk:
        raise MergeError(f"{source} cannot be merged with themselves.")
    if source.merged_into_id is not None:
        raise MergeError(f"{source} was already merged into {source.merged_into}.")
    if into.merged_into_id is not None:
        raise MergeError(f"{into} was merged into someone else just now. Please try again.")
    if source.is_staff_member != into.is_staff_member:
        staff, customer = (source, into) if source.is_staff_member else (into, source)
        raise MergeError(
            f"{staff} is a member of staff and {customer} is not: they are never merged."
        )
    if source.user_id is not None and into.user_id is not None:
        raise MergeError(
            f"{source} and {into} both sign in with their own login. "
            "An admin must remove one of the logins before they can be merged."
        )


def _links(target: type[models.Model]) -> list[tuple[type[models.Model], models.Field, bool]]:
    """Every (model, foreign key to `target`, deleted with the target?) in the project,
    many-to-many links included (as the foreign key in their table)."""
    links = []
    for rel in target._meta.related_objects:
        if rel.many_to_many:
            through = rel.through
            if not through._meta.auto_created:
                continue  # its foreign key to the target is listed on its own
            field = through._meta.get_field(rel.field.m2m_reverse_field_name())
            links.append((through, field, True))
        else:
            links.append((rel.related_model, rel.field, rel.on_delete is models.CASCADE))
    return links


def _move(model, field, cascades: bool, source: Person, into: Person) -> int:
    rows = model._base_manager.filter(**{field.name: source})
    if not rows.exists():
        return 0
    for others, condition, nulls_distinct in _unique_rules(model, field):
        clashing = _clashing(model, field, others, condition, nulls_distinct, source, into)
        if not clashing:
            continue
        if not cascades:
            raise MergeError(
                f"Both have a {model._meta.verbose_name} that may exist only once per person; "
                "they cannot be merged automatically."
            )
        model._base_manager.filter(pk__in=clashing).delete()
    return rows.update(**{field.name: into})


def _unique_rules(model, field) -> list[tuple[list, Q | None, bool]]:
    """The unique rules on `model` that include `field`: for each, the other expressions
    that make up the rule, the condition under which it applies, and whether NULLs differ."""
    names = {field.name, field.attname}
    rules = []
    if field.unique:
        rules.append(([], None, True))
    for together in model._meta.unique_together:
        if names & set(together):
            rules.append(([F(n) for n in together if n not in names], None, True))
    for constraint in model._meta.constraints:
        if not isinstance(constraint, UniqueConstraint):
            continue
        expressions = [F(n) for n in constraint.fields] or list(constraint.expressions)
        if not any(_mentions(e, names) for e in expressions):
            # e.g. Identity's (kind, value): unique across all people, so it cannot clash.
            continue
        others = [e for e in expressions if not _mentions(e, names)]
        rules.append((others, constraint.condition, constraint.nulls_distinct is not False))
    return rules


def _mentions(expression, names: set[str]) -> bool:
    if isinstance(expression, F):
        return expression.name in names
    return any(_mentions(e, names) for e in expression.get_source_expressions() if e is not None)


def _clashing(model, field, others, condition, nulls_distinct, source, into) -> list:
    """Primary keys of the source's rows that would break the rule once moved."""

    def keys(person):
        rows = model._base_manager.filter(**{field.name: person})
        if condition is not None:
            rows = rows.filter(condition)
        annotations = {f"merge_key_{i}": e for i, e in enumerate(others)}
        return [
            (row[0], tuple(row[1:]))
            for row in rows.annotate(**annotations).values_list("pk", *annotations).order_by()
        ]

    kept = {key for _, key in keys(into)}
    return [pk for pk, key in keys(source) if key in kept and not (nulls_distinct and None in key)]
