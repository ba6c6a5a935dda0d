"""The inbound-mail webhook, and what staff and customers may see of private conversations."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from conversations import services as conversation_services
from conversations.models import Attachment, Channel, Message
from mail.models import InboundEmail
from openline.signing import HEADER as SIGNATURE_HEADER
from openline.signing import signature

# Processing is queued when the delivery commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

RAW = (
    b"From: Sam Osei <sam@example.net>\r\nTo: support@larder.test\r\n"
    b"Subject: Missing oat milk\r\nMessage-ID: <sam-1@example.net>\r\n\r\n"
    b"My oat milk was missing from order 2210.\r\n"
)


def post(client, body, secret=settings.MAIL_WEBHOOK_SECRET, **headers):
    return client.post(
        "/mail/inbound/",
        data=body,
        content_type="message/rfc822",
        headers={SIGNATURE_HEADER: signature(secret, body), **headers},
    )


def test_a_signed_delivery_is_stored_once(client, db):
    first = post(client, RAW)
    assert first.status_code == 202
    assert first.json()["duplicate"] is False
    message = InboundEmail.objects.get().message
    assert message.channel == Channel.EMAIL
    assert message.author.display_name == "Sam Osei"
    again = post(client, RAW)
    assert again.status_code == 202 and again.json() == {
        "id": first.json()["id"],
        "duplicate": True,
    }
    assert Message.objects.count() == 1


def test_a_bad_signature_is_refused_and_nothing_is_kept(client, db):
    assert post(client, RAW, secret="guess").status_code == 403
    response = client.post("/mail/inbound/", data=RAW, content_type="message/rfc822")
    assert response.status_code == 403
    assert not InboundEmail.objects.exists()


def test_the_webhook_is_off_without_a_secret(client, db, settings):
    settings.MAIL_WEBHOOK_SECRET = ""
    assert post(client, RAW).status_code == 404


def test_too_large_and_empty_deliveries_are_refused(client, db, settings):
    settings.MAIL_MAX_BYTES = 100
    assert post(client, RAW).status_code == 413
    settings.MAIL_MAX_BYTES = 10_000
    assert post(client, b"  ").status_code == 400


@pytest.fixture
def email_message(client, db):
    post(client, RAW)
    return InboundEmail.objects.get().message


def test_staff_see_the_whole_private_conversation_with_notes(alex_client, alex, email_message):
    conversation = email_message.conversation
    conversation_services.add_internal_note(conversation, by=alex, body_md="Check the van.")
    page = alex_client.get(f"/staff/conversations/{conversation.pk}/").content.decode()
    assert "My oat milk was missing" in page
    assert "Check the van." in page and "Internal note" in page
    assert "sam@example.net" in page
    assert "Send reply" in page


@pytest.mark.parametrize("persona", ["client", "maria_client", "sam_client"])
def test_customers_never_see_private_conversations_or_notes(request, persona, alex, email_message):
    conversation = email_message.conversation
    conversation_services.add_internal_note(conversation, by=alex, body_md="Check the van.")
    browser = request.getfixturevalue(persona)
    assert browser.get(f"/staff/conversations/{conversation.pk}/").status_code in (302, 404)
    public = browser.get(conversation.get_absolute_url())
    assert b"Check the van." not in public.content
    assert b"My oat milk" not in public.content or persona == "sam_client"


def test_replying_and_noting_from_the_conversation_page(alex_client, email_message, mailoutbox):
    conversation = email_message.conversation
    url = f"/staff/conversations/{conversation.pk}/"
    done = alex_client.post(
        url + "reply/", {"body": "Hi Sam, refunded.", "reply_to": email_message.pk}
    )
    assert done.status_code == 302
    assert mailoutbox[-1].to == ["sam@example.net"]
    email_message.refresh_from_db()
    assert email_message.response_state == "answered"
    assert alex_client.post(url + "note/", {"body": "Refund 2.10"}).status_code == 302
    assert Message.objects.filter(conversation=conversation, internal=True).count() == 1
    assert len(mailoutbox) == 1
    refused = alex_client.post(url + "reply/", {"body": "x", "reply_to": 999999})
    assert refused.status_code == 400


def test_attachments_download_for_staff_only(alex_client, maria_client, email_message):
    item = Attachment.objects.create(
        message=email_message, filename="label.html", content_type="text/html", size=20,
        file=ContentFile(b"<script>alert(1)</script>", name="label.html"),
    )  # fmt: skip
    response = alex_client.get(f"/staff/attachments/{item.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert maria_client.get(f"/staff/attachments/{item.pk}/").status_code == 404
