from datetime import timedelta

import feedparser
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conversations import services
from conversations.models import Kind, KnownIssueStatus, Message, Moderation, Subscription


def post_url(conversation):
    return reverse("blog:post", args=[conversation.slug])


def comment_url(conversation):
    return reverse("blog:comment", args=[conversation.slug])


# --- Reading ---------------------------------------------------------------------------


def test_home_lists_posts_and_open_known_issues(client, article, known_issue):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert article.title in html and known_issue.title in html
    assert "Known issues we are working on" in html


def test_post_page_shows_body_byline_comments_and_open_graph(client, known_issue, maria_comment):
    html = client.get(post_url(known_issue)).content.decode()
    assert "A storm closed the motorway" in html
    assert "Lionel M.</strong>, Chief Blogger" in html
    assert "Where is my parcel?" in html
    assert '<meta property="og:title" content="Deliveries to the north are running late">' in html
    assert "Next update by" in html
    assert 'datetime="' in html and "data-relative" in html
    assert "Sign in</a> or <a" in html  # anonymous visitors are invited to join


def test_overdue_promise_is_flagged(client, known_issue):
    issue = known_issue.known_issue
    issue.next_update_due = timezone.now() - timedelta(minutes=5)
    issue.save()
    html = client.get(post_url(known_issue)).content.decode()
    assert "promise-overdue" in html and "We promised an update by this time and are late" in html


def test_timeline_shows_updates_newest_first(client, known_issue, lionel):
    for status, text in [("identified", "Cause found"), ("monitoring", "Trucks moving")]:
        services.post_status_update(
            known_issue,
            author=lionel.person,
            status=status,
            body_md=text,
            next_update_due=timezone.now() + timedelta(hours=3),
        )
    html = client.get(post_url(known_issue)).content.decode()
    assert html.index("Trucks moving") < html.index("Cause found")


def test_unknown_slug_is_404(client, db):
    assert client.get("/posts/no-such-post/").status_code == 404
    assert client.get("/labels/nope/").status_code == 404
    assert client.get("/departments/nope/").status_code == 404


def test_bad_page_number_is_404(client, article):
    assert client.get("/?page=abc").status_code == 404
    assert client.get("/?page=99").status_code == 404


def test_drafts_are_only_for_staff(client, maria_client, alex_client, lionel):
    draft = services.publish_post(
        author=lionel.person, kind=Kind.ARTICLE, title="Secret", body_md="x", draft=True
    )
    assert client.get(post_url(draft)).status_code == 404
    assert maria_client.get(post_url(draft)).status_code == 404
    assert alex_client.get(post_url(draft)).status_code == 200
    assert "Secret" not in client.get("/").content.decode()


def test_held_comment_visible_to_its_author_only(newbie, newbie_client, client, known_issue):
    services.post_comment(known_issue, author=newbie.person, body_md="My very first words")
    assert "My very first words" in newbie_client.get(post_url(known_issue)).content.decode()
    assert "Awaiting moderation" in newbie_client.get(post_url(known_issue)).content.decode()
    assert "My very first words" not in client.get(post_url(known_issue)).content.decode()


def test_label_and_category_lists(client, article, known_issue):
    html = client.get("/labels/delivery/").content.decode()
    assert known_issue.title in html and article.title not in html
    from conversations.models import Category

    category = Category.objects.create(name="Warehouse", slug="warehouse")
    article.category = category
    article.save()
    html = client.get("/departments/warehouse/").content.decode()
    assert article.title in html and known_issue.title not in html


def test_known_issues_page_splits_open_and_resolved(client, known_issue, lionel):
    fixed = services.publish_post(
        author=lionel.person,
        kind=Kind.KNOWN_ISSUE,
        title="App login failures",
        body_md="x",
        affected_area="App",
    )
    services.post_status_update(fixed, author=lionel.person, status="resolved", body_md="Fixed")
    html = client.get("/known-issues/").content.decode()
    open_part, resolved_part = html.split('id="resolved-h"')
    assert known_issue.title in open_part and fixed.title in resolved_part


