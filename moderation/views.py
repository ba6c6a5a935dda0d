"""Moderation pages: flagging a post, the review queue, moderators' actions on posts, topics
and members, the moderation log, and a post's edit history."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import require
from conversations.models import COMMUNITY_KINDS, Message, Moderation
from conversations.services import PostingError
from moderation import queries, services
from moderation.access import (
    get_conversation_for_moderator,
    get_message_for_moderator,
    get_message_for_viewer,
    get_person_for_moderator,
)
from moderation.forms import (
    SILENCE_DAYS,
    EditForm,
    FlagForm,
    MoveForm,
    SanctionForm,
    TrustForm,
)
from moderation.models import FlagReason, TrustLevel
from openline.paging import page_or_404
from openline.ratelimit import RateLimited

PER_PAGE = 25
LOG_PER_PAGE = 50
MEMBERS_PER_PAGE = 50


def _require_moderator(user) -> None:
    require(user, "moderate", "Only moderators do that.")


def _back(request, fallback: str) -> str:
    """Where to go after an action: the page it was asked from, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _where(message: Message) -> str:
    """A post's place on the site, or the topic's when the post is no longer shown."""
    if message.moderation == Moderation.VISIBLE and message.conversation.is_published:
        return message.get_absolute_url()
    if message.conversation.is_published:
        return message.conversation.get_absolute_url()
    return reverse(
        "community:home" if message.conversation.kind in COMMUNITY_KINDS else "blog:home"
    )


def _refused(request, error: str, back: str, status: int = 400):
    return render(request, "moderation/refused.html", {"error": error, "back": back}, status=status)


