"""The built-in SMTP listener (`openline smtpd`), on aiosmtpd.

It accepts mail for the support address and its plus-addressed variants (the reply tokens),
refuses to relay anything else, and answers 250 only once the raw message is stored. When the
database cannot take it (locked, gone), it answers 451 so the sending server tries again later:
a message is either stored or still the sender's to retry, never lost in between.
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import connections

from mail import services
from mail.models import InboundEmail

log = logging.getLogger(__name__)


def accepts(address: str) -> bool:
    """The support address itself, or support+anything at the same domain."""
    local, _, domain = address.strip().lower().rpartition("@")
    support_local, _, support_domain = settings.SUPPORT_EMAIL.rpartition("@")
    return domain == support_domain and local.partition("+")[0] == support_local


def _store(raw: bytes, envelope_from: str, recipients: list[str]) -> None:
    """Runs in an executor thread, with that thread's own database connection, closed after
    each message: the thread pool outlives requests, and an idle connection left in a pooled
    thread would be held until the process ends."""
    try:
        services.store(
            raw, InboundEmail.Source.SMTP, envelope_from=envelope_from, envelope_to=recipients
        )
    finally:
        connections.close_all()


class Handler:
    async def handle_RCPT(self, server, session: Session, envelope: Envelope, address, options):
        if not accepts(address):
            return "550 5.7.1 Relaying denied: not a mailbox of this site"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(
                None, _store, raw, envelope.mail_from or "", list(envelope.rcpt_tos)
            )
        except Exception:
            log.exception("could not store a message from %s", envelope.mail_from)
            return "451 4.3.0 Could not store the message now; please try again later"
        return "250 2.0.0 Message accepted"


def controller(host: str | None = None, port: int | None = None) -> Controller:
    return Controller(
        Handler(),
        hostname=host or settings.SMTPD_HOST,
        port=settings.SMTPD_PORT if port is None else port,
        data_size_limit=settings.MAIL_MAX_BYTES,
        decode_data=False,
        server_hostname=settings.SUPPORT_EMAIL_DOMAIN,
        ident="Openline",
    )