# --- Commenting -------------------------------------------------------------------------


def test_comment_requires_sign_in(client, known_issue):
    response = client.post(comment_url(known_issue), {"body": "hi"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Message.objects.filter(body_md="hi").exists()


def test_comment_wrong_method(maria_client, known_issue):
    assert maria_client.get(comment_url(known_issue)).status_code == 405


def test_customer_comments_and_is_redirected_to_it(maria_client, maria_comment, known_issue):
    response = maria_client.post(
        comment_url(known_issue), {"body": "Still nothing", "idempotency_key": "a1"}
    )
    message = Message.objects.get(body_md="Still nothing")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#m{message.pk}")
    assert message.response_state == "awaiting"


def test_first_comment_is_held_with_a_notice(newbie_client, known_issue):
    response = newbie_client.post(comment_url(known_issue), {"body": "Hi all"}, follow=True)
    assert "will appear once a moderator has seen it" in response.content.decode()
    assert Message.objects.get(body_md="Hi all").moderation == Moderation.HELD


def test_htmx_comment_returns_the_new_comment_and_a_fresh_form(
    maria_client, maria_comment, known_issue
):
    response = maria_client.post(
        comment_url(known_issue), {"body": "Via htmx"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Via htmx" in html and 'hx-swap-oob="outerHTML"' in html
    assert "Stop e-mails about this post" in html  # commenting follows the post


def test_honeypot_rejects_bots_and_stores_nothing(maria_client, known_issue):
    response = maria_client.post(
        comment_url(known_issue), {"body": "Buy now", "website": "http://spam.example"}
    )
    assert response.status_code == 400
    assert not Message.objects.filter(body_md="Buy now").exists()


def test_oversized_comment_gets_a_clear_error_and_keeps_the_text(
    maria_client, known_issue, settings
):
    settings.COMMENT_MAX_LENGTH = 200
    response = maria_client.post(comment_url(known_issue), {"body": "y" * 201})
    html = response.content.decode()
    assert response.status_code == 400
    assert "at most 200 characters" in html
    assert "y" * 201 in html  # nothing the customer typed is lost
    assert not known_issue.messages.filter(is_opening=False).exists()


def test_empty_comment_is_an_error(maria_client, known_issue):
    response = maria_client.post(comment_url(known_issue), {"body": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_broken_markdown_is_stored_safely(maria_client, maria_comment, known_issue):
    body = "```\nunclosed fence\n<img src=x onerror=alert(1)> **half"
    assert maria_client.post(comment_url(known_issue), {"body": body}).status_code == 302
    message = Message.objects.get(body_md=body)
    assert "onerror" not in message.body_html.replace("onerror=alert", "")  # only as text
    assert "<img" not in message.body_html


def test_double_submit_stores_one_comment(maria_client, maria_comment, known_issue):
    data = {"body": "Twice?", "idempotency_key": "same-key"}
    first = maria_client.post(comment_url(known_issue), data)
    second = maria_client.post(comment_url(known_issue), data)
    assert first["Location"] == second["Location"]
    assert Message.objects.filter(body_md="Twice?").count() == 1


def test_reply_to_unknown_message_is_404(maria_client, known_issue):
    response = maria_client.post(comment_url(known_issue), {"body": "x", "reply_to": "999999"})
    assert response.status_code == 404


def test_rate_limited_comment_is_429(maria_client, maria_comment, known_issue, settings):
    settings.COMMENT_RATE_LIMIT = "1/m"
    assert maria_client.post(comment_url(known_issue), {"body": "one"}).status_code == 302
    response = maria_client.post(comment_url(known_issue), {"body": "two"})
    assert response.status_code == 429
    assert "Too many posts" in response.content.decode()
    assert not Message.objects.filter(body_md="two").exists()


# --- Subscriptions ------------------------------------------------------------------------


def test_subscribe_and_stop(maria_client, maria, article):
    url = reverse("blog:subscribe", args=[article.slug])
    maria_client.post(url)
    assert Subscription.objects.filter(person=maria.person, conversation=article).exists()
    maria_client.post(url, {"action": "unsubscribe"})
    assert not Subscription.objects.filter(person=maria.person, conversation=article).exists()


def test_subscribe_needs_sign_in_and_post(client, maria_client, article):
    url = reverse("blog:subscribe", args=[article.slug])
    assert client.post(url).status_code == 302
    assert maria_client.get(url).status_code == 405


def test_one_click_unsubscribe(maria_comment, maria):
    sub = Subscription.objects.get(person=maria.person)
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/unsubscribe/{sub.token}/")
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    assert Subscription.objects.filter(pk=sub.pk).exists()  # a GET changes nothing
    response = client.post(f"/unsubscribe/{sub.token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.filter(pk=sub.pk).exists()
    assert "already" in client.get(f"/unsubscribe/{sub.token}/").content.decode()


# --- Feeds and sitemap ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/feed/atom/", "/feed/rss/", "/labels/delivery/feed/atom/"])
def test_feeds_parse_cleanly(client, article, known_issue, path):
    response = client.get(path)
    feed = feedparser.parse(response.content)
    assert response.status_code == 200
    assert not feed.bozo, feed.get("bozo_exception")
    titles = [entry.title for entry in feed.entries]
    assert f"Known issue: {known_issue.title}" in titles
    entry = next(e for e in feed.entries if e.title.endswith(known_issue.title))
    assert entry.link.endswith(post_url(known_issue))
    assert "storm closed the motorway" in entry.summary


def test_comment_feed(client, known_issue, maria_comment):
    for path in ("comments_atom", "comments_rss"):
        feed = feedparser.parse(
            client.get(reverse(f"blog:{path}", args=[known_issue.slug])).content
        )
        assert not feed.bozo
        assert [e.title for e in feed.entries] == [f"Maria Keller on {known_issue.title}"]


def test_sitemap_lists_published_posts(client, article, lionel):
    services.publish_post(
        author=lionel.person, kind=Kind.ARTICLE, title="Hidden", body_md="x", draft=True
    )
    xml = client.get("/sitemap.xml").content.decode()
    assert post_url(article) in xml and "hidden" not in xml


# --- Staff pages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("maria_client", 403),
        ("alex_client", 403),
        ("mona_client", 403),
        ("lionel_client", 200),
        ("ada_client", 200),
    ],
)
def test_who_may_write_posts(request, persona, status):
    client = request.getfixturevalue(persona)
    assert client.get(reverse("blog:new_post")).status_code == status


def test_anonymous_writer_is_sent_to_sign_in(client, db):
    response = client.get(reverse("blog:new_post"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_blogger_publishes_a_known_issue(lionel_client):
    due = (timezone.localtime() + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
    response = lionel_client.post(
        reverse("blog:new_post"),
        {
            "kind": "known_issue",
            "title": "Card payments failing",
            "body": "Some card payments fail at checkout.",
            "labels": "Payments, App",
            "affected_area": "Checkout",
            "status": "investigating",
            "next_update_due": due,
        },
    )
    assert response.status_code == 302
    from conversations.models import Conversation

    post = Conversation.objects.get(title="Card payments failing")
    assert post.known_issue.affected_area == "Checkout"
    assert sorted(label.slug for label in post.labels.all()) == ["app", "payments"]


def test_post_form_errors_keep_input(lionel_client):
    response = lionel_client.post(
        reverse("blog:new_post"), {"kind": "known_issue", "title": "T" * 201, "body": "x"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what the known issue affects." in html
    from conversations.models import Conversation

    assert not Conversation.objects.exists()


def test_status_update_form(lionel_client, alex_client, maria_client, known_issue, article):
    url = reverse("blog:add_update", args=[known_issue.slug])
    assert maria_client.get(url).status_code == 403
    assert alex_client.get(url).status_code == 403
    assert lionel_client.get(reverse("blog:add_update", args=[article.slug])).status_code == 403
    missing_promise = lionel_client.post(url, {"status": "identified", "body": "Found it"})
    assert missing_promise.status_code == 400
    assert "Promise when the next update comes." in missing_promise.content.decode()
    response = lionel_client.post(url, {"status": "resolved", "body": "All done"})
    assert response.status_code == 302
    known_issue.known_issue.refresh_from_db()
    assert known_issue.known_issue.status == KnownIssueStatus.RESOLVED


def test_edit_post(lionel_client, maria_client, article):
    url = reverse("blog:edit_post", args=[article.slug])
    assert maria_client.post(url, {}).status_code == 403
    assert lionel_client.get(url).status_code == 200
    response = lionel_client.post(
        url, {"kind": "article", "title": "Packed with care", "body": "New body", "labels": ""}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Packed with care"


def test_message_permalink(client, maria_comment, alex_client):
    response = client.get(reverse("blog:message", args=[maria_comment.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"#m{maria_comment.pk}")
    maria_comment.internal = True
    maria_comment.save()
    assert client.get(reverse("blog:message", args=[maria_comment.pk])).status_code == 404
    assert client.get(reverse("blog:message", args=[987654])).status_code == 404


def test_blogger_publishes_under_a_guest_byline(lionel_client, client):
    from accounts.services import create_guest_author

    guest = create_guest_author("Dr. Ruth Baker", "Food scientist at the University of Leeds.")
    response = lionel_client.post(
        reverse("blog:new_post"),
        {
            "kind": "article",
            "title": "Why bread goes stale",
            "body": "Starch.",
            "guest_author": guest.pk,
        },
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Dr. Ruth Baker" in html and "Guest author" in html
    assert "Food scientist at the University of Leeds." in html


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_htmx_comment_on_a_closed_post_explains_in_the_form(maria_client, known_issue):
    known_issue.comments_open = False
    known_issue.save()
    response = maria_client.post(
        comment_url(known_issue), {"body": "Hello?"}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Retarget"] == "#comment-form"
    html = response.content.decode()
    assert "Comments are closed on this post." in html and "Hello?" in html
    assert not Message.objects.filter(body_md="Hello?").exists()


def test_subscribing_without_an_address_says_so(article, db):
    from accounts.models import User
    from accounts.services import person_for_user

    user = User.objects.create_user(username="noaddress", password="x")
    person_for_user(user)
    client = Client()
    client.force_login(user)
    response = client.post(reverse("blog:subscribe", args=[article.slug]), follow=True)
    assert "Add an e-mail address to your account to subscribe." in response.content.decode()
    assert not Subscription.objects.exists()


def test_edit_known_issue_changes_the_affected_area(lionel_client, known_issue):
    response = lionel_client.post(
        reverse("blog:edit_post", args=[known_issue.slug]),
        {"kind": "known_issue", "title": known_issue.title, "body": "x", "affected_area": "All UK"},
    )
    assert response.status_code == 302
    known_issue.known_issue.refresh_from_db()
    assert known_issue.known_issue.affected_area == "All UK"


def test_permalink_finds_the_page_of_a_reply(
    client, known_issue, maria, maria_comment, monkeypatch
):
    from blog import views

    monkeypatch.setattr(views, "COMMENTS_PER_PAGE", 2)
    replies = [
        services.post_comment(known_issue, author=maria.person, body_md=f"r{n}") for n in range(3)
    ]
    first = client.get(reverse("blog:message", args=[maria_comment.pk]))
    last = client.get(reverse("blog:message", args=[replies[-1].pk]))
    assert first["Location"].endswith(f"{post_url(known_issue)}#m{maria_comment.pk}")
    assert last["Location"].endswith(f"{post_url(known_issue)}?page=2#m{replies[-1].pk}")
