"""Mastodon: a hashtag's timeline or one account's posts, over the plain REST API.

Tag:     GET {instance}/api/v1/timelines/tag/{tag}?limit=40&since_id=…
Account: GET {instance}/api/v1/accounts/lookup?acct=… (once; the id is kept in the cursor),
         then GET {instance}/api/v1/accounts/{id}/statuses?limit=40&since_id=…&exclude_reblogs=true

The cursor is {"since_id": newest status id seen} plus, for an account, {"account",
"account_id"}. At most 40 statuses are read per poll: if more arrive between two polls,
Mastodon returns the newest 40 and the older ones are skipped.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from listening.connectors.records import check_fields, language_code, parse_datetime, server_url
from listening.fetch import Fetcher, FetchError
from listening.items import Item, Poll, SourceError

PAGE_SIZE = 40  # the API's maximum
VISIBLE = ("public", "unlisted")
TAG = re.compile(r"\w+")
ACCOUNT = re.compile(r"[\w.-]+(@[\w-]+(\.[\w-]+)+)?")


def check_config(config: dict) -> dict:
    config = check_fields(config, required=("instance",), optional=("tag", "account", "token"))
    result = {"instance": server_url(config["instance"], "instance")}
    if ("tag" in config) == ("account" in config):
        raise ValueError("give either 'tag' (a hashtag) or 'account' (larder@mastodon.social)")
    if "tag" in config:
        tag = config["tag"].lstrip("#")
        if not TAG.fullmatch(tag):
            raise ValueError(f"'tag' must be one hashtag of letters, digits and _: {tag!r}")
        result["tag"] = tag
    else:
        account = config["account"].lstrip("@")
        if not ACCOUNT.fullmatch(account):
            raise ValueError(
                f"'account' must look like larder or larder@mastodon.social: {account!r}"
            )
        result["account"] = account
    if "token" in config:
        result["token"] = config["token"]
    return result


def describe(config: dict) -> str:
    host = urlsplit(config.get("instance", "")).netloc
    if config.get("tag"):
        return f"#{config['tag']} on {host}"
    account = config.get("account", "")
    return f"@{account} via {host}" if "@" in account else f"@{account}@{host}"


def poll(config: dict, cursor: dict, fetcher: Fetcher) -> Poll:
    instance = config["instance"]
    host = urlsplit(instance).hostname or ""
    headers = {"Accept": "application/json"}
    if config.get("token"):
        headers["Authorization"] = f"Bearer {config['token']}"
    cursor = dict(cursor)
    params = {"limit": PAGE_SIZE, "since_id": cursor.get("since_id")}
    if config.get("tag"):
        url = f"{instance}/api/v1/timelines/tag/{quote(config['tag'], safe='')}"
    else:
        if cursor.get("account") != config["account"] or not cursor.get("account_id"):
            cursor["account"] = config["account"]
            cursor["account_id"] = _lookup(instance, config["account"], headers, fetcher)
        url = f"{instance}/api/v1/accounts/{quote(cursor['account_id'], safe='')}/statuses"
        params["exclude_reblogs"] = "true"
    statuses = _call(fetcher, url, params, headers)
    if not isinstance(statuses, list):
        raise SourceError(f"{host} sent something other than a list of statuses")
    items, skipped = [], 0
    for status in statuses:
        if not isinstance(status, dict) or not status.get("id"):
            skipped += 1
            continue
        cursor["since_id"] = _newer(cursor.get("since_id"), str(status["id"]))
        if item := _item(status, host):
            items.append(item)
    warnings = [f"{skipped} statuses from {host} were not understood"] if skipped else []
    return Poll(items=items, cursor=cursor, warnings=warnings)


def _lookup(instance: str, account: str, headers: dict, fetcher: Fetcher) -> str:
    try:
        found = _call(fetcher, f"{instance}/api/v1/accounts/lookup", {"acct": account}, headers)
    except FetchError as exc:
        if exc.status == 404:
            host = urlsplit(instance).netloc
            raise SourceError(f"there is no account {account} on {host}") from exc
        raise
    if not isinstance(found, dict) or not found.get("id"):
        raise SourceError(f"{urlsplit(instance).netloc} sent no id for the account {account}")
    return str(found["id"])


def _call(fetcher: Fetcher, url: str, params: dict, headers: dict):
    try:
        # Not conditional: the URL changes with since_id, and timelines are not cached.
        return fetcher.get(url, params=params, headers=headers, conditional=False).json()
    except FetchError as exc:
        if exc.status in (401, 403):
            raise FetchError(
                f"{exc}; this server may only show it to signed-in users: add an access token",
                status=exc.status,
            ) from exc
        raise


def _newer(current: str | None, candidate: str) -> str:
    """Status ids are numbers as strings (snowflakes): longer is newer, then by digits."""
    if current is None:
        return candidate
    return max(current, candidate, key=lambda value: (len(value), value))


def _item(status: dict, host: str) -> Item | None:
    post = status.get("reblog") or status
    if status.get("visibility", "public") not in VISIBLE or (
        post.get("visibility", "public") not in VISIBLE
    ):
        return None  # followers-only or direct: not for a public listening post
    account = post.get("account") or {}
    extra = {}
    if status.get("reblog"):
        extra["reblogged_by"] = _handle(status.get("account") or {}, host)
    if post.get("in_reply_to_id"):
        extra["in_reply_to_id"] = str(post["in_reply_to_id"])
    if tags := [tag["name"] for tag in post.get("tags") or [] if tag.get("name")]:
        extra["tags"] = tags
    if media := [m["url"] for m in post.get("media_attachments") or [] if m.get("url")]:
        extra["media"] = media
    try:
        published_at = parse_datetime(post.get("created_at") or "")
    except ValueError:
        published_at = None
    return Item(
        external_id=post.get("uri") or post.get("url") or f"{host}:{post.get('id')}",
        url=post.get("url") or post.get("uri") or "",
        title=post.get("spoiler_text") or "",  # the content warning, when there is one
        body=post.get("content") or "",
        body_is_html=True,
        author_name=account.get("display_name") or account.get("username") or "",
        author_handle=_handle(account, host),
        author_url=account.get("url") or "",
        published_at=published_at,
        language=language_code(post.get("language")),
        network="mastodon",
        extra=extra,
    )


def _handle(account: dict, host: str) -> str:
    acct = account.get("acct") or account.get("username") or ""
    if not acct:
        return ""
    return f"@{acct}" if "@" in acct else f"@{acct}@{host}"
