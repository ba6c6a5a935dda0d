"""mail.parsing: reading inbound e-mail. Plain Python, no database.

The fixtures in `fixtures/` are small hand-written raw messages, one per client or failure.
"""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from mail.parsing import Attachment, ParsedEmail, address_token, html_to_text, parse, strip_quoted

FIXTURES = Path(__file__).parent / "fixtures"
OURS = ("openline.example",)


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def build(*headers: str, body: str = "Hello, where is my parcel?\r\n") -> bytes:
    """A small message; the given header lines replace the defaults of the same name."""
    defaults = {
        "From": "Jane Doe <jane.doe@example.org>",
        "To": "support@openline.example",
        "Subject": "Where is my parcel?",
        "Date": "Tue, 12 Mar 2024 09:13:58 +0100",
        "Message-ID": "<parcel.1@example.org>",
        "Content-Type": "text/plain; charset=utf-8",
    }
    lines = list(headers)
    given = {line.split(":", 1)[0].lower() for line in headers}
    lines += [f"{name}: {value}" for name, value in defaults.items() if name.lower() not in given]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8")


def assert_single_lines(parsed: ParsedEmail) -> None:
    values = [parsed.from_address, parsed.from_name, parsed.reply_to, parsed.subject]
    values += parsed.to + parsed.cc + parsed.delivered_to + list(parsed.headers.values())
    values += [parsed.message_id, *parsed.references, *parsed.in_reply_to]
    values += [a.filename for a in parsed.attachments] + [a.content_id for a in parsed.attachments]
    for value in values:
        assert "\r" not in value
        assert "\n" not in value


# --------------------------------------------------------------------------- real clients


def test_plain_customer_mail():
    parsed = parse(load("plain_customer.eml"))

    assert parsed.message_id == "CAF3k9x2=Jq8vYp@mail.example.org"  # only the domain lowered
    assert parsed.from_address == "jane.doe@example.org"
    assert parsed.from_name == "Jane Doe"
    assert parsed.to == ["support+t8k2m@openline.example"]
    assert parsed.delivered_to == ["support@openline.example", "support+t8k2m@openline.example"]
    assert parsed.subject == "Order #4471 arrived damaged"
    assert parsed.date == datetime(2024, 3, 12, 8, 13, 58, tzinfo=UTC)
    assert parsed.text.startswith("Hello,\n\nmy order #4471 arrived today")
    assert parsed.text.endswith("Thanks,\nJane")
    assert parsed.reply_text == parsed.text
    assert parsed.html == ""
    assert parsed.attachments == []
    assert parsed.kind == "customer"
    assert parsed.problems == []
    assert parsed.headers["Return-Path"] == "<Jane.Doe@Example.org>"
    assert set(parsed.headers) == {"Message-ID", "From", "To", "Subject", "Date", "Return-Path"}
    assert address_token(parsed.to[0]) == "t8k2m"


def test_gmail_reply_threads_and_strips_history():
    parsed = parse(load("gmail_reply.eml"))

    assert parsed.in_reply_to == ["20240312101500.4471.a1b2@openline.example"]
    # The third reference repeats the first with another domain case: de-duplicated.
    assert parsed.references == [
        "CAF3k9x2=Jq8vYp@mail.example.org",
        "20240312101500.4471.a1b2@openline.example",
    ]
    assert parsed.reply_text == "Perfect, thank you! Tuesday works for me."
    assert "> Sorry about the kettle." in parsed.text  # the full text keeps the history
    assert parsed.html.startswith('<div dir="ltr">Perfect')
    assert parsed.kind == "customer"
    assert parsed.problems == []


def test_gmail_html_part_converts_to_the_same_reply():
    html = parse(load("gmail_reply.eml")).html
    text = html_to_text(html)

    assert "> Sorry about the kettle." in text
    assert strip_quoted(text) == "Perfect, thank you! Tuesday works for me."


def test_outlook_html_only_reply():
    parsed = parse(load("outlook_reply_html.eml"))

    assert parsed.message_id == "DB9PR07MB7353A1B2C3D4E5F6@db9pr07mb7353.eurprd07.prod.outlook.com"
    assert parsed.from_address == "m.rossi@contoso-logistics.example"
    assert parsed.html.startswith("<html")
    assert "margin-top" not in parsed.text  # <style> dropped
    assert "That\u2019s fine, but please use the side entrance \u2013 the front door" in parsed.text
    assert "Thursday between 8 and 10" in parsed.text
    assert parsed.reply_text == (
        "Hi Alex,\n\nThat\u2019s fine, but please use the side entrance \u2013 the front door "
        "is blocked.\n\nKind regards,\nMarco"
    )
    assert parsed.problems == []


