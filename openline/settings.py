"""Openline settings, read from environment variables only.

With nothing set, Openline runs on one machine: SQLite (WAL) and Huey-on-SQLite under
the data folder, a file cache, and outgoing mail written to files. DATABASE_URL and
REDIS_URL move it onto PostgreSQL and Redis. See README.md for the full table.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from openline.env import (
    ConfigError,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_secret,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DATA_DIR = Path(env_str("OPENLINE_DATA_DIR", str(Path.cwd() / "var"))).expanduser().resolve()
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise ConfigError(f"OPENLINE_DATA_DIR {str(DATA_DIR)!r} cannot be created: {exc}") from None

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_secret("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long")
        return key
    # A self-hosted install should start with nothing to configure: keep a generated key
    # in the data folder so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
SITE_URL = (env_url("OPENLINE_SITE_URL", ("http", "https")) or "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])
SITE_NAME = env_str("OPENLINE_SITE_NAME", "Openline")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("OPENLINE_BEHIND_PROXY", False) else None
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SITE_URL.startswith("https://")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_htmx",
    "huey.contrib.djhuey",
    "openline",
    "accounts",
    "conversations",
    "blog",
    "inbox",
    "mail",
    "satisfaction",
    "listening",
    "community",
    "moderation",
    "notifications",
    "search",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "openline.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "openline.urls"
WSGI_APPLICATION = "openline.wsgi.application"

TEMPLATES = [
    {
        # Openline's own pages: Jinja2 renders a 100-comment page about ten times faster.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "openline" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "openline.jinja.environment",
            "context_processors": ["openline.context.site"],
        },
    },
    {
        # django-allauth and the admin ship Django templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "openline" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _databases() -> dict:
    url = env_url("DATABASE_URL", ("sqlite", "postgres", "postgresql"))
    if url is None:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "openline.sqlite3"}
    else:
        try:
            config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
        except ValueError as exc:
            raise ConfigError(f"DATABASE_URL cannot be parsed: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock at BEGIN, so two writers wait for each other
            # (busy timeout) instead of failing half-way with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA mmap_size=134217728;"
            ),
        }
        config["CONN_MAX_AGE"] = None
    config["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME") or None}
    return {"default": config}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_url("REDIS_URL", ("redis", "rediss", "unix"))

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "openline",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2, minimum=1), "worker_type": "thread"},
    }
else:
    CACHES = {
        "default": {
            # Shared by every web worker on the machine, unlike local memory.
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "openline",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2, minimum=1), "worker_type": "thread"},
    }

PAGE_CACHE_SECONDS = env_int("OPENLINE_PAGE_CACHE_SECONDS", 60, minimum=0)
# Which pages are current: a file on one machine, a counter in Redis across machines.
PAGE_CACHE_GENERATION_FILE = None if REDIS_URL else str(DATA_DIR / "pagegen")

# Mail: SMTP when a host is named, otherwise files under the data folder.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ConfigError("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The e-mail channel (docs/email.md). Customers write to SUPPORT_EMAIL; replies to them come
# from it, with a per-conversation token in Reply-To (support+<token>@domain) to thread answers.
SUPPORT_EMAIL = env_str("OPENLINE_SUPPORT_EMAIL", "support@localhost").strip().lower()
if "@" not in SUPPORT_EMAIL or any(c in SUPPORT_EMAIL for c in " \r\n<>"):
    raise ConfigError(f"OPENLINE_SUPPORT_EMAIL must be a plain address, not {SUPPORT_EMAIL!r}")
SUPPORT_EMAIL_DOMAIN = SUPPORT_EMAIL.rpartition("@")[2]
# Built-in SMTP listener (`openline smtpd`): where it listens and the largest message it takes.
SMTPD_HOST = env_str("OPENLINE_SMTPD_HOST", "127.0.0.1")
SMTPD_PORT = env_int("OPENLINE_SMTPD_PORT", 2525, minimum=1, maximum=65535)
MAIL_MAX_BYTES = env_int("OPENLINE_MAIL_MAX_BYTES", 25 * 1024 * 1024, minimum=1024)
MAIL_ATTACHMENT_MAX_BYTES = env_int(
    "OPENLINE_MAIL_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=0
)
# IMAP polling: imaps://user:password@host[:port][/folder], or imap:// without TLS.
IMAP_URL = env_url("OPENLINE_IMAP_URL", ("imap", "imaps"))
IMAP_POLL_SECONDS = env_int("OPENLINE_IMAP_POLL_SECONDS", 60, minimum=10)
# Inbound-mail webhook (POST /mail/inbound/ with the raw message, signed with HMAC-SHA256).
MAIL_WEBHOOK_SECRET = env_secret("OPENLINE_MAIL_WEBHOOK_SECRET")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "blog:home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = env_choice(
    "ACCOUNT_EMAIL_VERIFICATION", "mandatory", ("mandatory", "optional", "none")
)
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "website"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"

# Comments: limits on what one person may post.
COMMENT_MAX_LENGTH = env_int("OPENLINE_COMMENT_MAX_LENGTH", 10_000, minimum=100)
COMMENT_RATE_LIMIT = env_str("OPENLINE_COMMENT_RATE_LIMIT", "5/m,30/h")

# The community (docs/community.md).
COMMUNITY_TOPIC_RATE_LIMIT = env_str("OPENLINE_COMMUNITY_TOPIC_RATE_LIMIT", "3/m,10/h")
# An answer the asker accepts from another customer counts as the question's answer in the
# staff queue; off, staff still answer every question themselves.
COMMUNITY_ACCEPTED_ANSWER_COUNTS = env_bool("OPENLINE_COMMUNITY_ACCEPTED_ANSWER_COUNTS", True)
COMMUNITY_LIVE_UPDATE_SECONDS = env_int("OPENLINE_COMMUNITY_LIVE_UPDATE_SECONDS", 10, minimum=2)
# Ideas (docs/ideas.md): how many open ideas a member may vote for, by trust level 0 to 4.
IDEA_VOTE_BUDGET = env_str("OPENLINE_IDEA_VOTE_BUDGET", "0=3,1=10,2=20,3=30,4=50")

# Moderation (docs/moderation.md).
# Trust levels run from 0 (new member) to 4; in the limits by level, a level left out has no
# limit. Staff are never limited.
MODERATION_HOLD_FIRST_POSTS = env_int("OPENLINE_MODERATION_HOLD_FIRST_POSTS", 1, minimum=0)
MODERATION_LINKS_PER_POST = env_str("OPENLINE_MODERATION_LINKS_PER_POST", "0=1,1=5,2=20")
MODERATION_POSTS_PER_DAY = env_str("OPENLINE_MODERATION_POSTS_PER_DAY", "0=10,1=50,2=200")
MODERATION_TRUST_LEVELS = env_str(
    "OPENLINE_MODERATION_TRUST_LEVELS",
    "1: posts 1; 2: posts 10, topics 1, days 7; 3: posts 40, answers 3, days 30; "
    "4: posts 150, answers 10, days 120",
)
MODERATION_HIDDEN_POSTS_PER_LEVEL = env_int(
    "OPENLINE_MODERATION_HIDDEN_POSTS_PER_LEVEL", 2, minimum=1
)
MODERATION_AGREED_FLAGS_FOR_STANDING = env_int(
    "OPENLINE_MODERATION_AGREED_FLAGS_FOR_STANDING", 5, minimum=1
)
MODERATION_FLAG_WEIGHTS = env_str("OPENLINE_MODERATION_FLAG_WEIGHTS", "0=0.5,1=1,2=1.5,3=2,4=3")
MODERATION_HIDE_AT = env_float("OPENLINE_MODERATION_HIDE_AT", 3.0, minimum=0.5)
MODERATION_SPAM_HOLD_AT = env_float("OPENLINE_MODERATION_SPAM_HOLD_AT", 0.6, minimum=0.05)
MODERATION_SPAM_PHRASES = env_list("OPENLINE_MODERATION_SPAM_PHRASES", [])
MODERATION_FLAG_RATE_LIMIT = env_str("OPENLINE_MODERATION_FLAG_RATE_LIMIT", "10/m,60/d")

# Notifications (docs/notifications.md).
# What members are e-mailed about until they choose otherwise (they are told of everything
# on their notifications page): kinds from notifications.models.Kind.
NOTIFICATION_KINDS = (
    "reply", "mention", "official_reply", "followed_reply", "answer_accepted", "idea_status",
    "status_update",
)  # fmt: skip
NOTIFICATIONS_EMAIL_BY_DEFAULT = env_list(
    "OPENLINE_NOTIFICATIONS_EMAIL_BY_DEFAULT",
    ["reply", "mention", "official_reply", "answer_accepted", "idea_status", "status_update"],
)
if _unknown := set(NOTIFICATIONS_EMAIL_BY_DEFAULT) - set(NOTIFICATION_KINDS):
    raise ConfigError(
        f"OPENLINE_NOTIFICATIONS_EMAIL_BY_DEFAULT names {', '.join(sorted(_unknown))}; "
        f"choose from {', '.join(NOTIFICATION_KINDS)}"
    )
# Only the first this-many @handles in a message are told, so one post cannot page a crowd.
NOTIFICATIONS_MENTION_LIMIT = env_int("OPENLINE_NOTIFICATIONS_MENTION_LIMIT", 10, minimum=0)
# An event older than this when its job is queued is history (an import, the demo): nobody is
# told. A job that waits for a worker that was down is still delivered.
NOTIFICATIONS_MAX_AGE_HOURS = env_int("OPENLINE_NOTIFICATIONS_MAX_AGE_HOURS", 24, minimum=1)

# Search (docs/search.md): "auto" is FTS5 on SQLite, full-text search on PostgreSQL.
SEARCH_BACKEND = env_choice("OPENLINE_SEARCH_BACKEND", "auto", ("auto", "fts5", "postgres"))

# Insights (docs/insights.md): the public transparency page at /transparency/, off unless set,
# and how long its figures are cached; the weekly digest to managers (Monday, this hour).
INSIGHTS_TRANSPARENCY_PAGE = env_bool("OPENLINE_TRANSPARENCY_PAGE", False)
INSIGHTS_TRANSPARENCY_CACHE_SECONDS = env_int("OPENLINE_TRANSPARENCY_CACHE_SECONDS", 600, minimum=0)
INSIGHTS_DIGEST = env_bool("OPENLINE_INSIGHTS_DIGEST", True)
INSIGHTS_DIGEST_HOUR = env_int("OPENLINE_INSIGHTS_DIGEST_HOUR", 7, minimum=0)

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")

# Response targets, counted in business hours (docs/inbox.md).
BUSINESS_HOURS = env_str("OPENLINE_BUSINESS_HOURS", "mon-fri 09:00-17:00")
HOLIDAYS = env_list("OPENLINE_HOLIDAYS", [])
RESPONSE_TARGETS = env_str("OPENLINE_RESPONSE_TARGETS", "urgent=1h,high=4h,normal=8h,low=24h")
RESPONSE_WARNING = env_str("OPENLINE_RESPONSE_WARNING", "1h")
RESOLUTION_TARGETS = env_str("OPENLINE_RESOLUTION_TARGETS", "urgent=8h,high=16h,normal=40h,low=80h")
SATISFACTION_SURVEYS = env_bool("OPENLINE_SATISFACTION_SURVEYS", True)  # docs/satisfaction.md

# The listening post (docs/listening.md).
# Fetching: only http(s), never private or loopback addresses unless allowed (tests allow them).
LISTENING_ALLOW_PRIVATE_ADDRESSES = env_bool("OPENLINE_LISTENING_ALLOW_PRIVATE_ADDRESSES", False)
LISTENING_TIMEOUT_SECONDS = env_int("OPENLINE_LISTENING_TIMEOUT_SECONDS", 20, minimum=1)
LISTENING_MAX_BYTES = env_int("OPENLINE_LISTENING_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
LISTENING_MAX_REDIRECTS = env_int("OPENLINE_LISTENING_MAX_REDIRECTS", 5, minimum=0)
LISTENING_MAX_BACKOFF_MINUTES = env_int(
    "OPENLINE_LISTENING_MAX_BACKOFF_MINUTES", 24 * 60, minimum=1
)
# Which mentions need an answer: negative, question, complaint, addressed (to a brand handle).
LISTENING_INBOX_RULES = env_list(
    "OPENLINE_LISTENING_INBOX_RULES", ["negative", "question", "complaint", "addressed"]
)
LISTENING_BRAND_HANDLES = env_list("OPENLINE_LISTENING_BRAND_HANDLES", [])
# The sentiment model mentions are scored with as they arrive: "vader" keeps up with a burst
# of thousands a minute; "linear" is the more accurate default of the rest of Openline.
LISTENING_SENTIMENT_MODEL = env_choice(
    "OPENLINE_LISTENING_SENTIMENT_MODEL", "vader", ("vader", "linear")
)
# Posts older than this when found are stored for the record but never enter the inbox.
LISTENING_MAX_AGE_DAYS = env_int("OPENLINE_LISTENING_MAX_AGE_DAYS", 7, minimum=1)
# Early warning (docs/listening.md#early-warning).
SPIKE_WINDOW_MINUTES = env_int("OPENLINE_SPIKE_WINDOW_MINUTES", 60, minimum=5)
SPIKE_BASELINE_WINDOWS = env_int("OPENLINE_SPIKE_BASELINE_WINDOWS", 24, minimum=3)
SPIKE_K = env_float("OPENLINE_SPIKE_K", 3.0, minimum=0.5)
SPIKE_MIN_COUNT = env_int("OPENLINE_SPIKE_MIN_COUNT", 10, minimum=1)
SPIKE_COOLDOWN_MINUTES = env_int("OPENLINE_SPIKE_COOLDOWN_MINUTES", 180, minimum=0)
ALERT_WEBHOOK_URL = env_url("OPENLINE_ALERT_WEBHOOK_URL", ("http", "https"))
ALERT_WEBHOOK_SECRET = env_secret("OPENLINE_ALERT_WEBHOOK_SECRET")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
