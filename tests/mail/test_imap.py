"""mail.imap against a real IMAP server on 127.0.0.1 (tests/mail/imap_server.py)."""

from __future__ import annotations

import socket
import ssl
import subprocess
import time

import pytest

from mail.imap import Fetched, ImapError, ImapSettings, fetch_new, mark_seen
from tests.mail.imap_server import ImapTestServer, _uid_set

PASSWORD = "s3cret-Pa55"
SEEN = "\\Seen"


def message(n: int, body: bytes = b"") -> bytes:
    return (
        b"From: Maria Keller <maria@example.com>\r\n"
        b"To: support@openline.example\r\n"
        b"Subject: Order %d\r\n"
        b"Message-ID: <%d@example.com>\r\n"
        b"\r\n" % (n, n)
    ) + (body or b"Where is order %d?\r\n" % n)


def settings_for(server: ImapTestServer, **overrides) -> ImapSettings:
    options = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": "support",
        "password": PASSWORD,
        "ssl": False,
        "timeout": 2.0,
    }
    return ImapSettings(**(options | overrides))


@pytest.fixture
def server():
    with ImapTestServer(users={"support": PASSWORD}, mailbox=[message(1), message(2)]) as server:
        yield server


def test_fetch_returns_the_messages_byte_for_byte_oldest_first(server):
    server.deliver(message(3))

    validity, fetched = fetch_new(settings_for(server))

    assert validity == 1
    assert fetched == [Fetched(1, message(1)), Fetched(2, message(2)), Fetched(3, message(3))]


def test_flag_changes_reported_during_fetch_are_not_taken_for_messages(server):
    # imap_tools pairs response lines two by two, so this line becomes a message of its own.
    server.unsolicited = ["* 1 FETCH (UID 1 FLAGS (\\Flagged))"]

    _, fetched = fetch_new(settings_for(server))

    assert fetched == [Fetched(1, message(1)), Fetched(2, message(2))]


def test_after_uid_skips_messages_already_fetched(server):
    server.deliver(message(3))

    _, fetched = fetch_new(settings_for(server), after_uid=2, uid_validity=1)

    assert fetched == [Fetched(3, message(3))]


def test_nothing_new_although_uid_n_star_always_matches_the_highest_uid(server):
    assert _uid_set("3:*", server.uids()) == {2}  # the server is as literal as RFC 3501

    assert fetch_new(settings_for(server), after_uid=2, uid_validity=1) == (1, [])
    assert fetch_new(settings_for(server), after_uid=9, uid_validity=1) == (1, [])
    assert "UID FETCH" not in server.commands


def test_empty_mailbox():
    with ImapTestServer(users={"support": PASSWORD}) as server:
        assert fetch_new(settings_for(server)) == (1, [])


def test_batch_limits_each_poll_and_the_next_poll_continues(server):
    for n in range(3, 8):
        server.deliver(message(n))
    settings = settings_for(server, batch=3)

    _, first = fetch_new(settings)
    _, second = fetch_new(settings, after_uid=first[-1].uid, uid_validity=1)
    _, third = fetch_new(settings, after_uid=second[-1].uid, uid_validity=1)

    assert [m.uid for m in first] == [1, 2, 3]
    assert [m.uid for m in second] == [4, 5, 6]
    assert [m.uid for m in third] == [7]


def test_fetch_never_marks_messages_seen(server):
    fetch_new(settings_for(server))

    assert server.flags(1) == set()
    assert server.flags(2) == set()


def test_mark_seen_flags_only_the_given_messages(server):
    server.deliver(message(3))

    mark_seen(settings_for(server), [1, 3])

    assert [server.flags(uid) for uid in (1, 2, 3)] == [{SEEN}, set(), {SEEN}]


def test_mark_seen_keeps_messages_another_client_flagged_deleted(server):
    deleted = server.deliver(message(3), flags=("\\Deleted",))

    mark_seen(settings_for(server), [1])

    assert server.uids() == [1, 2, deleted]
    assert "EXPUNGE" not in server.commands