def test_apple_mail_from_iphone():
    parsed = parse(load("apple_iphone.eml"))

    assert parsed.reply_text == "Got it, thanks — the money is in my account."
    assert "Your refund of €49.90 is on its way." in parsed.text
    assert "\ufeff" not in parsed.text
    assert parsed.date == datetime(2024, 3, 14, 11, 41, 22, tzinfo=UTC)
    assert parsed.in_reply_to == parsed.references == ["20240313.refund.77@openline.example"]


def test_alternative_with_pdf_and_inline_image():
    parsed = parse(load("attachments.eml"))

    assert parsed.text == (
        "Hi,\n\nthe invoice is attached, and here is a photo of the damaged label.\n\nPriya"
    )
    assert 'src="cid:label-photo.1710482400@natarajan-studio.example"' in parsed.html
    image, pdf = parsed.attachments
    assert image.filename == "label.png"
    assert image.content_type == "image/png"
    assert image.inline is True
    assert image.content_id == "label-photo.1710482400@natarajan-studio.example"
    assert image.data.startswith(b"\x89PNG")
    assert image.size == len(image.data) == 70
    assert pdf == Attachment(
        filename="Rechnung März.pdf",  # RFC 2231 filename*, preferred over the encoded name
        content_type="application/pdf",
        size=len(pdf.data),
        data=pdf.data,
    )
    assert pdf.data.startswith(b"%PDF-1.4")
    assert parsed.cc == ["accounts@natarajan-studio.example"]
    assert parsed.problems == ["unreadable address in Cc: 'nobody'"]


def test_encoded_subject_and_names():
    parsed = parse(load("encoded_headers.eml"))

    # The subject's first two encoded words split "é" between them.
    assert parsed.subject == "Réclamation : livraison en retard — commande n° 88"
    assert parsed.from_name == "François Müller"  # ISO-8859-1, Q encoding
    assert parsed.from_address == "francois.muller@example.fr"
    assert parsed.to == ["support@openline.example"]
    assert parsed.cc == ["juergen.weiss@example.de"]
    assert "n'est toujours pas arrivée" in parsed.text
    assert parsed.problems == []


def test_raw_utf8_and_latin1_header_bytes():
    raw = build("From: Jürgen Weiß <j@example.de>", "Subject: Grüße").replace(
        "Grüße".encode(), "Grüße".encode("latin-1")
    )
    parsed = parse(raw)

    assert parsed.from_name == "Jürgen Weiß"  # RFC 6532 UTF-8
    assert parsed.subject == "Grüße"  # not UTF-8: Windows-1252
    assert parsed.problems == [
        "8-bit text without a charset in header Subject decoded as windows-1252"
    ]


# --------------------------------------------------------------------------- charsets


def test_windows_1252_body_without_charset():
    parsed = parse(load("windows1252_no_charset.eml"))

    assert "We\u2019re still waiting \u2013 the café ordered 3 boxes at 25 € each." in parsed.text
    assert parsed.problems == [
        "8-bit text without a charset in the text/plain part decoded as windows-1252"
    ]


def test_unknown_charset_falls_back():
    parsed = parse(load("unknown_charset.eml"))

    assert parsed.text == "Grüße aus Köln, die Lieferung ist da."
    assert parsed.subject == "Café order"
    assert parsed.problems == [
        "unknown charset 'x-unknown' in header Subject decoded as windows-1252",
        "unknown charset 'x-mac-foo' in the text/plain part decoded as utf-8",
    ]


@pytest.mark.parametrize(
    ("charset", "body", "text", "problem"),
    [
        ("utf-8", "Müller".encode("latin-1"), "Müller", "is not valid 'utf-8'; decoded as windows"),
        ("us-ascii", "Müller".encode(), "Müller", "is not valid 'us-ascii'; decoded as utf-8"),
        ("iso-8859-1", "“Müller”".encode("cp1252"), "“Müller”", None),  # read as its superset
        ("base64", b"plain", "plain", "unknown charset 'base64'"),  # a codec, not a charset
    ],
)
def test_wrong_charset(charset, body, text, problem):
    head = build(f"Content-Type: text/plain; charset={charset}", body="")
    parsed = parse(head + body)

    assert parsed.text == text
    if problem:
        assert any(problem in p for p in parsed.problems), parsed.problems
    else:
        assert parsed.problems == []


