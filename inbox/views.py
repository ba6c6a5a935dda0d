"""The staff queue: every customer message waiting for a response, oldest first."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from conversations import scoring, services, targets
from conversations.access import (
    get_attachment_for_staff,
    get_conversation_for_staff,
    get_message_for_staff,
)
from conversations.models import Channel, Kind, ResponseState
from inbox.forms import DeskForm, NoReplyForm, NoteForm, ReplyForm
from inbox.queries import VIEWS, awaiting, topic_table
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
    return render(request, "inbox/queue.html", _queue_context(request))


def _queue_context(request) -> dict:
    """The queue page for the view and channel asked for (unknown values fall back to all)."""
    view = request.GET.get("view", "all")
    if view not in VIEWS:
        view = "all"
    channel = request.GET.get("channel", "")
    if channel not in Channel.values:
        channel = ""
    page = page_or_404(request, awaiting(view, user=request.user, channel=channel), PER_PAGE)
    now = timezone.now()
    return {
        "page": page,
        "now": now,
        "warn_until": now + timedelta(seconds=targets.warning_seconds()),
        "reply_form": ReplyForm(),
        "reasons": NO_REPLY_REASONS,
        "views": VIEWS,
        "view": view,
        "channel": channel,
        "channels": Channel.choices,
    }


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


def _answer(request, form: ReplyForm, message) -> bool:
    """Post the reply in a valid form; a refusal becomes the form's error. True when answered."""
    if message is None or not form.is_valid():
        return False
    try:
        services.answer(
            message,
            by=request.user,
            body_md=form.cleaned_data["body"],
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except services.PostingError as exc:
        form.add_error(None, str(exc))
        return False
    return True


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
    if _answer(request, form, message):
        message.refresh_from_db()
        return _done(request, message, f"Answered {message.author.display_name}.")
    if request.htmx:
        return _row(request, message, form=form)
    context = _queue_context(request)
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


def _thread(conversation):
    return (
        conversation.messages.select_related("author", "topic")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def _conversation_page(
    request, conversation, *, reply_form=None, note_form=None, desk_form=None, status=200
):
    messages = list(_thread(conversation))
    waiting = [m for m in messages if m.response_state == ResponseState.AWAITING]
    return render(
        request,
        "inbox/conversation.html",
        {
            "conversation": conversation,
            "thread": messages,
            "waiting": waiting[-1] if waiting else None,
            "identities": list(conversation.author.identities.all()),
            "reply_form": reply_form or ReplyForm(),
            "note_form": note_form or NoteForm(),
            "desk_form": desk_form
            or DeskForm(
                initial={
                    "assignee": conversation.assignee_id,
                    "priority": conversation.priority,
                    "snoozed_until": conversation.snoozed_until,
                }
            ),
            "history": list(
                conversation.audit.select_related("actor__person").order_by("-at", "-id")[:20]
            ),
        },
        status=status,
    )


@login_required
@require_GET
def conversation(request, pk):
    """The whole thread, internal notes included, with a reply and a note for colleagues."""
    return _conversation_page(request, get_conversation_for_staff(request.user, pk))


@login_required
@require_POST
def conversation_reply(request, pk):
    conversation = get_conversation_for_staff(request.user, pk)
    form = ReplyForm(request.POST)
    target = None
    if form.is_valid():
        target = (
            conversation.messages.filter(pk=request.POST.get("reply_to") or 0, official=False)
            .select_related("author")
            .first()
        )
        if target is None:
            form.add_error(None, "Choose the customer message this answers.")
    if _answer(request, form, target):
        how = "by e-mail" if conversation.kind == Kind.EMAIL else "publicly"
        flash.success(request, f"Answered {target.author.display_name} {how}.")
        return redirect("inbox:conversation", conversation.pk)
    return _conversation_page(request, conversation, reply_form=form, status=400)


@login_required
@require_POST
def conversation_note(request, pk):
    conversation = get_conversation_for_staff(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_internal_note(
                conversation, by=request.user, body_md=form.cleaned_data["body"]
            )
        except services.PostingError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, "Note added. Only staff see it.")
            return redirect("inbox:conversation", conversation.pk)
    return _conversation_page(request, conversation, note_form=form, status=400)


@login_required
@require_GET
def attachment(request, pk):
    """An attachment, always as a download: files from strangers are never shown inline."""
    item = get_attachment_for_staff(request.user, pk)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _same_minute(a, b) -> bool:
    """The form shows times to the minute: saving it unchanged must not snooze again."""
    if a is None or b is None:
        return a is b
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


@login_required
@require_POST
def conversation_desk(request, pk):
    """Assign, prioritise or snooze a conversation; only what changed is recorded."""
    conversation = get_conversation_for_staff(request.user, pk)
    form = DeskForm(request.POST)
    if not form.is_valid():
        return _conversation_page(request, conversation, desk_form=form, status=400)
    data = form.cleaned_data
    try:
        if data["assignee"] != conversation.assignee:
            services.assign(conversation, to=data["assignee"], by=request.user)
        if data["priority"] != conversation.priority:
            services.set_priority(conversation, priority=data["priority"], by=request.user)
        if not _same_minute(data["snoozed_until"], conversation.snoozed_until):
            services.snooze(conversation, until=data["snoozed_until"], by=request.user)
    except services.PostingError as exc:
        form.add_error(None, str(exc))
        return _conversation_page(request, conversation, desk_form=form, status=400)
    flash.success(request, "Saved.")
    return redirect("inbox:conversation", conversation.pk)