def test_mark_seen_with_no_uids_does_not_connect():
    mark_seen(ImapSettings(host="127.0.0.1", port=closed_port(), ssl=False), [])


def test_changed_uid_validity_restarts_from_uid_zero(server):
    server.uid_validity = 7

    validity, fetched = fetch_new(settings_for(server), after_uid=2, uid_validity=1)

    assert validity == 7
    assert [m.uid for m in fetched] == [1, 2]


def test_mark_seen_flags_nothing_once_uid_validity_changed(server):
    server.uid_validity = 7

    mark_seen(settings_for(server), [1], uid_validity=1)

    assert server.flags(1) == set()


def test_wrong_password_names_login_and_host_but_not_the_password(server):
    settings = settings_for(server, password="wrong-Pa55word")

    with pytest.raises(ImapError) as caught:
        fetch_new(settings)

    text = str(caught.value)
    assert "login failed" in text
    assert f"127.0.0.1:{server.port}" in text
    assert "AUTHENTICATIONFAILED" in text
    assert "wrong-Pa55word" not in text
    assert "wrong-Pa55word" not in repr(settings)


def test_missing_folder_fails_at_select(server):
    with pytest.raises(ImapError, match="select 'Support' failed"):
        fetch_new(settings_for(server, folder="Support"))


def test_closed_port_fails_at_connect():
    settings = ImapSettings(host="127.0.0.1", port=closed_port(), ssl=False, timeout=2.0)

    with pytest.raises(ImapError, match=r"127\.0\.0\.1:\d+: connect failed: ConnectionRefused"):
        fetch_new(settings)


@pytest.mark.parametrize(("stall", "step"), [(True, "connect"), ("FETCH", "fetch")])
def test_stalled_server_fails_within_the_timeout(server, stall, step):
    server.stall = stall
    started = time.monotonic()

    with pytest.raises(ImapError, match=f"{step} failed: no answer within 0.5 s"):
        fetch_new(settings_for(server, timeout=0.5))

    assert time.monotonic() - started < 1.5


def test_dropped_connection_fails_at_the_step_it_happened(server):
    server.drop = "STORE"

    with pytest.raises(ImapError, match="store failed: connection lost"):
        mark_seen(settings_for(server), [1])


def test_8bit_and_large_messages_come_back_intact(server):
    eight_bit = message(3, "Grüße, wo ist mein Paket? ½ kg\r\n".encode())
    latin_1 = message(4, "Ça coûte 5 €? Non: 5 £.\r\n".encode("latin-1", "replace"))
    large = message(5, bytes(range(256)) * 4096)  # 1 MiB, every byte value, bare CR and LF
    for raw in (eight_bit, latin_1, large):
        server.deliver(raw)

    _, fetched = fetch_new(settings_for(server), after_uid=2, uid_validity=1)

    assert [m.raw for m in fetched] == [eight_bit, latin_1, large]


def test_settings_reject_nonsense():
    with pytest.raises(ValueError, match="batch"):
        ImapSettings(host="imap.example.com", batch=0)
    with pytest.raises(ValueError, match="timeout"):
        ImapSettings(host="imap.example.com", timeout=0)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with the openssl command (`make test`
    installs Debian's openssl when it is missing)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


def test_imaps_rejects_an_untrusted_certificate(certificate):
    _, context = certificate
    with (
        ImapTestServer(users={"support": PASSWORD}, ssl_context=context) as server,
        pytest.raises(ImapError, match=r"connect failed: .*CERTIFICATE_VERIFY_FAILED"),
    ):
        fetch_new(settings_for(server, ssl=True))


def test_imaps_with_a_trusted_certificate(certificate, monkeypatch):
    cert, context = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # read by ssl.create_default_context()
    with ImapTestServer(users={"support": PASSWORD}, ssl_context=context) as server:
        server.deliver(message(1))

        assert fetch_new(settings_for(server, ssl=True)) == (1, [Fetched(1, message(1))])


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
