"""Canned replies: saved answers with fields filled in for each customer.

Also the crisis playbooks that bundle them with a known-issue template: while a
playbook run is active, {link} in its replies is the known issue it published.
Every state change of a canned reply, a playbook or a run goes through a function
here, and every permission is checked here too (see docs/canned-replies.md).
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import Person, User
from accounts.services import person_for_user
from conversations import services
from conversations.models import Category, Conversation, Kind, KnownIssueStatus
from conversations.services import PostingError
from inbox.models import CannedReply, Playbook, PlaybookRun

FIELDS = ("first_name", "agent_name", "link")
FIELD_LIST = "{first_name}, {agent_name} and {link}"
# "{{" and "}}" are literal braces, as in Python's str.format; "{name}" is a field.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
# Customer names go into an official reply's Markdown: their punctuation stays text.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]<>~|])")
NO_NAME = "there"  # "Hi there," when the customer's name is unknown


# --- Fields ---------------------------------------------------------------------------


def field_problems(body_md: str) -> list[str]:
    """What is wrong with the fields of a reply's text, in words for its author."""
    unknown: list[str] = []
    stray = False
    position = 0
    for match in _TOKEN.finditer(body_md or ""):
        stray = stray or any(brace in body_md[position : match.start()] for brace in "{}")
        name = match.group(1)
        if name is not None and name.strip() not in FIELDS and match.group(0) not in unknown:
            unknown.append(match.group(0))
        position = match.end()
    stray = stray or any(brace in (body_md or "")[position:] for brace in "{}")
    problems = []
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        problems.append(f"Unknown field{plural} {', '.join(unknown)}: the fields are {FIELD_LIST}.")
    if stray:
        problems.append("A lone { or }: write {{ or }} for a brace, or a field like {first_name}.")
    return problems


def check_fields(body_md: str) -> None:
    """Refuse a reply text with an unknown field or a stray brace (see field_problems)."""
    problems = field_problems(body_md)
    if problems:
        raise ValidationError({"body_md": problems})


def _as_text(value: str) -> str:
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", value)


def _agent_name(agent) -> str:
    person = agent if isinstance(agent, Person) else getattr(agent, "person", None)
    if person is not None:
        return person.display_name
    return agent.get_full_name() if isinstance(agent, User) else ""


def render(reply, *, conversation, customer, agent) -> str:
    """The reply's Markdown with {first_name}, {agent_name} and {link} filled in.

    `customer` is a Person or None, `agent` the User (or Person) answering. A field
    that is not known (saved before a field was renamed) is left as it is: rendering
    never fails. {link} is described at link_for().
    """
    first_name = getattr(customer, "first_name", "") or ""
    values = {
        "first_name": lambda: _as_text(first_name) if first_name else NO_NAME,
        "agent_name": lambda: _as_text(_agent_name(agent)) if agent is not None else "",
        "link": lambda: link_for(reply, conversation),
    }

    def fill(match: re.Match) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1).strip()
        return values[name]() if name in values else token

    return _TOKEN.sub(fill, reply.body_md)


def link_for(reply: CannedReply, conversation: Conversation | None = None) -> str:
    """What {link} stands for: the known issue of an active playbook run the reply belongs
    to, else the reply's own link, else the conversation's public address, else nothing."""
    run = active_run_of(reply)
    if run is not None:
        return settings.SITE_URL + run.known_issue.get_absolute_url()
    if reply.link:
        return reply.link
    if conversation is not None and conversation.is_public and conversation.is_published:
        return settings.SITE_URL + conversation.get_absolute_url()
    return ""


def attach_active_runs(replies: list[CannedReply]) -> list[CannedReply]:
    """Set `active_run` on each reply: the latest active run of a playbook it belongs to,
    or None. One query, whatever the number of replies."""
    latest: dict[int, PlaybookRun] = {}
    runs = (
        PlaybookRun.objects.active()
        .annotate(reply_id=F("playbook__canned_replies"))
        .filter(reply_id__isnull=False)
        .select_related("playbook", "known_issue")
        .order_by("started_at", "id")
    )
    for run in runs:
        latest[run.reply_id] = run  # later runs overwrite earlier ones
    for reply in replies:
        reply.active_run = latest.get(reply.pk)
    return replies


