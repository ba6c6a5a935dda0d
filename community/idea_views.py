"""Idea pages: the list, votes, status changes, merging and the roadmap (docs/ideas.md)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from accounts.access import require
from accounts.services import person_for_user
from community import ideas as services
from community.forms_ideas import SORTS, MergeForm, StatusForm, first_error
from community.models import Idea, IdeaStatus, Vote
from conversations.access import get_conversation_for_user
from conversations.models import Category, Conversation, Kind
from conversations.services import PostingError
from openline import ratelimit
from openline.pagecache import cache_for_anonymous
from openline.paging import page_or_404
from openline.ratelimit import RateLimited

PER_PAGE = 20
ROADMAP_PER_COLUMN = 12
# Generous for people, tight for a script clicking through every idea.
VOTE_RATE_LIMIT = "30/m,300/h"
ORDERINGS = {
    "votes": ("-vote_count", "-status_changed_at", "-pk"),
    "new": ("-conversation__published_at", "-pk"),
    "changed": ("-status_changed_at", "-pk"),
}


def _idea_or_404(user, slug: str) -> Conversation:
    conversation = get_conversation_for_user(user, slug)
    if conversation.kind != Kind.IDEA:
        raise Http404("No such idea")
    return conversation


def _budget_line(used, allowed) -> str:
    return f"You have used {used} of your {allowed} vote{'' if allowed == 1 else 's'}."


# --- Lists ---------------------------------------------------------------------------------


@cache_for_anonymous
@require_safe
def ideas(request):
    """Every listed idea, by most votes, newest or latest status change; filtered by status
    and category; a vote button on each for members."""
    statuses = list(IdeaStatus.objects.all())
    categories = list(Category.objects.all())
    chosen = {k: request.GET.get(k, "").strip()[:80] for k in ("sort", "status", "category")}
    if chosen["sort"] not in ORDERINGS:
        chosen["sort"] = "votes"
    rows = services.listed().select_related("conversation__category", "conversation__author")
    if chosen["status"] in {s.slug for s in statuses}:
        rows = rows.filter(status__slug=chosen["status"])
    else:
        chosen["status"] = ""
    if chosen["category"] in {c.slug for c in categories}:
        rows = rows.filter(conversation__category__slug=chosen["category"])
    else:
        chosen["category"] = ""
    page = page_or_404(request, rows.order_by(*ORDERINGS[chosen["sort"]]), PER_PAGE)
    by_pk = {s.pk: s for s in statuses}
    for idea in page.object_list:
        idea.status = by_pk[idea.status_id]
    query = "&".join(f"{k}={v}" for k, v in chosen.items() if v and (k, v) != ("sort", "votes"))
    return render(
        request,
        "community/ideas/list.html",
        {
            "page": page,
            "statuses": statuses,
            "categories": categories,
            "chosen": chosen,
            "sorts": SORTS,
            "query_string": query + "&" if query else "",
            "here": request.get_full_path(),
            **services.viewer(request.user, page.object_list),
        },
    )


@login_required
@require_safe
def my_votes(request):
    """The ideas I voted for, with a way to take each vote back, and my budget."""
    person = person_for_user(request.user)
    votes = (
        Vote.objects.filter(person=person)
        .select_related("idea__conversation", "idea__status")
        .order_by("-idea__status__is_open", "-created_at", "-pk")
    )
    page = page_or_404(request, votes, PER_PAGE)
    used, allowed = services.budget(person)
    return render(
        request,
        "community/ideas/my_votes.html",
        {"page": page, "used": used, "allowed": allowed, "here": request.get_full_path()},
    )


@cache_for_anonymous
@require_safe
def roadmap(request):
    """One column per roadmap status, most votes first, with the latest public reason."""
    return render(
        request,
        "community/ideas/roadmap.html",
        {
            "columns": services.roadmap_columns(ROADMAP_PER_COLUMN),
            "per_column": ROADMAP_PER_COLUMN,
        },
    )


# --- Actions -------------------------------------------------------------------------------


def _next(request, conversation: Conversation) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return conversation.get_absolute_url()


def _to_sign_in(request, conversation: Conversation):
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = redirect_to_login(conversation.get_absolute_url()).url
        return response
    return redirect_to_login(conversation.get_absolute_url())


def _panel(request, conversation: Conversation, *, status: int = 200, **extra):
    """The idea panel alone (htmx), or, for a refused plain POST, a page with it."""
    context = services.panel_context(request, conversation, **extra)
    if request.htmx:
        return render(request, "community/ideas/_panel.html", context, status=status)
    return render(request, "community/ideas/refused.html", context, status=status)


def _vote_row(request, conversation: Conversation, *, status: int = 200, error: str = ""):
    """One idea's vote button (the ideas list, my votes) and the budget line, for htmx."""
    idea = Idea.objects.select_related("status").get(pk=conversation.pk)
    idea.conversation = conversation
    return render(
        request,
        "community/ideas/_vote.html",
        {
            "idea": idea,
            "row_error": error,
            "oob": True,
            "here": _next(request, conversation),
            **services.viewer(request.user, [idea]),
        },
        status=status,
    )


