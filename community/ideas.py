"""Ideas: votes within a budget, statuses with public reasons, merging (docs/ideas.md).

A member has a number of votes that grows with their trust level
(OPENLINE_IDEA_VOTE_BUDGET). Only votes on ideas whose status is open count against it:
once an idea is done or declined its votes stay on record and go back to their voters.
`Idea.vote_count` is recounted from the Vote rows inside the transaction that changes
them, so it never drifts.
"""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.core import checks
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Person, User
from accounts.services import person_for_user
from community.models import Idea, IdeaStatus, IdeaStatusChange, Vote
from conversations import cases
from conversations.access import can_view_conversation
from conversations.markup import render_markdown
from conversations.models import Conversation, Kind
from conversations.services import PostingError, audit, require_answerer, thread_changed
from moderation.models import TrustLevel
from moderation.trust import trust_level
from openline import pagecache
from openline.tasks import enqueue
from openline.text import written_text

REASON_MAX = 5_000


# --- The vote budget ----------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def parse_budget(spec: str) -> dict[int, int]:
    """'0=3,1=10,2=20,3=30,4=50' -> {0: 3, 1: 10, …}: votes per trust level, every level given."""
    budgets: dict[int, int] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        level, sep, votes = (p.strip() for p in part.partition("="))
        if not sep or not level.isdigit() or not votes.isdigit():
            raise ValueError(f"{part!r}: write each trust level as level=votes, like 0=3")
        if int(level) not in TrustLevel.values:
            raise ValueError(f"{part!r}: trust levels run from 0 to 4")
        if int(level) in budgets:
            raise ValueError(f"trust level {int(level)} is given twice")
        budgets[int(level)] = int(votes)
    missing = [str(level) for level in TrustLevel.values if level not in budgets]
    if missing:
        raise ValueError(
            f"give a number of votes for every trust level; {', '.join(missing)} missing"
        )
    return budgets


@checks.register()
def check_vote_budget(app_configs, **kwargs):
    """A budget that cannot be read stops Openline at start-up, not at the first vote."""
    try:
        parse_budget(settings.IDEA_VOTE_BUDGET)
    except ValueError as exc:
        return [
            checks.Error(
                f"OPENLINE_IDEA_VOTE_BUDGET cannot be read: {exc}",
                hint="Votes per trust level 0 to 4, e.g. OPENLINE_IDEA_VOTE_BUDGET="
                "0=3,1=10,2=20,3=30,4=50 (docs/ideas.md).",
                id="community.E001",
            )
        ]
    return []


def allowed_votes(person: Person) -> int:
    return parse_budget(settings.IDEA_VOTE_BUDGET)[trust_level(person)]


def budget(person: Person) -> tuple[int, int]:
    """(votes in use, votes allowed): votes on ideas of an open status are in use."""
    used = Vote.objects.filter(person=person, idea__status__is_open=True).count()
    return used, allowed_votes(person)


def _over_budget(allowed: int) -> str:
    if allowed == 0:
        return (
            "New members vote once they have taken part a little: reply to a topic or ask a "
            "question, and votes follow."
        )
    votes = "your only vote" if allowed == 1 else f"all {allowed} of your votes"
    return (
        f"You have used {votes}; take one back from another idea on your My votes page, "
        "or earn more by taking part."
    )


# --- Votes ---------------------------------------------------------------------------------


def _locked_idea(conversation: Conversation) -> Idea:
    """The idea as stored now, locked until the transaction ends (not its status row, which
    every idea of that status shares)."""
    idea = (
        Idea.objects.select_for_update(of=("self",))
        .select_related("status", "conversation")
        .filter(pk=conversation.pk)
        .first()
    )
    if idea is None:
        raise PostingError("Only ideas take votes.")
    return idea


def refusal(idea: Idea) -> str:
    """Why the idea takes no votes now, or "" when it does."""
    conversation = idea.conversation
    if conversation.merged_into_id:
        return "This idea was merged into another one; vote for that one instead."
    if not (conversation.is_public and conversation.is_published):
        return "This idea is waiting for a moderator; votes open once it is published."
    if conversation.locked:
        return "This idea is locked: it takes no more votes."
    if not idea.status.is_open:
        return f"This idea is {idea.status.name.lower()}: it takes no more votes."
    return ""


def _recount(idea: Idea) -> None:
    idea.vote_count = Vote.objects.filter(idea=idea).count()
    idea.save(update_fields=["vote_count"])


def vote(conversation: Conversation, person: Person) -> Idea:
    """`person` votes for the idea, within their budget. Voting for one's own idea is allowed."""
    with transaction.atomic():
        # A member's votes are decided one at a time: two quick clicks, or two tabs voting
        # for two ideas, cannot both pass the budget check.
        list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk"))
        idea = _locked_idea(conversation)
        reason = refusal(idea)
        if reason:
            raise PostingError(reason)
        used, allowed = budget(person)
        if used >= allowed and not Vote.objects.filter(idea=idea, person=person).exists():
            raise PostingError(_over_budget(allowed))
        try:
            with transaction.atomic():
                Vote.objects.create(idea=idea, person=person)
        except IntegrityError:
            raise PostingError("You have already voted for this idea.") from None
        _recount(idea)
        pagecache.invalidate()
    return idea


