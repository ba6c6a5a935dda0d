from django import forms
from django.contrib import admin
from django.db import models

from inbox.models import CannedReply, Playbook, PlaybookRun

# Django 6 assumes https for a link typed without a scheme; say so now (and stay quiet).
HTTPS_LINKS = {models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}}


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "category", "use_count", "updated_at")
    list_filter = ("category", ("owner", admin.EmptyFieldListFilter))
    search_fields = ("title", "body_md")
    raw_id_fields = ("owner", "created_by")
    readonly_fields = ("use_count", "created_at")
    formfield_overrides = HTTPS_LINKS


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ("name", "issue_title", "next_update_minutes", "active")
    list_filter = ("active",)
    search_fields = ("name", "issue_title")
    filter_horizontal = ("canned_replies",)
    fieldsets = [
        (None, {"fields": ("name", "description", "active", "canned_replies")}),
        (
            "Known issue published when it starts",
            {
                "fields": (
                    "issue_title",
                    "issue_affected_area",
                    "issue_body_md",
                    "issue_category",
                    "next_update_minutes",
                )
            },
        ),
    ]


@admin.register(PlaybookRun)
class PlaybookRunAdmin(admin.ModelAdmin):
    """Runs are started and ended on the playbooks page, which publishes and audits."""

    list_display = ("playbook", "known_issue", "started_by", "started_at", "ended_at")
    list_filter = ("playbook",)
    list_select_related = ("playbook", "known_issue", "started_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
