"""The inbound-mail webhook: a mail provider or relay POSTs each raw message here."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from mail import services
from mail.models import InboundEmail
from openline import signing

SIGNATURE_HEADER = signing.HEADER


@csrf_exempt  # signed with a shared secret instead; no browser session is involved
@require_POST
def inbound(request):
    """POST the raw RFC 822 message as the body, signed: X-Openline-Signature: sha256=<hex>.

    202 when stored (or already stored: the same bytes are kept once), 403 for a bad signature,
    413 over the size limit. Disabled (404) until OPENLINE_MAIL_WEBHOOK_SECRET is set.
    """
    secret = settings.MAIL_WEBHOOK_SECRET
    if not secret:
        raise Http404("The inbound-mail webhook is not enabled.")
    length = int(request.headers.get("Content-Length") or 0)
    if length > settings.MAIL_MAX_BYTES:
        return JsonResponse({"error": "message too large"}, status=413)
    body = request.body
    if not signing.verify(secret, body, request.headers.get(SIGNATURE_HEADER, "")):
        return JsonResponse({"error": "bad or missing signature"}, status=403)
    if not body.strip():
        return JsonResponse({"error": "empty message"}, status=400)
    row, created = services.store(
        body,
        InboundEmail.Source.WEBHOOK,
        envelope_from=request.headers.get("X-Envelope-From", ""),
        envelope_to=[a for a in request.headers.get("X-Envelope-To", "").split(",") if a.strip()],
    )
    return JsonResponse({"id": row.pk, "duplicate": not created}, status=202)
