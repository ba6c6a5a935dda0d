"""The FAQ: the public page, entries, and staff writing or promoting them (docs/faq.md)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import require
from community import faq as faq_services
from community.forms_faq import FaqEntryForm, initial_for
from conversations.access import get_conversation_for_user
from conversations.markup import plain_text
from conversations.services import PostingError
from openline.pagecache import cache_for_anonymous

WRITERS_ONLY = "Only staff who answer customers write the FAQ."


@require_safe
@cache_for_anonymous
def faq(request):
    """Every entry the viewer may see, by category; `?q=` keeps those with every word."""
    q = request.GET.get("q", "")[: faq_services.SEARCH_MAX].strip()
    words = faq_services.search_words(q)
    everything = list(faq_services.entries_for(request.user))
    groups = faq_services.by_category(faq_services.search(everything, words))
    shown = [e for group in groups for e in group.entries]
    return render(
        request,
        "community/faq/index.html",
        {
            "groups": groups,
            "q": q,
            "words": words,
            "total": len(everything),
            "count": len(shown),
            "highlight": lambda text: faq_services.highlight(text, words),
            "source_link": faq_services.source_link,
            "can_edit": faq_services.can_edit(request.user),
            "faq_markup": faq_services.faq_markup(shown),
        },
    )


@require_safe
@cache_for_anonymous
def entry(request, slug):
    entry = faq_services.get_entry_for_user(request.user, slug)
    return render(
        request,
        "community/faq/entry.html",
        {
            "entry": entry,
            "source": faq_services.source_link(entry),
            "summary": plain_text(entry.answer_html, 160),
            "can_edit": faq_services.can_edit(request.user),
            "faq_markup": faq_services.faq_markup([entry]),
        },
    )


def _form_page(request, form, *, heading, entry=None, source=None, answer=None):
    context = {"form": form, "heading": heading, "entry": entry, "source": source}
    if answer is not None:
        context["answer"] = answer
        context["accepted"] = faq_services.is_accepted_answer(source, answer)
    return render(
        request,
        "community/faq/form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_entry(request):
    require(request.user, "answer", WRITERS_ONLY)
    form = FaqEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = faq_services.write_entry(by=request.user, **form.fields_for_service())
        except PostingError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, "Added to the FAQ.")
            return redirect(faq_services.entry_url(entry))
    return _form_page(request, form, heading="Write a FAQ entry")


@login_required
@require_http_methods(["GET", "POST"])
def edit_entry(request, slug):
    require(request.user, "answer", WRITERS_ONLY)
    entry = faq_services.get_entry_for_user(request.user, slug, write=True)
    form = FaqEntryForm(request.POST or None, initial=initial_for(entry))
    if request.method == "POST" and form.is_valid():
        try:
            faq_services.edit_entry(entry, by=request.user, **form.fields_for_service())
        except PostingError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, "Saved." if entry.published else "Saved; it is not published.")
            return redirect(faq_services.entry_url(entry))
        # The entry object kept what was typed; show the stored one's address.
        entry.refresh_from_db()
    return _form_page(request, form, heading=f"Edit: {entry.question}", entry=entry)


@login_required
@require_http_methods(["GET", "POST"])
def promote(request, slug):
    """The entry form, started from an answered question; saving adds it to the FAQ."""
    require(request.user, "answer", "Only staff who answer customers add questions to the FAQ.")
    conversation = get_conversation_for_user(request.user, slug)
    try:
        answer = faq_services.check_promotable(conversation)
    except PostingError as exc:
        return render(
            request,
            "community/faq/refused.html",
            {
                "post": conversation,
                "reason": str(exc),
                "existing": faq_services.entry_for_question(conversation),
            },
            status=400,
        )
    form = FaqEntryForm(
        request.POST or None, initial=faq_services.promotion_draft(conversation, answer)
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = faq_services.promote_question(
                conversation, by=request.user, **form.fields_for_service()
            )
        except PostingError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, "Added to the FAQ; it links back to the question.")
            return redirect(faq_services.entry_url(entry))
    return _form_page(
        request, form, heading="Add a question to the FAQ", source=conversation, answer=answer
    )
