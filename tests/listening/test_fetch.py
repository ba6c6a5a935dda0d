"""listening.fetch against a real HTTP server on 127.0.0.1 (tests/listening/server.py)."""

from __future__ import annotations

import gzip
import json
import socket
import time
from email.utils import formatdate

import pytest
from django.conf import settings

from listening import fetch
from listening.fetch import Fetcher, FetchError, address_problem
from listening.items import SourceError
from openline import __version__
from tests.listening.server import (  # noqa: F401
    LAST_MODIFIED,
    fixture_bytes,
    recorded_server_fixture,
)

SMALL = {"timeout": 0.5, "max_bytes": 10_000}


# The address classifier ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.20", "a private address"),
        ("169.254.169.254", "a link-local address"),  # the cloud metadata service
        ("0.0.0.0", "an unspecified address"),  # noqa: S104 (a value under test)
        ("224.0.0.1", "a multicast address"),
        ("100.64.0.1", "not a public address"),  # carrier-grade NAT
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fc00::1", "a private address"),
        ("ff02::1", "a multicast address"),
        ("::ffff:127.0.0.1", "a loopback address"),  # IPv4-mapped
        ("::ffff:10.0.0.1", "a private address"),
        ("::ffff:169.254.169.254", "a link-local address"),
        ("64:ff9b::7f00:1", "a loopback address"),  # NAT64 of 127.0.0.1
        ("2002:a00:1::", "a private address"),  # 6to4 of 10.0.0.1
    ],
)
def test_addresses_that_are_refused(address, problem):
    assert address_problem(address) == problem


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses_are_allowed(address):
    assert address_problem(address) == ""


def test_a_fetch_error_is_a_source_error():
    assert issubclass(FetchError, SourceError)


# Refusals before any connection -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("file:///etc/passwd", "file"),
        ("ftp://ftp.example.com/feed.xml", "ftp"),
        ("gopher://example.com/1", "gopher"),
    ],
)
def test_only_http_and_https_are_fetched(url, scheme):
    with pytest.raises(FetchError) as caught:
        Fetcher().get(url)
    assert str(caught.value) == f"only http and https URLs can be fetched, not {scheme}:"


def test_a_url_that_cannot_be_parsed_is_refused():
    with pytest.raises(FetchError, match=r"^not a valid URL: 'http://\[::1'$"):
        Fetcher().get("http://[::1")


def test_a_url_without_host_is_refused():
    with pytest.raises(FetchError, match="has no host"):
        Fetcher().get("http:///feed.xml")


def test_loopback_is_refused_when_private_addresses_are_not_allowed(recorded_server):
    with pytest.raises(FetchError) as caught:
        Fetcher(allow_private=False).get(recorded_server.url("/feeds/blog.rss"))
    assert str(caught.value) == (
        "refused to fetch from 127.0.0.1: it resolves to 127.0.0.1, a loopback address"
        " (set OPENLINE_LISTENING_ALLOW_PRIVATE_ADDRESSES=true to allow it)"
    )
    assert recorded_server.requests == []


@pytest.mark.parametrize(
    ("host", "shown"), [("[::1]", "::1"), ("localhost", None), ("[::ffff:127.0.0.1]", None)]
)
def test_loopback_names_and_literals_are_refused(host, shown):
    with pytest.raises(FetchError, match="a loopback address") as caught:
        Fetcher(allow_private=False).get(f"http://{host}:9/feed")
    if shown:
        assert f"resolves to {shown}," in str(caught.value)


