"""The staff queue: every customer message waiting for a response, oldest first."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Team
from conversations import cases, scoring, services, targets
from conversations.access import (
    get_attachment_for_staff,
    get_conversation_for_staff,
    get_message_for_staff,
)
from conversations.models import (
    CASE_KINDS,
    Category,
    Channel,
    Conversation,
    Kind,
    Label,
    Message,
    Outcome,
    ResponseState,
)
from inbox import canned
from inbox.forms import (
    BulkForm,
    DeskForm,
    MergeForm,
    NoReplyForm,
    NoteForm,
    ReplyForm,
    ResolveForm,
    staff_label,
    staff_who_answer,
)
from inbox.queries import VIEWS, Filters, awaiting, conversations_of, topic_table
from openline.paging import page_or_404
from satisfaction import services as satisfaction

PER_PAGE = 25
TOPICS_PER_PAGE = 50
NO_REPLY_REASONS = ["Thanks only", "Spam", "Duplicate", "Answered elsewhere", "Not for us"]
SEARCH_MAX = 200
OTHER_CONVERSATIONS = 10


def _require_staff(user):
    if not user.is_staff_member:
        raise PermissionDenied("The staff queue is for staff.")


@login_required
@require_GET
def queue(request):
    _require_staff(request.user)
    return render(request, "inbox/queue.html", _queue_context(request))


def _filters(params) -> Filters:
    """The filters asked for; values that name nothing filter nothing."""
    channel = params.get("channel", "")
    team = params.get("team", "")
    return Filters(
        channel=channel if channel in Channel.values else "",
        category=params.get("category", "")[:80],
        label=params.get("label", "")[:60],
        team=int(team) if team.isdigit() else None,
        q=" ".join(params.get("q", "").split())[:SEARCH_MAX],
    )


def _query_string(view: str, filters: Filters) -> str:
    params = {"view": view, "channel": filters.channel, "category": filters.category}
    params |= {"label": filters.label, "team": filters.team or "", "q": filters.q}
    return urlencode({k: v for k, v in params.items() if v})


def _queue_context(request, params=None) -> dict:
    """The queue page for the view and filters asked for (unknown values fall back to all)."""
    params = params if params is not None else request.GET
    view = params.get("view", "all")
    if view not in VIEWS:
        view = "all"
    filters = _filters(params)
    page = page_or_404(request, awaiting(view, user=request.user, filters=filters), PER_PAGE)
    now = timezone.now()
    query = _query_string(view, filters)
    return {
        "page": page,
        "now": now,
        "warn_until": now + timedelta(seconds=targets.warning_seconds()),
        "reply_form": ReplyForm(),
        "reasons": NO_REPLY_REASONS,
        "views": VIEWS,
        "view": view,
        "filters": filters,
        "query": query,
        "view_links": {key: f"?{_query_string(key, filters)}" for key in VIEWS},
        "here": f"{request.path}?{query}" if query else request.path,
        "channels": Channel.choices,
        "categories": list(Category.objects.values_list("slug", "name")),
        "labels": list(Label.objects.values_list("slug", "name")),
        "teams": list(Team.objects.values_list("pk", "name")),
        "staff": [(u.pk, staff_label(u)) for u in staff_who_answer()],
        "outcomes": list(Outcome.objects.filter(active=True).values_list("pk", "name")),
        "bulk_form": BulkForm(),
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
    if request.POST.get("from") == "conversation":
        return redirect("inbox:conversation", message.conversation_id)
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


def _back_to_queue(request) -> str:
    """Where the bulk form was sent from: the queue with its view and filters."""
    target = request.POST.get("next", "")
    if target.startswith("/staff/queue/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return "/staff/queue/"


@login_required
@require_POST
def bulk(request):
    """One action on many queue rows: assign, hand to a team, no reply needed, resolve."""
    _require_staff(request.user)
    if not request.user.can("answer"):
        raise PermissionDenied("Your role does not allow this.")
    form = BulkForm(request.POST)
    if not form.is_valid():
        back = _back_to_queue(request)
        params = QueryDict(back.partition("?")[2])
        context = _queue_context(request, params)
        return render(request, "inbox/queue.html", {**context, "bulk_form": form}, status=400)
    data = form.cleaned_data
    chosen = list(
        Message.objects.filter(pk__in=data["ids"], response_state=ResponseState.AWAITING)
        .select_related("conversation", "author")
        .order_by("pk")
    )
    try:
        note = _bulk_action(request.user, data, chosen)
    except services.PostingError as exc:
        flash.error(request, str(exc))
    else:
        gone = len(data["ids"]) - len(chosen)
        if gone:
            note += f" {gone} no longer waiting, left as they were."
        flash.success(request, note)
    return redirect(_back_to_queue(request))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _bulk_action(user, data, chosen: list) -> str:
    conversations = list({m.conversation_id: m.conversation for m in chosen}.values())
    action = data["action"]
    if action == "assign":
        for conversation in conversations:
            services.assign(conversation, to=data["assignee"], by=user)
        who = staff_label(data["assignee"]) if data["assignee"] else "nobody"
        return f"Assigned {_plural(len(conversations), 'conversation')} to {who}."
    if action == "team":
        for conversation in conversations:
            cases.set_team(conversation, team=data["team"], by=user)
        team = data["team"].name if data["team"] else "no team"
        return f"Handed {_plural(len(conversations), 'conversation')} to {team}."
    if action == "no_reply":
        for message in chosen:
            services.mark_no_reply_needed(message, by=user, reason=data["reason"])
        return f"Closed {_plural(len(chosen), 'message')}: no reply needed."
    resolvable = [c for c in conversations if c.kind in CASE_KINDS]
    for conversation in resolvable:
        cases.resolve(conversation, by=user, outcome=data["outcome"])
    note = f"Resolved {_plural(len(resolvable), 'conversation')} as {data['outcome'].name}."
    skipped = len(conversations) - len(resolvable)
    if skipped:
        note += (
            f" {_plural(skipped, 'post')} skipped: comments on posts are answered one by one"
            " or closed with “No reply needed”."
        )
    return note


@login_required
@require_POST
def no_reply(request, pk):
    message = get_message_for_staff(request.user, pk)
    form = NoReplyForm(request.POST)
    on_page = request.POST.get("from") == "conversation" and not request.htmx
    if not form.is_valid():
        note = "Give a reason for closing without a reply."
        if on_page:
            return _conversation_page(request, message.conversation, error=note, status=400)
        return _row(request, message, status=400, note=note)
    try:
        services.mark_no_reply_needed(message, by=request.user, reason=form.cleaned_data["reason"])
    except services.PostingError as exc:
        if on_page:
            return _conversation_page(request, message.conversation, error=str(exc), status=409)
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


def _other_conversations(conversation) -> list:
    """The customer's other conversations on every channel, latest activity first."""
    return list(
        conversations_of(conversation.author_id)
        .exclude(pk=conversation.pk)
        .filter(merged_into__isnull=True)
        .order_by("-last_activity_at")[:OTHER_CONVERSATIONS]
    )


