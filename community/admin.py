"""The community in the Django admin. Admins define their own idea statuses here; votes,
status changes and accepted answers are made on the site, where their side effects
(notifications, counts, the page cache) happen, so here they are read-only."""

from django.contrib import admin
from django.utils import timezone

from community.models import FaqEntry, Idea, IdeaStatus, IdeaStatusChange, Question, Vote
from conversations.markup import render_markdown
from openline import pagecache


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ("conversation", "accepted_answer", "accepted_at")
    list_select_related = ("conversation",)
    search_fields = ("conversation__title",)


@admin.register(IdeaStatus)
class IdeaStatusAdmin(admin.ModelAdmin):
    """Built-in statuses can be renamed and reordered, not deleted; their slugs stay, as the
    code finds the status of a new idea by its slug."""

    list_display = ("name", "slug", "position", "is_open", "on_roadmap", "builtin")
    list_editable = ("position", "is_open", "on_roadmap")
    prepopulated_fields = {"slug": ("name",)}

    def get_readonly_fields(self, request, obj=None):
        return ("slug",) if obj is not None and obj.builtin else ()

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None and obj.builtin else self.prepopulated_fields

    def has_delete_permission(self, request, obj=None):
        # Statuses in use are protected by the database too; this says so before trying.
        if obj is not None and (obj.builtin or obj.ideas.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pagecache.invalidate()  # the roadmap and the ideas list show statuses

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.invalidate()


class IdeaStatusChangeInline(admin.TabularInline):
    model = IdeaStatusChange
    fk_name = "idea"
    fields = ("at", "from_status", "to_status", "by", "reason_md")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Idea)
class IdeaAdmin(ReadOnlyAdmin):
    """Statuses change on the idea's page, with a public reason that voters are sent."""

    list_display = ("conversation", "status", "vote_count", "status_changed_at")
    list_filter = ("status",)
    list_select_related = ("conversation", "status")
    search_fields = ("conversation__title", "conversation__slug")
    inlines = [IdeaStatusChangeInline]


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ("person", "idea", "created_at")
    list_select_related = ("person", "idea__conversation")
    search_fields = ("person__display_name", "idea__conversation__title")
    date_hierarchy = "created_at"


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ("question", "category", "position", "published", "updated_at")
    list_editable = ("position", "published")
    list_filter = ("published", "category")
    search_fields = ("question", "answer_md")
    prepopulated_fields = {"slug": ("question",)}
    raw_id_fields = ("source",)
    readonly_fields = ("answer_html", "created_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.answer_html = render_markdown(obj.answer_md, trusted=True)
        obj.updated_at = timezone.now()
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        pagecache.invalidate()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.invalidate()