def active_run_of(reply: CannedReply) -> PlaybookRun | None:
    if "active_run" not in reply.__dict__:
        attach_active_runs([reply])
    return reply.active_run


# --- Who may do what --------------------------------------------------------------------


def can_use(user) -> bool:
    """Use the shared replies and keep replies of one's own."""
    return user.is_authenticated and user.can("answer")


def can_manage_shared(user) -> bool:
    return user.is_authenticated and (user.can("report") or user.can("configure"))


def can_manage(user, reply: CannedReply) -> bool:
    if reply.owner_id is None:
        return can_manage_shared(user)
    return can_use(user) and reply.owner_id == user.pk


def can_run_playbooks(user) -> bool:
    """Starting a playbook publishes a known issue: bloggers, managers and admins."""
    return user.is_authenticated and (user.can("publish") or user.can("report"))


def require_user(user) -> None:
    if not can_use(user):
        raise PermissionDenied("Canned replies are for staff who answer customers.")


def visible_to(user):
    """The shared replies and the user's own, by title."""
    return (
        CannedReply.objects.filter(Q(owner__isnull=True) | Q(owner=user))
        .select_related("category")
        .order_by("title", "id")
    )


def get_canned_reply_for_user(user, pk: int, *, write: bool = False) -> CannedReply:
    """A reply the user may see (403 for non-staff, 404 for someone else's own);
    with write=True, one the user may also change or delete (403)."""
    require_user(user)
    reply = visible_to(user).filter(pk=pk).first()
    if reply is None:
        raise Http404("No such canned reply")
    if write and not can_manage(user, reply):
        raise PermissionDenied("Shared replies are kept by managers and admins.")
    return reply


def get_playbook_for_user(user, pk: int) -> Playbook:
    if not can_run_playbooks(user):
        raise PermissionDenied("Playbooks are started by bloggers, managers and admins.")
    playbook = Playbook.objects.filter(pk=pk).first()
    if playbook is None:
        raise Http404("No such playbook")
    return playbook


def get_playbook_run_for_user(user, pk: int) -> PlaybookRun:
    if not can_run_playbooks(user):
        raise PermissionDenied("Playbooks are ended by bloggers, managers and admins.")
    run = PlaybookRun.objects.select_related("playbook", "known_issue").filter(pk=pk).first()
    if run is None:
        raise Http404("No such playbook run")
    return run


# --- Using replies ------------------------------------------------------------------------


def _picker_group(reply: CannedReply) -> tuple[int, str]:
    if reply.active_run is not None:
        return (0, f"Playbook: {reply.active_run.playbook.name}")
    return (1, "Shared") if reply.owner_id is None else (2, "Your own")


def available_for(user, conversation) -> list[CannedReply]:
    """The canned replies this staff member may use on this conversation (two queries).

    Replies of active playbook runs come first (each with `active_run` set, so {link}
    is the run's known issue), then those of the conversation's department, then the
    rest, each by title. Each also has `picker_group`, (rank, label), for the picker.
    """
    if not can_use(user):
        return []
    replies = attach_active_runs(list(visible_to(user)))
    category_id = getattr(conversation, "category_id", None)

    def order(reply: CannedReply):
        if reply.active_run is not None:
            return (0, reply.active_run.playbook.name.lower(), reply.title.lower(), reply.pk)
        rank = 1 if category_id is not None and reply.category_id == category_id else 2
        return (rank, "", reply.title.lower(), reply.pk)

    for reply in replies:
        reply.picker_group = _picker_group(reply)
    return sorted(replies, key=order)