@require_POST
def vote(request, slug):
    """Vote for an idea (action=vote) or take the vote back (action=unvote)."""
    conversation = _idea_or_404(request.user, slug)
    if not request.user.is_authenticated:
        return _to_sign_in(request, conversation)
    person = person_for_user(request.user)
    action = request.POST.get("action", "vote")
    error, status = "", 200
    try:
        ratelimit.hit("vote", f"user:{request.user.pk}", VOTE_RATE_LIMIT)
        if action == "vote":
            services.vote(conversation, person)
        elif action == "unvote":
            services.unvote(conversation, person)
        else:
            raise PostingError("Choose to vote, or to take your vote back.")
    except RateLimited as exc:
        error = f"That is a lot of votes at once. Please wait {exc.retry_after} seconds."
        status = 429
    except PostingError as exc:
        error, status = str(exc), 400
    if request.htmx and request.POST.get("view") == "row":
        return _vote_row(request, conversation, status=status, error=error)
    if error:
        return _panel(request, conversation, status=status, idea_error=error, idea_error_for="vote")
    if request.htmx:
        return _panel(request, conversation)
    used, allowed = services.budget(person)
    done = "Thanks for your vote." if action == "vote" else "Your vote is back."
    flash.success(request, f"{done} {_budget_line(used, allowed)}")
    return redirect(_next(request, conversation))


@login_required
@require_POST
def set_status(request, slug):
    """Staff move an idea to another status, with a public reason."""
    conversation = _idea_or_404(request.user, slug)
    require(request.user, "answer", "Only staff who answer customers change an idea's status.")
    form = StatusForm(request.POST)
    error = first_error(form) if not form.is_valid() else ""
    if not error:
        try:
            change = services.set_status(
                conversation,
                form.cleaned_data["status"],
                by=request.user,
                reason_md=form.cleaned_data["reason"],
            )
        except PostingError as exc:
            error = str(exc)
    if error:
        values = {
            "status": request.POST.get("status", ""),
            "reason": request.POST.get("reason", ""),
        }
        return _panel(
            request, conversation, status=400,
            idea_error=error, idea_error_for="status", idea_values=values,
        )  # fmt: skip
    if request.htmx:
        return _panel(request, conversation)
    flash.success(
        request, f"The idea is now {change.to_status.name.lower()}; voters and followers are told."
    )
    return redirect(conversation.get_absolute_url())


@login_required
@require_POST
def merge(request, slug):
    """Staff merge a duplicate idea into another: replies, followers and votes move."""
    conversation = _idea_or_404(request.user, slug)
    require(request.user, "answer", "Only staff who answer customers merge ideas.")
    form = MergeForm(request.POST)
    error = first_error(form) if not form.is_valid() else ""
    into = None
    if not error:
        into = services.find_merge_target(request.user, form.cleaned_data["into"])
        if into is None:
            error = "No idea has that address or number. Copy the address of the idea to keep."
    if not error:
        try:
            services.merge_ideas(
                conversation, into, by=request.user, reason_md=form.cleaned_data["reason"]
            )
        except PostingError as exc:
            error = str(exc)
    if error:
        values = {
            "into": request.POST.get("into", ""),
            "merge_reason": request.POST.get("reason", ""),
        }
        return _panel(
            request, conversation, status=400,
            idea_error=error, idea_error_for="merge", idea_values=values,
        )  # fmt: skip
    flash.success(request, f"Merged “{conversation.title}” into this idea; its votes came along.")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = into.get_absolute_url()
        return response
    return redirect(into.get_absolute_url())
