"""Bluesky: AT Protocol post search.

Without credentials: GET {service}/xrpc/app.bsky.feed.searchPosts (service defaults to the
public AppView, https://public.api.bsky.app). With an identifier and app password: log in
with POST {pds}/xrpc/com.atproto.server.createSession on every poll (no token is stored) and
search at the same PDS, which passes the call on to the AppView (pds defaults to
https://bsky.social, where bsky.social accounts live).

The cursor is {"since": the newest indexedAt seen, "seen": the posts indexed at exactly that
moment}. The search's `since` is inclusive, so those posts come back once more and are skipped.
"""

from __future__ import annotations

from urllib.parse import quote

from listening.connectors.records import check_fields, language_code, parse_datetime, server_url
from listening.fetch import Fetcher, FetchError
from listening.items import Item, Poll, SourceError

PUBLIC_SERVICE = "https://public.api.bsky.app"
DEFAULT_PDS = "https://bsky.social"
PAGE_SIZE = 50
MAX_QUERY_LENGTH = 500
FACET_LINK = "app.bsky.richtext.facet#link"
FACET_TAG = "app.bsky.richtext.facet#tag"


def check_config(config: dict) -> dict:
    config = check_fields(
        config, required=("query",), optional=("service", "identifier", "app_password", "pds")
    )
    if len(config["query"]) > MAX_QUERY_LENGTH:
        raise ValueError(f"'query' is longer than {MAX_QUERY_LENGTH} characters")
    result = {
        "query": config["query"],
        "service": server_url(config.get("service", PUBLIC_SERVICE), "service"),
    }
    if ("identifier" in config) != ("app_password" in config):
        raise ValueError("give both 'identifier' and 'app_password', or neither")
    if "identifier" in config:
        result["identifier"] = config["identifier"].lstrip("@")
        result["app_password"] = config["app_password"]
        result["pds"] = server_url(config.get("pds", DEFAULT_PDS), "pds")
    elif "pds" in config:
        raise ValueError("'pds' is only used with 'identifier' and 'app_password'")
    return result


def describe(config: dict) -> str:
    return f'"{config.get("query", "")}" on Bluesky'


def poll(config: dict, cursor: dict, fetcher: Fetcher) -> Poll:
    headers = {"Accept": "application/json"}
    base = config.get("service", PUBLIC_SERVICE)
    if config.get("identifier"):
        base = config.get("pds", DEFAULT_PDS)
        headers["Authorization"] = f"Bearer {_log_in(config, base, fetcher)}"
    params = {
        "q": config["query"],
        "limit": PAGE_SIZE,
        "sort": "latest",
        "since": cursor.get("since"),
    }
    try:
        data = fetcher.get(
            f"{base}/xrpc/app.bsky.feed.searchPosts",
            params=params,
            headers=headers,
            conditional=False,
        ).json()
    except FetchError as exc:
        if exc.status in (401, 403) and not config.get("identifier"):
            raise FetchError(
                f"{exc}; Bluesky may not allow searching without signing in: add an"
                " 'identifier' and 'app_password'",
                status=exc.status,
            ) from exc
        raise
    posts = data.get("posts") if isinstance(data, dict) else None
    if not isinstance(posts, list):
        raise SourceError("the Bluesky search answer has no list of posts")
    since, seen = cursor.get("since"), set(cursor.get("seen") or ())
    newest, newest_uris = since, set(seen)
    items, skipped = [], 0
    for post in posts:
        if not isinstance(post, dict) or not str(post.get("uri", "")).startswith("at://"):
            skipped += 1
            continue
        indexed_at = post.get("indexedAt") or ""
        if indexed_at == since and post["uri"] in seen:
            continue  # returned again because `since` is inclusive
        items.append(_item(post))
        if newest is None or _later(indexed_at, newest):
            newest, newest_uris = indexed_at, {post["uri"]}
        elif indexed_at == newest:
            newest_uris.add(post["uri"])
    new_cursor = dict(cursor)
    if newest:
        new_cursor.update(since=newest, seen=sorted(newest_uris))
    warnings = [f"{skipped} posts in the Bluesky answer were not understood"] if skipped else []
    return Poll(items=items, cursor=new_cursor, warnings=warnings)


def _log_in(config: dict, pds: str, fetcher: Fetcher) -> str:
    try:
        session = fetcher.post_json(
            f"{pds}/xrpc/com.atproto.server.createSession",
            {"identifier": config["identifier"], "password": config["app_password"]},
        ).json()
    except FetchError as exc:
        if exc.status in (400, 401):
            raise SourceError(
                f"Bluesky login as {config['identifier']} failed ({exc}); check the identifier"
                " and the app password"
            ) from exc
        raise
    token = session.get("accessJwt") if isinstance(session, dict) else None
    if not isinstance(token, str) or not token:
        raise SourceError(f"Bluesky login as {config['identifier']} returned no access token")
    return token


def _later(a: str, b: str) -> bool:
    try:
        return parse_datetime(a) > parse_datetime(b)
    except ValueError:
        return False


def _item(post: dict) -> Item:
    uri = post["uri"]
    record = post.get("record") if isinstance(post.get("record"), dict) else {}
    author = post.get("author") if isinstance(post.get("author"), dict) else {}
    handle = author.get("handle") or ""
    # A handle that no longer verifies is shown as "handle.invalid"; the DID always works.
    profile = quote(handle if handle and handle != "handle.invalid" else uri.split("/")[2], ":")
    rkey = quote(uri.rsplit("/", 1)[-1], "")
    published_at = None
    for value in (record.get("createdAt"), post.get("indexedAt")):
        try:
            published_at = parse_datetime(value)
            break
        except (TypeError, ValueError, AttributeError):
            continue
    langs = record.get("langs") or []
    extra = {}
    links, tags = _facets(record)
    if links:
        extra["links"] = links  # the full URLs; the text shows them shortened
    if tags:
        extra["tags"] = tags
    return Item(
        external_id=uri,
        url=f"https://bsky.app/profile/{profile}/post/{rkey}",
        body=record.get("text") or "",
        author_name=author.get("displayName") or handle,
        author_handle=handle,
        author_url=f"https://bsky.app/profile/{profile}",
        published_at=published_at,
        language=language_code(langs[0]) if langs else "",
        network="bluesky",
        extra=extra,
    )


def _facets(record: dict) -> tuple[list[str], list[str]]:
    """The links and hashtags marked up in a post's text (its rich-text facets)."""
    links, tags = [], []
    for facet in record.get("facets") or []:
        features = facet.get("features") if isinstance(facet, dict) else None
        for feature in features or []:
            if not isinstance(feature, dict):
                continue
            if feature.get("$type") == FACET_LINK and feature.get("uri"):
                links.append(feature["uri"])
            elif feature.get("$type") == FACET_TAG and feature.get("tag"):
                tags.append(feature["tag"])
    return links, tags