def chosen(replies: list[CannedReply], pk) -> CannedReply | None:
    """The reply asked for (`?canned=<id>`) if it is in `replies` (from available_for): an id
    from elsewhere, someone else's own reply or garbage gives None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return next((reply for reply in replies if reply.pk == pk), None)


def note_used(reply: CannedReply) -> None:
    """Count a use: the list shows which replies earn their keep."""
    CannedReply.objects.filter(pk=reply.pk).update(use_count=F("use_count") + 1)
    reply.use_count += 1


def sample_customer() -> Person:
    """The customer previews are rendered for."""
    return Person(display_name="Jamie Example")


def sample_conversation() -> Conversation:
    """A public conversation for previews, so {link} shows where it would lead."""
    now = timezone.now()
    return Conversation(
        kind=Kind.QUESTION, title="Example", slug="example", is_public=True, published_at=now
    )


# --- Keeping replies ----------------------------------------------------------------------


def save_canned_reply(
    reply: CannedReply | None,
    *,
    by: User,
    title: str,
    body_md: str,
    link: str = "",
    category: Category | None = None,
    shared: bool = False,
) -> CannedReply:
    """Create (reply=None) or change a canned reply; shared=False makes it `by`'s own.

    Raises PermissionDenied, or ValidationError keyed by field ("title", "body_md", "link")
    for an unknown field in the text, a title already taken, a bad link.
    """
    require_user(by)
    if reply is not None and not can_manage(by, reply):
        raise PermissionDenied("Shared replies are kept by managers and admins.")
    if shared and not can_manage_shared(by):
        raise PermissionDenied("Only managers and admins share replies with all staff.")
    now = timezone.now()
    if reply is None:
        reply = CannedReply(created_by=by, created_at=now)
    reply.title = (title or "").strip()
    reply.body_md = (body_md or "").replace("\x00", "").strip()
    reply.link = (link or "").strip()
    reply.category = category
    reply.owner = None if shared else by
    reply.updated_at = now
    # Not "owner": the unique-title constraints depend on it.
    reply.full_clean(exclude=["created_by", "category"])
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:  # the same title saved at the same moment by someone else
        raise ValidationError({"title": "There is already a reply with this title."}) from None
    return reply


def delete_canned_reply(reply: CannedReply, *, by: User) -> None:
    if not can_manage(by, reply):
        raise PermissionDenied("Shared replies are kept by managers and admins.")
    reply.delete()


# --- Playbooks ------------------------------------------------------------------------------


def _close_if_resolved(playbook: Playbook, now) -> None:
    """A run whose known issue was resolved ended then; record it, so the playbook can
    run again."""
    run = (
        PlaybookRun.objects.filter(
            playbook=playbook,
            ended_at__isnull=True,
            known_issue__known_issue__status=KnownIssueStatus.RESOLVED,
        )
        .select_related("known_issue__known_issue")
        .first()
    )
    if run is not None:
        run.ended_at = run.known_issue.known_issue.resolved_at or now
        run.save(update_fields=["ended_at"])


def start_playbook(playbook: Playbook, *, by: User) -> PlaybookRun:
    """Publish the playbook's known issue now, its first update promised in
    next_update_minutes; while the run lasts, its replies' {link} leads there."""
    if not can_run_playbooks(by):
        raise PermissionDenied("Playbooks are started by bloggers, managers and admins.")
    now = timezone.now()
    with transaction.atomic():
        # Locked: two people starting it at once publish one known issue, not two (the
        # one-open-run constraint stays as the backstop).
        playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
        if not playbook.active:
            raise PostingError("This playbook is switched off.")
        _close_if_resolved(playbook, now)
        if PlaybookRun.objects.filter(playbook=playbook, ended_at__isnull=True).exists():
            raise PostingError(f"“{playbook.name}” is already running: end that run first.")
        issue = services.publish_post(
            author=person_for_user(by),
            kind=Kind.KNOWN_ISSUE,
            title=playbook.issue_title,
            body_md=playbook.issue_body_md,
            category=playbook.issue_category,
            affected_area=playbook.issue_affected_area,
            status=KnownIssueStatus.INVESTIGATING,
            next_update_due=now + timedelta(minutes=playbook.next_update_minutes),
            published_at=now,
        )
        run = PlaybookRun.objects.create(
            playbook=playbook, known_issue=issue, started_by=by, started_at=now
        )
        services.audit(by, "started a playbook", conversation=issue, playbook=playbook.name)
    return run


def end_playbook_run(run: PlaybookRun, *, by: User) -> PlaybookRun:
    """Stop pointing the playbook's replies at its known issue (the post stays as it is)."""
    if not can_run_playbooks(by):
        raise PermissionDenied("Playbooks are ended by bloggers, managers and admins.")
    with transaction.atomic():
        current = PlaybookRun.objects.select_for_update().get(pk=run.pk)
        if current.ended_at is None:
            current.ended_at, current.ended_by = timezone.now(), by
            current.save(update_fields=["ended_at", "ended_by"])
            services.audit(
                by, "ended a playbook", conversation=run.known_issue, playbook=run.playbook.name
            )
    run.ended_at, run.ended_by = current.ended_at, current.ended_by
    return run
