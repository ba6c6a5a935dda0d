from django import forms

from conversations.models import Category
from inbox.canned import FIELD_LIST, can_manage_shared

BODY_MAX = 20_000


class CannedReplyForm(forms.Form):
    """Field names follow the model's, so a service's ValidationError lands on the right field."""

    title = forms.CharField(max_length=120, help_text="What staff pick it by")
    body_md = forms.CharField(
        label="Text",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"Markdown. Fields: {FIELD_LIST}. Write {{{{ and }}}} for a brace.",
    )
    link = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="What {link} stands for. Empty: the conversation's public address, if any.",
    )
    category = forms.ModelChoiceField(
        Category.objects.all(),
        required=False,
        label="Department",
        empty_label="(any)",
        help_text="Offered first on conversations in this department",
    )
    shared = forms.BooleanField(
        required=False,
        label="Shared with all staff",
        help_text="Unticked, only you see it.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_manage_shared(user):
            # Agents keep replies of their own; the service refuses "shared" from them anyway.
            del self.fields["shared"]