def fake_dns(monkeypatch, answers: dict[str, list[list[str]]]):
    """Resolve each name to its lists of addresses in turn (the last list from then on)."""
    real = socket.getaddrinfo
    calls = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        calls.append(host)
        turns = answers[host]
        addresses = turns.pop(0) if len(turns) > 1 else turns[0]
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        family = {True: socket.AF_INET6, False: socket.AF_INET}
        return [(family[":" in a], socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


def test_a_name_with_any_private_address_is_refused(monkeypatch):
    fake_dns(monkeypatch, {"feeds.example": [["93.184.215.14", "10.0.0.7"]]})
    with pytest.raises(FetchError, match=r"resolves to 10\.0\.0\.7, a private address"):
        Fetcher(allow_private=False).get("https://feeds.example/rss")


def test_a_name_that_does_not_resolve(monkeypatch):
    fake_dns(monkeypatch, {"nowhere.example": [[]]})
    with pytest.raises(FetchError) as caught:
        Fetcher().get("https://nowhere.example/feed")
    assert str(caught.value) == (
        "cannot resolve the host name nowhere.example: Name or service not known"
    )


def treat_as_public(monkeypatch, *addresses: str):
    real = fetch.address_problem
    monkeypatch.setattr(fetch, "address_problem", lambda a: "" if a in addresses else real(a))


def test_the_checked_address_is_the_one_connected_to(monkeypatch, recorded_server):
    """DNS rebinding: a second answer for the name (here 10.9.9.9) is never used."""
    treat_as_public(monkeypatch, "127.0.0.1")
    calls = fake_dns(monkeypatch, {"feeds.example": [["127.0.0.1"], ["10.9.9.9"]]})
    url = f"http://feeds.example:{recorded_server.port}/feeds/blog.rss"
    response = Fetcher(allow_private=False).get(url)
    assert response.status == 200
    assert response.url == url
    assert calls == ["feeds.example"]
    assert recorded_server.requests[0].headers["host"] == f"feeds.example:{recorded_server.port}"


def test_every_redirect_is_checked_again(monkeypatch, recorded_server):
    treat_as_public(monkeypatch, "127.0.0.1")
    target = f"http://127.0.0.2:{recorded_server.port}/feeds/blog.rss"
    with pytest.raises(FetchError, match=r"resolves to 127\.0\.0\.2, a loopback address"):
        Fetcher(allow_private=False).get(recorded_server.url(f"/redirect-to?url={target}"))
    assert [r.path for r in recorded_server.requests] == ["/redirect-to"]


def test_a_redirect_to_another_scheme_is_refused(recorded_server):
    with pytest.raises(FetchError, match=r"^only http and https URLs can be fetched, not file:$"):
        Fetcher().get(recorded_server.url("/redirect-to?url=file:///etc/passwd"))


# Plain fetching -------------------------------------------------------------------------


def test_get_returns_the_body_headers_and_charset(recorded_server):
    response = Fetcher().get(recorded_server.url("/feeds/blog.rss"))
    assert response.status == 200
    assert not response.not_modified
    assert response.content == fixture_bytes("blog.rss")
    assert response.charset == "utf-8"
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert response.headers["last-modified"] == LAST_MODIFIED
    sent = recorded_server.requests[0].headers
    assert sent["user-agent"] == f"Openline/{__version__} (+{settings.SITE_URL})"
    assert sent["host"] == f"127.0.0.1:{recorded_server.port}"
    assert sent["accept-encoding"] == "gzip"


def test_params_and_headers_are_sent(recorded_server):
    Fetcher(user_agent="Probe/1").get(
        recorded_server.url("/echo?a=1"),
        params={"b": "two words", "skip": None},
        headers={"Accept": "application/json"},
    )
    request = recorded_server.requests[0]
    assert request.query == {"a": "1", "b": "two words"}
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"] == "Probe/1"


def test_a_host_name_with_several_addresses_falls_back_to_the_next(monkeypatch, recorded_server):
    # ::1 first, where nothing listens: the connection is refused, then 127.0.0.1 answers.
    fake_dns(monkeypatch, {"localhost": [["::1", "127.0.0.1"]]})
    url = f"http://localhost:{recorded_server.port}/feeds/blog.rss"
    assert Fetcher().get(url).content == fixture_bytes("blog.rss")
    assert recorded_server.requests[0].headers["host"] == f"localhost:{recorded_server.port}"


def test_gzip_bodies_are_decompressed(recorded_server):
    assert Fetcher(**SMALL).get(recorded_server.url("/gzip")).content == fixture_bytes("blog.rss")


def test_post_json(recorded_server):
    response = Fetcher().post_json(
        recorded_server.url("/echo"), {"identifier": "ann"}, headers={"X-Trace": "1"}
    )
    echo = response.json()
    assert echo["method"] == "POST"
    assert json.loads(echo["body"]) == {"identifier": "ann"}
    assert echo["headers"]["content-type"] == "application/json"
    assert echo["headers"]["x-trace"] == "1"


def test_json_of_a_body_that_is_not_json(recorded_server):
    response = Fetcher().get(recorded_server.url("/page.html"))
    with pytest.raises(FetchError) as caught:
        response.json()
    assert str(caught.value) == "127.0.0.1 did not send JSON (it sent text/html)"


# Conditional GET --------------------------------------------------------------------------


def test_conditional_get_sends_the_validators_and_a_304_is_not_modified(recorded_server):
    url = recorded_server.url("/feeds/blog.rss")
    fetcher = Fetcher()
    fetcher.get(url)
    etag = recorded_server.requests[0]
    assert "if-none-match" not in etag.headers
    stored = fetcher.validators[url]
    assert stored["last_modified"] == LAST_MODIFIED
    assert stored["etag"].startswith('"')

    again = Fetcher(validators=fetcher.validators).get(url)
    assert again.status == 304
    assert again.not_modified
    assert again.content == b""
    sent = recorded_server.requests[1].headers
    assert sent["if-none-match"] == stored["etag"]
    assert sent["if-modified-since"] == LAST_MODIFIED


def test_last_modified_alone_is_enough(recorded_server):
    url = recorded_server.url("/feeds/atom.xml")
    fetcher = Fetcher(validators={url: {"last_modified": LAST_MODIFIED}})
    assert fetcher.get(url).not_modified
    assert "if-none-match" not in recorded_server.requests[0].headers


def test_validators_belong_to_the_exact_url_with_its_params(recorded_server):
    url = recorded_server.url("/feeds/blog.rss")
    fetcher = Fetcher()
    fetcher.get(url, params={"page": "2"})
    assert list(fetcher.validators) == [url + "?page=2"]
    assert fetcher.get(url).status == 200
    assert fetcher.get(url, params={"page": "2"}).not_modified


def test_a_200_without_validators_forgets_the_old_ones(recorded_server):
    recorded_server.serve("/plain", "no validators here")
    url = recorded_server.url("/plain")
    fetcher = Fetcher(validators={url: {"etag": '"old"'}})
    assert fetcher.get(url).content == b"no validators here"
    assert recorded_server.requests[0].headers["if-none-match"] == '"old"'
    assert fetcher.validators == {}


def test_unconditional_get_neither_sends_nor_stores_validators(recorded_server):
    url = recorded_server.url("/feeds/blog.rss")
    fetcher = Fetcher(validators={url: {"etag": '"old"'}})
    assert fetcher.get(url, conditional=False).status == 200
    assert "if-none-match" not in recorded_server.requests[0].headers
    assert fetcher.validators == {url: {"etag": '"old"'}}


def test_only_the_most_recent_validators_are_kept(recorded_server):
    old = {f"https://feeds.example/{n}": {"etag": f'"{n}"'} for n in range(fetch.MAX_VALIDATORS)}
    fetcher = Fetcher(validators={**old, "https://feeds.example/junk": "not a dict"})
    fetcher.get(recorded_server.url("/feeds/blog.rss"))
    assert len(fetcher.validators) == fetch.MAX_VALIDATORS
    assert "https://feeds.example/0" not in fetcher.validators
    assert list(fetcher.validators)[-1] == recorded_server.url("/feeds/blog.rss")
    assert old["https://feeds.example/0"] == {"etag": '"0"'}  # the caller's dict is not changed


# Time and size limits ---------------------------------------------------------------------


def test_a_server_that_never_answers_times_out(recorded_server):
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        Fetcher(**SMALL).get(recorded_server.url("/slow"))
    assert time.monotonic() - started < 1.5
    assert str(caught.value) == "timed out after 0.5 s waiting for 127.0.0.1"


def test_a_server_that_trickles_bytes_fails_at_the_deadline(recorded_server):
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        Fetcher(**SMALL).get(recorded_server.url("/trickle"))
    assert 0.4 < time.monotonic() - started < 1.5
    assert str(caught.value) == "127.0.0.1 took longer than 0.5 s to send the response"


def test_no_time_left_means_no_request(recorded_server):
    with pytest.raises(FetchError, match=r"^timed out after 0 s waiting for 127\.0\.0\.1$"):
        Fetcher(timeout=0).get(recorded_server.url("/feeds/blog.rss"))
    assert recorded_server.requests == []


@pytest.mark.parametrize("path", ["/huge", "/huge-declared", "/gzip-bomb"])
def test_a_body_over_the_size_limit_is_refused(recorded_server, path):
    with pytest.raises(FetchError) as caught:
        Fetcher(**SMALL).get(recorded_server.url(path))
    assert str(caught.value) == (
        "the response from 127.0.0.1 is larger than 10,000 bytes (OPENLINE_LISTENING_MAX_BYTES)"
    )


def test_a_corrupt_gzip_body(recorded_server):
    recorded_server.serve("/bad-gzip", b"this is not gzip", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match=r"^127\.0\.0\.1 sent a corrupt gzip body: "):
        Fetcher(**SMALL).get(recorded_server.url("/bad-gzip"))


def test_an_encoding_that_was_not_asked_for(recorded_server):
    recorded_server.serve("/brotli", b"\x1b\x00", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchError) as caught:
        Fetcher(**SMALL).get(recorded_server.url("/brotli"))
    assert str(caught.value) == "127.0.0.1 sent an unsupported content encoding: br"


# Statuses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "HTTP 500 (Internal Server Error) from 127.0.0.1: Something went wrong upstream"),
        (404, "HTTP 404 (Not Found) from 127.0.0.1: Something went wrong upstream"),
        (502, "HTTP 502 (Bad Gateway) from 127.0.0.1"),  # an HTML error page: no detail
        (599, "HTTP 599 (unexpected status) from 127.0.0.1: Something went wrong upstream"),
    ],
)
def test_error_statuses(recorded_server, status, message):
    with pytest.raises(FetchError) as caught:
        Fetcher().get(recorded_server.url(f"/status/{status}"))
    assert str(caught.value) == message
    assert caught.value.status == status
    assert caught.value.retry_after is None


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_noted(recorded_server, status):
    with pytest.raises(FetchError) as caught:
        Fetcher().get(recorded_server.url(f"/status/{status}"))
    assert str(caught.value).endswith("; it asks to wait 120 s before trying again")
    assert caught.value.retry_after == 120


