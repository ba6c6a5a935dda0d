"""The public blog: posts, known issues, comments and subscriptions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from markupsafe import Markup

from accounts.services import person_for_user
from blog.forms import CommentForm
from conversations import services
from conversations.access import get_conversation_for_user, get_reply_target
from conversations.models import (
    BLOG_KINDS,
    COMMUNITY_KINDS,
    Category,
    Conversation,
    Kind,
    KnownIssue,
    KnownIssueStatus,
    Label,
    Message,
    Moderation,
    Subscription,
)
from openline.pagecache import cache_for_anonymous
from openline.paging import page_or_404
from openline.ratelimit import RateLimited

POSTS_PER_PAGE = 10
COMMENTS_PER_PAGE = 100


def _post_list(queryset):
    return (
        queryset.select_related("author", "category", "known_issue")
        .prefetch_related("labels")
        .order_by("-published_at", "-id")
    )


def _open_issues():
    return list(
        KnownIssue.objects.filter(
            conversation__is_public=True,
            conversation__published_at__lte=timezone.now(),
        )
        .exclude(status=KnownIssueStatus.RESOLVED)
        .select_related("conversation")
        .order_by("-conversation__published_at")[:5]
    )


@cache_for_anonymous
def home(request):
    page = page_or_404(request, _post_list(Conversation.objects.published().blog()), POSTS_PER_PAGE)
    return render(
        request,
        "blog/home.html",
        {
            "page": page,
            "open_issues": _open_issues() if page.number == 1 else [],
            "now": timezone.now(),
        },
    )


@cache_for_anonymous
def known_issues(request):
    issues = _post_list(Conversation.objects.published().filter(kind=Kind.KNOWN_ISSUE))
    open_q = ~Q(known_issue__status=KnownIssueStatus.RESOLVED)
    return render(
        request,
        "blog/known_issues.html",
        {
            "open_issues": list(issues.filter(open_q)),
            "page": page_or_404(request, issues.exclude(open_q), POSTS_PER_PAGE),
            "now": timezone.now(),
        },
    )


@cache_for_anonymous
def label(request, slug):
    label = get_object_or_404(Label, slug=slug)
    posts = _post_list(Conversation.objects.published().blog().filter(labels=label))
    return render(
        request,
        "blog/list.html",
        {
            "heading": f"Label: {label.name}",
            "listing": label,
            "feed_atom": label.get_absolute_url() + "feed/atom/",
            "feed_rss": label.get_absolute_url() + "feed/rss/",
            "page": page_or_404(request, posts, POSTS_PER_PAGE),
            "now": timezone.now(),
        },
    )


@cache_for_anonymous
def category(request, slug):
    category = get_object_or_404(Category, slug=slug)
    posts = _post_list(Conversation.objects.published().blog().filter(category=category))
    return render(
        request,
        "blog/list.html",
        {
            "heading": category.name,
            "listing": category,
            "description": category.description,
            "page": page_or_404(request, posts, POSTS_PER_PAGE),
            "now": timezone.now(),
        },
    )


def _thread(request, conversation: Conversation):
    """The visible replies, plus the viewer's own held ones ("awaiting moderation")."""
    visible = Q(moderation=Moderation.VISIBLE)
    person = getattr(request.user, "person", None) if request.user.is_authenticated else None
    if person is not None:
        visible |= Q(moderation=Moderation.HELD, author=person)
    return (
        conversation.messages.filter(visible, internal=False, is_opening=False)
        .select_related("author", "reply_to__author")
        .order_by("created_at", "id")
    )


THREAD_CACHE_SECONDS = 24 * 3600


def _thread_html(request, conversation: Conversation) -> Markup:
    """The replies with their pagers, rendered once per thread version and kind of viewer.

    A member with a held message of their own sees a thread nobody else does; that one
    is rendered fresh each time.
    """
    user = request.user
    member = user.is_authenticated
    own_held = (
        member
        and conversation.messages.filter(author__user=user, moderation=Moderation.HELD).exists()
    )
    key = (
        f"openline:thread:{conversation.pk}:{conversation.thread_version}:"
        f"{request.GET.get('page', '1')[:8]}:{'member' if member else 'anon'}"
    )
    if not own_held:
        html = cache.get(key)
        if html is not None:
            return Markup(html)  # noqa: S704 (rendered by our autoescaping template)
    page = page_or_404(request, _thread(request, conversation), COMMENTS_PER_PAGE)
    html = render_to_string("blog/_thread.html", {"page": page}, request)
    if not own_held:
        cache.set(key, html, THREAD_CACHE_SECONDS)
    return Markup(html)  # noqa: S704 (rendered by our autoescaping template)


