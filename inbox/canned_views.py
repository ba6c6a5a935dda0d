"""Staff pages: canned replies (list, search, previews, forms) and crisis playbooks."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from markupsafe import Markup

from conversations.markup import render_markdown
from conversations.models import KnownIssueStatus
from conversations.services import PostingError
from inbox import canned
from inbox.forms_canned import CannedReplyForm
from inbox.models import CannedReply, Playbook, PlaybookRun
from openline.paging import page_or_404

PER_PAGE = 50
RECENT_RUNS = 10
QUERY_MAX = 100


@login_required
@require_GET
def canned_list(request):
    """The shared replies and the viewer's own, each previewed for a sample customer."""
    user = request.user
    canned.require_user(user)
    q = request.GET.get("q", "").strip()[:QUERY_MAX]
    replies = canned.visible_to(user)
    if q:
        replies = replies.filter(Q(title__icontains=q) | Q(body_md__icontains=q))
    page = page_or_404(request, replies, PER_PAGE)
    customer, conversation = canned.sample_customer(), canned.sample_conversation()
    rows = []
    for reply in canned.attach_active_runs(list(page.object_list)):
        text = canned.render(reply, conversation=conversation, customer=customer, agent=user)
        preview = Markup(render_markdown(text, trusted=True))  # noqa: S704 (sanitised)
        rows.append((reply, preview, canned.can_manage(user, reply)))
    return render(
        request,
        "inbox/canned_list.html",
        {"page": page, "rows": rows, "q": q, "customer": customer},
    )


def _add_errors(form, error: ValidationError) -> None:
    errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for name, messages in errors.items():
        form.add_error(name if name in form.fields else None, messages)


def _save(request, form: CannedReplyForm, reply: CannedReply | None) -> CannedReply | None:
    """Save a valid form through the service; a refusal becomes the form's errors."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return canned.save_canned_reply(
            reply,
            by=request.user,
            title=data["title"],
            body_md=data["body_md"],
            link=data["link"],
            category=data["category"],
            shared=data.get("shared", False),
        )
    except ValidationError as exc:
        _add_errors(form, exc)
        return None


def _form_page(request, form, reply, status):
    return render(request, "inbox/canned_form.html", {"form": form, "reply": reply}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def canned_new(request):
    canned.require_user(request.user)
    form = CannedReplyForm(request.POST or None, user=request.user)
    if request.method == "POST":
        saved = _save(request, form, None)
        if saved is not None:
            flash.success(request, f"Saved “{saved.title}”.")
            return redirect("inbox:canned_list")
        return _form_page(request, form, None, 400)
    return _form_page(request, form, None, 200)


@login_required
@require_http_methods(["GET", "POST"])
def canned_edit(request, pk):
    reply = canned.get_canned_reply_for_user(request.user, pk, write=True)
    initial = {
        "title": reply.title,
        "body_md": reply.body_md,
        "link": reply.link,
        "category": reply.category_id,
        "shared": reply.is_shared,
    }
    form = CannedReplyForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST":
        saved = _save(request, form, reply)
        if saved is not None:
            flash.success(request, f"Saved “{saved.title}”.")
            return redirect("inbox:canned_list")
        return _form_page(request, form, reply, 400)
    return _form_page(request, form, reply, 200)


@login_required
@require_POST
def canned_delete(request, pk):
    reply = canned.get_canned_reply_for_user(request.user, pk, write=True)
    canned.delete_canned_reply(reply, by=request.user)
    flash.success(request, f"Deleted “{reply.title}”.")
    return redirect("inbox:canned_list")


@login_required
@require_GET
def playbooks(request):
    """The playbooks to start in a crisis, the runs under way and the latest ended ones."""
    canned.require_user(request.user)
    people = ("playbook", "known_issue__known_issue", "started_by__person", "ended_by__person")
    running = list(PlaybookRun.objects.active().select_related(*people))
    ended = Q(ended_at__isnull=False) | Q(
        known_issue__known_issue__status=KnownIssueStatus.RESOLVED
    )
    replies = Prefetch("canned_replies", queryset=CannedReply.objects.order_by("title", "id"))
    return render(
        request,
        "inbox/playbooks.html",
        {
            "playbooks": list(
                Playbook.objects.filter(active=True)
                .select_related("issue_category")
                .prefetch_related(replies)
            ),
            "running": running,
            "running_by_playbook": {run.playbook_id: run for run in running},
            "recent": list(PlaybookRun.objects.filter(ended).select_related(*people)[:RECENT_RUNS]),
            "can_run": canned.can_run_playbooks(request.user),
        },
    )


@login_required
@require_POST
def playbook_start(request, pk):
    playbook = canned.get_playbook_for_user(request.user, pk)
    try:
        run = canned.start_playbook(playbook, by=request.user)
    except PostingError as exc:
        flash.error(request, str(exc))
        return redirect("inbox:playbooks")
    flash.success(
        request,
        f"Started “{playbook.name}”: this known issue is published, and the playbook's "
        "replies link to it until the run ends.",
    )
    return redirect(run.known_issue.get_absolute_url())


@login_required
@require_POST
def playbook_run_end(request, pk):
    run = canned.get_playbook_run_for_user(request.user, pk)
    canned.end_playbook_run(run, by=request.user)
    flash.success(request, f"Ended “{run.playbook.name}”. The known issue stays published.")
    return redirect("inbox:playbooks")
