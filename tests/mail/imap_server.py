"""A small IMAP4rev1 server for tests: a test double at the network edge.

It speaks just enough of RFC 3501 for `imap_tools` (and so `imaplib`) to log in, select
INBOX, `UID SEARCH`, `UID FETCH`, `UID STORE` and `EXPUNGE` through a real socket on
127.0.0.1, so `mail.imap` is tested against the protocol rather than against mocks.
One folder (INBOX), `LOGIN` only, no literals from the client, no IDLE.

    with ImapTestServer(users={"support": "secret"}, mailbox=[raw1, raw2]) as server:
        server.deliver(raw3)            # -> its UID
        server.flags(1)                 # -> {"\\Seen"} once marked
        server.uid_validity = 7         # as after the mailbox was rebuilt
        server.stall = "FETCH"          # go silent when a FETCH arrives (True: from the greeting)
        server.drop = "FETCH"           # close the connection when a FETCH arrives
        server.unsolicited = ["* 1 FETCH (FLAGS (\\Flagged))"]  # sent after each FETCH's results

Pass `ssl_context` (a server-side `ssl.SSLContext`) to speak IMAPS instead of plain IMAP.
"""

from __future__ import annotations

import contextlib
import re
import socketserver
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

# A quoted string, a parenthesis, or an atom (which may carry brackets: BODY.PEEK[]).
_TOKEN = re.compile(rb'"((?:[^"\\]|\\.)*)"|([()])|([^\s()"]+)')
_SEEN = "\\Seen"
_FETCH_ITEMS = {"UID", "FLAGS", "RFC822.SIZE", "BODY.PEEK[]", "BODY[]", "RFC822"}


@dataclass
class _Message:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


class _Bad(Exception):
    """The command cannot be understood: answered with a tagged BAD."""


class _No(Exception):
    """The command is understood but refused: answered with a tagged NO."""


def _tokens(line: bytes) -> list[str]:
    out = []
    for quoted, paren, atom in _TOKEN.findall(line):
        if paren:
            continue  # the few lists we accept are flat, so parentheses carry no meaning
        text = re.sub(rb"\\(.)", rb"\1", quoted) if quoted else atom
        out.append(text.decode("utf-8", "replace"))
    return out


def _uid_set(spec: str, uids: list[int]) -> set[int]:
    """RFC 3501 sequence set over UIDs: `n:*` always contains the highest UID, even if < n."""
    highest = max(uids, default=0)
    ranges = []
    try:
        for part in spec.split(","):
            low, _, high = part.partition(":")
            a = highest if low == "*" else int(low)
            b = a if not high else highest if high == "*" else int(high)
            ranges.append((min(a, b), max(a, b)))
    except ValueError:
        raise _Bad(f"bad UID set {spec!r}") from None
    return {uid for uid in uids if any(low <= uid <= high for low, high in ranges)}


class ImapTestServer:
    def __init__(
        self,
        users: dict[str, str],
        mailbox: Iterable[bytes] = (),
        *,
        uid_validity: int = 1,
        ssl_context: ssl.SSLContext | None = None,
    ):
        self.users = dict(users)
        self.uid_validity = uid_validity
        self.stall: bool | str = False
        self.drop: str | None = None
        self.unsolicited: list[str] = []  # RFC 3501 lets a server report flag changes any time
        self.commands: list[str] = []  # every command name received, for assertions
        self._ssl_context = ssl_context
        self._lock = threading.Lock()
        self._messages: list[_Message] = []
        self._next_uid = 1
        self._closing = threading.Event()
        for raw in mailbox:
            self.deliver(raw)
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> ImapTestServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._closing.set()  # releases stalled handlers
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def deliver(self, raw: bytes, flags: tuple[str, ...] = ()) -> int:
        """Append a message as a mail server would on delivery; returns its UID."""
        with self._lock:
            uid = self._next_uid
            self._next_uid += 1
            self._messages.append(_Message(uid, raw, set(flags)))
            return uid

    def flags(self, uid: int) -> set[str]:
        with self._lock:
            return next(set(m.flags) for m in self._messages if m.uid == uid)

    def uids(self) -> list[int]:
        with self._lock:
            return [m.uid for m in self._messages]

    def _handler_class(self) -> type[socketserver.StreamRequestHandler]:
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def setup(self):
                if server._ssl_context is not None:  # handshake on first I/O, inside handle()
                    self.request = server._ssl_context.wrap_socket(
                        self.request, server_side=True, do_handshake_on_connect=False
                    )
                super().setup()

            def finish(self):
                try:
                    super().finish()
                finally:
                    self.request.close()  # the TLS wrapper: socketserver closes the raw socket

            def handle(self):
                # OSError: the client hung up or failed the TLS handshake; nothing to answer.
                with contextlib.suppress(OSError):
                    _Session(server, self.rfile, self.wfile).run()

        return Handler


