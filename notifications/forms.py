from __future__ import annotations

from django import forms

from notifications.models import Kind


def site_field(kind: str) -> str:
    return f"{kind}__site"


def email_field(kind: str) -> str:
    return f"{kind}__email"


class PreferencesForm(forms.Form):
    """The handle, the "no e-mail" switch, and two boxes per kind of notification."""

    handle = forms.CharField(
        max_length=31,
        label="Your handle",
        help_text="Others mention you by writing @ and your handle: 2 to 30 letters, digits, - "
        "or _.",
    )
    no_email = forms.BooleanField(
        required=False,
        label="No e-mail at all",
        help_text="Whatever is ticked below, we send no notification e-mail; your "
        "notifications page still has them.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handle"].widget.attrs.update(autocomplete="off", spellcheck="false")
        for kind in Kind.values:
            self.fields[site_field(kind)] = forms.BooleanField(required=False, label="On this site")
            self.fields[email_field(kind)] = forms.BooleanField(required=False, label="By e-mail")

    @staticmethod
    def initial_for(handle: str, no_email: bool, choices: dict[str, tuple[bool, bool]]) -> dict:
        initial = {"handle": handle, "no_email": no_email}
        for kind, (in_site, email) in choices.items():
            initial[site_field(kind)] = in_site
            initial[email_field(kind)] = email
        return initial

    def groups(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """(label, in-site box, e-mail box) for each kind, for the template."""
        return [
            (label, self[site_field(kind)], self[email_field(kind)]) for kind, label in Kind.choices
        ]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {
            kind: (self.cleaned_data[site_field(kind)], self.cleaned_data[email_field(kind)])
            for kind in Kind.values
        }
