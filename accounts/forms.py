from django import forms

from accounts import services


class SignupForm(forms.Form):
    """Extra sign-up field: the name staff will address the member by."""

    display_name = forms.CharField(
        label="Your name",
        max_length=120,
        help_text="How we address you in replies, e.g. Maria or Maria K.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["display_name", "email", "password1", "password2"]

    def signup(self, request, user):
        services.register_customer(user, self.cleaned_data["display_name"])