def test_html_charset_from_meta_tag():
    html = '<meta charset="windows-1252"><p>Caf\xe9</p>'.encode("latin-1")
    parsed = parse(build("Content-Type: text/html", body="") + html)

    assert parsed.text == "Café"
    assert parsed.problems == []


def test_quoted_printable_and_control_characters():
    body = "Price: 12=E2=82=AC, soft=\r\nbreak\x00 and a NUL.\r\n"
    parsed = parse(build("Content-Transfer-Encoding: quoted-printable", body=body))

    assert parsed.text == "Price: 12€, softbreak and a NUL."


# --------------------------------------------------------------------------- broken input


def test_malformed_mime_keeps_what_it_can():
    parsed = parse(load("malformed_mime.eml"))

    assert parsed.text == "The order number is 5521. The parcel came back opened."
    assert parsed.reply_to == "lina.berg@example.se"
    assert [a.filename for a in parsed.attachments] == ["scan.pdf"]
    assert "malformed MIME: the closing boundary is missing" in parsed.problems
    assert any(p.startswith("malformed header") for p in parsed.problems)


def test_wrong_boundary_is_recovered():
    body = (
        "--actual\r\nContent-Type: text/plain\r\n\r\nThe text.\r\n"
        "--actual\r\nContent-Type: image/png\r\nContent-Disposition: attachment; "
        'filename="a.png"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw==\r\n--actual--\r\n'
    )
    parsed = parse(build('Content-Type: multipart/mixed; boundary="declared"', body=body))

    assert parsed.text == "The text."
    assert [(a.filename, a.data) for a in parsed.attachments] == [("a.png", b"\x89PNG")]
    assert "multipart boundary 'declared' not found; read the parts using 'actual'" in (
        parsed.problems
    )


def test_multipart_without_boundary_is_shown_as_text():
    parsed = parse(build("Content-Type: multipart/mixed", body="Just some words.\r\n"))

    assert parsed.text == "Just some words."
    assert "malformed MIME: a multipart without a boundary" in parsed.problems


def test_broken_base64():
    parsed = parse(load("broken_base64.eml"))

    assert parsed.text == "Olá, o recibo está em anexo. Obrigada!"  # padding missing
    (receipt,) = parsed.attachments
    assert (receipt.filename, receipt.data) == ("receipt.txt", b"Total: 49.90 EUR")  # "!!*" noise
    assert "broken base64: bad padding, decoded leniently" in parsed.problems
    assert "broken base64: invalid characters, skipped" in parsed.problems


def test_deep_nesting_is_cut_off():
    nested = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(60)
    )
    body = f"--top\r\n{nested}Content-Type: text/plain\r\n\r\ndeep\r\n"
    parsed = parse(build('Content-Type: multipart/mixed; boundary="top"', body=body))

    assert "MIME nested deeper than 30; ignored" in parsed.problems
    assert not any(p.startswith("internal error") for p in parsed.problems)


def test_pathological_headers_are_read_leniently():
    # The default policy's parsers are quadratic on these, or recurse until they fail.
    quotes = '"' * 20_000
    raw = build(f"Content-Type: text/plain; charset=utf-8; x={quotes}", body="Still here.")
    parsed = parse(raw)

    assert parsed.text == "Still here."
    assert "an oversized Content-Type header: read with the lenient compat32 parser" in (
        parsed.problems
    )

    parsed = parse(build("From: " + "(" * 5000 + " <jane@example.org>", "To: " + '"' * 9000))
    assert parsed.text == "Hello, where is my parcel?"
    assert not any(p.startswith("internal error") for p in parsed.problems)


def test_empty_input():
    parsed = parse(b"")

    assert parsed.problems[0] == "empty input"
    assert "no Message-ID" in parsed.problems[1]
    assert parsed.message_id.startswith("missing-")
    assert (parsed.text, parsed.reply_text, parsed.subject, parsed.from_address) == ("", "", "", "")
    assert parsed.kind == "customer"


