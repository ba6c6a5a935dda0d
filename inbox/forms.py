import secrets

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 3}))
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].validators.append(MaxLengthValidator(settings.COMMENT_MAX_LENGTH))
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", secrets.token_urlsafe(16))


class NoReplyForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        label="Why no reply is needed",
        widget=forms.TextInput(attrs={"list": "no-reply-reasons"}),
    )
