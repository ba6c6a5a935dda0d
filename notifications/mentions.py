"""@mentions: every member has a handle, and `@handle` in a visible public message tells them.

A handle is 2 to 30 letters, digits, `-` or `_`, starting and ending with a letter or digit,
stored in lower case and matched case-insensitively. It is made from the display name (the
first name, else the whole name run together, else a number is added) the first time it is
needed, and members change it on their preferences page.

Mentions are read from the rendered message, so Markdown decides what is code: `@name` inside
a code span or block is not a mention, nor is one inside a quotation (the quoted person was
told when they were first mentioned). Only the first NOTIFICATIONS_MENTION_LIMIT different
handles of a message count.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.conf import settings
from django.utils.text import slugify

from accounts.models import Person
from notifications.models import MemberSettings

HANDLE = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,28}[a-z0-9])?")
HANDLE_MIN = 2
# Not after a letter, digit or dot (an e-mail address, a path); the handle's end is checked
# by HANDLE once trailing punctuation is stripped.
_MENTION = re.compile(r"(?<![\w.@/+-])@([A-Za-z0-9][A-Za-z0-9_-]*)")
# Words that read like a call to a group; nobody has them as a handle.
RESERVED = frozenset({"all", "everyone", "here", "staff", "admin", "support", "moderators"})
_NUMBERED = 20  # "maria2" .. "maria20" before falling back to the person's number


def valid_handle(handle: str) -> bool:
    return len(handle) >= HANDLE_MIN and HANDLE.fullmatch(handle) is not None


class _Text(HTMLParser):
    """The text of rendered HTML outside code and quotations, one chunk per text node."""

    SKIP = frozenset({"code", "pre", "blockquote"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.chunks.append(data)


def handles_in(body_html: str, limit: int | None = None) -> list[str]:
    """The different handles a rendered message mentions, in order, at most `limit`."""
    limit = settings.NOTIFICATIONS_MENTION_LIMIT if limit is None else limit
    if "@" not in body_html or limit <= 0:
        return []
    parser = _Text()
    parser.feed(body_html)
    parser.close()
    found: dict[str, None] = {}
    for chunk in parser.chunks:
        for match in _MENTION.finditer(chunk):
            handle = match.group(1).rstrip("-_").lower()
            if valid_handle(handle) and handle not in RESERVED:
                found.setdefault(handle)
                if len(found) >= limit:
                    return list(found)
    return list(found)


def resolve(handles: list[str]) -> dict[str, int]:
    """Handle → person id, for the members with these handles (one query)."""
    if not handles:
        return {}
    assign_missing_handles()
    return dict(
        MemberSettings.objects.filter(
            handle__in=[h.lower() for h in handles], person__user__is_active=True
        ).values_list("handle", "person_id")
    )


def handles_of(person_ids) -> dict[int, str]:
    """Person id → handle, to show "@handle" by the names on a page of messages (one query)."""
    return dict(
        MemberSettings.objects.filter(person_id__in=list(person_ids)).values_list(
            "person_id", "handle"
        )
    )


def _bases(display_name: str, person_id: int) -> list[str]:
    words = [slugify(word).replace("-", "") for word in display_name.split()]
    words = [w for w in words if w]
    bases = []
    for base in (words[0] if words else "", "".join(words)):
        base = base[:30].strip("_")
        if valid_handle(base) and base not in RESERVED and base not in bases:
            bases.append(base)
    return bases or [f"member{person_id}"]


def _candidates(display_name: str, person_id: int) -> list[str]:
    bases = _bases(display_name, person_id)
    numbered = [f"{bases[0][:27]}{n}" for n in range(2, _NUMBERED + 1)]
    return [*bases, *numbered, f"{bases[0][:19]}-{person_id}"]


def assign_missing_handles() -> int:
    """Give a handle to every member who has none yet, in a few queries however many.

    Members get theirs when first needed: before mentions are read, and when they open
    their notifications or preferences. A member who races another to a handle is left
    without one this time and gets the next free one on the next call.
    """
    people = list(
        Person.objects.filter(user__isnull=False, notification_settings__isnull=True)
        .order_by("pk")  # the earlier member gets the plainer handle, on every database
        .values_list("pk", "display_name")
    )
    if not people:
        return 0
    wanted = {pk: _candidates(name, pk) for pk, name in people}
    every = {c for candidates in wanted.values() for c in candidates}
    taken = set()
    every_list = sorted(every)
    for start in range(0, len(every_list), 500):
        taken.update(
            MemberSettings.objects.filter(handle__in=every_list[start : start + 500]).values_list(
                "handle", flat=True
            )
        )
    rows = []
    for pk, candidates in wanted.items():
        handle = next((c for c in candidates if c not in taken), None)
        if handle is not None:
            taken.add(handle)
            rows.append(MemberSettings(person_id=pk, handle=handle))
    MemberSettings.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def settings_for(person: Person) -> MemberSettings:
    """A member's settings row, with a handle made for them if they have none yet."""
    found = MemberSettings.objects.filter(person=person).first()
    if found is None:
        assign_missing_handles()
        found = MemberSettings.objects.get(person=person)
    return found