def test_body_without_headers_and_leading_blank_lines():
    assert parse(b"just a line of text").text == "just a line of text"

    parsed = parse(b"\r\n\r\n" + build())
    assert parsed.from_address == "jane.doe@example.org"
    assert "ignored a byte-order mark or blank lines before the headers" in parsed.problems


def test_only_bytes_are_accepted():
    with pytest.raises(TypeError):
        parse("From: a@example.org\r\n\r\nhi")  # type: ignore[arg-type]
    assert parse(bytearray(build())).from_address == "jane.doe@example.org"


def test_random_mutations_never_raise():
    rng = random.Random(20240312)  # fixed: a failure must be reproducible
    corpus = [load(p.name) for p in sorted(FIXTURES.glob("*.eml"))]
    spice = [b"\r\n", b"\r\n\r\n", b"=?utf-8?b?", b"?=", b"--", b"\x00", b"=\r\n", b"<>", b"@",
             b'; boundary="', b"\xff\xfe", b"Content-Type: multipart/mixed\r\n",
             b"=?x?q?=ZZ?="]  # fmt: skip
    for i in range(200):
        data = bytearray(corpus[i % len(corpus)])
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(len(data) + 1)
            match rng.randrange(6):
                case 0:
                    data[pos:pos] = rng.randbytes(rng.randint(1, 16))
                case 1:
                    del data[pos : pos + rng.randint(1, 64)]
                case 2:
                    data[pos:pos] = rng.choice(spice)
                case 3:
                    data[pos:pos] = data[rng.randrange(len(data) + 1) :][: rng.randint(1, 200)]
                case 4 if data:
                    data[min(pos, len(data) - 1)] = rng.randrange(256)
                case _ if rng.random() < 0.3:
                    del data[pos:]

        parsed = parse(bytes(data), own_domains=OURS, max_attachment_bytes=100)

        assert not any(p.startswith("internal error") for p in parsed.problems), parsed.problems
        assert parsed.message_id
        assert parsed.kind in {"customer", "auto_reply", "bounce", "loop"}
        assert_single_lines(parsed)


# --------------------------------------------------------------------------- limits


def _with_attachments(*files: tuple[str, str, bytes]) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Jane Doe <jane.doe@example.org>"
    msg["To"] = "support@openline.example"
    msg["Subject"] = "Files"
    msg["Message-ID"] = "<files.1@example.org>"
    msg["Date"] = "Tue, 12 Mar 2024 09:13:58 +0100"
    msg.set_content("The files you asked for.\n")
    for filename, ctype, data in files:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def test_attachment_over_the_size_limit_is_dropped():
    video = bytes(range(256)) * 5860  # 1,500,160 bytes
    body = (
        "--b\r\nContent-Type: text/plain\r\n\r\nThe files you asked for.\r\n"
        '--b\r\nContent-Type: video/mp4\r\nContent-Disposition: attachment; filename="video.mp4"'
        f"\r\nContent-Transfer-Encoding: base64\r\n\r\n{base64.encodebytes(video).decode()}"
        '--b\r\nContent-Type: application/pdf; name="a.pdf"\r\n\r\n%P\r\n--b--\r\n'
    )
    raw = build('Content-Type: multipart/mixed; boundary="b"', body=body)
    parsed = parse(raw, max_attachment_bytes=1_048_576)

    assert [a.filename for a in parsed.attachments] == ["a.pdf"]
    assert parsed.dropped_attachments == [("video.mp4", "video/mp4", 1_500_160)]
    assert parsed.problems == [
        "attachment 'video.mp4' (1,500,160 bytes) over the 1,048,576-byte limit, not kept"
    ]
    assert parsed.text == "The files you asked for."
    assert len(parse(raw).attachments) == 2  # no limit by default


