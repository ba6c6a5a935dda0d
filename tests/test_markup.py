from html.parser import HTMLParser

import pytest

from conversations.markup import plain_text, render_markdown


class Elements(HTMLParser):
    """The tags and attributes a browser would build from the HTML."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        "<style>body{display:none}</style>",
    ],
)
@pytest.mark.parametrize("trusted", [False, True])
def test_nothing_executable_survives(source, trusted):
    for tag, attrs in Elements(render_markdown(source, trusted=trusted)).found:
        assert tag not in ("script", "iframe", "style")
        assert not any(name.startswith("on") for name in attrs)
        assert not attrs.get("href", "").startswith("javascript")
        assert not attrs.get("src", "").startswith("javascript")


def test_customer_html_is_shown_as_text():
    assert render_markdown("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"


def test_staff_may_use_safe_inline_html():
    assert "<b>hi</b>" in render_markdown("<b>hi</b>", trusted=True)


def test_links_are_marked_user_generated():
    html = render_markdown("see https://example.com/a")
    assert 'href="https://example.com/a"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_markdown_features():
    html = render_markdown("**b** _i_ ~~s~~\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- x\n- y")
    for tag in ("<strong>", "<em>", "<s>", "<table>", "<li>"):
        assert tag in html


def test_broken_markdown_and_nul_bytes_do_not_raise():
    html = render_markdown("```\nno end\x00 [x](\n**")
    assert "no end" in html and "\x00" not in html


def test_plain_text_for_teasers():
    assert plain_text("<p>Hello &amp; <b>welcome</b></p>") == "Hello & welcome"
    assert plain_text("<p>one two three four</p>", limit=12) == "one two…"
