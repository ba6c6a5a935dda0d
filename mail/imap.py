"""Polling an IMAP mailbox for new mail: plain Python, no Django.

The caller keeps, per mailbox, the folder's UIDVALIDITY and the highest UID it has stored.
Each poll is `fetch_new(settings, after_uid, uid_validity)`; the caller stores every raw
message durably, then calls `mark_seen` and remembers the new highest UID. Fetching never
changes the mailbox, so a crash between the two steps only means fetching again (the caller
de-duplicates by Message-ID). Nothing here ever deletes or expunges mail.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from imap_tools import AND, BaseMailBox, MailBox, MailBoxUnencrypted, MailMessage, U
from imap_tools.errors import ImapToolsError, MailboxFlagError, UnexpectedCommandStatusError
from imap_tools.utils import check_command_status

log = logging.getLogger(__name__)

# What a network peer can make imaplib and imap_tools raise. OSError covers refused
# connections, DNS failures, timeouts and TLS errors; ValueError a reply that does not parse
# (and, as UnicodeEncodeError, a non-ASCII LOGIN). Each `_step` wraps only protocol calls
# and the parsing of their replies, so these never hide a bug of ours.
_NETWORK_ERRORS = (OSError, EOFError, ValueError, imaplib.IMAP4.error, ImapToolsError)

# UIDs per UID STORE command, to keep command lines short for any server.
_STORE_CHUNK = 500


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int = 993
    username: str = ""
    password: str = field(default="", repr=False)  # settings get logged; passwords must not
    folder: str = "INBOX"
    ssl: bool = True  # IMAPS; False for a plain connection (tests, or STARTTLS-less local servers)
    timeout: float = 30.0  # seconds, for connecting and for each read
    batch: int = 100  # at most this many messages per poll

    def __post_init__(self):
        if self.batch < 1:
            raise ValueError(f"ImapSettings.batch must be at least 1, not {self.batch}")
        if self.timeout <= 0:
            raise ValueError(f"ImapSettings.timeout must be positive, not {self.timeout}")


@dataclass(frozen=True)
class Fetched:
    uid: int
    raw: bytes  # the whole RFC 822 message, exactly as the server returned it


class ImapError(RuntimeError):
    """Talking to the IMAP server failed; the message names the server and the step."""


def fetch_new(
    settings: ImapSettings, after_uid: int = 0, uid_validity: int | None = None
) -> tuple[int | None, list[Fetched]]:
    """UIDs greater than after_uid in the folder, oldest first, at most settings.batch.

    Returns (the folder's UIDVALIDITY, messages). If the server's UIDVALIDITY differs from
    the one given, the old UIDs mean nothing: start again from 0 (the caller de-duplicates
    by Message-ID). Messages are fetched with BODY.PEEK[], so none is marked \\Seen.
    """
    with _session(settings) as (mailbox, server_validity):
        if _changed(uid_validity, server_validity):
            log.info(
                "IMAP %s: UIDVALIDITY of %s changed from %s to %s; fetching from UID 0",
                settings.host,
                settings.folder,
                uid_validity,
                server_validity,
            )
            after_uid = 0
        after_uid = max(after_uid, 0)  # UID 0 does not exist; some servers reject `0:*`
        with _step(settings, "search"):
            found = mailbox.uids(AND(uid=U(after_uid + 1, "*")), charset=None)
            # `N:*` always matches the highest UID, even when it is below N.
            wanted = sorted(uid for uid in map(int, found) if uid > after_uid)[: settings.batch]
        if not wanted:  # an empty uid_list would make imap_tools fetch the whole folder
            return server_validity, []
        with _step(settings, "fetch"):
            fetched = list(
                mailbox.fetch(
                    uid_list=[str(uid) for uid in wanted],
                    mark_seen=False,
                    bulk=True,
                    headers_only=False,
                )
            )
            # imap_tools pairs up response items two by two, so an unsolicited FETCH (a flag
            # change the server reports on the way) yields a message with no literal.
            messages = {int(m.uid): m.raw for m in fetched if m.raw is not None and m.uid}
    # A UID expunged between SEARCH and FETCH is simply absent.
    return server_validity, [Fetched(uid, messages[uid]) for uid in wanted if uid in messages]


def mark_seen(settings: ImapSettings, uids: list[int], uid_validity: int | None = None) -> None:
    """Flag these messages \\Seen once the caller has stored them (it never deletes mail).

    Pass the UIDVALIDITY the UIDs came with: if the folder's has changed since, the UIDs now
    name other messages, and nothing is flagged.
    """
    if not uids:
        return
    with _session(settings) as (mailbox, server_validity):
        if _changed(uid_validity, server_validity):
            log.warning(
                "IMAP %s: UIDVALIDITY of %s is now %s, not %s; not marking %d messages seen",
                settings.host,
                settings.folder,
                server_validity,
                uid_validity,
                len(uids),
            )
            return
        # Not mailbox.flag(): imap_tools follows every STORE with an EXPUNGE, which would
        # destroy any message another client had flagged \Deleted.
        ordered = [str(uid) for uid in sorted(set(uids))]
        with _step(settings, "store"):
            for start in range(0, len(ordered), _STORE_CHUNK):
                chunk = ",".join(ordered[start : start + _STORE_CHUNK])
                result = mailbox.client.uid("STORE", chunk, "+FLAGS.SILENT", r"(\Seen)")
                check_command_status(result, MailboxFlagError)


class _RawMessage(MailMessage):
    """imap_tools keeps only the parsed message (`obj`); re-serialising it with as_bytes()
    can change the bytes, so keep the literal the server sent as well."""

    def __init__(self, fetch_data: list):
        super().__init__(fetch_data)
        # imaplib hands each literal over as a (preceding line, literal bytes) tuple.
        self.raw: bytes | None = next((i[1] for i in fetch_data if isinstance(i, tuple)), None)


class _MailBox(MailBox):
    email_message_class = _RawMessage


class _MailBoxUnencrypted(MailBoxUnencrypted):
    email_message_class = _RawMessage


@contextmanager
def _session(settings: ImapSettings) -> Iterator[tuple[BaseMailBox, int | None]]:
    """Connect, log in and select the folder; yields (mailbox, UIDVALIDITY or None)."""
    with _step(settings, "connect"):
        if settings.ssl:
            # An explicit context: imaplib's default one verifies neither the certificate
            # nor the host name.
            context = ssl.create_default_context()
            mailbox = _MailBox(settings.host, settings.port, settings.timeout, ssl_context=context)
        else:
            mailbox = _MailBoxUnencrypted(settings.host, settings.port, settings.timeout)
    finished = False
    try:
        with _step(settings, "login"):
            mailbox.login(settings.username, settings.password, initial_folder=None)
        with _step(settings, f"select {settings.folder!r}"):
            mailbox.folder.set(settings.folder)
            _, data = mailbox.client.response("UIDVALIDITY")
        yield mailbox, _to_int(data[-1] if data else None)
        finished = True
    finally:
        # After a failure the connection may be stalled or half-closed: close it rather than
        # wait for a LOGOUT reply. After success a failing LOGOUT changes nothing either.
        with suppress(*_NETWORK_ERRORS):
            if finished:
                mailbox.client.logout()
            else:
                mailbox.client.shutdown()


@contextmanager
def _step(settings: ImapSettings, step: str) -> Iterator[None]:
    try:
        yield
    except _NETWORK_ERRORS as exc:
        detail = _describe(exc, settings)
        if settings.password:
            detail = detail.replace(settings.password, "***")
        raise ImapError(f"IMAP {settings.host}:{settings.port}: {step} failed: {detail}") from exc


def _describe(exc: BaseException, settings: ImapSettings) -> str:
    if isinstance(exc, UnexpectedCommandStatusError):
        typ, data = exc.command_result[0], exc.command_result[1]
        text = b" ".join(d for d in data or () if isinstance(d, bytes))
        return f"server answered {typ} {text.decode('utf-8', 'replace')}".rstrip()
    if isinstance(exc, TimeoutError):
        return f"no answer within {settings.timeout:g} s"
    if isinstance(exc, imaplib.IMAP4.abort):
        return f"connection lost ({exc})"
    if isinstance(exc, UnicodeEncodeError):
        return "the user name and password must be ASCII for IMAP LOGIN"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _changed(known: int | None, current: int | None) -> bool:
    """Whether the folder's UIDVALIDITY differs from the one the caller's UIDs came with."""
    return known is not None and current is not None and known != current


def _to_int(value: bytes | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
