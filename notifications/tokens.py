"""The one-click unsubscribe link of a notification e-mail: a person and a kind, signed.

Signed with SECRET_KEY (django.core.signing), so nothing is stored per e-mail and a link
cannot be altered to unsubscribe someone else. It only ever turns e-mail off, so it does
not expire: an old e-mail's link still works.
"""

from __future__ import annotations

from django.core import signing

from notifications.models import Kind

_SALT = "openline.notifications.unsubscribe"


def make(person_id: int, kind: str) -> str:
    return signing.Signer(salt=_SALT).sign_object([person_id, kind])


def read(token: str) -> tuple[int, str] | None:
    """(person id, kind), or None for a link that was not made here."""
    try:
        person_id, kind = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(person_id, int) or kind not in Kind.values:
        return None
    return person_id, kind
