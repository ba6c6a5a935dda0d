"""Start-up check: moderation settings that cannot be read stop `openline check`."""

from django.core.checks import Error, register


@register()
def check_moderation_settings(app_configs, **kwargs):
    from moderation import conf

    try:
        conf.check()
    except ValueError as exc:
        return [
            Error(
                f"A moderation setting cannot be read: {exc}",
                hint="See docs/moderation.md for the format.",
                id="moderation.E001",
            )
        ]
    return []