def test_attachments_beyond_the_count_limit_are_dropped():
    files = [(f"page{i}.png", "image/png", b"png%d" % i) for i in range(4)]
    parsed = parse(_with_attachments(*files), max_attachments=2)

    assert [a.filename for a in parsed.attachments] == ["page0.png", "page1.png"]
    assert parsed.dropped_attachments == [
        ("page2.png", "image/png", 4),
        ("page3.png", "image/png", 4),
    ]
    assert "attachment 'page2.png' (4 bytes) beyond the 2-attachment limit, not kept" in (
        parsed.problems
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\eve\\report.pdf", "report.pdf"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # right-to-left override removed
        ("bad\x07name?.txt", "bad name_.txt"),
        ("...", "attachment"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_attachment_filenames_are_sanitised(given, expected):
    (attachment,) = parse(_with_attachments((given, "application/octet-stream", b"x"))).attachments

    assert attachment.filename == expected


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_raw_8bit_filename(encoding):
    raw = _with_attachments(("placeholder.pdf", "application/pdf", b"%PDF"))
    raw = raw.replace(b"placeholder", "Größe".encode(encoding))
    (attachment,) = parse(raw).attachments

    assert attachment.filename == "Größe.pdf"


def test_attachment_without_a_name():
    raw = build(
        'Content-Type: multipart/mixed; boundary="b"',
        body="--b\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n"
        "--b\r\nContent-Type: APPLICATION/octet-stream\r\n\r\nbinary\r\n--b--\r\n",
    )
    (attachment,) = parse(raw).attachments

    assert (attachment.filename, attachment.content_type, attachment.data) == (
        "attachment",
        "application/octet-stream",
        b"binary",
    )


# --------------------------------------------------------------------------- ids and headers


def test_missing_message_id_is_stable_per_content():
    raw = load("no_message_id.eml")
    first, again = parse(raw), parse(raw)
    other = parse(raw.replace(b"Ireland", b"Iceland"))

    assert first.message_id == again.message_id
    assert first.message_id.startswith("missing-")
    assert first.message_id.endswith("@openline.invalid")
    assert len(first.message_id.split("@")[0]) == len("missing-") + 32
    assert other.message_id != first.message_id
    assert f"no Message-ID; used {first.message_id}" in first.problems
    assert first.date is None
    assert "no Date" in first.problems
    assert first.from_address == "contact-form@shop.example"


@pytest.mark.parametrize("value", ["not an id", "<>", "<no-at-sign>", "<a b@c>"])
def test_invalid_message_id(value):
    parsed = parse(build(f"Message-ID: {value}"))

    assert parsed.message_id.startswith("missing-")
    assert any(p.startswith("invalid Message-ID") for p in parsed.problems)


def test_header_injection_attempts_stay_on_one_line():
    parsed = parse(load("header_injection.eml"))

    assert parsed.from_name == "Mallory Bcc: everyone@openline.example"
    assert parsed.from_address == "mallory@attacker.example"
    assert parsed.reply_to == "mallory+reply@attacker.example"
    assert parsed.subject == "Invoice X-Injected: yes"
    assert_single_lines(parsed)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Date: Tue, 12 Mar 2024 09:13:58 -0000", datetime(2024, 3, 12, 9, 13, 58, tzinfo=UTC)),
        ("Date: 2024-03-12T10:13:58+01:00", datetime(2024, 3, 12, 9, 13, 58, tzinfo=UTC)),
        ("Date: yesterday", None),
        ("Date: Tue, 12 Mar 1601 09:13:58 +0100", None),
    ],
)
def test_dates(header, expected):
    parsed = parse(build(header))

    assert parsed.date == expected
    if expected is None:
        assert any(p.startswith("invalid Date") for p in parsed.problems)
    else:
        assert parsed.date.tzinfo is not None


def test_undisclosed_recipients():
    parsed = parse(build("To: undisclosed-recipients:;"))

    assert parsed.to == []
    assert parsed.problems == []


def test_from_falls_back_to_sender():
    parsed = parse(build("From: Jane Doe", "Sender: Jane <jane@example.org>"))

    assert parsed.from_address == "jane@example.org"
    assert "no usable From; used Sender" in parsed.problems


@pytest.mark.parametrize(
    ("address", "token"),
    [
        ("support+abc123@example.com", "abc123"),
        ("Support <support+XyZ-9@example.com>", "XyZ-9"),
        ("support@example.com", None),
        ("support+@example.com", None),
        ("support+abc", None),
        ("", None),
    ],
)
def test_address_token(address, token):
    assert address_token(address) == token


# --------------------------------------------------------------------------- kind


