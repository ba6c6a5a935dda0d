"""Community pages: the lists, starting a topic, and the topic page every community kind
shares (a discussion, a question, an idea), with replies, quoting and live updates."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from markupsafe import Markup

from accounts.services import person_for_user
from community import services
from community.forms import KIND_WORDS, ReplyForm, TopicForm
from community.models import Question
from conversations import scoring
from conversations import services as conversation_services
from conversations.access import get_conversation_for_user, get_reply_target
from conversations.cases import final
from conversations.markup import plain_text
from conversations.models import (
    COMMUNITY_KINDS,
    Category,
    Conversation,
    Kind,
    Message,
    Moderation,
    Subscription,
)
from openline.jinja import json_ld
from openline.pagecache import cache_for_anonymous
from openline.paging import page_or_404
from openline.ratelimit import RateLimited

TOPICS_PER_PAGE = 20
REPLIES_PER_PAGE = 100
QUOTE_MAX = 1_000

KIND_SLUGS = {"discussion": Kind.DISCUSSION, "question": Kind.QUESTION, "idea": Kind.IDEA}


# --- Lists ----------------------------------------------------------------------------


def _topics(kinds, category: Category | None = None):
    topics = Conversation.objects.published().filter(
        kind__in=kinds, is_public=True, merged_into__isnull=True
    )
    if category is not None:
        topics = topics.filter(category=category)
    return topics.select_related("author", "category", "question", "idea__status").order_by(
        "-last_activity_at", "-id"
    )


def _category(request) -> Category | None:
    slug = request.GET.get("category", "")
    if not slug:
        return None
    category = Category.objects.filter(slug=slug[:80]).first()
    if category is None:
        raise Http404("No such category")
    return category


def _list(request, *, kinds, heading, intro, template_extra=None, topics=None):
    category = _category(request)
    topics = topics if topics is not None else _topics(kinds, category)
    context = {
        "heading": heading,
        "intro": intro,
        "page": page_or_404(request, topics, TOPICS_PER_PAGE),
        "categories": list(Category.objects.all()),
        "category": category,
        "query": f"category={category.slug}&" if category else "",
        "new_kinds": kinds,
        "kind_words": KIND_WORDS,
        **(template_extra or {}),
    }
    return render(request, "community/list.html", context)


@cache_for_anonymous
def home(request):
    return _list(
        request,
        kinds=COMMUNITY_KINDS,
        heading="Community",
        intro="Ask, discuss and suggest. Staff and other customers answer; we read everything.",
    )


@cache_for_anonymous
def discussions(request):
    return _list(
        request,
        kinds=[Kind.DISCUSSION],
        heading="Discussions",
        intro="Talk with other customers and with us.",
    )


QUESTION_FILTERS = {
    "": "All",
    "unanswered": "Unanswered",
    "unsolved": "No accepted answer",
    "solved": "Solved",
}


@cache_for_anonymous
def questions(request):
    """Questions, with the "unanswered" list: no reply yet and no accepted answer."""
    show = request.GET.get("show", "")
    if show not in QUESTION_FILTERS:
        raise Http404("No such list")
    category = _category(request)
    topics = _topics([Kind.QUESTION], category)
    if show == "unanswered":
        topics = topics.filter(comment_count=0, question__accepted_answer__isnull=True)
    elif show == "unsolved":
        topics = topics.filter(question__accepted_answer__isnull=True)
    elif show == "solved":
        topics = topics.filter(question__accepted_answer__isnull=False)
    if show == "unanswered":
        # Oldest first: the longest wait is the first to answer.
        topics = topics.order_by("published_at", "id")
    query = (f"category={category.slug}&" if category else "") + (f"show={show}&" if show else "")
    return _list(
        request,
        kinds=[Kind.QUESTION],
        heading="Questions",
        intro="Ask anything; staff and other customers answer, and the best answer is marked.",
        topics=topics,
        template_extra={"filters": QUESTION_FILTERS, "show": show, "query": query},
    )


# --- Starting a topic ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def new_topic(request, kind):
    kind = KIND_SLUGS.get(kind)
    if kind is None:
        raise Http404("No such kind of topic")
    form = TopicForm(request.POST or None, kind=kind, initial={"title": request.GET.get("title")})
    status = 200
    if request.method == "POST":
        if form.is_bot:
            return HttpResponseBadRequest("This form was filled in by a robot.")
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                conversation = services.start_topic(
                    kind=kind,
                    author=person_for_user(request.user),
                    title=data["title"],
                    body_md=data["body"],
                    category=data["category"],
                    idempotency_key=data["idempotency_key"],
                    rate_limit_key=f"user:{request.user.pk}",
                )
            except RateLimited as exc:
                form.add_error(None, str(exc))
                status = 429
            except conversation_services.PostingError as exc:
                form.add_error(None, str(exc))
            else:
                if conversation.published_at is None:
                    flash.info(
                        request,
                        "Thanks! Your post will appear once a moderator has seen it; "
                        "only you can see it until then.",
                    )
                return redirect(conversation.get_absolute_url())
    words = KIND_WORDS[kind]
    return render(
        request,
        "community/new_topic.html",
        {"form": form, "kind": kind, "heading": words[0], "submit": words[2]},
        status=status,
    )


SUGGEST_KINDS = [Kind.QUESTION, Kind.IDEA, Kind.KNOWN_ISSUE, Kind.DISCUSSION, Kind.ARTICLE]


@require_GET
def suggest(request):
    """Published conversations like the title being typed (an htmx partial): "is it one of
    these?" before a duplicate is posted."""
    title = request.GET.get("title", "")[:200]
    hits = []
    if len(title.strip()) >= services.TITLE_MIN:
        hits = [
            conversation
            for conversation, _score in scoring.similar_conversations(
                title, kinds=SUGGEST_KINDS, limit=5
            )
            if conversation.merged_into_id is None
        ]
    return render(request, "community/_suggestions.html", {"hits": hits})


