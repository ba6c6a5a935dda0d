"""The /search/ page: anyone may search; what it shows and what it costs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.search.conftest import comment, publish
from tests.search.test_backend import BAD_INPUT
from tests.test_query_counts import count_queries

URL = "/search/"


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.PAGE_CACHE_SECONDS = 0


def test_the_address():
    assert reverse("search:search") == URL


def test_an_empty_page_has_the_form(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("s-q", "s-kind", "s-category", "s-status", "s-label"):
        assert f'<label for="{field}"' in html and f'id="{field}"' in html
    assert "Type a few words" in html
    assert "found" not in html


def test_results_with_highlights_and_a_count(client, lionel, maria):
    post = publish(lionel, "Frozen peas", "Why the peas thawed.")
    comment(post, maria, "My peas arrived warm & soft <script>alert(1)</script>")
    html = client.get(URL, {"q": "peas alert"}).content.decode()
    assert "1 conversation found" in html
    assert f'href="{post.get_absolute_url()}#m' in html
    assert "<mark>peas</mark>" in html and "<mark>alert</mark>" in html
    assert "<script>alert" not in html
    assert "alert</mark>(1)" in html
    assert 'value="peas alert"' in html


def test_nothing_found_says_what_to_try(client, lionel, idea_statuses):
    publish(lionel, "Frozen peas", "Why the peas thawed.")
    html = client.get(URL, {"q": "peas", "kind": "idea"}).content.decode()
    assert "Nothing found" in html
    assert "Search again without filters" in html
    assert "Check the spelling" in html


def test_filters_are_kept_in_the_form_and_the_pager(client, lionel, deliveries, idea_statuses):
    for i in range(25):
        publish(lionel, f"Oven {i}", "About ovens.", category=deliveries)
    params = {"q": "oven", "category": "deliveries", "kind": "article"}
    html = client.get(URL, params).content.decode()
    assert "25 conversations found, 1\N{EN DASH}20 shown" in html
    assert '<option value="deliveries" selected>' in html
    assert '<option value="article" selected>' in html
    pager = 'rel="next" href="?q=oven&amp;kind=article&amp;category=deliveries&amp;page=2"'
    assert pager in html
    second = client.get(URL, {**params, "page": 2})
    assert "21\N{EN DASH}25 shown" in second.content.decode()
    assert 'rel="prev"' in second.content.decode()
    assert "Idea: Planned" in html  # the statuses offered include the idea statuses


@pytest.mark.parametrize("text", BAD_INPUT)
def test_any_input_is_a_page(client, lionel, text):
    publish(lionel, "Parcel tracking", "Where is my parcel?")
    response = client.get(URL, {"q": text, "page": "2"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"q": "parcel", "page": "-1"}, {"q": "parcel", "page": "x"},
        {"q": "parcel", "page": "99999"},
        {"q": "parcel", "kind": "email"}, {"q": "parcel", "category": "x" * 500},
        {"q": "parcel", "status": "'"}, {"q": "parcel", "label": "\x00"}, {"q": ["a", "b"]},
    ],
)  # fmt: skip
def test_bad_parameters_are_a_page(client, lionel, params):
    publish(lionel, "Parcel tracking", "Where is my parcel?")
    assert client.get(URL, params).status_code == 200


def test_signed_in_members_search_too(maria_client, lionel):
    publish(lionel, "Parcel tracking", "Where is my parcel?")
    assert "1 conversation found" in maria_client.get(URL, {"q": "parcel"}).content.decode()


def test_only_get(client, db):
    assert client.post(URL, {"q": "x"}).status_code == 405


def test_the_same_queries_for_few_and_many_results(client, lionel, maria, deliveries):
    def add(n):
        for i in range(n):
            post = publish(lionel, f"Kettle {i}", "Kettle news.", category=deliveries,
                           labels=services_labels(f"L{i}"))  # fmt: skip
            comment(post, maria, "My kettle whistles")

    url = f"{URL}?q=kettle"
    add(2)
    few = count_queries(client, url)
    add(12)
    many = count_queries(client, url)
    assert few == many <= 7
    filtered = f"{URL}?q=kettle&kind=article&category=deliveries&label=l1"
    assert count_queries(client, filtered) == many


def services_labels(name):
    from conversations.services import labels_from_names

    return labels_from_names([name])