def _canned_reply(request, conversation, choices, waiting) -> str | None:
    """The canned reply asked for with ?canned=, filled in for this customer."""
    wanted = request.GET.get("canned", "")
    chosen = next((c for c in choices if str(c.pk) == wanted), None)
    if chosen is None or waiting is None:
        return None
    body = canned.render(
        chosen, conversation=conversation, customer=waiting.author, agent=request.user
    )
    canned.note_used(chosen)
    return body


def _conversation_page(
    request,
    conversation,
    *,
    reply_form=None,
    note_form=None,
    desk_form=None,
    resolve_form=None,
    merge_form=None,
    error="",
    status=200,
):
    messages = list(_thread(conversation))
    waiting = [m for m in messages if m.response_state == ResponseState.AWAITING]
    waiting = waiting[-1] if waiting else None
    choices = canned.available_for(request.user, conversation) if waiting else []
    if reply_form is None:
        body = _canned_reply(request, conversation, choices, waiting)
        reply_form = ReplyForm(initial={"body": body} if body else None)
    return render(
        request,
        "inbox/conversation.html",
        {
            "conversation": conversation,
            "thread": messages,
            "waiting": waiting,
            "identities": list(conversation.author.identities.all()),
            "others": _other_conversations(conversation),
            "canned_replies": choices,
            "reply_form": reply_form,
            "note_form": note_form or NoteForm(),
            "desk_form": desk_form
            or DeskForm(
                initial={
                    "assignee": conversation.assignee_id,
                    "team": conversation.team_id,
                    "priority": conversation.priority,
                    "snoozed_until": conversation.snoozed_until,
                }
            ),
            "is_case": conversation.kind in CASE_KINDS,
            "resolve_form": resolve_form or ResolveForm(),
            "merge_form": merge_form or MergeForm(),
            "error": error,
            "reasons": NO_REPLY_REASONS,
            "ratings": satisfaction.ratings_for_conversation(conversation),
            "now": timezone.now(),
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
    conversation = get_conversation_for_staff(request.user, pk)
    merged = cases.final(conversation)
    if merged.pk != conversation.pk:
        flash.info(request, f"Conversation {conversation.pk} was merged into this one.")
        return redirect("inbox:conversation", merged.pk)
    return _conversation_page(request, conversation)


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
        if data["team"] != conversation.team:
            cases.set_team(conversation, team=data["team"], by=request.user)
        if data["priority"] != conversation.priority:
            services.set_priority(conversation, priority=data["priority"], by=request.user)
        if not _same_minute(data["snoozed_until"], conversation.snoozed_until):
            services.snooze(conversation, until=data["snoozed_until"], by=request.user)
    except services.PostingError as exc:
        form.add_error(None, str(exc))
        return _conversation_page(request, conversation, desk_form=form, status=400)
    flash.success(request, "Saved.")
    return redirect("inbox:conversation", conversation.pk)


@login_required
@require_POST
def conversation_resolve(request, pk):
    """Close a case with its outcome; the customer is asked how it went."""
    conversation = get_conversation_for_staff(request.user, pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            cases.resolve(conversation, by=request.user, outcome=form.cleaned_data["outcome"])
        except services.PostingError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, f"Resolved: {form.cleaned_data['outcome'].name}.")
            return redirect("inbox:conversation", conversation.pk)
    return _conversation_page(request, conversation, resolve_form=form, status=400)


@login_required
@require_POST
def conversation_reopen(request, pk):
    conversation = get_conversation_for_staff(request.user, pk)
    try:
        cases.reopen(conversation, by=request.user)
    except services.PostingError as exc:
        return _conversation_page(request, conversation, error=str(exc), status=409)
    flash.success(request, "Reopened.")
    return redirect("inbox:conversation", conversation.pk)


@login_required
@require_POST
def conversation_merge(request, pk):
    """Move this conversation's messages into another one and go there."""
    conversation = get_conversation_for_staff(request.user, pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        into = Conversation.objects.filter(pk=form.cleaned_data["into"]).first()
        if into is None:
            form.add_error("into", "There is no conversation with that number.")
        else:
            try:
                cases.merge_conversations(conversation, into, by=request.user)
            except services.PostingError as exc:
                form.add_error(None, str(exc))
            else:
                flash.success(request, f"Merged “{conversation.title}” into this conversation.")
                return redirect("inbox:conversation", into.pk)
    return _conversation_page(request, conversation, merge_form=form, status=400)
