"""The dashboard's filters, read from the query string (docs/insights.md)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.http import QueryDict

from insights.figures import Filters

DEFAULT_DAYS = 30
# Dates outside these make no sense for the figures (and the span before would not exist).
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _parse(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class FilterForm(forms.Form):
    """Dates (both included, local days) and optional channel, category, label, agent and
    team. Without dates: the last 30 days ending today. `own_agent`, when given, replaces
    the agent filter: the field is not offered and the figures are that user's."""

    start = forms.DateField(label="From", widget=DATE_WIDGET)
    end = forms.DateField(label="To", widget=DATE_WIDGET)
    channel = forms.ChoiceField(label="Channel", required=False)
    category = forms.TypedChoiceField(label="Category", coerce=int, empty_value=0, required=False)
    label = forms.TypedChoiceField(label="Label", coerce=int, empty_value=0, required=False)
    agent = forms.TypedChoiceField(label="Agent", coerce=int, empty_value=0, required=False)
    team = forms.TypedChoiceField(label="Team", coerce=int, empty_value=0, required=False)

    def __init__(self, params: QueryDict, *, choices: dict, today: date, own_agent: int = 0):
        data = params.copy()
        if not data.get("end"):
            data["end"] = today.isoformat()
        if not data.get("start"):
            end = _parse(data["end"])
            if end is None or not EARLIEST <= end <= LATEST:
                end = today  # the end's own error is shown; the start is still a date
            data["start"] = (end - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        super().__init__(data)
        self.own_agent = own_agent
        self.filters: Filters | None = None
        self.fields["channel"].choices = [("", "All channels"), *choices["channels"]]
        for name, plural in (
            ("category", "categories"),
            ("label", "labels"),
            ("agent", "agents"),
            ("team", "teams"),
        ):
            options = [(str(pk), text) for pk, text in choices[plural]]
            self.fields[name].choices = [("", f"All {plural}"), *options]
        if own_agent:
            del self.fields["agent"]

    def _in_range(self, name: str) -> date:
        value = self.cleaned_data[name]
        if not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(
                f"Choose a date between {EARLIEST:%-d %b %Y} and {LATEST:%-d %b %Y}."
            )
        return value

    def clean_start(self) -> date:
        return self._in_range("start")

    def clean_end(self) -> date:
        return self._in_range("end")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            return cleaned  # the date fields carry their own errors
        try:
            self.filters = Filters(
                start=start,
                end=end,
                channel=cleaned.get("channel") or "",
                category=cleaned.get("category") or 0,
                label=cleaned.get("label") or 0,
                agent=self.own_agent or cleaned.get("agent") or 0,
                team=cleaned.get("team") or 0,
            )
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned

    def query(self) -> dict[str, str]:
        """The filters of a valid form as query parameters, for links that keep them (the CSV
        downloads)."""
        f = self.filters
        params = {"start": f.start.isoformat(), "end": f.end.isoformat(), "channel": f.channel}
        params |= {"category": f.category, "label": f.label, "team": f.team}
        if not self.own_agent:
            params["agent"] = f.agent
        return {k: str(v) for k, v in params.items() if v}
