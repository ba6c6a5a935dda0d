from openline.checks import check_configuration


def ids(settings_problems):
    return [p.id for p in settings_problems]


def test_default_configuration_has_no_problems():
    assert check_configuration(None) == []


def test_plain_http_on_a_public_host_is_warned(settings):
    settings.SITE_URL = "http://support.example.com"
    assert ids(check_configuration(None)) == ["openline.W001"]


def test_redis_with_sqlite_is_warned(settings, monkeypatch):
    from django.conf import settings as live

    settings.HUEY = {**settings.HUEY, "huey_class": "huey.RedisHuey"}
    monkeypatch.setitem(live.DATABASES["default"], "ENGINE", "django.db.backends.sqlite3")
    assert "openline.W002" in ids(check_configuration(None))


def test_empty_allowed_hosts_is_an_error(settings):
    settings.ALLOWED_HOSTS = []
    assert "openline.E001" in ids(check_configuration(None))
