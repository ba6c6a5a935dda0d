from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"

    def ready(self) -> None:
        # Registers the start-up check of OPENLINE_IDEA_VOTE_BUDGET.
        from community import ideas  # noqa: F401