def test_out_of_office_fixture():
    parsed = parse(load("out_of_office.eml"), own_domains=OURS)

    assert parsed.kind == "auto_reply"
    assert parsed.text.startswith("Ich bin bis zum 25.03. nicht im Büro.")
    assert parsed.headers["Auto-Submitted"] == "auto-replied"


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-generated",
        "Auto-Submitted: Auto-Replied (vacation)",
        "X-Autoreply: yes",
        "X-Autorespond: Out of office",
        "Precedence: bulk",
        "Precedence: junk",
        "Precedence: auto_reply",
        "X-Auto-Response-Suppress: All",
        "X-Auto-Response-Suppress: DR, OOF, AutoReply",
        "Subject: Out of Office: Where is my parcel?",
        "Subject: Automatic reply: Where is my parcel?",
        "Subject: Auto: Where is my parcel?",
        "Subject: Abwesenheitsnotiz: Where is my parcel?",
        "Subject: =?utf-8?q?R=C3=A9ponse_automatique_=3A_Where_is_my_parcel=3F?=",
        "Content-Type: multipart/report; report-type=disposition-notification; boundary=b",
    ],
)
def test_auto_reply_variants(header):
    assert parse(build(header)).kind == "auto_reply"


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: no",
        "Precedence: list",
        "Subject: Question about your out of office hours",
        "X-Auto-Response-Suppress: DR, RN",
    ],
)
def test_not_auto_replies(header):
    assert parse(build(header)).kind == "customer"


def test_delivery_status_bounce():
    parsed = parse(load("bounce_dsn.eml"), own_domains=OURS)

    # Our own MTA sent it, with Auto-Submitted, yet it is a bounce and not a loop.
    assert parsed.kind == "bounce"
    assert parsed.from_address == "mailer-daemon@mail.openline.example"
    assert "could not\nbe delivered" in parsed.text
    assert [a.content_type for a in parsed.attachments] == [
        "message/delivery-status",
        "text/rfc822-headers",
    ]
    assert b"Status: 5.1.1" in parsed.attachments[0].data


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (("From: MAILER-DAEMON@mx.example.net", "Subject: Undeliverable: Your ticket"), "bounce"),
        (("From: postmaster@mx.example.net", "Subject: Delivery Status Notification (Failure)"),
         "bounce"),
        (("From: postmaster@mx.example.net", "Subject: Our new opening hours"), "customer"),
        (("X-Failed-Recipients: gone@example.net",), "bounce"),
    ],
)  # fmt: skip
def test_bounce_variants(headers, kind):
    assert parse(build(*headers)).kind == kind


def test_bounce_by_empty_return_path_and_status_part():
    body = (
        "--b\r\nContent-Type: text/plain\r\n\r\nMessage not delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n\r\n--b--\r\n"
    )
    raw = build("Return-Path: <>", 'Content-Type: multipart/mixed; boundary="b"', body=body)

    assert parse(raw).kind == "bounce"
    assert parse(raw.replace(b"Return-Path: <>", b"Return-Path: <a@example.org>")).kind == (
        "customer"
    )


def test_own_notification_coming_back_is_a_loop():
    raw = load("loop_notification.eml")

    assert parse(raw, own_domains=OURS).kind == "loop"
    assert parse(raw, own_domains="openline.example").kind == "loop"  # a lone str is one domain
    assert parse(raw).kind == "auto_reply"  # without knowing our domains: just automatic


@pytest.mark.parametrize(
    ("headers", "options", "kind"),
    [
        (("X-Openline-Loop: 1",), {}, "loop"),
        (("X-Helpdesk-Loop: yes",), {"loop_header": "X-Helpdesk-Loop"}, "loop"),
        (("X-Loop: support@openline.example",), {"own_domains": OURS}, "loop"),
        (("X-Loop: helpdesk@other.example",), {"own_domains": OURS}, "customer"),
        (("Message-ID: <n.1@mail.openline.example>", "Auto-Submitted: auto-generated"),
         {"own_domains": OURS}, "loop"),
        # An agent writing from their own mailbox is not a loop.
        (("From: alex@openline.example",), {"own_domains": OURS}, "customer"),
    ],
)  # fmt: skip
def test_loop_variants(headers, options, kind):
    assert parse(build(*headers), **options).kind == kind


# --------------------------------------------------------------------------- strip_quoted

REPLY = "Yes, Tuesday is fine.\n\nJane"


