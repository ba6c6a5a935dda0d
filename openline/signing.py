"""Signed webhooks, in and out: `X-Openline-Signature: sha256=<hex>`, an HMAC-SHA256 of the
raw body with a shared secret. Used by the inbound-mail and listening webhooks and by alerts."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Openline-Signature"


def signature(secret: str, body: bytes) -> str:
    """The header's value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, given: str) -> bool:
    """Whether `given` (the header as received) signs `body`; compared in constant time."""
    return hmac.compare_digest(signature(secret, body), given.strip())
