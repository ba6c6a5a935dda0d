from django import forms

from conversations.forms import MessageForm


class ReplyForm(MessageForm):
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 3}))


class NoReplyForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        label="Why no reply is needed",
        widget=forms.TextInput(attrs={"list": "no-reply-reasons"}),
    )


class NoteForm(MessageForm):
    body = forms.CharField(
        label="Internal note",
        help_text="Only staff see it; the customer never does.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
