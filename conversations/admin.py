from django.contrib import admin

from conversations.models import (
    Category,
    Conversation,
    KnownIssue,
    Label,
    Message,
    Outcome,
    StatusUpdate,
    Subscription,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "is_public", "published_at", "comment_count", "outcome")
    list_filter = ("kind", "is_public", "category", "team", "outcome__stance", "outcome")
    search_fields = ("title", "slug")
    raw_id_fields = ("author", "merged_into")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "conversation", "author", "official", "response_state", "moderation")
    list_filter = ("response_state", "moderation", "official", "channel")
    raw_id_fields = ("conversation", "author", "reply_to", "answered_by")
    readonly_fields = ("body_html",)


class StatusUpdateInline(admin.TabularInline):
    model = StatusUpdate
    extra = 0
    raw_id_fields = ("author",)


@admin.register(KnownIssue)
class KnownIssueAdmin(admin.ModelAdmin):
    list_display = ("conversation", "status", "next_update_due")
    inlines = [StatusUpdateInline]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("email", "conversation", "created_at")
    raw_id_fields = ("conversation", "person")


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    """How resolved conversations end, as this company names the endings."""

    list_display = ("name", "stance", "active", "position", "description")
    list_editable = ("active", "position")
    list_filter = ("stance", "active")

    def has_delete_permission(self, request, obj=None):
        # An outcome already given to a conversation is kept for the reports: retire it instead.
        if obj is not None and obj.conversations.exists():
            return False
        return super().has_delete_permission(request, obj)
