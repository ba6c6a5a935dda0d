import pytest

from conversations import services


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


@pytest.mark.django_db(transaction=True)  # invalidation happens when the change commits
def test_anonymous_pages_are_cached_until_something_changes(
    client, known_issue, maria, maria_comment
):
    url = known_issue.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert "Where is my parcel?" in second.content.decode()
    services.post_comment(known_issue, author=maria.person, body_md="Any news at all?")
    fresh = client.get(url)
    assert fresh["X-Page-Cache"] == "miss"
    assert "Any news at all?" in fresh.content.decode()


def test_signed_in_pages_are_never_cached(maria_client, known_issue):
    url = known_issue.get_absolute_url()
    maria_client.get(url)
    response = maria_client.get(url)
    assert "X-Page-Cache" not in response
    assert "Add a comment" in response.content.decode()


def test_only_opted_in_views_and_successes_are_cached(client, db):
    client.get("/accounts/login/")
    assert "X-Page-Cache" not in client.get("/accounts/login/")
    assert "X-Page-Cache" not in client.get("/posts/missing/")


def test_htmx_requests_bypass_the_cache(client, known_issue):
    url = known_issue.get_absolute_url()
    client.get(url)
    assert "X-Page-Cache" not in client.get(url, HTTP_HX_REQUEST="true")


def test_cache_can_be_switched_off(client, known_issue, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = known_issue.get_absolute_url()
    client.get(url)
    assert "X-Page-Cache" not in client.get(url)


def test_one_transaction_bumps_the_generation_once(
    known_issue, maria, maria_comment, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from openline import pagecache

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for n in range(3):
            services.post_comment(known_issue, author=maria.person, body_md=f"n{n}")
    assert sum(1 for c in callbacks if c is pagecache._bump) <= 1


def wsgi_get(app, path, **extra):
    from wsgiref.util import setup_testing_defaults

    environ = {"PATH_INFO": path, "HTTP_HOST": "testserver", **extra}
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


@pytest.fixture
def keep_test_connection():
    """A bare WSGI handler closes the database connection after each request, which
    would end the test's transaction; the test client avoids it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_wsgi_layer_answers_hits_before_django(
    known_issue, maria_comment, keep_test_connection, monkeypatch
):
    from django.core.handlers.wsgi import WSGIHandler

    from openline import pagecache
    from openline.pagecache import ServeCachedPages

    django_app = WSGIHandler()
    calls = []

    def counting(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return django_app(environ, start_response)

    app = ServeCachedPages(counting)
    path = known_issue.get_absolute_url()
    cache_reads = []
    real_lookup = pagecache._lookup

    def counting_lookup(meta):
        entry = real_lookup(meta)
        if entry is None:
            cache_reads.append(meta["PATH_INFO"])
        return entry

    monkeypatch.setattr(pagecache, "_lookup", counting_lookup)
    status, headers, first = wsgi_get(app, path)
    assert status == "200 OK" and headers["X-Page-Cache"] == "miss"
    status, headers, second = wsgi_get(app, path)
    assert status == "200 OK" and headers["X-Page-Cache"] == "hit"
    assert second == first and headers["Content-Length"] == str(len(first))
    assert headers["X-Frame-Options"] == "DENY"
    assert calls == [path]  # the hit never reached Django
    assert cache_reads == [path]  # and the miss was looked up once, not again behind it
    _, headers, body = wsgi_get(app, path, REQUEST_METHOD="HEAD")
    assert headers["X-Page-Cache"] == "hit" and body == b""
    wsgi_get(app, path, HTTP_COOKIE="sessionid=abc")
    assert calls == [path, path]  # members always go through Django


def test_thread_fragment_follows_every_visible_change(
    client, settings, known_issue, maria, maria_comment, mona
):
    settings.PAGE_CACHE_SECONDS = 0
    url = known_issue.get_absolute_url()
    assert "Where is my parcel?" in client.get(url).content.decode()
    later = services.post_comment(known_issue, author=maria.person, body_md="Hello again")
    assert "Hello again" in client.get(url).content.decode()
    services.remove(later, by=mona)
    assert "Hello again" not in client.get(url).content.decode()
    services.approve(later, by=mona)
    assert "Hello again" in client.get(url).content.decode()


def test_generation_file_changes_identity_on_every_bump(settings, tmp_path):
    from openline import pagecache

    settings.PAGE_CACHE_GENERATION_FILE = str(tmp_path / "pagegen")
    first = pagecache._generation()  # created on first use
    assert first == pagecache._generation()
    pagecache._bump()
    second = pagecache._generation()
    assert second != first
    (tmp_path / "pagegen").unlink()
    assert pagecache._generation() not in (first, second)