# --- The topic page -------------------------------------------------------------------------


def _topic_or_404(request, slug) -> Conversation:
    conversation = get_conversation_for_user(request.user, slug)
    if conversation.kind not in COMMUNITY_KINDS:
        raise Http404("No such topic")
    return conversation


def _replies(request, conversation: Conversation):
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


def _opening(request, conversation: Conversation) -> Message:
    opening = conversation.messages.filter(is_opening=True).select_related("author").first()
    if opening is None:
        raise Http404("No such topic")
    staff = request.user.is_authenticated and request.user.is_staff_member
    own = (
        request.user.is_authenticated
        and getattr(request.user, "person", None) is not None
        and opening.author_id == request.user.person.pk
    )
    if opening.moderation in (Moderation.HIDDEN, Moderation.REMOVED) and not staff:
        raise Http404("No such topic")
    if opening.moderation == Moderation.HELD and not (staff or own):
        raise Http404("No such topic")
    return opening


def _qa_markup(conversation, opening, question, accepted, replies) -> Markup:
    """schema.org QAPage markup, as JSON-LD, safe inside a <script> element."""

    def person(message):
        return {"@type": "Person", "name": message.author.display_name}

    def answer(message):
        return {
            "@type": "Answer",
            "text": plain_text(message.body_html, 2_000),
            "dateCreated": message.created_at.isoformat(),
            "url": settings.SITE_URL + message.get_absolute_url(),
            "author": person(message),
        }

    main = {
        "@type": "Question",
        "name": conversation.title,
        "text": plain_text(opening.body_html, 2_000),
        "dateCreated": opening.created_at.isoformat(),
        "author": person(opening),
        "answerCount": conversation.comment_count,
    }
    if accepted is not None:
        main["acceptedAnswer"] = answer(accepted)
    suggested = [answer(m) for m in replies if m.pk != question.accepted_answer_id][:10]
    if suggested:
        main["suggestedAnswer"] = suggested
    data = {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": main}
    return json_ld(data)


def topic_context(request, conversation: Conversation, form: ReplyForm | None = None) -> dict:
    user = request.user
    opening = _opening(request, conversation)
    page = page_or_404(request, _replies(request, conversation), REPLIES_PER_PAGE)
    replies = list(page.object_list)
    question = accepted = None
    if conversation.kind == Kind.QUESTION:
        question = Question.objects.filter(pk=conversation.pk).first() or Question(
            conversation=conversation
        )
        if question.accepted_answer_id:
            accepted = next((m for m in replies if m.pk == question.accepted_answer_id), None)
            if accepted is None:
                accepted = (
                    Message.objects.filter(
                        pk=question.accepted_answer_id, moderation=Moderation.VISIBLE
                    )
                    .select_related("author")
                    .first()
                )
    following = False
    if user.is_authenticated:
        following = Subscription.objects.filter(
            conversation=conversation, person__user=user
        ).exists()
    if form is None:
        form = ReplyForm(initial=_quote_initial(request, conversation))
    from notifications.mentions import handles_of

    context = {
        "post": conversation,
        "opening": opening,
        "handles": handles_of({m.author_id for m in replies} | {opening.author_id}),
        "page": page,
        "replies": replies,
        "question": question,
        "accepted": accepted,
        "can_accept": services.can_accept(user, conversation),
        "following": following,
        "form": form,
        "live_seconds": settings.COMMUNITY_LIVE_UPDATE_SECONDS,
        "last_page": not page.has_next(),
        "permalink": settings.SITE_URL + conversation.get_absolute_url(),
        "labels": list(conversation.labels.all()),
        "now": timezone.now(),
        "qa_markup": (
            _qa_markup(conversation, opening, question, accepted, replies)
            if question is not None and opening.moderation == Moderation.VISIBLE
            else None
        ),
    }
    if conversation.kind == Kind.IDEA:
        from community import ideas

        context |= ideas.panel_context(request, conversation)
    return context


def _quote_initial(request, conversation: Conversation) -> dict:
    """`?quote=<id>` starts the reply with that message quoted (works without script)."""
    pk = request.GET.get("quote")
    if not pk or not request.user.is_authenticated:
        return {}
    message = get_reply_target(request.user, conversation, pk)
    text = plain_text(message.body_html, QUOTE_MAX)
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
    return {
        "body": f"> **{message.author.display_name}** wrote:\n{quoted}\n\n",
        "reply_to": message.pk,
    }


@cache_for_anonymous
def topic(request, slug):
    conversation = _topic_or_404(request, slug)
    if conversation.merged_into_id:
        # A duplicate merged into another topic: its address leads there.
        return redirect(final(conversation).get_absolute_url(), permanent=True)
    return render(request, "community/topic.html", topic_context(request, conversation))


@login_required
@require_POST
def reply(request, slug):
    conversation = _topic_or_404(request, slug)
    _opening(request, conversation)
    form = ReplyForm(request.POST)
    if form.is_bot:
        return HttpResponseBadRequest("This form was filled in by a robot.")
    status = 400
    if form.is_valid():
        try:
            reply_to = get_reply_target(request.user, conversation, form.cleaned_data["reply_to"])
            message = conversation_services.post_comment(
                conversation,
                author=person_for_user(request.user),
                body_md=form.cleaned_data["body"],
                reply_to=reply_to,
                idempotency_key=form.cleaned_data["idempotency_key"],
                rate_limit_key=f"user:{request.user.pk}",
            )
        except RateLimited as exc:
            form.add_error(None, str(exc))
            status = 429
        except conversation_services.PostingError as exc:
            form.add_error(None, str(exc))
        else:
            if request.htmx:
                return render(
                    request,
                    "community/_reply_posted.html",
                    {"m": message, "post": conversation, "form": ReplyForm(), "user": request.user},
                )
            if message.moderation == Moderation.HELD:
                flash.info(request, "Thanks! Your reply will appear once a moderator has seen it.")
            return redirect(_location(message))
    if request.htmx:
        response = render(
            request,
            "community/_reply_form.html",
            {"form": form, "post": conversation},
            status=status,
        )
        response["HX-Retarget"] = "#reply-form"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(
        request, "community/topic.html", topic_context(request, conversation, form), status=status
    )


def _location(message: Message) -> str:
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
    page = before // REPLIES_PER_PAGE + 1
    url = message.conversation.get_absolute_url()
    return f"{url}?page={page}#m{message.pk}" if page > 1 else f"{url}#m{message.pk}"


@require_GET
def updates(request, slug):
    """Replies newer than `after` (the newest the page shows), for live updates: 204 when
    there are none, so a page polling every few seconds costs two small queries."""
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        return HttpResponseBadRequest("`after` is a message number.")
    conversation = _topic_or_404(request, slug)
    new = [
        m
        for m in _replies(request, conversation).filter(pk__gt=after)[:REPLIES_PER_PAGE]
        if m.moderation == Moderation.VISIBLE
    ]
    if not new:
        return HttpResponse(status=204)
    context = {
        "post": conversation,
        "replies": new,
        "can_accept": services.can_accept(request.user, conversation),
        "question": Question.objects.filter(pk=conversation.pk).first(),
        "user": request.user,
    }
    return render(request, "community/_new_replies.html", context)


@login_required
@require_POST
def accept(request, slug):
    conversation = _topic_or_404(request, slug)
    try:
        if request.POST.get("action") == "unaccept":
            services.unaccept_answer(conversation, by=request.user)
            target = conversation.get_absolute_url()
            flash.info(request, "The answer is no longer marked as accepted.")
        else:
            message = get_reply_target(request.user, conversation, request.POST.get("message"))
            if message is None:
                raise conversation_services.PostingError("Choose the reply that answers it.")
            services.accept_answer(conversation, message, by=request.user)
            target = _location(message)
            flash.success(request, "Marked as the accepted answer. Thank you!")
    except conversation_services.PostingError as exc:
        flash.error(request, str(exc))
        return render(
            request, "community/topic.html", topic_context(request, conversation), status=400
        )
    return redirect(target)


@login_required
@require_POST
def follow(request, slug):
    conversation = _topic_or_404(request, slug)
    person = person_for_user(request.user)
    if request.POST.get("action") == "unfollow":
        conversation_services.stop_following(conversation, person)
        flash.info(request, "You no longer follow this topic.")
    elif conversation_services.subscribe(conversation, person) is None:
        flash.error(request, "Add an e-mail address to your account to follow topics.")
    else:
        flash.success(request, "You follow this topic: we will tell you about new replies.")
    return redirect(conversation.get_absolute_url())


def message_location(message: Message) -> str:
    """Where a message of a community topic is shown (for permalinks)."""
    return _location(message)