def post_context(request, conversation: Conversation, form: CommentForm | None = None) -> dict:
    opening_html = (
        conversation.messages.filter(is_opening=True).values_list("body_html", flat=True).first()
    )
    updates = []
    known_issue = None
    if conversation.kind == Kind.KNOWN_ISSUE:
        known_issue = conversation.known_issue
        updates = list(known_issue.updates.select_related("author"))
    user = request.user
    subscribed = False
    if user.is_authenticated:
        person = person_for_user(user)
        subscribed = Subscription.objects.filter(conversation=conversation, person=person).exists()
    now = timezone.now()
    return {
        "post": conversation,
        "opening_html": Markup(opening_html or ""),  # noqa: S704 (sanitised when written)
        "labels": list(conversation.labels.all()),
        "known_issue": known_issue,
        "overdue": known_issue.update_overdue(now) if known_issue else False,
        "updates": updates,
        "thread_html": _thread_html(request, conversation),
        "form": form or CommentForm(),
        "subscribed": subscribed,
        "permalink": settings.SITE_URL + conversation.get_absolute_url(),
        "now": now,
    }


@cache_for_anonymous
def post(request, slug):
    conversation = get_conversation_for_user(request.user, slug)
    if conversation.kind not in BLOG_KINDS:
        raise Http404("No such post")
    return render(request, "blog/post.html", post_context(request, conversation))


@login_required
@require_POST
def comment(request, slug):
    conversation = get_conversation_for_user(request.user, slug)
    form = CommentForm(request.POST)
    if form.is_bot:
        return HttpResponseBadRequest("This form was filled in by a robot.")
    error = None
    if form.is_valid():
        person = person_for_user(request.user)
        try:
            reply_to = get_reply_target(request.user, conversation, form.cleaned_data["reply_to"])
            message = services.post_comment(
                conversation,
                author=person,
                body_md=form.cleaned_data["body"],
                reply_to=reply_to,
                idempotency_key=form.cleaned_data["idempotency_key"],
                rate_limit_key=f"user:{request.user.pk}",
            )
        except RateLimited as exc:
            error, status = str(exc), 429
        except services.PostingError as exc:
            error, status = str(exc), 400
        else:
            if request.htmx:
                subscribed = Subscription.objects.filter(
                    conversation=conversation, person=person
                ).exists()
                return render(
                    request,
                    "blog/_comment_posted.html",
                    {
                        "m": message,
                        "post": conversation,
                        "form": CommentForm(),
                        "subscribed": subscribed,
                    },
                )
            if message.moderation == Moderation.HELD:
                flash.info(
                    request, "Thanks! Your first comment will appear once a moderator has seen it."
                )
            return redirect(_location(message))
    else:
        status = 400
    if error:
        form.add_error(None, error)
    if request.htmx:
        response = render(request, "blog/_comment_form.html", {"form": form, "post": conversation})
        response["HX-Retarget"] = "#comment-form"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(
        request, "blog/post.html", post_context(request, conversation, form), status=status
    )


@login_required
@require_POST
def subscribe(request, slug):
    conversation = get_conversation_for_user(request.user, slug)
    person = person_for_user(request.user)
    if request.POST.get("action") == "unsubscribe":
        services.stop_following(conversation, person)
        flash.info(request, "You will no longer get e-mails about this post.")
    elif services.subscribe(conversation, person) is None:
        flash.error(request, "Add an e-mail address to your account to subscribe.")
    else:
        flash.success(request, "Subscribed: we will e-mail you on each update and official reply.")
    return redirect(conversation.get_absolute_url())


@csrf_exempt  # mail clients' one-click POST carries no CSRF token; the token is the secret
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a button (mail scanners follow links); POST, also one-click from mail
    clients (RFC 8058), unsubscribes."""
    subscription = Subscription.objects.select_related("conversation").filter(token=token).first()
    if request.method == "POST":
        removed = services.unsubscribe(token)
        return render(request, "blog/unsubscribed.html", {"subscription": removed, "done": True})
    return render(request, "blog/unsubscribed.html", {"subscription": subscription, "done": False})


def _location(message: Message) -> str:
    """Where a reply is shown: its page of the thread, and its anchor."""
    earlier = Q(created_at__lt=message.created_at) | Q(
        created_at=message.created_at, id__lt=message.pk
    )
    before = (
        Message.objects.filter(
            conversation_id=message.conversation_id,
            moderation=Moderation.VISIBLE,
            internal=False,
            is_opening=False,
        )
        .filter(earlier)
        .count()
    )
    page = before // COMMENTS_PER_PAGE + 1
    url = message.conversation.get_absolute_url()
    return f"{url}?page={page}#m{message.pk}" if page > 1 else f"{url}#m{message.pk}"


def message_permalink(request, pk):
    message = get_object_or_404(Message.objects.select_related("conversation"), pk=pk)
    get_conversation_for_user(request.user, message.conversation.slug)  # may the viewer see it?
    if message.internal or (
        message.moderation != Moderation.VISIBLE
        and not (request.user.is_authenticated and request.user.is_staff_member)
    ):
        raise Http404("No such message")
    if message.conversation.kind in COMMUNITY_KINDS:
        from community.views import message_location

        return redirect(message_location(message))
    if message.conversation.kind not in BLOG_KINDS:
        # Only blog posts have public pages here; staff read everything else on the desk.
        if request.user.is_authenticated and request.user.is_staff_member:
            staff_page = reverse("inbox:conversation", args=[message.conversation_id])
            return redirect(f"{staff_page}#m{message.pk}")
        raise Http404("No such message")
    return redirect(_location(message))


def healthz(request):
    Conversation.objects.exists()
    return HttpResponse("ok", content_type="text/plain")
