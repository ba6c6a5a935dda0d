"""Start-up with a wrong value fails with a message naming the variable; defaults run
on SQLite with WAL under the data folder."""

import os
import subprocess
import sys

import pytest

CHECK = [sys.executable, "-m", "openline.cli", "check"]


def run_openline(tmp_path, **env):
    environ = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")
    }
    environ.update({"OPENLINE_DATA_DIR": str(tmp_path), **env})
    environ["DJANGO_SETTINGS_MODULE"] = "openline.settings"
    return subprocess.run(CHECK, env=environ, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "perhaps", "DEBUG must be true or false"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must be a URL starting with"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must be a URL"),
        ("EMAIL_PORT", "smtp", "EMAIL_PORT must be a whole number"),
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 32 characters"),
    ],
)
def test_wrong_value_fails_at_start_naming_the_variable(tmp_path, variable, value, message):
    env = {variable: value}
    if variable == "EMAIL_PORT":
        env["EMAIL_HOST"] = "127.0.0.1"
    result = run_openline(tmp_path, **env)
    assert result.returncode == 2
    assert "openline: configuration error:" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_defaults_start_on_sqlite_in_the_data_folder(tmp_path):
    result = run_openline(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").exists()


def settings_seen(tmp_path, code: str, **env) -> list[str]:
    """What `code` prints after Django starts with only `env` set (and a data folder)."""
    environ = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")
    }
    environ.update(
        {"OPENLINE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "openline.settings", **env}
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_sqlite_runs_in_wal_with_immediate_transactions(tmp_path):
    code = (
        "from django.conf import settings; from django.db import connection;"
        "o=settings.DATABASES['default']['OPTIONS'];"
        "c=connection.cursor(); c.execute('PRAGMA journal_mode'); mode=c.fetchone()[0];"
        "c.execute('PRAGMA busy_timeout'); busy=c.fetchone()[0];"
        "print(o['transaction_mode'], mode, busy, settings.DATABASES['default']['NAME'])"
    )
    mode, journal, busy, name = settings_seen(tmp_path, code)
    assert (mode, journal) == ("IMMEDIATE", "wal")
    assert int(busy) >= 1000
    assert name == str(tmp_path / "openline.sqlite3")


def test_database_url_selects_postgresql(tmp_path):
    code = (
        "from django.conf import settings;"
        "d=settings.DATABASES['default'];"
        "print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'])"
    )
    seen = settings_seen(tmp_path, code, DATABASE_URL="postgres://u:p@127.0.0.1:5433/shop")
    assert seen == ["django.db.backends.postgresql", "127.0.0.1", "5433", "shop"]


def test_redis_url_moves_jobs_and_cache_to_redis(tmp_path):
    code = (
        "from django.conf import settings;"
        "print(settings.HUEY['huey_class'], settings.CACHES['default']['BACKEND'],"
        " settings.PAGE_CACHE_GENERATION_FILE)"
    )
    seen = settings_seen(tmp_path, code, REDIS_URL="redis://127.0.0.1:6390/0")
    assert seen == ["huey.RedisHuey", "django.core.cache.backends.redis.RedisCache", "None"]
