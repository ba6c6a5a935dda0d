import secrets

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator


class MessageForm(forms.Form):
    """A message body within the length limit, with a key that makes a double submit
    store one message (see services.post_comment)."""

    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.COMMENT_MAX_LENGTH
        self.fields["body"].validators.append(MaxLengthValidator(limit))
        self.fields["body"].widget.attrs["maxlength"] = str(limit)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", secrets.token_urlsafe(16))
