"""The staff queue: every customer message waiting for a response, oldest first."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from conversations import scoring, services
from conversations.access import get_message_for_staff
from inbox.forms import NoReplyForm, ReplyForm
from inbox.queries import awaiting, topic_table
from openline.paging import page_or_404

PER_PAGE = 25
TOPICS_PER_PAGE = 50
NO_REPLY_REASONS = ["Thanks only", "Spam", "Duplicate", "Answered elsewhere", "Not for us"]


def _require_staff(user):
    if not user.is_staff_member:
        raise PermissionDenied("The staff queue is for staff.")


@login_required
@require_GET
def queue(request):
    _require_staff(request.user)
    page = page_or_404(request, awaiting(), PER_PAGE)
    return render(
        request,
        "inbox/queue.html",
        {"page": page, "reply_form": ReplyForm(), "reasons": NO_REPLY_REASONS},
    )


def _row(request, message, form=None, status=200, note=""):
    return render(
        request,
        "inbox/_row.html",
        {
            "m": message,
            "reply_form": form or ReplyForm(),
            "note": note,
            "reasons": NO_REPLY_REASONS,
        },
        status=status,
    )


def _done(request, message, note):
    if request.htmx:
        return _row(request, message, note=note)
    flash.success(request, note)
    return redirect("inbox:queue")


@login_required
@require_POST
def reply(request, pk):
    message = get_message_for_staff(request.user, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.answer(
                message,
                by=request.user,
                body_md=form.cleaned_data["body"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except services.PostingError as exc:
            form.add_error(None, str(exc))
        else:
            message.refresh_from_db()
            return _done(request, message, f"Answered {message.author.display_name}.")
    if request.htmx:
        return _row(request, message, form=form)
    page = page_or_404(request, awaiting(), PER_PAGE)
    context = {"page": page, "reply_form": ReplyForm(), "reasons": NO_REPLY_REASONS}
    return render(
        request,
        "inbox/queue.html",
        {**context, "error_pk": message.pk, "error_form": form},
        status=400,
    )


@login_required
@require_POST
def no_reply(request, pk):
    message = get_message_for_staff(request.user, pk)
    form = NoReplyForm(request.POST)
    if not form.is_valid():
        return _row(request, message, status=400, note="Give a reason for closing without a reply.")
    try:
        services.mark_no_reply_needed(message, by=request.user, reason=form.cleaned_data["reason"])
    except services.PostingError as exc:
        return _row(request, message, status=409, note=str(exc))
    return _done(request, message, "Closed: no reply needed.")


@login_required
@require_POST
def approve(request, pk):
    message = get_message_for_staff(request.user, pk, capability="moderate")
    services.approve(message, by=request.user)
    return _done(request, message, "Approved: the comment is public.")


@login_required
@require_POST
def remove(request, pk):
    message = get_message_for_staff(request.user, pk, capability="moderate")
    try:
        services.remove(message, by=request.user, reason=request.POST.get("reason", ""))
    except services.PostingError as exc:
        return _row(request, message, status=409, note=str(exc))
    return _done(request, message, "Removed from public pages.")


@login_required
@require_GET
def topics(request):
    """What customers write about: the largest topics and the ones rising today and this week."""
    _require_staff(request.user)
    page = page_or_404(request, topic_table(), TOPICS_PER_PAGE)
    return render(
        request,
        "inbox/topics.html",
        {
            "page": page,
            "trending_day": scoring.trending_topics("day", limit=5),
            "trending_week": scoring.trending_topics("week", limit=5),
        },
    )
