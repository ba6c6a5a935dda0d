"""The public search page: every public conversation, for anyone, signed in or not."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.views.decorators.http import require_GET

from community.models import IdeaStatus
from conversations.models import Category, Kind, KnownIssueStatus, Label
from search import schema
from search.backends import MAX_PAGE, engine

KIND_CHOICES = [(k, Kind(k).label) for k in schema.KINDS]
FILTERS = ("kind", "category", "status", "label")


def _page(value: str) -> int:
    return min(int(value), MAX_PAGE) if value.isdigit() and 0 < len(value) < 4 else 1


@require_GET
def search(request):
    q = request.GET.get("q", "")[:1000]
    chosen = {name: request.GET.get(name, "").strip()[:80] for name in FILTERS}
    if chosen["kind"] not in schema.KINDS:
        chosen["kind"] = ""
    page = _page(request.GET.get("page", "1").strip())
    results = engine().search(
        q,
        kinds=(chosen["kind"],) if chosen["kind"] else (),
        category=chosen["category"],
        status=chosen["status"],
        label=chosen["label"],
        page=page,
    )
    keep = {"q": q, **{k: v for k, v in chosen.items() if v}}
    statuses = [("solved", "Question solved"), ("unsolved", "Question not solved yet")]
    statuses += [(s.value, f"Known issue: {s.label}") for s in KnownIssueStatus]
    statuses += [
        (slug, f"Idea: {name}") for slug, name in IdeaStatus.objects.values_list("slug", "name")
    ]
    return render(
        request,
        "search/search.html",
        {
            "q": q,
            "results": results,
            "chosen": chosen,
            "kinds": KIND_CHOICES,
            "categories": list(Category.objects.values_list("slug", "name")),
            "labels": list(Label.objects.values_list("slug", "name")),
            "statuses": statuses,
            "kind_names": dict(KIND_CHOICES),
            "query_string": urlencode(keep) + "&",
        },
    )
