"""Staff pages of the listening post (mentions, sources, queries) and the inbound webhook."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DatabaseError
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import require
from analysis import query as query_language
from conversations.models import Kind, Message, ResponseState, Sentiment
from conversations.services import PostingError
from listening import pipeline, services
from listening.forms import AnsweredForm, QueryForm, SourceForm
from listening.items import RecordError
from listening.models import Mention, Query, Source, SourceKind
from openline import signing
from openline.paging import page_or_404

PER_PAGE = 50
PREVIEW_OVER = 500
WEBHOOK_MAX_ITEMS = 1000


# --- mentions --------------------------------------------------------------------------------


@login_required
@require_GET
def mentions(request):
    """Everything the listening post stored, newest first, with filters."""
    require(request.user, "answer")
    rows = Mention.objects.select_related(
        "message__author", "message__conversation", "source"
    ).order_by("-created_at", "-id")
    chosen = {k: request.GET.get(k, "").strip() for k in ("query", "source", "sentiment", "state")}
    if chosen["query"].isdigit():
        rows = rows.filter(matches__query_id=int(chosen["query"]))
    if chosen["source"].isdigit():
        rows = rows.filter(source_id=int(chosen["source"]))
    if chosen["sentiment"] in Sentiment.values:
        rows = rows.filter(message__sentiment=chosen["sentiment"])
    if chosen["state"] in (ResponseState.AWAITING, ResponseState.ANSWERED):
        rows = rows.filter(message__response_state=chosen["state"])
    page = page_or_404(request, rows, PER_PAGE)
    names = dict(Query.objects.values_list("pk", "name"))
    matched: dict[int, list[str]] = {}
    for mention_id, query_id in Mention.queries.through.objects.filter(
        mention_id__in=[m.pk for m in page.object_list]
    ).values_list("mention_id", "query_id"):
        matched.setdefault(mention_id, []).append(names.get(query_id, "?"))
    query_string = "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    return render(
        request,
        "listening/mentions.html",
        {
            "page": page,
            "matched": matched,
            "chosen": chosen,
            "queries": names,
            "sources": list(Source.objects.values_list("pk", "name")),
            "sentiments": Sentiment.choices,
            "query_string": query_string + "&" if query_string else "",
        },
    )


@login_required
@require_POST
def answered(request, pk):
    """Staff answered a mention on its own site: record the link; it counts as answered."""
    require(request.user, "answer")
    message = get_object_or_404(
        Message.objects.select_related("conversation"), pk=pk, conversation__kind=Kind.MENTION
    )
    form = AnsweredForm(request.POST)
    if form.is_valid():
        try:
            services.record_answer(
                message,
                by=request.user,
                url=form.cleaned_data["url"],
                body_md=form.cleaned_data["body"],
            )
        except PostingError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, "Answer recorded; the mention counts as answered.")
    else:
        flash.error(request, "Give the link to your answer.")
    return redirect("inbox:conversation", message.conversation_id)


# --- sources ---------------------------------------------------------------------------------


def _sources_page(request, *, test=None, tested=None, status=200):
    from listening.connectors import describe  # the network layer, only when it is needed

    sources = list(Source.objects.all())
    return render(
        request,
        "listening/sources.html",
        {
            "sources": [(s, describe(s.kind, s.config)) for s in sources],
            "can_configure": request.user.can("configure"),
            "test": test,
            "tested": tested,
            "site_url": settings.SITE_URL,
        },
        status=status,
    )


@login_required
@require_GET
def sources(request):
    require(request.user, "answer")
    return _sources_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def source_form(request, pk=None):
    require(request.user, "configure")
    source = get_object_or_404(Source, pk=pk) if pk else None
    if request.method == "POST":
        form = SourceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            target = source or Source()
            target.name, target.kind = data["name"], data["kind"]
            target.config = form.config()
            target.keep_all, target.poll_minutes = data["keep_all"], data["poll_minutes"]
            target.active = data["active"]
            duplicate = Source.objects.filter(name=target.name).exclude(pk=target.pk).exists()
            if duplicate:
                form.add_error("name", "Another source has this name.")
            else:
                try:
                    services.save_source(target, by=request.user)
                except services.ListeningError as exc:
                    form.add_error(None, str(exc))
                else:
                    flash.success(request, f"Saved {target.name}.")
                    return redirect("listening:sources")
        status = 400
    else:
        initial = SourceForm.initial_for(source) if source else {"kind": SourceKind.FEED}
        form, status = SourceForm(initial=initial), 200
    return render(
        request, "listening/source_form.html", {"form": form, "source": source}, status=status
    )


@login_required
@require_POST
def source_active(request, pk, active):
    source = get_object_or_404(Source, pk=pk)
    try:
        services.set_active(source, active=active, by=request.user)
    except services.ListeningError:
        raise PermissionDenied from None
    flash.success(request, f"{source.name} {'resumed' if active else 'paused'}.")
    return redirect("listening:sources")


@login_required
@require_POST
def source_test(request, pk):
    source = get_object_or_404(Source, pk=pk)
    try:
        run = services.try_source(source, by=request.user)
    except services.ListeningError:
        raise PermissionDenied from None
    return _sources_page(request, test=run, tested=source)


# --- queries ---------------------------------------------------------------------------------


def _preview(text: str) -> tuple[int, int, list[Mention]]:
    """How many of the latest mentions the query matches, and a few of them."""
    compiled = query_language.compile(text)
    latest = list(
        Mention.objects.select_related("message").order_by("-created_at", "-id")[:PREVIEW_OVER]
    )
    hits = []
    for mention in latest:
        doc = query_language.document(
            mention.message.body_md, lang=mention.language, author=mention.author, site=mention.site
        )
        if compiled.matches(doc):
            hits.append(mention)
    return len(hits), len(latest), hits[:5]


@login_required
@require_GET
def queries(request):
    require(request.user, "answer")
    rows = Query.objects.annotate(found=Count("matches")).order_by("name")
    return render(
        request,
        "listening/queries.html",
        {"queries": rows, "can_configure": request.user.can("configure")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def query_form(request, pk=None):
    require(request.user, "configure")
    query = get_object_or_404(Query, pk=pk) if pk else None
    pointer = preview = None
    status = 200
    if request.method == "POST":
        form = QueryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                query_language.compile(data["text"])
            except query_language.QueryError as exc:
                pointer = exc.pointer(data["text"])
                form.add_error("text", str(exc))
            else:
                if "preview" in request.POST:
                    preview = _preview(data["text"])
                elif Query.objects.filter(name=data["name"]).exclude(pk=pk).exists():
                    form.add_error("name", "Another query has this name.")
                else:
                    target = query or Query()
                    for name in ("name", "text", "to_inbox", "active"):
                        setattr(target, name, data[name])
                    services.save_query(target, by=request.user)
                    flash.success(request, f"Saved {target.name}.")
                    return redirect("listening:queries")
        status = 200 if preview and not form.errors else 400
    else:
        initial = (
            {k: getattr(query, k) for k in ("name", "text", "to_inbox", "active")} if query else {}
        )
        form = QueryForm(initial=initial)
        if query is not None:
            try:
                preview = _preview(query.text)
            except query_language.QueryError as exc:
                form.add_error("text", str(exc))
                pointer = exc.pointer(query.text)
    return render(
        request,
        "listening/query_form.html",
        {"form": form, "query": query, "pointer": pointer, "preview": preview},
        status=status,
    )


# --- inbound webhook -------------------------------------------------------------------------


@csrf_exempt
@require_POST
def webhook(request, pk):
    """Mentions pushed by another service: JSON signed with the source's secret (HMAC-SHA256).

    Stored before the answer goes back, so a 2xx means kept; anything else can be sent again,
    and a delivery sent twice is stored once."""
    source = Source.objects.filter(pk=pk, kind=SourceKind.WEBHOOK).first()
    if source is None:
        raise Http404
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.LISTENING_MAX_BYTES:
        return JsonResponse({"error": "The delivery is too large."}, status=413)
    try:
        body = request.body
    except RequestDataTooBig:
        return JsonResponse({"error": "The delivery is too large."}, status=413)
    if not signing.verify(source.secret, body, request.headers.get(signing.HEADER, "")):
        return JsonResponse(
            {"error": "Missing or wrong signature: X-Openline-Signature: sha256=<hex>."},
            status=401,
        )
    if not source.active:
        return JsonResponse({"error": "This source is paused; send again later."}, status=503)
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return JsonResponse({"error": f"The body is not JSON: {exc}."}, status=400)
    from listening.connectors import records

    try:
        entries = records.items_from_payload(payload)
    except RecordError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    if len(entries) > WEBHOOK_MAX_ITEMS:
        return JsonResponse(
            {"error": f"At most {WEBHOOK_MAX_ITEMS} items per delivery."}, status=413
        )
    items = [e for e in entries if not isinstance(e, RecordError)]
    errors = [f"item {n}: {e}" for n, e in enumerate(entries, 1) if isinstance(e, RecordError)]
    try:
        result = pipeline.ingest(items, source=source)
    except DatabaseError:
        return JsonResponse({"error": "Busy; nothing was stored. Send again."}, status=503)
    errors.extend(result.errors)
    return JsonResponse(
        {
            "received": len(entries),
            "stored": result.stored,
            "duplicates": result.duplicates,
            "unmatched": result.unmatched,
            "errors": errors,
        },
        status=200 if not errors or result.stored or result.duplicates else 400,
    )
