"""Helpers for the browser tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.conf import settings
from django.test import Client


def session_cookie_for(user, site: str) -> dict:
    """A signed-in session for `user`, as a cookie for the browser."""
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": site,
        "httpOnly": True,
        "sameSite": "Lax",
    }


def link_in(text: str, path: str) -> str:
    """The first address in `text` (an e-mail body) whose path starts with `path`."""
    match = re.search(r"https?://[^/\s]+" + re.escape(path) + r"\S*", text)
    assert match, f"no link to {path} in:\n{text}"
    return match.group(0)


def snap(page, name: str) -> None:
    """With OPENLINE_SCREENSHOTS set to a folder, save a full-page screenshot there."""
    folder = os.environ.get("OPENLINE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
