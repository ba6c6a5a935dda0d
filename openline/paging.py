"""Pagination for list pages: a bad or out-of-range page number is a 404."""

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404


def page_or_404(request, queryset, per_page: int):
    try:
        return Paginator(queryset, per_page).page(request.GET.get("page", 1))
    except InvalidPage:
        raise Http404("No such page") from None
