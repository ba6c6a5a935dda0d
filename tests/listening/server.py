"""A real HTTP server on 127.0.0.1 that serves recorded responses, and its pytest fixture.

    from tests.listening.server import recorded_server_fixture  # noqa: F401

    def test_something(recorded_server):
        Fetcher().get(recorded_server.url("/feeds/blog.rss"))
        assert recorded_server.requests[-1].headers["user-agent"].startswith("Openline/")

Routes (every file route answers a conditional GET with 304):
  /feeds/blog.rss, /feeds/atom.xml, /search.rss (Reddit-style Atom), /tags/larder.rss
  (Mastodon's RSS), /truncated, /broken, /latin1, /latin1-undeclared, /page.html,
  /not-a-feed.json, /gzip (blog.rss gzipped), /gzip-bomb, /huge (streamed, no length),
  /huge-declared (Content-Length too big), /slow (never answers), /trickle (one byte every
  50 ms, forever), /garbage (not HTTP), /reset (a
  TCP reset half-way), /status/<code>, /redirect/<n> (n hops, then blog.rss), /redirect-loop,
  /redirect-to?url=…&status=…, /echo (the request back as JSON, any method);
  Mastodon: /api/v1/timelines/tag/larder, /api/v1/accounts/lookup?acct=larder,
  /api/v1/accounts/110000000000000042/statuses (since_id, limit, exclude_reblogs honoured);
  Bluesky: POST /xrpc/com.atproto.server.createSession (identifier IDENTIFIER, password
  APP_PASSWORD), /xrpc/app.bsky.feed.searchPosts (q, since, limit; a Bearer token must be the
  session's; set `bluesky_requires_login` to refuse anonymous searches).
`serve(path, body, …)` adds or replaces a route for one test.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import socket
import struct
import threading
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
LAST_MODIFIED = "Mon, 18 Nov 2024 09:00:00 GMT"
IDENTIFIER = "larder.bsky.social"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
ACCOUNT_ID = "110000000000000042"

RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=UTF-8"
FILES = {
    "/feeds/blog.rss": ("blog.rss", RSS),
    "/feeds/atom.xml": ("atom.xml", "application/atom+xml"),
    "/search.rss": ("reddit-search.atom", ATOM),
    "/tags/larder.rss": ("mastodon-tag.rss", RSS),
    "/truncated": ("truncated.rss", RSS),
    "/broken": ("broken.txt", "application/xml"),
    "/latin1": ("latin1-declared-utf8.rss", RSS),
    "/latin1-undeclared": ("latin1-undeclared.rss", "application/xml"),
    "/page.html": ("page.html", "text/html; charset=utf-8"),
    "/not-a-feed.json": ("not-a-feed.json", "application/json"),
}
HUGE = 50_000  # tests pass max_bytes=10_000


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str):
    return json.loads(fixture_bytes(name))


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""


@dataclass
class Canned:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class RecordedServer:
    def __init__(self):
        self.requests: list[Recorded] = []
        self.routes: dict[str, Canned] = {}
        self.bluesky_requires_login = False
        self.stopping = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # Join every handler thread on close, so no socket outlives the test.
        self.httpd.daemon_threads = False
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str = "text/plain",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Canned(data, status, {"Content-Type": content_type, **(headers or {})})

    def start(self) -> RecordedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # wakes /slow and /trickle
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


class Handler(BaseHTTPRequestHandler):
    server_version = "RecordedServer/1.0"
    timeout = 5  # a client that connects and says nothing cannot hold a thread for long

    def log_message(self, format, *args):
        pass  # quiet: the tests say what matters

    @property
    def owner(self) -> RecordedServer:
        return self.server.owner

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def _handle(self):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        self.query = dict(parse_qsl(parts.query))
        self.body = self.rfile.read(length) if length else b""
        self.owner.requests.append(
            Recorded(
                self.command,
                parts.path,
                self.query,
                {name.lower(): value for name, value in self.headers.items()},
                self.body,
            )
        )
        # The client may give up half-way (a size limit or a timeout): that is the point.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(parts.path)

    def _route(self, path: str):
        owner = self.owner
        if path in owner.routes:
            canned = owner.routes[path]
            return self._send(canned.status, canned.body, canned.headers)
        if path in FILES:
            name, content_type = FILES[path]
            return self._file(fixture_bytes(name), content_type)
        if path == "/gzip":
            headers = {"Content-Type": RSS, "Content-Encoding": "gzip"}
            return self._send(200, gzip.compress(fixture_bytes("blog.rss")), headers)
        if path == "/gzip-bomb":
            headers = {"Content-Type": RSS, "Content-Encoding": "gzip"}
            return self._send(200, gzip.compress(b"<" * 1_000_000), headers)
        if path == "/huge":
            return self._stream(b"x" * HUGE)
        if path == "/huge-declared":
            return self._send(200, b"x" * HUGE, {"Content-Type": "text/xml"})
        if path == "/garbage":
            self.wfile.write(b"SPEAKING SOMETHING ELSE ENTIRELY\r\n\r\n")
            return None
        if path == "/reset":
            self._send_headers_then_reset()
            return None
        if path == "/slow":
            owner.stopping.wait(5)
            return None
        if path == "/trickle":
            return self._trickle()
        if path.startswith("/status/"):
            return self._status(int(path.rsplit("/", 1)[1]))
        if path.startswith("/redirect/"):
            hops = int(path.rsplit("/", 1)[1])
            target = "/feeds/blog.rss" if hops <= 1 else f"/redirect/{hops - 1}"
            return self._send(302, b"", {"Location": target})
        if path == "/redirect-loop":
            return self._send(301, b"", {"Location": self.owner.url("/redirect-loop-2")})
        if path == "/redirect-loop-2":
            return self._send(301, b"", {"Location": "/redirect-loop"})
        if path == "/redirect-to":
            status = int(self.query.get("status", "302"))
            return self._send(status, b"", {"Location": self.query["url"]})
        if path == "/echo":
            echo = {
                "method": self.command,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": self.body.decode(),
            }
            return self._json(200, echo)
        if path.startswith("/api/v1/"):
            return self._mastodon(path)
        if path.startswith("/xrpc/"):
            return self._bluesky(path)
        return self._json(404, {"error": "Not found"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data, headers: dict[str, str] | None = None):
        body = json.dumps(data).encode()
        self._send(
            status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        )

    def _file(self, body: bytes, content_type: str):
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'  # noqa: S324 (not security)
        validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if self._not_modified(etag):
            self.send_response(304)
            for name, value in validators.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self._send(200, body, {"Content-Type": content_type, **validators})

    def _not_modified(self, etag: str) -> bool:
        if match := self.headers.get("If-None-Match"):
            return match.strip() == "*" or etag in [tag.strip() for tag in match.split(",")]
        if since := self.headers.get("If-Modified-Since"):
            try:
                return parsedate_to_datetime(since) >= parsedate_to_datetime(LAST_MODIFIED)
            except (TypeError, ValueError):
                return False
        return False

    def _stream(self, body: bytes):
        # HTTP/1.0 without Content-Length: the body ends when the connection closes.
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.end_headers()
        for start in range(0, len(body), 4096):
            self.wfile.write(body[start : start + 4096])

    def _send_headers_then_reset(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"partial")
        # Linger 0: close() sends a TCP reset instead of an orderly goodbye.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def _trickle(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        self.wfile.write(b"<")
        while not self.owner.stopping.wait(0.05):
            self.wfile.write(b" ")
            self.wfile.flush()

    def _status(self, status: int):
        headers = {"Retry-After": "120"} if status in (429, 503) else {}
        if status == 502:
            return self._send(
                status, b"<html><body>Bad gateway</body></html>", {"Content-Type": "text/html"}
            )
        return self._json(status, {"error": "Something went wrong upstream"}, headers)

    # Mastodon ---------------------------------------------------------------------------

    def _mastodon(self, path: str):
        if path == "/api/v1/timelines/tag/larder":
            return self._statuses(fixture_json("mastodon-tag-larder.json"))
        if path == "/api/v1/accounts/lookup":
            account = fixture_json("mastodon-account-lookup.json")
            if self.query.get("acct", "").split("@")[0] != account["username"]:
                return self._json(404, {"error": "Record not found"})
            return self._json(200, account)
        if path == f"/api/v1/accounts/{ACCOUNT_ID}/statuses":
            statuses = fixture_json("mastodon-account-statuses.json")
            if self.query.get("exclude_reblogs") == "true":
                statuses = [status for status in statuses if not status["reblog"]]
            return self._statuses(statuses)
        return self._json(404, {"error": "Record not found"})

    def _statuses(self, statuses: list[dict]):
        since_id = int(self.query.get("since_id", 0))
        limit = int(self.query.get("limit", 20))
        found = [status for status in statuses if int(status["id"]) > since_id][:limit]
        headers = {}
        if found:
            base = self.owner.url(urlsplit(self.path).path)
            headers["Link"] = (
                f'<{base}?max_id={found[-1]["id"]}>; rel="next", '
                f'<{base}?min_id={found[0]["id"]}>; rel="prev"'
            )
        self._json(200, found, headers)

    # Bluesky ----------------------------------------------------------------------------

    def _bluesky(self, path: str):
        session = fixture_json("bluesky-create-session.json")
        if path == "/xrpc/com.atproto.server.createSession" and self.command == "POST":
            sent = json.loads(self.body or b"{}")
            if sent.get("identifier") != IDENTIFIER or sent.get("password") != APP_PASSWORD:
                message = {
                    "error": "AuthenticationRequired",
                    "message": "Invalid identifier or password",
                }
                return self._json(401, message)
            return self._json(200, session)
        if path == "/xrpc/app.bsky.feed.searchPosts":
            authorization = self.headers.get("Authorization")
            if authorization and authorization != f"Bearer {session['accessJwt']}":
                return self._json(400, {"error": "InvalidToken", "message": "Bad token"})
            if not authorization and self.owner.bluesky_requires_login:
                return self._json(403, {"error": "Forbidden", "message": "Search requires auth"})
            if not self.query.get("q"):
                return self._json(
                    400,
                    {
                        "error": "InvalidRequest",
                        "message": 'Error: Params must have the property "q"',
                    },
                )
            data = fixture_json("bluesky-search-posts.json")
            since = self.query.get("since", "")
            posts = [post for post in data["posts"] if post["indexedAt"] >= since]
            posts = posts[: int(self.query.get("limit", 25))]
            return self._json(
                200, {"posts": posts, "cursor": str(len(posts)), "hitsTotal": len(posts)}
            )
        return self._json(
            501, {"error": "MethodNotImplemented", "message": "Method Not Implemented"}
        )


@pytest.fixture(name="recorded_server")
def recorded_server_fixture():
    """A fresh RecordedServer for one test: `.url(path)`, `.requests`, `.serve(...)`.

    Import `recorded_server_fixture` (not the bare name) into a test module or conftest and
    ask for `recorded_server`: the parameter then does not shadow the import (ruff F811)."""
    server = RecordedServer().start()
    try:
        yield server
    finally:
        server.stop()


recorded_server = recorded_server_fixture  # the same fixture, for `import recorded_server`
