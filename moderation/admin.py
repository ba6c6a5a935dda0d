"""Moderation in the Django admin, read-only: flags, sanctions and trust change on the
moderation pages, where they are checked and recorded in the audit log."""

from django.contrib import admin

from moderation.models import Flag, Member, Screening, SpamCorpus, SpamToken


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ("person", "trust_level", "trust_locked", "silenced_until", "suspended_until")
    list_filter = ("trust_level", "trust_locked")
    list_select_related = ("person",)
    search_fields = ("person__display_name",)


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("message", "flagger", "reason", "weight", "state", "created_at")
    list_filter = ("state", "reason")
    list_select_related = ("message__conversation", "message__author", "flagger")


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyAdmin):
    list_display = ("message", "held_because", "spam_score", "learned", "created_at")
    list_filter = ("held_because", "learned")
    list_select_related = ("message__conversation", "message__author")


@admin.register(SpamToken)
class SpamTokenAdmin(ReadOnlyAdmin):
    list_display = ("token", "spam", "ham")
    search_fields = ("token",)


@admin.register(SpamCorpus)
class SpamCorpusAdmin(ReadOnlyAdmin):
    list_display = ("spam_docs", "ham_docs")
