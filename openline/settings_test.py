"""Settings for the test suite: the real settings, with jobs run inline and fast hashing."""

import os

from openline.settings import *  # noqa: F403
from openline.settings import DATA_DIR, HUEY

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "confirm_email": False}  # noqa: F405
# Each pytest-xdist worker has its own cache, so it needs its own page generation too:
# another worker's change must not turn this worker's hit into a miss.
PAGE_CACHE_GENERATION_FILE = str(
    DATA_DIR / f"pagegen-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
)
SUPPORT_EMAIL = "support@larder.test"
SUPPORT_EMAIL_DOMAIN = "larder.test"
MAIL_WEBHOOK_SECRET = "test-webhook-secret"  # noqa: S105 (tests only)
LISTENING_ALLOW_PRIVATE_ADDRESSES = True  # the recorded feeds are served on 127.0.0.1
