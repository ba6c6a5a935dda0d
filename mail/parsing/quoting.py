"""The new part of a reply: cutting the quoted history, signatures and mobile footers."""

from __future__ import annotations

import re

_ATTRIBUTION_START = re.compile(r"^\s*(on|le|am|el|op|il|em|den)\s", re.IGNORECASE)
_ATTRIBUTIONS = [
    re.compile(pattern, re.IGNORECASE | re.DOTALL)
    for pattern in (
        r"^\s*On\s.{0,300}\swrote\s*:\s*$",
        r"^\s*Le\s.{0,300}\sa\s+[ée]crit\s*:\s*$",
        r"^\s*Am\s.{0,300}\sschrieb\s.{0,200}:\s*$",
        r"^\s*El\s.{0,300}\sescribi[óo]\s*:\s*$",
        r"^\s*Op\s.{0,300}\sschreef\s.{0,200}:\s*$",
        r"^\s*Il\s.{0,300}\sha\s+scritto\s*:\s*$",
        r"^\s*Em\s.{0,300}\sescreveu\s*:\s*$",
        r"^\s*Den\s.{0,300}\sskrev\s.{0,200}:\s*$",
    )
]
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(original message|urspr[üu]ngliche nachricht|message d'origine"
    r"|mensaje original|messaggio originale|oorspronkelijk bericht)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^\s*(_{10,}|-{10,})\s*$")
_FIELD = r"^\s*\*?\s*({})\s*\*?\s*:"
_FROM_FIELD = re.compile(_FIELD.format("from|von|de|van|da|från|fra"), re.IGNORECASE)
_OTHER_FIELD = re.compile(
    _FIELD.format(
        "sent|date|to|cc|subject|gesendet|datum|an|betreff|envoyé|envoye|à|objet|enviado"
        "|fecha|para|asunto|verzonden|aan|onderwerp|inviato|data|oggetto|a"
    ),
    re.IGNORECASE,
)
_ONE_LINE_BLOCK = re.compile(r"^\s*\*?from\s*:.*\b(sent|date)\s*:.*\bto\s*:.*\bsubject\s*:", re.I)
_FOOTER = re.compile(
    r"^\s*(sent from my \S.{0,40}|sent from (mail|outlook|yahoo mail|proton ?mail) .{0,40}"
    r"|sent from (outlook|yahoo mail|proton ?mail)|get outlook for (ios|android).{0,60}"
    r"|sent with proton ?mail.{0,40}|von meinem \S.{0,30} gesendet|gesendet von meinem .{1,30}"
    r"|envoy[ée] de mon .{1,30}|enviado desde mi .{1,30}|inviato da .{1,30}"
    r"|verzonden (vanaf|met) mijn .{1,30})\s*$",
    re.IGNORECASE,
)


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution_at(lines: list[str], i: int) -> int:
    """Lines taken by an "On <date>, <name> wrote:" starting at line i (0 if none);
    mail clients wrap long attributions over two or three lines."""
    if _is_quoted(lines[i]) or not _ATTRIBUTION_START.match(lines[i]):
        return 0
    for span in (1, 2, 3):
        chunk = lines[i : i + span]
        # A continuation may start with ">" when the wrap fell just before "> wrote:".
        if len(chunk) < span or not chunk[-1].strip():
            return 0
        joined = " ".join(s.strip() for s in chunk)
        if len(joined) <= 1000 and any(p.match(joined) for p in _ATTRIBUTIONS):
            return span
    return 0


def _header_block_at(lines: list[str], i: int) -> bool:
    """An Outlook-style "From: / Sent: / To: / Subject:" block starting at line i."""
    line = lines[i]
    if _is_quoted(line):
        return False
    if len(line) <= 1000 and _ONE_LINE_BLOCK.match(line):
        return True
    if not _FROM_FIELD.match(line):
        return False
    following = [s for s in lines[i + 1 : i + 8] if s.strip()][:5]
    return sum(1 for s in following if _OTHER_FIELD.match(s)) >= 2


def _history_start(lines: list[str]) -> int | None:
    """Where the trailing reply history begins, or None."""
    for i in range(len(lines)):
        cut = None
        span = _attribution_at(lines, i)
        if span:
            after = [s for s in lines[i + span :] if s.strip()]
            quoted = sum(1 for s in after if _is_quoted(s))
            if 0 < quoted < len(after):
                return None  # quotes interleaved with answers: an inline reply, keep it
            cut = i
        elif _ORIGINAL_MESSAGE.match(lines[i]):
            cut = i
        elif _header_block_at(lines, i):
            cut = i
            before = [j for j in range(i) if lines[j].strip()]
            if before and _SEPARATOR.match(lines[before[-1]]):
                cut = before[-1]
        if cut is not None:
            return cut if any(s.strip() for s in lines[:cut]) else None
    return None


def _trim_trailing(lines: list[str]) -> list[str]:
    """Drop trailing quoted lines, attributions and mobile footers, then one signature,
    then anything of the first kind the signature was hiding."""
    _trim_quotes_and_footers(lines)
    if _cut_signature(lines):
        _trim_quotes_and_footers(lines)
    return lines


def _trim_quotes_and_footers(lines: list[str]) -> None:
    while lines:
        last = lines[-1]
        if not last.strip() or _is_quoted(last) or (len(last) <= 80 and _FOOTER.match(last)):
            lines.pop()
            continue
        for j in range(max(0, len(lines) - 3), len(lines)):
            span = _attribution_at(lines, j)
            if span and j + span == len(lines):
                del lines[j:]
                break
        else:
            return


def _cut_signature(lines: list[str]) -> bool:
    for i in range(len(lines) - 1, 0, -1):
        delimiter = lines[i]
        if delimiter == "-- " or (delimiter.rstrip() == "--" and len(lines) - i <= 12):
            if any(s.strip() for s in lines[:i]):
                del lines[i:]
                return True
            return False
    return False


def strip_quoted(text: str) -> str:
    """The new part of a reply: without the quoted history, signature and mobile footer."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    start = _history_start(lines)
    if start is not None:
        lines = lines[:start]
    result = "\n".join(_trim_trailing(lines)).strip()
    return result or text.strip()
