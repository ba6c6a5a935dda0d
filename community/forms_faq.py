"""The FAQ entry form. Lengths and addresses are checked by `community.faq`, which words the
refusals; the form only parses."""

from __future__ import annotations

from django import forms

from community.faq import ANSWER_MAX, POSITION_MAX, QUESTION_MAX, SLUG_MAX
from conversations.models import Category


class FaqEntryForm(forms.Form):
    question = forms.CharField(
        strip=False,
        error_messages={"required": "Write the question first."},
        widget=forms.TextInput(attrs={"maxlength": QUESTION_MAX}),
        help_text=f"As a customer would ask it; up to {QUESTION_MAX} characters.",
    )
    answer = forms.CharField(
        strip=False,
        error_messages={"required": "Write the answer first."},
        widget=forms.Textarea(attrs={"rows": 12, "maxlength": ANSWER_MAX}),
        help_text=(
            f"Markdown: **bold**, _italic_, [links](https://example.com), lists. "
            f"Up to {ANSWER_MAX:,} characters."
        ),
    )
    category = forms.ModelChoiceField(
        Category.objects.all(),
        required=False,
        empty_label="(none: listed under Other questions)",
        help_text="The heading it is listed under on the FAQ page.",
    )
    position = forms.IntegerField(
        min_value=0,
        max_value=POSITION_MAX,
        initial=0,
        required=False,
        help_text="Lower numbers come first within a category; equal numbers go by question.",
    )
    slug = forms.CharField(
        label="Address",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": SLUG_MAX}),
        help_text="The end of the entry's address; made from the question when empty.",
    )
    published = forms.BooleanField(
        required=False, initial=True, label="Published: shown on the public FAQ"
    )

    def fields_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "question": data["question"],
            "answer_md": data["answer"],
            "category": data["category"],
            "position": data["position"] or 0,
            "published": data["published"],
            "slug": data["slug"],
        }


def initial_for(entry) -> dict:
    return {
        "question": entry.question,
        "answer": entry.answer_md,
        "category": entry.category_id,
        "position": entry.position,
        "slug": entry.slug,
        "published": entry.published,
    }
