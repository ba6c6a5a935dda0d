"""Start-up checks: misconfiguration is reported by `openline check` and at start."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_configuration(app_configs, **kwargs):
    problems = []
    if (
        not settings.DEBUG
        and settings.SITE_URL.startswith("http://")
        and not any(host in settings.SITE_URL for host in ("127.0.0.1", "localhost"))
    ):
        problems.append(
            Warning(
                "OPENLINE_SITE_URL is plain http on a public host name",
                hint="Serve Openline over https and set OPENLINE_SITE_URL=https://…",
                id="openline.W001",
            )
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and settings.HUEY[
        "huey_class"
    ].endswith("RedisHuey"):
        problems.append(
            Warning(
                "REDIS_URL is set but DATABASE_URL is not: several machines cannot share SQLite",
                hint="Set DATABASE_URL to a PostgreSQL server when scaling out.",
                id="openline.W002",
            )
        )
    from conversations import targets

    try:
        targets.check()
    except ValueError as exc:
        problems.append(
            Error(
                f"Response targets or business hours cannot be read: {exc}",
                hint="See OPENLINE_BUSINESS_HOURS, OPENLINE_RESPONSE_TARGETS and "
                "OPENLINE_RESOLUTION_TARGETS in the README.",
                id="openline.E002",
            )
        )
    if not settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                "ALLOWED_HOSTS is empty", hint="Set ALLOWED_HOSTS=example.com", id="openline.E001"
            )
        )
    return problems
