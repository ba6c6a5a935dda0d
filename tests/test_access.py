"""The access helpers: 404 when absent or unseen, 403 when seen but not allowed."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from conversations import services
from conversations.access import (
    get_conversation_for_user,
    get_message_for_staff,
    get_reply_target,
)
from conversations.models import Kind


@pytest.fixture
def draft(lionel):
    return services.publish_post(
        author=lionel.person, kind=Kind.ARTICLE, title="Draft", body_md="x", draft=True
    )


def test_published_posts_are_for_everyone(article):
    assert get_conversation_for_user(AnonymousUser(), article.slug) == article


def test_drafts_for_staff_and_their_author(draft, maria, alex, lionel):
    with pytest.raises(Http404):
        get_conversation_for_user(AnonymousUser(), draft.slug)
    with pytest.raises(Http404):
        get_conversation_for_user(maria, draft.slug)
    assert get_conversation_for_user(alex, draft.slug) == draft
    assert get_conversation_for_user(lionel, draft.slug, write=True) == draft


def test_private_conversation_for_its_customer(article, maria, sam):
    article.is_public = False
    article.author = maria.person
    article.save()
    assert get_conversation_for_user(maria, article.slug) == article
    with pytest.raises(Http404):
        get_conversation_for_user(sam, article.slug)


def test_write_needs_publish(article, alex, maria):
    with pytest.raises(PermissionDenied):
        get_conversation_for_user(alex, article.slug, write=True)
    with pytest.raises(PermissionDenied):
        get_conversation_for_user(maria, article.slug, write=True)


def test_unknown_slug(db):
    with pytest.raises(Http404):
        get_conversation_for_user(AnonymousUser(), "nope")


def test_message_for_staff(maria_comment, maria, alex, mona):
    assert get_message_for_staff(alex, maria_comment.pk) == maria_comment
    with pytest.raises(Http404):
        get_message_for_staff(maria, maria_comment.pk)
    with pytest.raises(Http404):
        get_message_for_staff(AnonymousUser(), maria_comment.pk)
    with pytest.raises(Http404):
        get_message_for_staff(alex, 999_999)
    with pytest.raises(PermissionDenied):
        get_message_for_staff(alex, maria_comment.pk, capability="moderate")
    assert get_message_for_staff(mona, maria_comment.pk, capability="moderate") == maria_comment


def test_reply_target(known_issue, article, maria_comment, newbie, maria, alex):
    assert get_reply_target(maria, known_issue, "") is None
    assert get_reply_target(maria, known_issue, str(maria_comment.pk)) == maria_comment
    for bad in ("abc", "999999"):
        with pytest.raises(Http404):
            get_reply_target(maria, known_issue, bad)
    with pytest.raises(Http404):  # a message of another conversation
        get_reply_target(maria, article, maria_comment.pk)
    held = services.post_comment(known_issue, author=newbie.person, body_md="first")
    with pytest.raises(Http404):
        get_reply_target(maria, known_issue, held.pk)
    assert get_reply_target(alex, known_issue, held.pk) == held
    internal = services.post_comment(known_issue, author=alex.person, body_md="note")
    internal.internal = True
    internal.save()
    with pytest.raises(Http404):
        get_reply_target(alex, known_issue, internal.pk)
