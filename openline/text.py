"""Text people write: one rule for what is stored and how a refusal is worded."""

from __future__ import annotations


def written_text(text: str | None, limit: int, error: type[Exception], *, what: str = "") -> str:
    """`text` without NUL bytes and outer spaces, or `error` saying it is empty or too long.

    `what` names the text in the message ("That note is …"); by default "That is …"."""
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise error("Please write something first.")
    if len(text) > limit:
        subject = f"That {what} is" if what else "That is"
        raise error(
            f"{subject} {len(text):,} characters; the limit is {limit:,}. Please shorten it."
        )
    return text
