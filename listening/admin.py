from django.contrib import admin

from listening.models import Alert, Mention, Query, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """Sources are best added on the staff pages, which check the configuration and can test
    it; here admins see everything, the cursor included."""

    list_display = (
        "name", "kind", "active", "poll_minutes", "last_success_at", "failures", "items_seen",
        "mentions_stored",
    )  # fmt: skip
    list_filter = ("kind", "active")
    search_fields = ("name",)
    readonly_fields = (
        "cursor", "next_poll_at", "leased_until", "failures", "last_polled_at",
        "last_success_at", "last_error", "last_error_at", "items_seen", "mentions_stored",
    )  # fmt: skip


@admin.register(Query)
class QueryAdmin(admin.ModelAdmin):
    list_display = ("name", "text", "to_inbox", "active")
    list_filter = ("active", "to_inbox")
    search_fields = ("name", "text")


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    """Mentions are made by the pipeline; admins look."""

    list_display = ("url", "site", "language", "needs_answer", "created_at")
    list_filter = ("needs_answer", "language", "source")
    search_fields = ("url", "author", "external_id", "content_hash")
    list_select_related = ("source",)
    date_hierarchy = "created_at"
    raw_id_fields = ("message", "source")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("__str__", "metric", "count", "observed", "threshold", "created_at")
    list_filter = ("metric",)
    list_select_related = ("query", "topic")
    raw_id_fields = ("mentions",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False