class _Session:
    """One client connection: reads tagged commands and writes RFC 3501 responses."""

    def __init__(self, server: ImapTestServer, rfile, wfile):
        self.server, self.rfile, self.wfile = server, rfile, wfile
        self.user: str | None = None
        self.selected = False
        self.pending: list[bytes] = []

    def send(self, *parts: bytes | str) -> None:
        self.pending.extend(p.encode() if isinstance(p, str) else p for p in parts)

    def flush(self) -> None:
        # One write per response: small writes would meet Nagle and delayed ACKs (40 ms each).
        self.wfile.write(b"".join(self.pending))
        self.pending.clear()

    def run(self) -> None:
        if self.server.stall is True:
            self.server._closing.wait()
            return
        self.send("* OK [CAPABILITY IMAP4rev1] Openline test IMAP server ready\r\n")
        self.flush()
        while line := self.rfile.readline():
            tag, *words = _tokens(line) or ["*"]
            name = " ".join(words[:2] if words[:1] == ["UID"] else words[:1]).upper()
            self.server.commands.append(name)
            if self.server.stall in (True, name.removeprefix("UID ")):
                self.server._closing.wait()
                return
            if self.server.drop == name.removeprefix("UID "):
                return
            try:
                done = self.dispatch(name, words[1:] if not name.startswith("UID") else words[2:])
                self.send(f"{tag} OK {name} completed\r\n")
            except _No as refusal:
                self.send(f"{tag} NO {refusal}\r\n")
                done = False
            except _Bad as error:
                self.send(f"{tag} BAD {error}\r\n")
                done = False
            self.flush()
            if done:
                return

    def dispatch(self, name: str, args: list[str]) -> bool:
        """Run one command; True once the session is over."""
        if name == "CAPABILITY":
            self.send("* CAPABILITY IMAP4rev1\r\n")
        elif name == "NOOP":
            pass
        elif name == "LOGOUT":
            self.send("* BYE logging out\r\n")
            return True
        elif name == "LOGIN":
            if len(args) != 2:
                raise _Bad("LOGIN needs a user name and a password")
            if self.server.users.get(args[0]) != args[1]:
                raise _No("[AUTHENTICATIONFAILED] Invalid credentials")
            self.user = args[0]
        elif self.user is None:
            raise _Bad(f"{name} needs LOGIN first")
        elif name == "SELECT":
            self.select(args)
        elif not self.selected:
            raise _Bad(f"{name} needs SELECT first")
        elif name == "UID SEARCH":
            self.search(args)
        elif name == "UID FETCH":
            self.fetch(args)
        elif name == "UID STORE":
            self.store(args)
        elif name == "EXPUNGE":
            self.expunge()
        else:
            raise _Bad(f"{name or 'empty command'} is not supported by this test server")
        return False

    def select(self, args: list[str]) -> None:
        if [a.upper() for a in args] != ["INBOX"]:
            raise _No("[NONEXISTENT] No such mailbox")
        with self.server._lock:
            exists, next_uid = len(self.server._messages), self.server._next_uid
        self.send(
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
            f"* {exists} EXISTS\r\n* 0 RECENT\r\n",
            f"* OK [UIDVALIDITY {self.server.uid_validity}] UIDs valid\r\n",
            f"* OK [UIDNEXT {next_uid}] Predicted next UID\r\n",
        )
        self.selected = True

    def search(self, args: list[str]) -> None:
        if args[:1] == ["CHARSET"]:
            args = args[2:]
        with self.server._lock:
            found = [m.uid for m in self.server._messages]
        while args:
            key, *args = args
            if key.upper() == "UID" and args:
                found = sorted(_uid_set(args.pop(0), found))
            elif key.upper() != "ALL":
                raise _Bad(f"search key {key!r} is not supported by this test server")
        self.send("* SEARCH", *(f" {uid}" for uid in found), "\r\n")

    def fetch(self, args: list[str]) -> None:
        if not args:
            raise _Bad("UID FETCH needs a UID set")
        items = {a.upper() for a in args[1:]}
        if items - _FETCH_ITEMS:
            raise _Bad(f"fetch items {sorted(items - _FETCH_ITEMS)} are not supported here")
        with self.server._lock:
            messages = list(enumerate(self.server._messages, start=1))
            wanted = _uid_set(args[0], [m.uid for _, m in messages])
            for number, message in messages:
                if message.uid not in wanted:
                    continue
                if items & {"BODY[]", "RFC822"}:  # a non-PEEK fetch marks the message read
                    message.flags.add(_SEEN)
                parts = [f"UID {message.uid}"]
                if "FLAGS" in items:
                    parts.append(f"FLAGS ({' '.join(sorted(message.flags))})")
                if "RFC822.SIZE" in items:
                    parts.append(f"RFC822.SIZE {len(message.raw)}")
                body = next((i for i in ("BODY.PEEK[]", "BODY[]", "RFC822") if i in items), None)
                label = "RFC822" if body == "RFC822" else "BODY[]"
                literal = f" {label} {{{len(message.raw)}}}\r\n" if body else ""
                self.send(f"* {number} FETCH ({' '.join(parts)}{literal}")
                self.send(message.raw if body else b"", ")\r\n")
        self.send(*(f"{line}\r\n" for line in self.server.unsolicited))

    def store(self, args: list[str]) -> None:
        if len(args) < 2:
            raise _Bad("UID STORE needs a UID set, an action and flags")
        action, flags = args[1].upper(), set(args[2:])
        if action.removesuffix(".SILENT") not in ("+FLAGS", "-FLAGS", "FLAGS"):
            raise _Bad(f"unknown STORE action {action!r}")
        with self.server._lock:
            messages = list(enumerate(self.server._messages, start=1))
            wanted = _uid_set(args[0], [m.uid for _, m in messages])
            for number, message in messages:
                if message.uid not in wanted:
                    continue
                if action.startswith("+FLAGS"):
                    message.flags |= flags
                elif action.startswith("-FLAGS"):
                    message.flags -= flags
                else:
                    message.flags = set(flags)
                if not action.endswith(".SILENT"):
                    shown = " ".join(sorted(message.flags))
                    self.send(f"* {number} FETCH (UID {message.uid} FLAGS ({shown}))\r\n")

    def expunge(self) -> None:
        with self.server._lock:
            messages = self.server._messages
            for number in range(len(messages), 0, -1):  # from the end, so numbers stay valid
                if "\\Deleted" in messages[number - 1].flags:
                    del messages[number - 1]
                    self.send(f"* {number} EXPUNGE\r\n")