def test_retry_after_as_a_date(recorded_server):
    later = formatdate(time.time() + 600, usegmt=True)
    recorded_server.serve("/busy", "", status=429, headers={"Retry-After": later})
    with pytest.raises(FetchError) as caught:
        Fetcher().get(recorded_server.url("/busy"))
    assert 590 <= caught.value.retry_after <= 600


@pytest.mark.parametrize("value", ["soon", "Mon, 18 Nov 2024 09:00:00"])
def test_retry_after_that_cannot_be_read_or_is_past(recorded_server, value):
    recorded_server.serve("/busy", "", status=503, headers={"Retry-After": value})
    with pytest.raises(FetchError) as caught:
        Fetcher().get(recorded_server.url("/busy"))
    assert caught.value.retry_after == (None if value == "soon" else 0)


def test_a_503_without_retry_after(recorded_server):
    recorded_server.serve("/maintenance", "back soon", status=503)
    with pytest.raises(FetchError) as caught:
        Fetcher().get(recorded_server.url("/maintenance"))
    assert str(caught.value) == "HTTP 503 (Service Unavailable) from 127.0.0.1"
    assert caught.value.retry_after is None


def test_a_long_error_page_is_not_read(recorded_server):
    recorded_server.serve("/down", json.dumps({"error": "x" * 5000}), status=500)
    with pytest.raises(FetchError) as caught:
        Fetcher().get(recorded_server.url("/down"))
    assert str(caught.value) == "HTTP 500 (Internal Server Error) from 127.0.0.1"


