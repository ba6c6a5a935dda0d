"""Reading an inbound e-mail: plain Python, no Django.

The SMTP listener, IMAP polling and the webhook all hand raw bytes to `parse()`, which
returns a `ParsedEmail`. Bad input must never cost us the customer's message, so
`parse()` does not raise on malformed mail (only `TypeError` for non-bytes): it returns
its best reading and lists what was wrong in `problems`.

The work is split by concern: `model` (what is returned), `limits`, `text` (charsets and
encoded words), `headers` (addresses, ids, dates), `mime` (structure, bodies, attachments),
`kinds` (auto-replies, bounces, loops), `html_text` and `quoting`.
"""

from __future__ import annotations

from collections.abc import Iterable

from .headers import (
    _addresses,
    _date,
    _from,
    _generated_id,
    _Headers,
    _id_list,
    _message_id,
    address_token,
)
from .html_text import html_to_text
from .kinds import _kind
from .limits import (
    AUDIT_HEADERS,
    ENVELOPE_HEADERS,
    MAX_HTML_TO_CONVERT,
    MAX_LINE,
    MAX_PROBLEMS,
    MAX_REFERENCES,
)

# The other limits are not used here; re-exported so they import as before the split.
from .limits import MAX_ADDRESSES as MAX_ADDRESSES
from .limits import MAX_DEPTH as MAX_DEPTH
from .limits import MAX_FILENAME as MAX_FILENAME
from .limits import MAX_ID_LENGTH as MAX_ID_LENGTH
from .limits import MAX_PARTS as MAX_PARTS
from .mime import _Body, _parse_structure, _trim_preamble
from .model import Attachment, ParsedEmail
from .quoting import strip_quoted
from .text import _clean_text, _decode, _one_line, _unique

__all__ = ["Attachment", "ParsedEmail", "address_token", "html_to_text", "parse", "strip_quoted"]


def parse(
    raw: bytes,
    *,
    own_domains: Iterable[str] = (),
    loop_header: str = "X-Openline-Loop",
    max_attachment_bytes: int | None = None,
    max_attachments: int = 50,
) -> ParsedEmail:
    """Read one raw RFC 5322 message; never raises on malformed input."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise TypeError(f"parse() needs bytes, not {type(raw).__name__}")
    raw = bytes(raw)
    problems: list[str] = []
    try:
        return _parse(
            raw, problems, _domains(own_domains), loop_header, max_attachment_bytes, max_attachments
        )
    except Exception as exc:  # the last line of defence: keep the text, whatever happened
        problems.append(f"internal error while parsing ({type(exc).__name__}); kept the raw text")
        text = _clean_text(_decode(raw, None, "the message", problems))
        return ParsedEmail(
            message_id=_generated_id(raw),
            in_reply_to=[],
            references=[],
            from_address="",
            from_name="",
            reply_to="",
            to=[],
            cc=[],
            delivered_to=[],
            subject="",
            date=None,
            text=text,
            html="",
            reply_text=text.strip(),
            attachments=[],
            kind="customer",
            problems=_finish_problems(problems),
            headers={},
        )


def _parse(raw, problems, own_domains, loop_header, max_bytes, max_count) -> ParsedEmail:
    if not raw.strip():
        problems.append("empty input" if not raw else "input is only whitespace")
    msg = _parse_structure(_trim_preamble(raw, problems), problems)
    headers = _Headers(msg, problems)

    message_id = _message_id(headers, raw, problems)
    in_reply_to = _id_list(headers.values("in-reply-to"))
    references = _id_list(headers.values("references"))
    if len(references) > MAX_REFERENCES:  # keep the thread root and the most recent ones
        references = references[:1] + references[-(MAX_REFERENCES - 1) :]

    from_name, from_address, from_local = _from(msg, headers, problems)
    reply_to = next((a for _, a in _addresses(msg, headers, "reply-to", problems)), "")
    to = _unique(a for _, a in _addresses(msg, headers, "to", problems))
    cc = _unique(a for _, a in _addresses(msg, headers, "cc", problems))
    delivered_to = _unique(
        a for name in ENVELOPE_HEADERS for _, a in _addresses(None, headers, name, problems)
    )
    subject_raw = headers.first("subject")
    subject = _one_line(headers.decoded(subject_raw, "Subject")) if subject_raw else ""
    if len(subject) > MAX_LINE:
        problems.append(f"Subject over {MAX_LINE} characters; shortened")
        subject = subject[:MAX_LINE]
    date = _date(headers.first("date"), problems)

    body = _Body(max_bytes, max_count, problems)
    body.read(msg)
    html = _clean_text(body.html()).strip("\n")
    text = _clean_text(body.plain()).strip("\n").rstrip()
    if not text.strip() and html.strip():
        if len(html) > MAX_HTML_TO_CONVERT:
            problems.append(
                f"HTML body over {MAX_HTML_TO_CONVERT:,} characters; text from its start"
            )
        text = html_to_text(html[:MAX_HTML_TO_CONVERT])

    kind = _kind(
        headers,
        body,
        subject=subject,
        from_address=from_address,
        from_local=from_local,
        own_domains=own_domains,
        loop_header=loop_header,
    )
    audit = {}
    for name in AUDIT_HEADERS:
        value = headers.first(name.lower())
        if value is not None:
            audit[name] = _one_line(headers.recovered(value, name))[:MAX_LINE]

    return ParsedEmail(
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        from_address=from_address,
        from_name=from_name,
        reply_to=reply_to,
        to=to,
        cc=cc,
        delivered_to=delivered_to,
        subject=subject,
        date=date,
        text=text,
        html=html,
        reply_text=strip_quoted(text),
        attachments=body.attachments,
        kind=kind,
        problems=_finish_problems(problems),
        headers=audit,
        dropped_attachments=body.dropped,
    )


def _domains(own_domains: Iterable[str]) -> tuple[str, ...]:
    if isinstance(own_domains, str):  # a single domain passed by mistake: don't iterate chars
        own_domains = [own_domains]
    return tuple(d for d in (str(d).strip().lower().lstrip("@.") for d in own_domains) if d)


def _finish_problems(problems: list[str]) -> list[str]:
    unique = _unique(_one_line(p)[:300] for p in problems)
    if len(unique) > MAX_PROBLEMS:
        more = len(unique) - MAX_PROBLEMS + 1
        unique = [*unique[: MAX_PROBLEMS - 1], f"... and {more} more problems"]
    return unique
