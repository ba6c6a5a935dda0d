"""What `parse()` returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Attachment:
    filename: str  # sanitised; "attachment" when the mail gives none
    content_type: str  # lower case, e.g. "application/pdf"
    size: int  # decoded size in bytes
    data: bytes
    content_id: str = ""  # without <>, for inline images
    inline: bool = False


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    from_address: str
    from_name: str
    reply_to: str
    to: list[str]
    cc: list[str]
    delivered_to: list[str]
    subject: str
    date: datetime | None
    text: str
    html: str
    reply_text: str
    attachments: list[Attachment]
    kind: str  # "customer" | "auto_reply" | "bounce" | "loop"
    problems: list[str]
    headers: dict[str, str]
    # (filename, content_type, size) of attachments over a limit, whose bytes were not kept.
    dropped_attachments: list[tuple[str, str, int]] = field(default_factory=list)