def unvote(conversation: Conversation, person: Person) -> Idea:
    """Take a vote back, to give it to another idea."""
    with transaction.atomic():
        idea = _locked_idea(conversation)
        if not idea.status.is_open:
            raise PostingError(
                f"This idea is {idea.status.name.lower()}: its votes stay on record and no "
                "longer count against yours."
            )
        deleted, _ = Vote.objects.filter(idea=idea, person=person).delete()
        if not deleted:
            raise PostingError("You have not voted for this idea.")
        _recount(idea)
        pagecache.invalidate()
    return idea


# --- Statuses ------------------------------------------------------------------------------


def _clean_reason(reason_md: str | None, *, required: bool = True) -> str:
    reason_md = (reason_md or "").replace("\x00", "").strip()
    if not reason_md:
        if required:
            raise PostingError("Give a public reason for the change: voters and followers read it.")
        return ""
    return written_text(reason_md, REASON_MAX, PostingError, what="reason")


def set_status(
    conversation: Conversation, status: IdeaStatus | str, *, by: User, reason_md: str
) -> IdeaStatusChange:
    """Move the idea to `status` with a public reason; voters and followers are told.

    Moving to a closed status (done, declined) gives voters their votes back; moving back to
    an open one counts them again."""
    require_answerer(by)
    if isinstance(status, str):
        status = IdeaStatus.objects.filter(slug=status).first()
    if status is None:
        raise PostingError("Choose one of the statuses.")
    reason_md = _clean_reason(reason_md)
    with transaction.atomic():
        idea = _locked_idea(conversation)
        if idea.conversation.merged_into_id:
            raise PostingError("This idea was merged into another one; change that one instead.")
        if idea.status_id == status.pk:
            raise PostingError(f"This idea is already {status.name.lower()}.")
        now = timezone.now()
        change = IdeaStatusChange.objects.create(
            idea=idea,
            from_status=idea.status,
            to_status=status,
            reason_md=reason_md,
            reason_html=render_markdown(reason_md, trusted=False),
            by=by,
            at=now,
        )
        audit(
            by, "changed idea status", conversation=idea.conversation,
            before=idea.status.slug, after=status.slug,
        )  # fmt: skip
        idea.status = status
        idea.status_changed_at = now
        idea.save(update_fields=["status", "status_changed_at"])
        thread_changed(idea.pk)
        _notify(change)
    return change


def _notify(change: IdeaStatusChange) -> None:
    from notifications import tasks as notification_tasks

    enqueue(notification_tasks.idea_status_changed, change.pk, notification_tasks.queued())


# --- Merging -------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~-])")


