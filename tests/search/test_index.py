"""What is searchable, and the index following every change made through the services.

Only public, published conversations of the blog and community kinds, not merged away, with
their visible, non-internal messages. Private e-mail and mentions never.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Person
from community.services import start_topic
from conversations import cases, services
from conversations.models import Channel, Conversation, Kind, Message, Moderation
from tests.search.conftest import comment, publish


def test_private_email_and_mentions_are_never_found(ids, alex):
    person = Person.objects.create(display_name="Olga")
    services.receive_private_message(
        conversation=None, author=person, title="Secret zebra", body_md="My zebra account",
        channel=Channel.EMAIL,
    )  # fmt: skip
    mention = services.receive_private_message(
        conversation=None, author=person, title="Zebra mention", body_md="zebra on Mastodon",
        channel=Channel.MASTODON, kind=Kind.MENTION,
    )  # fmt: skip
    # Even made public by mistake, a mention is not a kind the site publishes for search.
    Conversation.objects.filter(pk=mention.conversation_id).update(
        is_public=True, published_at=timezone.now()
    )
    assert ids("zebra") == []


def test_internal_notes_are_never_found(known_issue, alex, ids):
    services.add_internal_note(known_issue, by=alex, body_md="Customer is a walrus expert")
    assert ids("walrus") == []


def test_a_held_message_is_found_once_approved(known_issue, newbie, mona, ids, engine):
    message = services.post_comment(known_issue, author=newbie.person, body_md="Ocelot ahoy")
    assert message.moderation == Moderation.HELD
    assert ids("ocelot") == []
    services.approve(message, by=mona)
    hit = engine.search("ocelot").hits[0]
    assert (hit.conversation_id, hit.message_id) == (known_issue.pk, message.pk)


def test_a_held_topic_is_found_once_approved(newbie, mona, deliveries, ids):
    topic = start_topic(
        kind=Kind.QUESTION, author=newbie.person, title="Platypus deliveries?",
        body_md="Do you deliver platypus food?", category=deliveries,
    )  # fmt: skip
    assert topic.published_at is None
    assert ids("platypus") == []
    services.approve(topic.messages.get(is_opening=True), by=mona)
    assert ids("platypus") == [topic.pk]


def test_a_draft_is_not_found_until_published(lionel, ids):
    draft = publish(lionel, "Narwhal news", "Coming soon.", draft=True)
    assert ids("narwhal") == []
    Conversation.objects.filter(pk=draft.pk).update(published_at=timezone.now())
    assert ids("narwhal") == [draft.pk]


def test_a_new_comment_is_found_at_once(known_issue, maria, ids):
    assert ids("flamingo") == []
    comment(known_issue, maria, "A flamingo took my parcel")
    assert ids("flamingo") == [known_issue.pk]


def test_an_edit_replaces_the_old_words(article, lionel, ids):
    services.edit_post(
        article, editor=lionel.person, title="How we wrap your order",
        body_md="Every parcel is wrapped in recycled kraft paper.",
    )  # fmt: skip
    assert ids("kraft") == [article.pk]
    assert ids("wrap") == [article.pk]
    assert ids("hand") == [] and ids("pack") == []


def test_a_removed_comment_is_no_longer_found(known_issue, maria_comment, mona, ids):
    assert ids("1042") == [known_issue.pk]
    services.remove(maria_comment, by=mona, reason="Spam")
    assert ids("1042") == []
    assert ids("motorway") == [known_issue.pk]  # the post itself still is


def test_a_hidden_message_is_no_longer_found(known_issue, maria_comment, ids):
    Message.objects.filter(pk=maria_comment.pk).update(moderation=Moderation.HIDDEN)
    assert ids("1042") == []
    Message.objects.filter(pk=maria_comment.pk).update(moderation=Moderation.VISIBLE)
    assert ids("1042") == [known_issue.pk]


def test_a_deleted_comment_or_conversation_is_no_longer_found(known_issue, maria_comment, ids):
    maria_comment.delete()
    assert ids("1042") == []
    known_issue.delete()
    assert ids("motorway") == []


def test_a_post_made_private_is_no_longer_found(article, ids):
    Conversation.objects.filter(pk=article.pk).update(is_public=False)
    assert ids("warehouse") == []


def test_a_merged_question_is_found_only_where_it_went(maria, sam, alex, deliveries, ids):
    kept = start_topic(
        kind=Kind.QUESTION, author=maria.person, title="Where is my heron?",
        body_md="Ordered a garden heron.", category=deliveries,
    )  # fmt: skip
    gone = start_topic(
        kind=Kind.QUESTION, author=sam.person, title="Heron statue missing",
        body_md="My statue of a heron never came. Order 77321.", category=deliveries,
    )  # fmt: skip
    for topic in (kept, gone):
        Message.objects.filter(conversation=topic).update(moderation=Moderation.VISIBLE)
        Conversation.objects.filter(pk=topic.pk).update(published_at=timezone.now())
    assert set(ids("heron")) == {kept.pk, gone.pk}
    cases.merge_conversations(gone, kept, by=alex)
    assert ids("heron") == [kept.pk]
    assert ids("77321") == [kept.pk]  # its messages moved along


def test_triggers_a_migration_dropped_are_put_back(known_issue, maria, ids):
    from django.db import connection

    from search.apps import restore_triggers

    assert restore_triggers() == []
    if connection.vendor == "postgresql":  # which keeps triggers when a table changes
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'search_%%'")
            assert cursor.fetchone()[0] == 5
        return
    with connection.cursor() as cursor:  # as SQLite's copy-and-drop of a changed table does
        cursor.execute("DROP TRIGGER search_message_insert")
        cursor.execute("DROP TRIGGER search_message_update")
    comment(known_issue, maria, "Unseen pelican")
    assert ids("pelican") == []
    assert restore_triggers() == ["search_message_insert", "search_message_update"]
    assert ids("pelican") == [known_issue.pk]  # rebuilt
    comment(known_issue, maria, "A cormorant now")
    assert ids("cormorant") == [known_issue.pk]
