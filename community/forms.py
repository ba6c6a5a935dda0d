from __future__ import annotations

from django import forms

from blog.forms import CommentForm
from conversations.forms import MessageForm
from conversations.models import Category, Kind
from conversations.services import TITLE_MAX

KIND_WORDS = {
    Kind.DISCUSSION: ("Start a discussion", "Your post", "Start the discussion"),
    Kind.QUESTION: ("Ask a question", "Details", "Ask"),
    Kind.IDEA: ("Suggest an idea", "Describe the idea", "Suggest it"),
}


class ReplyForm(CommentForm):
    """A reply on a community topic: the comment form with its own wording."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = "Your reply"


class TopicForm(MessageForm):
    title = forms.CharField(
        max_length=TITLE_MAX,
        help_text="One line that says what it is about; we show similar ones as you type.",
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, empty_label="(none)"
    )
    # Left empty by people; bots fill every field.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    field_order = ["title", "body", "category"]

    def __init__(self, *args, kind: str = Kind.DISCUSSION, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["autocomplete"] = "off"
        self.fields["body"].label = KIND_WORDS[kind][1]
        self.fields["body"].help_text = "Markdown works: **bold**, _italic_, [links](https://…)."

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))