def _markdown_text(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def merge_ideas(
    source: Conversation, into: Conversation, *, by: User, reason_md: str = ""
) -> IdeaStatusChange:
    """Merge the duplicate idea `source` into `into`.

    Its replies and followers move (`conversations.cases.merge_conversations`), and so do its
    votes: a member who voted for both keeps one vote. The source keeps a status change that
    says where it went; its address leads to the target from now on."""
    require_answerer(by)
    if source.kind != Kind.IDEA or into.kind != Kind.IDEA:
        raise PostingError("Merge an idea into another idea.")
    if source.pk == into.pk:
        raise PostingError("Choose another idea to merge this one into.")
    reason_md = _clean_reason(reason_md, required=False)
    with transaction.atomic():
        # Both ideas locked in a fixed order, so two opposite merges cannot deadlock.
        locked = {
            idea.pk: idea
            for idea in Idea.objects.select_for_update(of=("self",))
            .select_related("status", "conversation")
            .filter(pk__in=[source.pk, into.pk])
            .order_by("pk")
        }
        src, dst = locked.get(source.pk), locked.get(into.pk)
        if src is None or dst is None:
            raise PostingError("Merge an idea into another idea.")
        if src.conversation.merged_into_id:
            raise PostingError("This idea was already merged into another one.")
        if dst.conversation.merged_into_id:
            raise PostingError(
                f"“{dst.conversation.title}” was itself merged into another idea; "
                "merge into that one."
            )
        cases.merge_conversations(src.conversation, dst.conversation, by=by)
        voted_for_target = Vote.objects.filter(idea=dst).values("person_id")
        doubled, _ = Vote.objects.filter(idea=src, person_id__in=voted_for_target).delete()
        moved = Vote.objects.filter(idea=src).update(idea=dst)
        _recount(src)
        _recount(dst)
        link = settings.SITE_URL + dst.conversation.get_absolute_url()
        text = f"Merged into [{_markdown_text(dst.conversation.title)}]({link})."
        if reason_md:
            text += "\n\n" + reason_md
        # A merge keeps the source's status: from and to are the same, which no status
        # change ever is, and which is how the timeline tells a merge apart.
        change = IdeaStatusChange.objects.create(
            idea=src,
            from_status=src.status,
            to_status=src.status,
            reason_md=text,
            reason_html=render_markdown(text, trusted=False),
            by=by,
        )
        audit(
            by, "merged idea", conversation=dst.conversation, source=src.pk,
            votes_moved=moved, double_votes=doubled,
        )  # fmt: skip
        pagecache.invalidate()
        _notify(change)
    source.refresh_from_db()
    into.refresh_from_db()
    return change


def find_merge_target(user, text: str) -> Conversation | None:
    """The idea staff typed into the merge form: its address, its slug or its number."""
    text = (text or "").strip()
    if not text:
        return None
    match = re.search(r"/t/([-\w]+)/?", text)
    key = match.group(1) if match else text.strip("/")
    ideas = Conversation.objects.filter(kind=Kind.IDEA)
    found = ideas.filter(slug=key[:220]).first()
    if found is None and key.isdecimal() and len(key) < 19:
        found = ideas.filter(pk=int(key)).first()
    if found is None or not can_view_conversation(user, found):
        return None
    return found


# --- What pages show ---------------------------------------------------------------------


def listed() -> QuerySet[Idea]:
    """Ideas the public sees in lists: published, public, not merged away."""
    return Idea.objects.filter(
        conversation__is_public=True,
        conversation__published_at__isnull=False,
        conversation__published_at__lte=timezone.now(),
        conversation__merged_into__isnull=True,
    )


def with_latest_reason(ideas: QuerySet[Idea]) -> QuerySet[Idea]:
    """Each idea with the public reason of its latest status change (`latest_reason_html`)."""
    latest = IdeaStatusChange.objects.filter(idea=OuterRef("pk")).order_by("-at", "-id")
    return ideas.annotate(
        latest_reason_html=Subquery(latest.values("reason_html")[:1]),
        latest_reason_at=Subquery(latest.values("at")[:1]),
    )


def roadmap_columns(per_column: int) -> list[tuple[IdeaStatus, list[Idea], int]]:
    """(status, its ideas with the most votes, how many it has) for each roadmap status."""
    statuses = list(IdeaStatus.objects.filter(on_roadmap=True))
    rows = (
        with_latest_reason(listed().filter(status__on_roadmap=True))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("status_id")],
                order_by=[F("vote_count").desc(), F("status_changed_at").desc(), F("pk").desc()],
            ),
            in_status=Window(Count("pk"), partition_by=[F("status_id")]),
        )
        .filter(rank__lte=per_column)
        .select_related("conversation__category")
        .order_by("status_id", "rank")
    )
    by_status: dict[int, list[Idea]] = {}
    for idea in rows:
        by_status.setdefault(idea.status_id, []).append(idea)
    columns = []
    for status in statuses:
        ideas = by_status.get(status.pk, [])
        for idea in ideas:
            idea.status = status
        columns.append((status, ideas, ideas[0].in_status if ideas else 0))
    return columns


def viewer(user, ideas=()) -> dict:
    """The signed-in viewer's votes among `ideas` (one query) and their budget."""
    if not user.is_authenticated:
        return {"voted": set(), "used": None, "allowed": None}
    person = person_for_user(user)
    ids = [idea.pk for idea in ideas]
    voted = (
        set(Vote.objects.filter(person=person, idea_id__in=ids).values_list("idea_id", flat=True))
        if ids
        else set()
    )
    used, allowed = budget(person)
    return {"voted": voted, "used": used, "allowed": allowed}


def panel_context(request, conversation, **extra) -> dict:
    """What the idea panel on a topic page needs (community/ideas/_panel.html).

    `extra` carries what a refused action shows again: `idea_error`, `idea_error_for`
    ("vote", "status" or "merge") and `idea_values` (what was typed)."""
    idea = Idea.objects.select_related("status").get(pk=conversation.pk)
    idea.conversation = conversation
    user = request.user
    context = {
        "idea": idea,
        "idea_post": conversation,
        "idea_refusal": refusal(idea),
        "idea_changes": list(idea.changes.select_related("from_status", "to_status", "by__person")),
        "idea_voted": False,
        "idea_used": None,
        "idea_allowed": None,
        "idea_staff": False,
        "idea_statuses": [],
        "idea_error": "",
        "idea_error_for": "",
        "idea_values": {},
    }
    if user.is_authenticated:
        person = person_for_user(user)
        context["idea_voted"] = Vote.objects.filter(idea=idea, person=person).exists()
        context["idea_used"], context["idea_allowed"] = budget(person)
        if user.can("answer"):
            context["idea_staff"] = True
            context["idea_statuses"] = list(IdeaStatus.objects.all())
    context.update(extra)
    return context
