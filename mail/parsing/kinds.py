"""Is this a customer writing, or a machine: an auto-reply, a bounce, or our own mail
coming back in a loop?"""

from __future__ import annotations

import re

from .headers import _Headers, _id_list
from .mime import _Body

_AUTO_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|auto:|autoreply"
    r"|abwesenheitsnotiz|automatische antwort|r[ée]ponse automatique|absence du bureau"
    r"|respuesta autom[áa]tica|risposta automatica|automatisch antwoord)",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered mail|returned mail|delivery status notification"
    r"|delivery (has )?fail|mail delivery fail|failure notice|could not be delivered"
    r"|unzustellbar|non remis|delivery problem",
    re.IGNORECASE,
)


def _domain_is_ours(domain: str, own_domains: tuple[str, ...]) -> bool:
    domain = domain.lower().strip(".")
    return any(domain == d or domain.endswith("." + d) for d in own_domains)


def _names_us(value: str, own_domains: tuple[str, ...]) -> bool:
    words = re.findall(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", value[:1000].lower())
    return any(_domain_is_ours(w, own_domains) for w in words)


def _first_token(value: str | None) -> str:
    return re.split(r"[;(\s]", (value or "").strip().lower(), maxsplit=1)[0]


def _kind(
    headers: _Headers, body: _Body, *, subject, from_address, from_local, own_domains, loop_header
) -> str:
    auto_submitted = headers.first("auto-submitted")
    is_auto_submitted = auto_submitted is not None and _first_token(auto_submitted) != "no"

    # Our own notifications coming back must never open a conversation.
    if headers.has(loop_header):
        return "loop"
    loop_values = headers.values("x-loop") + headers.values("x-openline-loop")
    if any(_names_us(v, own_domains) for v in loop_values):
        return "loop"

    # Bounces come before the own-domain rule: our MTA's bounces carry our domain too.
    top = body.top
    report_type = top.report_type if top else ""
    if top and top.content_type == "multipart/report" and report_type == "delivery-status":
        return "bounce"
    if from_local in ("mailer-daemon", "postmaster") and _BOUNCE_SUBJECT.search(subject):
        return "bounce"
    has_dsn = bool(
        body.content_types & {"message/delivery-status", "message/global-delivery-status"}
    )
    if (headers.first("return-path") or "").replace(" ", "") == "<>" and has_dsn:
        return "bounce"
    if headers.has("x-failed-recipients"):  # Exim's bounces
        return "bounce"

    real_ids = _id_list(headers.values("message-id")[:1])
    id_domain = real_ids[0].rpartition("@")[2] if real_ids else ""
    from_domain = from_address.rpartition("@")[2]
    ours = _domain_is_ours(id_domain, own_domains) or _domain_is_ours(from_domain, own_domains)
    if ours and is_auto_submitted:
        return "loop"

    precedence = {_first_token(headers.first(n)) for n in ("precedence", "x-precedence")}
    suppress = {
        t.strip().lower() for v in headers.values("x-auto-response-suppress") for t in v.split(",")
    }
    if (
        is_auto_submitted
        or headers.has("x-autoreply")
        or headers.has("x-autorespond")
        or precedence & {"bulk", "junk", "auto_reply"}
        or suppress & {"all", "oof"}
        or report_type == "disposition-notification"  # read receipts
        or _AUTO_SUBJECT.search(subject)
    ):
        return "auto_reply"
    return "customer"
