import pytest

from conversations import services


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


def test_anonymous_pages_are_cached_until_something_changes(
    client, known_issue, maria, maria_comment, django_capture_on_commit_callbacks
):
    url = known_issue.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert "Where is my parcel?" in second.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
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
