"""The only way listening code reaches the network: one GET or POST, with the safety rules.

A feed URL is typed by an admin and a redirect is chosen by a stranger's server, so every
request is checked before it leaves: http or https only; the host's addresses must all be
public (no loopback, private, link-local, reserved, multicast or unspecified address, IPv4 or
IPv6, also when wrapped in IPv6) unless OPENLINE_LISTENING_ALLOW_PRIVATE_ADDRESSES is set;
redirects are followed here, hop by hop, with the same checks; the whole exchange has one
deadline; the body is read in chunks and abandoned once it passes the size limit (measured
after decompression, so a small gzip bomb cannot grow past it). Every failure is a FetchError
whose message an admin can act on.

DNS rebinding: the connection goes to the very address that was checked (the URL's host is
replaced by it, the Host header and TLS SNI keep the name, and the certificate is verified for
the name), so a second, different DNS answer cannot slip a private address in. What is not
bounded: `socket.getaddrinfo` has no timeout of its own; a stuck resolver can hold a poll
past the deadline until the system resolver gives up.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
import socket
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from http import HTTPStatus

import httpx
from django.conf import settings

from listening.items import SourceError
from openline import __version__

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_VALIDATORS = 50  # URLs whose ETag/Last-Modified are kept; the oldest are dropped first
ERROR_BODY_BYTES = 2048  # how much of an error response is read for its message
# NAT64 (RFC 6052) embeds an IPv4 address in the low 32 bits: a gateway would connect to it.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(SourceError):
    """A URL could not be fetched. `status` is the HTTP status when the server answered;
    `retry_after` the seconds a 429 or 503 asked the client to wait, when it said."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass
class Response:
    url: str  # final URL after redirects
    status: int  # 2xx, or 304 when not modified
    content: bytes  # b"" on 304
    headers: dict[str, str]  # lower-cased names
    charset: str  # from Content-Type, or ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def json(self):
        """The body as JSON, or a FetchError saying the server sent something else."""
        try:
            return json.loads(self.content.decode(self.charset or "utf-8"))
        except (UnicodeDecodeError, LookupError, ValueError):
            kind = self.headers.get("content-type", "no content type").split(";")[0]
            raise FetchError(f"{_host(self.url)} did not send JSON (it sent {kind})") from None


