"""A member's notifications page, their preferences, and the one-click unsubscribe page."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.services import person_for_user
from conversations.services import PostingError
from notifications import access, services, unread
from notifications.forms import PreferencesForm
from notifications.models import Kind
from notifications.preferences import choices_of
from openline.paging import page_or_404

PER_PAGE = 20


@login_required
@require_GET
def list(request):
    """Newest first; unread ones are marked until opened or marked read."""
    person = person_for_user(request.user)
    page = page_or_404(request, access.notifications_of(person), PER_PAGE)
    rows = [(n, access.excerpt_shown(n)) for n in page.object_list]
    return render(request, "notifications/list.html", {"page": page, "rows": rows})


@require_GET
def unread_link(request):
    """The header's link with the unread count, fetched once the page has loaded when the
    count was not at hand (see notifications.unread)."""
    count = unread.count(request.user) if request.user.is_authenticated else 0
    return render(request, "notifications/_unread_link.html", {"notifications_unread": count})


@login_required
@require_GET
def go(request, pk):
    """Open a notification: it is read now, and the message it is about is shown."""
    notification = access.get_notification_for_user(request.user, pk)
    services.mark_read(notification)
    return redirect(access.target(notification))


@login_required
@require_POST
def read_all(request):
    count = services.mark_all_read(person_for_user(request.user))
    flash.success(request, "All read." if count else "Nothing was unread.")
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    current = services.member_settings(request.user)
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                services.save_preferences(
                    request.user,
                    handle=form.cleaned_data["handle"],
                    no_email=form.cleaned_data["no_email"],
                    choices=form.choices(),
                )
            except PostingError as exc:
                form.add_error("handle", str(exc))
            else:
                flash.success(request, "Saved: you will be told as you chose.")
                return redirect("notifications:preferences")
        status = 400
    else:
        form = PreferencesForm(
            initial=PreferencesForm.initial_for(
                current.handle, current.no_email, choices_of(current.pk)
            )
        )
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "settings": current},
        status=status,
    )


@csrf_exempt  # mail clients' one-click POST carries no CSRF token; the signed token is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a button (mail scanners follow links); POST, also one-click from mail
    clients (RFC 8058), turns that kind of e-mail off for that person."""
    found = services.unsubscribe_target(token)
    if found is None:
        return render(request, "notifications/unsubscribe.html", {"valid": False}, status=404)
    person, kind = found
    if request.method == "POST":
        services.stop_emails(person, kind)
    label = Kind(kind).label
    context = {
        "valid": True,
        "done": request.method == "POST",
        "person": person,
        "what": label[0].lower() + label[1:],
        "member": person.user_id is not None,
    }
    return render(request, "notifications/unsubscribe.html", context)