@pytest.mark.parametrize("body", ['["a list"]', '{"message": 42}', "\xff"])
def test_an_error_body_without_a_message(recorded_server, body):
    recorded_server.serve("/odd", body.encode("latin-1"), status=400)
    with pytest.raises(FetchError) as caught:
        Fetcher().get(recorded_server.url("/odd"))
    assert str(caught.value) == "HTTP 400 (Bad Request) from 127.0.0.1"


def test_a_redirect_without_location(recorded_server):
    recorded_server.serve("/nowhere", "", status=302)
    with pytest.raises(FetchError) as caught:
        Fetcher().get(recorded_server.url("/nowhere"))
    assert str(caught.value) == "HTTP 302 from 127.0.0.1 without a Location to go to"


# Redirects --------------------------------------------------------------------------------


def test_redirects_are_followed(recorded_server):
    response = Fetcher(max_redirects=3).get(recorded_server.url("/redirect/3"))
    assert response.url == recorded_server.url("/feeds/blog.rss")
    assert response.content == fixture_bytes("blog.rss")
    assert [r.path for r in recorded_server.requests] == [
        "/redirect/3",
        "/redirect/2",
        "/redirect/1",
        "/feeds/blog.rss",
    ]


@pytest.mark.parametrize("limit", [0, 2])
def test_too_many_redirects(recorded_server, limit):
    with pytest.raises(FetchError) as caught:
        Fetcher(max_redirects=limit).get(recorded_server.url("/redirect/3"))
    assert str(caught.value) == (
        f"too many redirects: 127.0.0.1 still redirects after {limit}"
        " (OPENLINE_LISTENING_MAX_REDIRECTS)"
    )
    assert len(recorded_server.requests) == limit + 1


