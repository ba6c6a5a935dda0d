from django import forms

from satisfaction.models import COMMENT_MAX


class CommentForm(forms.Form):
    comment = forms.CharField(
        label="Anything to add?",
        required=False,  # the service says "write something first", beside the score links
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional. Only our staff read it.",
    )
