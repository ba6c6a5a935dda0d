"""Whole-page cache for anonymous visitors.

Views opt in with @cache_for_anonymous. A cached page is served before sessions,
CSRF and the URL resolver run, which is what makes a busy post page cheap. Every
change that shows on public pages calls invalidate(): pages carry the generation
they were rendered in, and a page from an older generation is never served.

Pages live in the shared Django cache (files by default, Redis with REDIS_URL). Each
web worker also keeps the pages it served last in its own memory: a hit then costs one
small read of the generation counter from the shared cache instead of reading and
unpickling the whole page again (measured with `make bench`, see docs/benchmarks.md).
The generation is still read from the shared cache on every request, and the local
copy keeps the expiry time of the shared entry, so the local layer never serves what
the shared cache alone would not.
"""

from __future__ import annotations

import functools
import os
import secrets
import threading
import time
from collections import OrderedDict
from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

GENERATION_KEY = "openline:pagegen"
# v2: entries keep the response's headers (X-Frame-Options, Vary, Content-Length), so a
# hit answers with the same headers as the page it copies.
KEY_PREFIX = "openline:page:v2:"
SESSION_COOKIE = settings.SESSION_COOKIE_NAME
LOOKED_UP = "openline.pagecache.looked_up"  # set in the WSGI environ by ServeCachedPages
# Per worker process; a 100-comment post page is about 50 KB.
LOCAL_MAX_BYTES = 8 * 1024 * 1024
_SKIPPED_HEADERS = frozenset({"x-page-cache", "set-cookie", "content-length"})


def cache_for_anonymous(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.cache_for_anonymous = True
        return response

    return wrapper


def invalidate() -> None:
    """Forget every cached page once the current transaction commits (once, however
    many changes the transaction makes)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is _bump for entry in connection.run_on_commit):
        return
    transaction.on_commit(_bump)


def _new_generation() -> int:
    # A new or emptied cache starts from a number no earlier cache handed out, so a copy
    # a worker kept from before the reset can never pass for a current page.
    return secrets.randbits(48)


def _bump() -> None:
    if settings.PAGE_CACHE_GENERATION_FILE:
        _replace_generation_file()
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, _new_generation(), timeout=None)


def _replace_generation_file() -> None:
    # A new file (new inode, new modification time) is a new generation; os.replace
    # makes the switch atomic for readers in other processes.
    path = settings.PAGE_CACHE_GENERATION_FILE
    temporary = f"{path}.{os.getpid()}.{threading.get_ident()}"
    with open(temporary, "w") as f:
        f.write(str(_new_generation()))
    os.replace(temporary, path)


def _generation():
    """The current generation, read on every anonymous request.

    On one machine it is the identity of a small file in the data folder: one stat()
    (~3 µs) instead of a read from the file cache (~40 µs, a tenth of a cache hit).
    With Redis it is a counter there, shared by every machine.
    """
    path = settings.PAGE_CACHE_GENERATION_FILE
    if path:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            _replace_generation_file()
            st = os.stat(path)
        return (st.st_ino, st.st_mtime_ns)
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)
        generation = cache.get(GENERATION_KEY, 0)
    return generation


def _key(meta) -> str:
    # From the raw WSGI environ, so the layer in front of Django and the middleware
    # behind it agree on the key.
    path = meta.get("SCRIPT_NAME", "") + meta.get("PATH_INFO", "")
    return f"{KEY_PREFIX}{path}?{meta.get('QUERY_STRING', '')}"


def _eligible(meta) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and meta.get("REQUEST_METHOD") in ("GET", "HEAD")
        and f"{SESSION_COOKIE}=" not in meta.get("HTTP_COOKIE", "")
        and "HTTP_HX_REQUEST" not in meta
    )


def _lookup(meta):
    """A fresh stored page for this request, or None."""
    key = _key(meta)
    generation = _generation()
    now = time.time()
    entry = _local.get(key)
    if not _fresh(entry, generation, now):
        entry = cache.get(key)
        if not _fresh(entry, generation, now):
            return None
        _local.put(key, entry)
    return entry


class _LocalPages:
    """A small LRU of entries already read from the shared cache, bounded in bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[str, tuple] = OrderedDict()
        self.lock = threading.Lock()  # gthread workers share one process

    def get(self, key: str):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: tuple) -> None:
        body_size = len(entry[-1])
        if body_size > self.max_bytes:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old[-1])
            self.entries[key] = entry
            self.size += body_size
            while self.size > self.max_bytes:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped[-1])

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


_local = _LocalPages(LOCAL_MAX_BYTES)


def _fresh(entry, generation, now: float) -> bool:
    # (generation, expires_at, status, headers, body)
    return (
        isinstance(entry, tuple) and len(entry) == 5 and entry[0] == generation and entry[1] > now
    )


class AnonymousPageCacheMiddleware:
    """Stores pages from views that opted in; answers hits when the WSGI layer below
    is not in front (the test client, `runserver`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _eligible(request.META):
            return self.get_response(request)
        # Behind ServeCachedPages a request that reaches Django was already a miss.
        entry = None if request.META.get(LOOKED_UP) else _lookup(request.META)
        if entry is not None:
            _, _, status, headers, body = entry
            response = HttpResponse(body, status=status, headers=headers)
            # Without a length gunicorn sends the page in chunks, which costs it a copy.
            response["Content-Length"] = str(len(body))
            response["X-Page-Cache"] = "hit"
            return response
        generation = _generation()
        now = time.time()
        response = self.get_response(request)
        if (
            getattr(response, "cache_for_anonymous", False)
            and response.status_code == 200
            and not response.cookies
            and not getattr(response, "streaming", False)
        ):
            seconds = settings.PAGE_CACHE_SECONDS
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in _SKIPPED_HEADERS
            ]
            entry = (generation, now + seconds, response.status_code, headers, response.content)
            key = _key(request.META)
            cache.set(key, entry, timeout=seconds)
            _local.put(key, entry)
            response["X-Page-Cache"] = "miss"
        return response


class ServeCachedPages:
    """WSGI layer in front of Django: a hit is answered without building a request or
    running any middleware (half the cost of a hit through Django, `make bench`)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if not _eligible(environ):
            return self.app(environ, start_response)
        entry = _lookup(environ)
        if entry is None:
            environ[LOOKED_UP] = True
            return self.app(environ, start_response)
        _, _, status, headers, body = entry
        start_response(
            f"{status} {HTTPStatus(status).phrase}",
            [*headers, ("Content-Length", str(len(body))), ("X-Page-Cache", "hit")],
        )
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]
