from django.apps import AppConfig


class OpenlineConfig(AppConfig):
    name = "openline"
    verbose_name = "Openline"

    def ready(self):
        from openline import checks  # noqa: F401  (registers start-up checks)
