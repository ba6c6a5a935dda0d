from django import forms

from accounts.models import CAPABILITIES, User
from conversations.forms import MessageForm
from conversations.models import Priority


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


class DeskForm(forms.Form):
    """Who handles a conversation, how urgent it is, and until when it is put aside."""

    assignee = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="(nobody)", label="Assigned to"
    )
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, label="Priority")
    snoozed_until = forms.DateTimeField(
        required=False,
        label="Snooze until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Out of the queue until then; empty to keep it in.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            User.objects.filter(role__in=CAPABILITIES["answer"], is_active=True)
            .select_related("person")
            .order_by("person__display_name")
        )
        self.fields["assignee"].label_from_instance = lambda u: (
            u.person.display_name if getattr(u, "person", None) else u.email
        )