def test_a_redirect_loop(recorded_server):
    with pytest.raises(FetchError) as caught:
        Fetcher().get(recorded_server.url("/redirect-loop"))
    assert str(caught.value) == (
        f"redirect loop: {recorded_server.url('/redirect-loop')} was already visited"
    )


def test_a_redirect_to_an_invalid_url(recorded_server):
    with pytest.raises(FetchError) as caught:
        Fetcher().get(recorded_server.url("/redirect-to?url=http://host:notaport/"))
    assert str(caught.value) == (
        "127.0.0.1 redirected to an invalid URL"
        " (Invalid URL in location header: Invalid port: 'notaport'.)"
    )


def test_a_redirect_to_a_url_without_host(recorded_server):
    with pytest.raises(FetchError, match=r"^the URL https://:80/ has no host$"):
        Fetcher().get(recorded_server.url("/redirect-to?url=https://:80/"))


def test_credentials_stay_with_their_server(recorded_server):
    same = recorded_server.url("/redirect-to?url=/echo")
    Fetcher().get(same, headers={"Authorization": "Bearer secret"})
    assert recorded_server.requests[-1].headers["authorization"] == "Bearer secret"
    other = f"http://localhost:{recorded_server.port}/echo"
    Fetcher().get(
        recorded_server.url(f"/redirect-to?url={other}"),
        headers={"Authorization": "Bearer secret", "Cookie": "a=b"},
    )
    assert recorded_server.requests[-1].headers["host"] == f"localhost:{recorded_server.port}"
    assert "authorization" not in recorded_server.requests[-1].headers
    assert "cookie" not in recorded_server.requests[-1].headers


@pytest.mark.parametrize(("status", "method"), [(303, "GET"), (302, "GET"), (307, "POST")])
def test_a_post_redirected(recorded_server, status, method):
    response = Fetcher().post_json(
        recorded_server.url(f"/redirect-to?status={status}&url=/echo"), {"a": 1}
    )
    echo = response.json()
    assert echo["method"] == method
    assert echo["body"] == ("" if method == "GET" else '{"a": 1}')
    assert ("content-type" in echo["headers"]) == (method == "POST")


# Connection failures ----------------------------------------------------------------------


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_connection_refused():
    with pytest.raises(FetchError) as caught:
        Fetcher().get(f"http://127.0.0.1:{unused_port()}/feed")
    assert str(caught.value) == "could not connect to 127.0.0.1: Connection refused"


def test_tls_to_a_server_that_speaks_plain_http(recorded_server):
    with pytest.raises(FetchError, match=r"^TLS error with 127\.0\.0\.1: .*WRONG_VERSION_NUMBER"):
        Fetcher(**SMALL).get(f"https://127.0.0.1:{recorded_server.port}/feeds/blog.rss")


def test_a_server_that_does_not_speak_http(recorded_server):
    with pytest.raises(FetchError, match=r"^127\.0\.0\.1 closed the connection or sent an invalid"):
        Fetcher(**SMALL).get(recorded_server.url("/garbage"))


def test_a_connection_reset_half_way(recorded_server):
    with pytest.raises(FetchError) as caught:
        Fetcher(**SMALL).get(recorded_server.url("/reset"))
    assert str(caught.value) == "the connection to 127.0.0.1 failed: Connection reset by peer"


def test_defaults_come_from_settings(settings):
    settings.LISTENING_TIMEOUT_SECONDS = 7
    settings.LISTENING_MAX_BYTES = 2048
    settings.LISTENING_MAX_REDIRECTS = 1
    settings.LISTENING_ALLOW_PRIVATE_ADDRESSES = False
    fetcher = Fetcher()
    assert (fetcher.timeout, fetcher.max_bytes, fetcher.max_redirects) == (7.0, 2048, 1)
    assert fetcher.allow_private is False


def test_gzip_fixture_round_trip():
    # The recorded server compresses blog.rss on the fly; make sure that is a real gzip stream.
    assert gzip.decompress(gzip.compress(fixture_bytes("blog.rss"))) == fixture_bytes("blog.rss")
