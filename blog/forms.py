from __future__ import annotations

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils import timezone

from accounts.models import Person
from conversations.forms import MessageForm
from conversations.models import Category, Kind, KnownIssueStatus
from conversations.services import TITLE_MAX


class CommentForm(MessageForm):
    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown works: **bold**, _italic_, [links](https://example.com), lists.",
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Left empty by people; bots fill every field.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class PostForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(Kind.ARTICLE, "Article"), (Kind.KNOWN_ISSUE, "Known issue")],
        widget=forms.RadioSelect,
    )
    title = forms.CharField(max_length=TITLE_MAX)
    summary = forms.CharField(
        max_length=300, required=False, help_text="Optional teaser; taken from the text if empty"
    )
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), max_length=200_000)
    category = forms.ModelChoiceField(
        Category.objects.all(), required=False, label="Department", empty_label="(none)"
    )
    labels = forms.CharField(required=False, help_text="Comma-separated, e.g. Delivery, App")
    guest_author = forms.ModelChoiceField(
        Person.objects.filter(is_guest_author=True),
        required=False,
        empty_label="(me)",
        label="Byline",
        help_text="Publish under a guest author's name and bio",
    )
    affected_area = forms.CharField(
        max_length=200, required=False, help_text="Known issues: what is affected, and where"
    )
    status = forms.ChoiceField(choices=KnownIssueStatus.choices, required=False)
    next_update_due = forms.DateTimeField(
        required=False,
        label="Next update by",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=f"Time zone: {settings.TIME_ZONE}",
    )
    draft = forms.BooleanField(required=False, label="Save as a draft")

    def __init__(self, *args, suggest: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if suggest:
            # Offer published posts on the same subject while the title is typed.
            self.fields["title"].widget.attrs.update(
                {
                    "hx-get": reverse_lazy("blog:similar_posts"),
                    "hx-trigger": "input changed delay:400ms",
                    "hx-target": "#similar-posts",
                    "hx-sync": "this:replace",
                    "autocomplete": "off",
                }
            )

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.KNOWN_ISSUE and not (data.get("affected_area") or "").strip():
            self.add_error("affected_area", "Say what the known issue affects.")
        due = data.get("next_update_due")
        if due is not None and due <= timezone.now():
            self.add_error("next_update_due", "Promise a time in the future.")
        return data

    def label_names(self) -> list[str]:
        return [n for n in (self.cleaned_data.get("labels") or "").split(",") if n.strip()]


class StatusUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=KnownIssueStatus.choices)
    body = forms.CharField(
        label="What changed", widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000
    )
    next_update_due = forms.DateTimeField(
        required=False,
        label="Next update by",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=f"Leave empty when resolved. Time zone: {settings.TIME_ZONE}",
    )

    def clean(self):
        data = super().clean()
        due = data.get("next_update_due")
        if due is not None and due <= timezone.now():
            self.add_error("next_update_due", "Promise a time in the future.")
        if data.get("status") != KnownIssueStatus.RESOLVED and due is None:
            self.add_error("next_update_due", "Promise when the next update comes.")
        return data
