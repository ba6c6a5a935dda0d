"""Real-browser tests: Debian's Chromium driven by Playwright against `live_server`.

Never run `playwright install` here; the launch fixture points Playwright at
/usr/bin/chromium instead (see /work/shared/RECIPES.md).
"""

from __future__ import annotations

import os

import pytest

from tests.browser.helpers import session_cookie_for

# Playwright's sync API keeps an event loop running in the test's thread, so Django
# would refuse every ORM call made from a test with SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # keep Chromium from looking up outside hosts; 127.0.0.1 must stay resolvable
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Same clock and language wherever the suite runs.
    return {
        **browser_context_args,
        "locale": "en-GB",
        "timezone_id": "UTC",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def context(context):
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def site(live_server):
    """The live server's address, without a trailing slash."""
    return live_server.url.rstrip("/")


@pytest.fixture
def sign_in(new_context, site):
    """A new browser context (its own cookies) signed in as the given user."""

    def _sign_in(user):
        ctx = new_context()
        ctx.set_default_timeout(TIMEOUT_MS)
        ctx.set_default_navigation_timeout(TIMEOUT_MS)
        ctx.add_cookies([session_cookie_for(user, site)])
        return ctx

    return _sign_in
