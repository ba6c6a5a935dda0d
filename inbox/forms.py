from django import forms

from accounts.models import CAPABILITIES, Team, User
from conversations.forms import MessageForm
from conversations.models import Outcome, Priority


def staff_who_answer():
    return (
        User.objects.filter(role__in=CAPABILITIES["answer"], is_active=True)
        .select_related("person")
        .order_by("person__display_name")
    )


def staff_label(user) -> str:
    return user.person.display_name if getattr(user, "person", None) else user.email


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
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, empty_label="(no team)", label="Team"
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
        self.fields["assignee"].queryset = staff_who_answer()
        self.fields["assignee"].label_from_instance = staff_label


class ResolveForm(forms.Form):
    outcome = forms.ModelChoiceField(
        queryset=Outcome.objects.filter(active=True),
        empty_label=None,
        label="Outcome",
        help_text="How it ended: managers see when we gave way and when we held our ground.",
    )


class MergeForm(forms.Form):
    into = forms.IntegerField(
        min_value=1,
        label="Merge into conversation number",
        help_text="This conversation's messages move there; its links and e-mail lead there.",
    )


class IdListField(forms.Field):
    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": "Choose at least one message.",
        "invalid": "Those are not message numbers.",
    }

    def to_python(self, value):
        try:
            return sorted({int(v) for v in value or []})
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class BulkForm(forms.Form):
    """One action on the selected queue rows."""

    ACTIONS = [
        ("assign", "Assign to"),
        ("team", "Hand to team"),
        ("no_reply", "No reply needed"),
        ("resolve", "Resolve (close)"),
    ]
    ids = IdListField(label="Messages")
    action = forms.ChoiceField(choices=ACTIONS)
    assignee = forms.ModelChoiceField(queryset=None, required=False, empty_label="(nobody)")
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, empty_label="(no team)"
    )
    outcome = forms.ModelChoiceField(queryset=Outcome.objects.filter(active=True), required=False)
    reason = forms.CharField(max_length=200, required=False)

    MAX_ROWS = 100

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_who_answer()
        self.fields["assignee"].label_from_instance = staff_label

    def clean_ids(self):
        ids = self.cleaned_data["ids"]
        if len(ids) > self.MAX_ROWS:
            raise forms.ValidationError(f"Choose at most {self.MAX_ROWS} messages at a time.")
        return ids

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "no_reply" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why no reply is needed.")
        if action == "resolve" and not data.get("outcome"):
            self.add_error("outcome", "Choose how the conversations ended.")
        return data