def address_problem(address: str) -> str:
    """Why an IP address must not be fetched from ("a loopback address" …), or "" if public."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:  # the packets go to the IPv4 address: judge that one
            return address_problem(str(embedded))
    for flag, label in (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_private", "a private address"),
        ("is_reserved", "a reserved address"),
    ):
        if getattr(ip, flag):
            return label
    return "" if ip.is_global else "not a public address"  # e.g. 100.64.0.0/10 (carrier NAT)


@cache
def _ssl_context():
    # One context for all requests: building it reads the CA bundle, which takes a while.
    return httpx.create_ssl_context(trust_env=False)


def _host(url: str) -> str:
    return httpx.URL(url).host


class Fetcher:
    def __init__(
        self,
        validators: dict | None = None,
        *,
        allow_private: bool | None = None,
        timeout: float | None = None,
        max_bytes: int | None = None,
        max_redirects: int | None = None,
        user_agent: str | None = None,
    ):
        self.validators: dict[str, dict[str, str]] = {
            url: dict(values)
            for url, values in (validators or {}).items()
            if isinstance(values, dict)
        }
        self.allow_private = (
            settings.LISTENING_ALLOW_PRIVATE_ADDRESSES if allow_private is None else allow_private
        )
        self.timeout = float(settings.LISTENING_TIMEOUT_SECONDS if timeout is None else timeout)
        self.max_bytes = settings.LISTENING_MAX_BYTES if max_bytes is None else max_bytes
        self.max_redirects = (
            settings.LISTENING_MAX_REDIRECTS if max_redirects is None else max_redirects
        )
        self.user_agent = user_agent or f"Openline/{__version__} (+{settings.SITE_URL})"

    def get(
        self,
        url: str,
        *,
        params: dict | None = None,
        headers: dict | None = None,
        conditional: bool = True,
    ) -> Response:
        """GET a URL. With `conditional`, send the ETag / Last-Modified stored for this exact
        URL (params included) and store the new ones from a 200; API calls whose URL changes
        every poll (since_id=…) pass False so `validators` does not fill up with dead URLs."""
        target = _parse(url)
        if params:
            target = target.copy_merge_params({k: v for k, v in params.items() if v is not None})
        key = str(target)
        sent = dict(headers or {})
        if conditional:
            stored = self.validators.get(key, {})
            if stored.get("etag"):
                sent["If-None-Match"] = stored["etag"]
            if stored.get("last_modified"):
                sent["If-Modified-Since"] = stored["last_modified"]
        response = self._exchange("GET", target, sent, None)
        if conditional and response.status == 200:
            self._remember(key, response.headers)
        return response

    def post_json(self, url: str, payload: dict, *, headers: dict | None = None) -> Response:
        sent = {"Content-Type": "application/json", "Accept": "application/json"}
        sent.update(headers or {})
        return self._exchange("POST", _parse(url), sent, json.dumps(payload).encode())

    def _remember(self, key: str, headers: dict[str, str]) -> None:
        self.validators.pop(key, None)
        values = {}
        if headers.get("etag"):
            values["etag"] = headers["etag"]
        if headers.get("last-modified"):
            values["last_modified"] = headers["last-modified"]
        if values:
            self.validators[key] = values  # last in the dict = most recently used
            while len(self.validators) > MAX_VALIDATORS:
                del self.validators[next(iter(self.validators))]

    def _exchange(
        self, method: str, url: httpx.URL, headers: dict, content: bytes | None
    ) -> Response:
        deadline = time.monotonic() + self.timeout
        seen = {str(url)}
        redirects = 0
        while True:
            response = self._send(method, url, headers, content, deadline)
            if response.status not in REDIRECT_STATUSES:
                return response
            location = response.headers.get("location")
            if not location:
                raise FetchError(
                    f"HTTP {response.status} from {url.host} without a Location to go to",
                    status=response.status,
                )
            if redirects == self.max_redirects:
                raise FetchError(
                    f"too many redirects: {url.host} still redirects after "
                    f"{self.max_redirects} (OPENLINE_LISTENING_MAX_REDIRECTS)"
                )
            redirects += 1
            next_url = url.join(location)  # httpx has already refused a Location it cannot read
            if str(next_url) in seen:
                raise FetchError(f"redirect loop: {next_url} was already visited")
            seen.add(str(next_url))
            if (next_url.scheme, next_url.host, next_url.port) != (url.scheme, url.host, url.port):
                # Credentials meant for one server are not handed to the next.
                headers = {
                    k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")
                }
            if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                method, content = "GET", None
                headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            url = next_url

    def _send(
        self, method: str, url: httpx.URL, headers: dict, content: bytes | None, deadline: float
    ) -> Response:
        failure: httpx.ConnectError | None = None
        for address in self._addresses(url):
            try:
                return self._send_to(address, method, url, headers, content, deadline)
            except httpx.ConnectError as exc:  # refused or unreachable: try the next address
                failure = exc
            except httpx.TimeoutException as exc:
                what = "connecting to" if isinstance(exc, httpx.ConnectTimeout) else "waiting for"
                raise FetchError(f"timed out after {self.timeout:g} s {what} {url.host}") from exc
            except httpx.RemoteProtocolError as exc:
                if "location header" in str(exc):
                    raise FetchError(f"{url.host} redirected to an invalid URL ({exc})") from exc
                raise FetchError(
                    f"{url.host} closed the connection or sent an invalid HTTP response ({exc})"
                ) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"the connection to {url.host} failed: {_plain(exc)}") from exc
        raise FetchError(_connect_message(url, failure)) from failure

    def _addresses(self, url: httpx.URL) -> list[str]:
        if url.scheme not in ("http", "https"):
            raise FetchError(f"only http and https URLs can be fetched, not {url.scheme}:")
        if not url.host:
            raise FetchError(f"the URL {url} has no host")
        name = url.raw_host.decode("ascii")
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            found = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise FetchError(f"cannot resolve the host name {url.host}: {reason}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        if not self.allow_private:
            for address in addresses:
                if problem := address_problem(address):
                    raise FetchError(
                        f"refused to fetch from {url.host}: it resolves to {address}, {problem}"
                        " (set OPENLINE_LISTENING_ALLOW_PRIVATE_ADDRESSES=true to allow it)"
                    )
        return addresses

    def _send_to(
        self,
        address: str,
        method: str,
        url: httpx.URL,
        headers: dict,
        content: bytes | None,
        deadline: float,
    ) -> Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"timed out after {self.timeout:g} s waiting for {url.host}")
        sent = {
            "Host": url.netloc.decode("ascii"),
            "User-Agent": self.user_agent,
            # Only gzip, which is decompressed here with a bound (see _read).
            "Accept-Encoding": "gzip",
            **headers,
        }
        extensions = {"sni_hostname": url.raw_host.decode("ascii")}
        # trust_env=False: no proxy from the environment, which would connect on our behalf
        # to whatever address it resolves.
        with httpx.Client(verify=_ssl_context(), trust_env=False) as client:
            request = client.build_request(
                method,
                url.copy_with(host=address),
                headers=sent,
                content=content,
                timeout=httpx.Timeout(remaining),
                extensions=extensions,
            )
            response = client.send(request, stream=True)
            try:
                return self._read(url, response, deadline)
            finally:
                response.close()

    def _read(self, url: httpx.URL, response: httpx.Response, deadline: float) -> Response:
        status = response.status_code
        headers = {name.lower(): value for name, value in response.headers.items()}
        result = Response(str(url), status, b"", headers, response.charset_encoding or "")
        if status in REDIRECT_STATUSES or status == 304:
            return result
        if 200 <= status < 300:
            result.content = self._body(url, response, deadline, self.max_bytes)
            return result
        detail = ""
        # A long, slow or broken error page is ignored: the status says enough.
        with contextlib.suppress(FetchError, httpx.HTTPError):
            detail = _error_detail(self._body(url, response, deadline, ERROR_BODY_BYTES))
        raise _status_error(url, status, headers, detail)

    def _body(self, url: httpx.URL, response: httpx.Response, deadline: float, limit: int):
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self._too_big(url, limit)
        encoding = response.headers.get("content-encoding", "identity").lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            decompressor = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib header
        elif encoding == "identity":
            decompressor = None
        else:
            raise FetchError(f"{url.host} sent an unsupported content encoding: {encoding}")
        chunks: list[bytes] = []
        size = 0
        for raw in response.iter_raw():
            if decompressor is not None:
                try:
                    raw = decompressor.decompress(raw, limit - size + 1)
                except zlib.error as exc:
                    raise FetchError(f"{url.host} sent a corrupt {encoding} body: {exc}") from None
            size += len(raw)
            if size > limit:
                raise self._too_big(url, limit)
            if time.monotonic() > deadline:
                raise FetchError(
                    f"{url.host} took longer than {self.timeout:g} s to send the response"
                )
            chunks.append(raw)
        if decompressor is not None:
            chunks.append(decompressor.flush())
        return b"".join(chunks)

    def _too_big(self, url: httpx.URL, limit: int) -> FetchError:
        return FetchError(
            f"the response from {url.host} is larger than {limit:,} bytes"
            " (OPENLINE_LISTENING_MAX_BYTES)"
        )


def _parse(url: str) -> httpx.URL:
    try:
        return httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, AttributeError):
        raise FetchError(f"not a valid URL: {url!r}") from None


def _plain(exc: Exception | None) -> str:
    """An OS error's words without its number: "[Errno 111] Connection refused" → the rest."""
    return re.sub(r"^\[Errno -?\d+\]\s*", "", str(exc or "")).strip()


def _connect_message(url: httpx.URL, exc: httpx.ConnectError | None) -> str:
    reason = _plain(exc) or "no address"
    if "SSL" in reason or "certificate" in reason.lower():
        return f"TLS error with {url.host}: {reason}"
    return f"could not connect to {url.host}: {reason}"


def _error_detail(body: bytes) -> str:
    """The message in a JSON error body ({"error": …, "message": …}), shortened, or ""."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ""
    if not isinstance(data, dict):
        return ""
    parts = [str(data[k]) for k in ("error", "message") if isinstance(data.get(k), str)]
    return ": ".join(dict.fromkeys(parts))[:200]


def _retry_after(value: str | None) -> int | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - datetime.now(UTC)).total_seconds()))


def _status_error(url: httpx.URL, status: int, headers: dict, detail: str) -> FetchError:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "unexpected status"
    message = f"HTTP {status} ({phrase}) from {url.host}"
    if detail:
        message += f": {detail}"
    retry_after = _retry_after(headers.get("retry-after")) if status in (429, 503) else None
    if retry_after is not None:
        message += f"; it asks to wait {retry_after} s before trying again"
    return FetchError(message, status=status, retry_after=retry_after)
