"""The Jinja2 environment for Openline's own pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from django.conf import settings
from django.templatetags.static import static
from django.utils import timezone
from jinja2 import Environment, select_autoescape
from markupsafe import Markup, escape

from openline.routing import cached_reverse


def url(name: str, *args) -> str:
    return cached_reverse(name, *args)


def when(value: datetime | None, css: str = "") -> Markup:
    """A <time> element: exact time on hover, shown relative once the page's script runs.

    Formatting is plain strftime on a UTC value, which costs a fraction of Django's
    time-zone-aware |date filter on a page of a hundred comments.
    """
    if value is None:
        return Markup("")
    value = value.astimezone(UTC) if timezone.is_aware(value) else value
    iso = value.strftime("%Y-%m-%dT%H:%M:%SZ")
    exact = value.strftime("%-d %b %Y, %H:%M UTC")
    cls = f' class="{escape(css)}"' if css else ""
    # Every interpolated value is a formatted date or escaped above.
    return Markup(f'<time datetime="{iso}" title="{exact}"{cls} data-relative>{exact}</time>')  # noqa: S704


_JSON_IN_SCRIPT = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def json_ld(data) -> Markup:
    """`data` as JSON that is safe inside a <script> element (schema.org markup): every
    character that could end the element or the string is escaped."""
    text = json.dumps(data, ensure_ascii=False)
    for character, escaped in _JSON_IN_SCRIPT.items():
        text = text.replace(character, escaped)
    return Markup(text)  # noqa: S704 (JSON with every markup character escaped above)


def share_links(title: str, link: str) -> list[tuple[str, str]]:
    t, u = quote(title), quote(link, safe="")
    return [
        ("Mastodon", f"https://mastodonshare.com/?text={t}&url={u}"),
        ("Bluesky", f"https://bsky.app/intent/compose?text={t}%20{u}"),
        ("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={u}"),
        ("E-mail", f"mailto:?subject={t}&body={u}"),
    ]


def unread_notifications(user) -> int | None:
    """The header's count of unread notifications, from the cache: never a query. None when
    the cache does not have it, and the page fetches it once loaded."""
    if not getattr(user, "is_authenticated", False):
        return 0
    from notifications import unread

    return unread.cached(user)


def transparency_page_on() -> bool:
    """Whether the public transparency page is switched on (read at render time)."""
    return settings.INSIGHTS_TRANSPARENCY_PAGE


def environment(**options) -> Environment:
    options["autoescape"] = select_autoescape(["html", "xml"], default_for_string=True)
    env = Environment(**options, trim_blocks=True, lstrip_blocks=True)  # noqa: S701 (set above)
    env.globals.update(
        url=url,
        static=static,
        when=when,
        share_links=share_links,
        unread_notifications=unread_notifications,
        urlencode=urlencode,
        site_name=settings.SITE_NAME,
        site_url=settings.SITE_URL,
        transparency_page_on=transparency_page_on,
    )
    env.filters["when"] = when
    return env