# --- Members flag posts -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def flag(request, pk):
    message = get_message_for_viewer(request.user, pk)
    back = _back(request, _where(message))
    context = {"m": message, "next": back, "form": FlagForm(), "error": None}
    if request.method == "GET":
        person = getattr(request.user, "person", None)
        context["own"] = person is not None and person.pk == message.author_id
        return render(request, "moderation/flag.html", context)
    try:
        services.flag_message(
            message,
            by=request.user,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except RateLimited as exc:
        error, status = str(exc), 429
    except PostingError as exc:
        error, status = str(exc), 400
    else:
        message.refresh_from_db(fields=["moderation"])
        if message.moderation == Moderation.HIDDEN:
            flash.success(request, "Thank you. The post is hidden until a moderator looks at it.")
            if message.is_opening:  # its topic is gone from view: not back there
                message.conversation.refresh_from_db(fields=["published_at"])
                return redirect(_where(message))
            return redirect(back)
        flash.success(request, "Thank you. A moderator will look at the post.")
        return redirect(back)
    context = {**context, "form": FlagForm(request.POST), "error": error}
    return render(request, "moderation/flag.html", context, status=status)


@require_GET
def history(request, pk):
    """A post's earlier versions, for whoever may read the post."""
    message = get_message_for_viewer(request.user, pk)
    revisions = list(message.revisions.select_related("edited_by__person"))
    return render(
        request,
        "moderation/history.html",
        {"m": message, "revisions": revisions, "back": _where(message)},
    )


# --- The review queue -------------------------------------------------------------------------


@login_required
@require_GET
def queue(request):
    _require_moderator(request.user)
    show = "held" if request.GET.get("show") == "held" else "flagged"
    rows = queries.held_messages() if show == "held" else queries.flagged_messages()
    page = page_or_404(request, rows, PER_PAGE)
    counts = queries.queue_counts()
    return render(
        request,
        "moderation/queue.html",
        {
            "page": page,
            "show": show,
            "counts": counts,
            "reasons": dict(FlagReason.choices),
            "silence_days": SILENCE_DAYS,
            "hide_at": settings.MODERATION_HIDE_AT,
            "here": "queue",
        },
    )


DONE = {
    "hide": "Hidden from the public.",
    "restore": "Restored: the post is shown, and its flags are dismissed.",
    "approve": "Approved: the post is public.",
    "not_spam": "Approved as not spam: the spam filter learnt from it.",
    "delete": "Removed from the site.",
    "spam": "Removed as spam: the spam filter learnt from it.",
}


@login_required
@require_POST
def decide(request, pk):
    """A moderator's decision on one post: hide, restore, approve, not spam, delete, spam."""
    message = get_message_for_moderator(request.user, pk)
    action = request.POST.get("action", "")
    back = _back(request, _where(message))
    reason = request.POST.get("reason", "")
    by = request.user
    try:
        if action == "hide":
            services.hide_message(message, by=by, reason=reason)
        elif action == "restore":
            services.restore_message(message, by=by)
        elif action in ("approve", "not_spam"):
            services.approve_post(message, by=by, not_spam=action == "not_spam")
        elif action in ("delete", "spam"):
            days = request.POST.get("silence", "0") if action == "spam" else "0"
            days = int(days) if days in dict(SILENCE_DAYS) else 0
            services.delete_post(
                message,
                by=by,
                reason=reason,
                as_spam=action == "spam",
                silence_until=timezone.now() + timedelta(days=days) if days else None,
            )
        else:
            raise PostingError("Choose what to do with the post.")
    except PostingError as exc:
        return _refused(request, str(exc), back)
    flash.success(request, DONE[action])
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    message = get_message_for_moderator(request.user, pk)
    back = _back(request, _where(message))
    status = 200
    if request.method == "POST":
        form = EditForm(request.POST)
        if form.is_valid():
            try:
                services.edit_message(
                    message,
                    by=request.user,
                    body_md=form.cleaned_data["body"],
                    reason=form.cleaned_data["reason"],
                )
            except PostingError as exc:
                form.add_error(None, str(exc))
            else:
                flash.success(request, "Edited. The earlier text is in the post's history.")
                return redirect(back)
        status = 400
    else:
        form = EditForm(initial={"body": message.body_md})
    return render(
        request, "moderation/edit.html", {"m": message, "form": form, "next": back}, status=status
    )


# --- Topics -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def move(request, pk):
    conversation = get_conversation_for_moderator(request.user, pk)
    back = _back(request, conversation.get_absolute_url())
    status = 200
    if request.method == "POST":
        form = MoveForm(request.POST)
        if form.is_valid():
            try:
                services.move_topic(
                    conversation, by=request.user, category=form.cleaned_data["category"]
                )
            except PostingError as exc:
                form.add_error(None, str(exc))
            else:
                flash.success(request, f"Moved to {form.cleaned_data['category'].name}.")
                return redirect(back)
        status = 400
    else:
        form = MoveForm(initial={"category": conversation.category_id})
    return render(
        request,
        "moderation/move.html",
        {"post": conversation, "form": form, "next": back},
        status=status,
    )


TOPIC_ACTIONS = {
    "close": (services.close_topic, {"close": True}, "Closed: members can no longer reply."),
    "reopen": (services.close_topic, {"close": False}, "Reopened for replies."),
    "lock": (services.lock_topic, {"lock": True}, "Locked: no more replies, votes or flags."),
    "unlock": (services.lock_topic, {"lock": False}, "Unlocked."),
}


@login_required
@require_POST
def topic_state(request, pk):
    """Close or reopen, lock or unlock a topic."""
    conversation = get_conversation_for_moderator(request.user, pk)
    back = _back(request, conversation.get_absolute_url())
    action = TOPIC_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        return _refused(request, "Choose close, reopen, lock or unlock.", back)
    verb, kwargs, done = action
    try:
        verb(conversation, by=request.user, **kwargs)
    except PostingError as exc:
        return _refused(request, str(exc), back)
    flash.success(request, done)
    return redirect(back)


# --- The log and the members ------------------------------------------------------------------


@login_required
@require_GET
def log(request):
    _require_moderator(request.user)
    verb = request.GET.get("verb", "")
    verb = verb if verb in services.VERBS else ""
    page = page_or_404(request, queries.moderation_log(verb), LOG_PER_PAGE)
    return render(
        request,
        "moderation/log.html",
        {"page": page, "verb": verb, "verbs": services.VERBS, "here": "log"},
    )


@login_required
@require_GET
def members(request):
    _require_moderator(request.user)
    query = request.GET.get("q", "")[:100]
    show = request.GET.get("show", "")
    show = show if show in queries.MEMBER_FILTERS else ""
    page = page_or_404(request, queries.members(query, show), MEMBERS_PER_PAGE)
    params = urlencode({k: v for k, v in (("q", query.strip()), ("show", show)) if v})
    return render(
        request,
        "moderation/members.html",
        {
            "page": page,
            "q": query,
            "show": show,
            "filters": queries.MEMBER_FILTERS,
            "query_string": f"{params}&" if params else "",
            "levels": dict(TrustLevel.choices),
            "now": timezone.now(),
            "here": "members",
        },
    )


def _member_page(request, person, *, sanction_form=None, trust_form=None, status=200):
    overview = queries.member_overview(person)
    member = overview["member"]
    if trust_form is None:
        locked = member is not None and member.trust_locked
        trust_form = TrustForm(initial={"level": str(member.trust_level) if locked else "auto"})
    return render(
        request,
        "moderation/member.html",
        {
            **overview,
            "person": person,
            "level": TrustLevel(member.trust_level if member else TrustLevel.NEW),
            "sanction_form": sanction_form or SanctionForm(),
            "trust_form": trust_form,
            "now": timezone.now(),
            "here": "members",
        },
        status=status,
    )


@login_required
@require_GET
def member(request, pk):
    person = get_person_for_moderator(request.user, pk)
    return _member_page(request, person)


@login_required
@require_POST
def sanction(request, pk):
    """Silence or suspend a member (with a reason, for a while), or lift it."""
    person = get_person_for_moderator(request.user, pk)
    if request.POST.get("action") == "lift":
        try:
            services.lift_sanctions(person, by=request.user)
        except PostingError as exc:
            return _refused(request, str(exc), _member_url(person))
        flash.success(request, f"{person.display_name} may post again.")
        return redirect(_member_url(person))
    form = SanctionForm(request.POST)
    if form.is_valid():
        verb = services.suspend if form.cleaned_data["action"] == "suspend" else services.silence
        try:
            member = verb(
                person, by=request.user, until=form.until(), reason=form.cleaned_data["reason"]
            )
        except PostingError as exc:
            form.add_error(None, str(exc))
        else:
            what = "Suspended" if member.suspended() else "Silenced"
            flash.success(request, f"{what} {person.display_name}.")
            return redirect(_member_url(person))
    return _member_page(request, person, sanction_form=form, status=400)


@login_required
@require_POST
def trust(request, pk):
    person = get_person_for_moderator(request.user, pk)
    form = TrustForm(request.POST)
    if form.is_valid():
        try:
            member = services.set_trust(person, by=request.user, level=form.chosen())
        except PostingError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(
                request,
                f"{person.display_name} is now {TrustLevel(member.trust_level).label}"
                + ("." if member.trust_locked else ", following their activity."),
            )
            return redirect(_member_url(person))
    return _member_page(request, person, trust_form=form, status=400)


def _member_url(person) -> str:
    return reverse("moderation:member", args=[person.pk])
