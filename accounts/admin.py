from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts import services
from accounts.models import Identity, Person, PersonNote, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("email", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Openline", {"fields": ("role",)}))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The Person's official status follows the role, as everywhere else.
        services.set_role(obj, obj.role)


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0


class PersonNoteInline(admin.TabularInline):
    model = PersonNote
    extra = 0
    fields = ("body", "author", "created_at")
    readonly_fields = ("author", "created_at")

    def has_add_permission(self, request, obj=None):
        # Notes are written on the profile page, which records who wrote them.
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("display_name", "title", "is_staff_member", "is_guest_author")
    search_fields = ("display_name", "identities__value")
    inlines = [IdentityInline, PersonNoteInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "email")
    filter_horizontal = ("members",)
