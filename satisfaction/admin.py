from django.contrib import admin

from satisfaction.models import Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """Surveys are made by resolving and answered by customers; admins look, and may
    only edit a comment (to remove something that must not be kept)."""

    list_display = (
        "conversation",
        "email",
        "agent",
        "score",
        "resolved_at",
        "sent_at",
        "answered_at",
    )
    list_filter = ("score", "agent", "sent_at", "answered_at", "stopped_at")
    search_fields = ("email", "conversation__title", "comment")
    list_select_related = ("conversation", "agent")
    date_hierarchy = "resolved_at"
    raw_id_fields = ("conversation", "person", "agent")
    readonly_fields = (
        "conversation", "person", "agent", "email", "token", "resolved_at", "sent_at", "score",
        "answered_at", "stopped_at", "created_at",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False
