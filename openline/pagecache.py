"""Whole-page cache for anonymous visitors.

Views opt in with @cache_for_anonymous. A cached page is served before sessions,
CSRF and the URL resolver run, which is what makes a busy post page cheap. Every
change that shows on public pages calls invalidate(): pages carry the generation
they were rendered in, and a page from an older generation is never served.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

GENERATION_KEY = "openline:pagegen"
SESSION_COOKIE = settings.SESSION_COOKIE_NAME


def cache_for_anonymous(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.cache_for_anonymous = True
        return response

    return wrapper


def invalidate() -> None:
    """Forget every cached page once the current transaction commits."""
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, timeout=None)


def _key(request) -> str:
    return "openline:page:" + request.get_full_path()


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        eligible = (
            seconds > 0
            and request.method in ("GET", "HEAD")
            and SESSION_COOKIE not in request.COOKIES
            and "HTTP_HX_REQUEST" not in request.META
        )
        if not eligible:
            return self.get_response(request)
        key = _key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY, 0)
        entry = found.get(key)
        if entry is not None and entry[0] == generation:
            _, status, content_type, body = entry
            response = HttpResponse(body, status=status, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (
            getattr(response, "cache_for_anonymous", False)
            and response.status_code == 200
            and not response.cookies
            and not getattr(response, "streaming", False)
        ):
            cache.set(
                key,
                (generation, response.status_code, response["Content-Type"], response.content),
                timeout=seconds,
            )
            response["X-Page-Cache"] = "miss"
        return response
