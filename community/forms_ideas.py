"""Forms of the idea pages: staff changing a status and merging a duplicate.

Lengths and empty reasons are checked by the services (community.ideas), which word the
refusal the same way whichever page sends the form."""

from django import forms

from community.models import IdeaStatus

SORTS = {"votes": "Most votes", "new": "Newest", "changed": "Recently changed"}


class StatusForm(forms.Form):
    status = forms.ModelChoiceField(
        queryset=IdeaStatus.objects.all(),
        to_field_name="slug",
        error_messages={
            "required": "Choose a status.",
            "invalid_choice": "Choose one of the statuses.",
        },
    )
    reason = forms.CharField(required=False, strip=False)


class MergeForm(forms.Form):
    into = forms.CharField(
        max_length=1000,
        error_messages={
            "required": "Say which idea to merge this one into: its address or its number.",
            "max_length": "Give the address of the idea, or its number.",
        },
    )
    reason = forms.CharField(required=False, strip=False)


def first_error(form: forms.Form) -> str:
    """The first message of a form that did not validate."""
    return next(iter(form.errors.values()))[0]
