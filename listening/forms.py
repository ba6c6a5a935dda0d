from django import forms

from listening.models import Query, SourceKind, ToInbox

CONFIG_FIELDS = {
    SourceKind.FEED: ["url"],
    SourceKind.MASTODON: ["instance", "tag", "account", "token"],
    SourceKind.BLUESKY: ["query", "service", "identifier", "app_password"],
    SourceKind.WEBHOOK: [],
    SourceKind.IMPORT: [],
}


class SourceForm(forms.Form):
    """One form for every kind; the fields a kind does not use are ignored."""

    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=SourceKind.choices)
    url = forms.CharField(
        label="Feed address", max_length=1000, required=False,
        help_text="RSS or Atom: a blog, a Reddit search (…/search.rss?q=larder), a Mastodon "
        "tag feed (…/tags/larder.rss), an alert service",
    )  # fmt: skip
    instance = forms.CharField(
        label="Mastodon server", max_length=200, required=False,
        help_text="e.g. https://mastodon.social",
    )  # fmt: skip
    tag = forms.CharField(
        label="Hashtag", max_length=100, required=False, help_text="Without #; or an account"
    )
    account = forms.CharField(
        label="Account", max_length=200, required=False, help_text="e.g. larder@mastodon.social"
    )
    token = forms.CharField(
        label="Access token", max_length=500, required=False,
        help_text="Only if the server asks for one", widget=forms.PasswordInput(render_value=True),
    )  # fmt: skip
    query = forms.CharField(
        label="Bluesky search", max_length=300, required=False, help_text="e.g. larder"
    )
    service = forms.CharField(
        label="Bluesky service", max_length=200, required=False,
        help_text="Empty: the public AppView",
    )  # fmt: skip
    identifier = forms.CharField(
        label="Bluesky handle", max_length=200, required=False, help_text="To search signed in"
    )
    app_password = forms.CharField(
        label="Bluesky app password", max_length=200, required=False,
        widget=forms.PasswordInput(render_value=True),
    )  # fmt: skip
    keep_all = forms.BooleanField(
        label="Store every item", required=False,
        help_text="Unticked, only items that match an active query are stored",
    )  # fmt: skip
    poll_minutes = forms.IntegerField(
        label="Poll every (minutes)", min_value=1, max_value=24 * 60, initial=15
    )
    active = forms.BooleanField(label="Active", required=False, initial=True)

    def config(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name].strip()
            for name in CONFIG_FIELDS[data["kind"]]
            if data.get(name, "").strip()
        }

    @classmethod
    def initial_for(cls, source) -> dict:
        return {
            "name": source.name, "kind": source.kind, "keep_all": source.keep_all,
            "poll_minutes": source.poll_minutes, "active": source.active, **source.config,
        }  # fmt: skip


class QueryForm(forms.Form):
    name = forms.CharField(max_length=120)
    text = forms.CharField(
        label="Query",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=Query._meta.get_field("text").help_text,
    )
    to_inbox = forms.ChoiceField(
        label="Send matches to the inbox", choices=ToInbox.choices, initial=ToInbox.RULES
    )
    active = forms.BooleanField(required=False, initial=True)


class AnsweredForm(forms.Form):
    url = forms.CharField(
        label="Link to your answer",
        max_length=1000,
        help_text="Where you answered: the reply on Mastodon, the comment on Reddit …",
    )
    body = forms.CharField(
        label="What you wrote (optional)",
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
