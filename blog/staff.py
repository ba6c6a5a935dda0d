"""Staff pages of the blog: write and edit posts, post known-issue updates."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.services import person_for_user
from blog.forms import PostForm, StatusUpdateForm
from conversations import scoring, services
from conversations.access import get_conversation_for_user
from conversations.models import Kind
from conversations.services import TITLE_MAX


def _require_publisher(user):
    if not user.can("publish"):
        raise PermissionDenied("Only bloggers publish posts.")


@login_required
@require_http_methods(["GET", "POST"])
def new_post(request):
    _require_publisher(request.user)
    form = PostForm(
        request.POST or None,
        initial={"kind": request.GET.get("kind", Kind.ARTICLE)},
        suggest=True,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conversation = services.publish_post(
                author=data["guest_author"] or person_for_user(request.user),
                kind=data["kind"],
                title=data["title"],
                body_md=data["body"],
                summary=data["summary"],
                category=data["category"],
                labels=services.labels_from_names(form.label_names()),
                draft=data["draft"],
                affected_area=data["affected_area"],
                status=data["status"] or "investigating",
                next_update_due=data["next_update_due"],
            )
        except services.PostingError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, "Saved as a draft." if data["draft"] else "Published.")
            return redirect(conversation.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "blog/staff_post_form.html", {"form": form, "post": None}, status=status)


@login_required
@require_GET
def similar_posts(request):
    """Published posts whose title is like the one being typed (an htmx partial)."""
    _require_publisher(request.user)
    title = request.GET.get("title", "")[:TITLE_MAX]
    hits = scoring.similar_conversations(title, kinds=[Kind.ARTICLE, Kind.KNOWN_ISSUE], limit=3)
    return render(request, "blog/_similar.html", {"hits": hits})


@login_required
@require_http_methods(["GET", "POST"])
def edit_post(request, slug):
    conversation = get_conversation_for_user(request.user, slug, write=True)
    opening = conversation.messages.get(is_opening=True)
    initial = {
        "kind": conversation.kind,
        "title": conversation.title,
        "summary": conversation.summary,
        "body": opening.body_md,
        "category": conversation.category,
        "labels": ", ".join(label.name for label in conversation.labels.all()),
        "affected_area": getattr(getattr(conversation, "known_issue", None), "affected_area", ""),
    }
    form = PostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.edit_post(
                conversation,
                editor=person_for_user(request.user),
                title=data["title"],
                body_md=data["body"],
                summary=data["summary"],
                category=data["category"],
                labels=services.labels_from_names(form.label_names()),
                affected_area=data["affected_area"],
            )
        except services.PostingError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, "Saved.")
            return redirect(conversation.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request, "blog/staff_post_form.html", {"form": form, "post": conversation}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_update(request, slug):
    conversation = get_conversation_for_user(request.user, slug, write=True)
    if conversation.kind != Kind.KNOWN_ISSUE:
        raise PermissionDenied("Status updates belong to known issues.")
    form = StatusUpdateForm(
        request.POST or None, initial={"status": conversation.known_issue.status}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_status_update(
                conversation,
                author=person_for_user(request.user),
                status=data["status"],
                body_md=data["body"],
                next_update_due=data["next_update_due"],
            )
        except services.PostingError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, "Update posted; subscribers are being told.")
            return redirect(conversation.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request, "blog/staff_update_form.html", {"form": form, "post": conversation}, status=status
    )
