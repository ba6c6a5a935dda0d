from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from conversations.models import Category
from moderation.models import FLAG_NOTE_MAX, FlagReason, TrustLevel
from moderation.services import REASON_MAX


class FlagForm(forms.Form):
    """What the flag page shows. The view hands the raw values to `services.flag_message`,
    which words every refusal (an unknown reason, a note too long)."""

    reason = forms.ChoiceField(
        label="Why should a moderator look at this post?",
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note for the moderators (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": FLAG_NOTE_MAX}),
        help_text=f"Up to {FLAG_NOTE_MAX} characters; needed for “Something else”.",
    )


class EditForm(forms.Form):
    body = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 12}), strip=False)
    reason = forms.CharField(
        label="Reason for the edit",
        max_length=REASON_MAX,
        help_text="Shown to readers in the post's history.",
    )


class MoveForm(forms.Form):
    category = forms.ModelChoiceField(Category.objects.all(), label="Move to", empty_label=None)


DURATIONS = [
    ("1h", "1 hour"),
    ("1d", "1 day"),
    ("3d", "3 days"),
    ("7d", "1 week"),
    ("30d", "30 days"),
    ("90d", "90 days"),
    ("365d", "1 year"),
]
_STEPS = {"h": timedelta(hours=1), "d": timedelta(days=1)}


class SanctionForm(forms.Form):
    action = forms.ChoiceField(
        label="Sanction",
        choices=[
            ("silence", "Silence: reads, cannot post"),
            ("suspend", "Suspend: cannot sign in"),
        ],
        widget=forms.RadioSelect,
        initial="silence",
    )
    duration = forms.ChoiceField(label="For", choices=DURATIONS, initial="1d")
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX,
        help_text="The member sees it when a post is refused.",
    )

    def until(self):
        value = self.cleaned_data["duration"]
        return timezone.now() + int(value[:-1]) * _STEPS[value[-1]]


class TrustForm(forms.Form):
    level = forms.ChoiceField(
        label="Trust level",
        choices=[
            ("auto", "Follow activity"),
            *[(str(v), f"{v}: {n}") for v, n in TrustLevel.choices],
        ],
    )

    def chosen(self) -> int | None:
        value = self.cleaned_data["level"]
        return None if value == "auto" else int(value)


# "Spam" in the queue may also silence the author for this many days.
SILENCE_DAYS = [
    ("0", "Do not silence"),
    ("1", "Silence 1 day"),
    ("7", "Silence 1 week"),
    ("30", "Silence 30 days"),
]
