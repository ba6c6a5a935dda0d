"""Every list page costs the same number of queries however long the list is."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Person
from accounts.services import add_identity
from conversations import services
from conversations.models import Kind, Moderation


@pytest.fixture(autouse=True)
def _uncached(settings):
    """Count what rendering costs, not what the anonymous page cache saves."""
    settings.PAGE_CACHE_SECONDS = 0


def add_posts(lionel, n):
    for i in range(n):
        kind = Kind.KNOWN_ISSUE if i % 2 else Kind.ARTICLE
        services.publish_post(
            author=lionel.person,
            kind=kind,
            title=f"Post {i}",
            body_md="Body",
            affected_area="Area" if kind == Kind.KNOWN_ISSUE else "",
            labels=services.labels_from_names(["Delivery", f"L{i}"]),
        )


def add_comments(conversation, n, staff=None):
    start = timezone.now() - timedelta(hours=n)
    for i in range(n):
        person = Person.objects.create(display_name=f"Customer {i}")
        add_identity(person, "email", f"c{i}@example.com")
        message = services.post_comment(
            conversation, author=person, body_md=f"Comment {i}", at=start + timedelta(minutes=i)
        )
        if message.moderation == Moderation.HELD:
            message.moderation = Moderation.VISIBLE
            message.save(update_fields=["moderation"])
        if staff and i % 3 == 0:
            services.answer(message, by=staff, body_md=f"Answer {i}", at=message.created_at)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/", "/known-issues/", "/labels/delivery/", "/feed/atom/", "/feed/rss/", "/sitemap.xml"]
)
def test_public_lists_are_constant(client, lionel, url):
    add_posts(lionel, 2)
    few = count_queries(client, url)
    add_posts(lionel, 12)
    many = count_queries(client, url)
    assert few == many
    assert many <= 6


def test_post_page_is_constant_in_comments(client, maria_client, known_issue, lionel, alex):
    services.post_status_update(
        known_issue, author=lionel.person, status="identified", body_md="x",
        next_update_due=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    url = known_issue.get_absolute_url()
    add_comments(known_issue, 3, staff=alex)
    few_anon, few_member = count_queries(client, url), count_queries(maria_client, url)
    add_comments(known_issue, 40, staff=alex)
    assert count_queries(client, url) == few_anon <= 6
    assert count_queries(maria_client, url) == few_member <= 11


def test_comment_feed_is_constant(client, known_issue):
    add_comments(known_issue, 2)
    url = f"/posts/{known_issue.slug}/comments/atom/"
    few = count_queries(client, url)
    add_comments(known_issue, 20)
    assert count_queries(client, url) == few <= 4


def test_staff_queue_is_constant(alex_client, known_issue, article):
    add_comments(known_issue, 2)
    few = count_queries(alex_client, "/staff/queue/")
    add_comments(article, 30)
    # session, user, count, page, and five short lists for the filters and the bulk form
    assert count_queries(alex_client, "/staff/queue/") == few <= 10


def test_queue_is_oldest_first(alex_client, known_issue):
    add_comments(known_issue, 3)
    html = alex_client.get("/staff/queue/").content.decode()
    assert html.index("Comment 0") < html.index("Comment 1") < html.index("Comment 2")


def test_staff_conversation_page_is_constant(alex_client, alex, known_issue):
    add_comments(known_issue, 2, staff=alex)
    services.add_internal_note(known_issue, by=alex, body_md="Note")
    url = f"/staff/conversations/{known_issue.pk}/"
    few = count_queries(alex_client, url)
    add_comments(known_issue, 25, staff=alex)
    # the thread and its attachments; the customer's identities and other conversations;
    # canned replies; ratings; history; the choices of the desk and resolve forms
    assert count_queries(alex_client, url) == few <= 16