@pytest.mark.parametrize(
    "history",
    [
        "On Tue, Mar 12, 2024 at 10:15 AM Openline Support <support@openline.example> wrote:\n"
        "> Would Tuesday suit you?\n>\n> Alex",
        "On Tue, 12 Mar 2024 at 10:15, Openline Support <support@openline.example\n"
        "> wrote:\n\n> Would Tuesday suit you?",
        "-----Original Message-----\nFrom: Openline Support\nSent: Tuesday, March 12, 2024\n"
        "Would Tuesday suit you?",
        "________________________________\nFrom: Openline Support <support@openline.example>\n"
        "Sent: Tuesday, March 12, 2024 10:15 AM\nTo: Jane Doe\nSubject: Delivery\n\n"
        "Would Tuesday suit you?",
        "*From:* Openline Support <support@openline.example>\n*Date:* 12 March 2024\n"
        "*To:* Jane Doe\n*Subject:* Delivery\n\nWould Tuesday suit you?",
        "From: Openline Support Sent: Tuesday To: Jane Doe Subject: Delivery\n"
        "Would Tuesday suit you?",
        "Von: Openline Support <support@openline.example>\nGesendet: Dienstag, 12. März 2024\n"
        "An: Jane Doe\nBetreff: Lieferung\n\nPasst Ihnen Dienstag?",
        "Le mar. 12 mars 2024 à 10:15, Openline Support <support@openline.example> a écrit :\n"
        "> Mardi vous convient ?",
        "Am 12.03.2024 um 10:15 schrieb Openline Support <support@openline.example>:\n"
        "> Passt Ihnen Dienstag?",
        "> Would Tuesday suit you?\n> Alex",
        "Sent from my iPhone\n\n> On 12 Mar 2024, at 10:15, Openline Support wrote:\n>\n> Hi",
        "-- \nJane Doe\nACME Ltd\n\nOn Tue, Alex wrote:\n> Would Tuesday suit you?",
        "Get Outlook for iOS<https://aka.ms/o0ukef>\n________________________________\n"
        "From: Openline Support\nSent: Tuesday\nTo: Jane\nSubject: Delivery\n\nHi",
    ],
)
def test_strip_quoted_removes_history(history):
    assert strip_quoted(f"{REPLY}\n\n{history}\n") == REPLY


def test_strip_quoted_keeps_inline_replies():
    text = (
        "Hi Alex,\n\nOn Tue, Alex wrote:\n> Can you send the invoice?\nAttached.\n\n"
        "> And the delivery date?\nFriday.\n\n> Thanks, Alex\n> -- \n> Openline"
    )
    assert strip_quoted(text) == (
        "Hi Alex,\n\nOn Tue, Alex wrote:\n> Can you send the invoice?\nAttached.\n\n"
        "> And the delivery date?\nFriday."
    )


def test_strip_quoted_bottom_posting_keeps_the_answer():
    text = "On Tue, Alex wrote:\n> Would Tuesday suit you?\n\nYes, it does.\n\n-- \nJane"
    assert strip_quoted(text) == "On Tue, Alex wrote:\n> Would Tuesday suit you?\n\nYes, it does."


@pytest.mark.parametrize(
    "text",
    [
        "> everything\n> is quoted",
        "On Tue, Alex wrote:\n> only the history",
        "Sent from my iPhone",
        "-- \nonly a signature",
    ],
)
def test_strip_quoted_never_returns_empty(text):
    assert strip_quoted(f"\n{text}\n") == text


def test_strip_quoted_edge_cases():
    assert strip_quoted("") == ""
    assert strip_quoted("Thanks!\r\n\r\n> old\r\n") == "Thanks!"
    # Not an attribution: it does not end with "wrote:".
    assert strip_quoted("On Monday I wrote: the lid is cracked.") == (
        "On Monday I wrote: the lid is cracked."
    )
    # "--" without the space only counts near the end.
    long_tail = "Intro\n--\n" + "\n".join(f"line {i}" for i in range(20))
    assert strip_quoted(long_tail) == long_tail


# --------------------------------------------------------------------------- html_to_text


def test_html_to_text():
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<script>alert(1)</script><p>First&nbsp;paragraph</p><p>Second<br>line</p>"
        "<div>A div</div><ul><li>one</li><li>two</li></ul>"
        "<blockquote>quoted<br>text</blockquote><p>Fish &amp; chips</p></body></html>"
    )
    assert html_to_text(html) == (
        "First paragraph\n\nSecond\nline\n\nA div\n- one\n- two\n> quoted\n> text\n\nFish & chips"
    )


def test_html_to_text_survives_bad_markup():
    assert html_to_text("<p>Hi<div><b>there</p><![if !mso]>x<![endif]>") != ""
    assert html_to_text("<head><body>Body after an unclosed head") == (
        "Body after an unclosed head"
    )
