"""Connectors: each turns what one kind of source says into plain Items.

A polled connector (feed, mastodon, bluesky) has `check_config(config) -> dict`, which
normalises what an admin typed or raises ValueError naming the field, and
`poll(config, cursor, fetcher) -> Poll`. Webhook and import sources push records instead
(`records`). The caller owns the Fetcher's validators: it creates
`Fetcher(validators=cursor.get("validators"))` and, after a poll, stores
`poll.cursor["validators"] = fetcher.validators`; connectors never touch that key.
"""

from __future__ import annotations

from listening.connectors import bluesky, feed, mastodon, records
from listening.fetch import Fetcher
from listening.items import Poll, SourceError

CONNECTORS = {"feed": feed, "mastodon": mastodon, "bluesky": bluesky}
PUSHED_KINDS = ("webhook", "import")


def check_config(kind: str, config: dict) -> dict:
    if kind in CONNECTORS:
        return CONNECTORS[kind].check_config(config)
    if kind in PUSHED_KINDS:
        return records.check_config(config)
    raise ValueError(f"unknown source kind {kind!r}")


def poll(kind: str, config: dict, cursor: dict, fetcher: Fetcher) -> Poll:
    if kind not in CONNECTORS:
        raise ValueError(f"{kind!r} sources are not polled")
    connector = CONNECTORS[kind]
    try:
        # Again here: a config saved by hand, or before a rule changed, fails with a reason.
        config = connector.check_config(config)
    except ValueError as exc:
        raise SourceError(f"the source's configuration is not valid: {exc}") from None
    return connector.poll(config, dict(cursor or {}), fetcher)


def describe(kind: str, config: dict) -> str:
    """One line for the UI: "https://example.com/feed.xml", "#larder on mastodon.social" …"""
    config = config if isinstance(config, dict) else {}
    if kind == "feed":
        return str(config.get("url", ""))
    if kind == "mastodon":
        return mastodon.describe(config)
    if kind == "bluesky":
        return bluesky.describe(config)
    label = {"webhook": "inbound webhook", "import": "file import"}.get(kind, kind)
    network = config.get("network")
    return f"{label} ({network})" if network else label


__all__ = ["CONNECTORS", "check_config", "describe", "poll"]
