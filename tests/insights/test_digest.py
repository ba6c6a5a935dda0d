"""The weekly digest to managers and admins: last full local week against the week before,
hand-computed figures, the recipients, the off switch and a real SMTP conversation."""

from __future__ import annotations

import email as email_parser
import socket
from datetime import UTC, date, datetime, timedelta
from email import policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail

from accounts.models import Role, User
from conversations import cases, services
from conversations.models import Channel, Kind, KnownIssueStatus, Message, Sentiment, Topic
from insights import rollups
from insights.digest import send_weekly_digest, week_before
from insights.models import DigestSent
from listening.models import Alert, AlertMetric
from satisfaction import services as satisfaction
from tests.conftest import make_customer, make_staff

MONDAY = date(2026, 11, 30)  # the digest covers Monday 23 to Sunday 29 November
SENT_AT = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
DASHBOARD = "/staff/insights/?start=2026-11-23&end=2026-11-29"


def at(moment):
    return time_machine.travel(moment, tick=False)


def utc(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def email(person, body, moment, conversation=None):
    with at(moment):
        return services.receive_private_message(
            conversation=conversation, author=person, title=body[:20], body_md=body,
            channel=Channel.EMAIL,
        )  # fmt: skip


def label(message, sentiment="", topic=None):
    # As the scoring job does it: a bulk update the rollup triggers see.
    Message.objects.filter(pk=message.pk).update(sentiment=sentiment, topic=topic)


def lines(body: str) -> list[str]:
    """The e-mail's lines with runs of spaces made one, so columns compare as words."""
    return [" ".join(line.split()) for line in body.splitlines()]


@pytest.fixture
def staff(alex, lionel, mona, priya, ada):
    """Every role, plus a manager who left and a customer: only priya and ada are sent it."""
    gone = make_staff("gone@example.com", "Gone M.", "Former head", Role.MANAGER)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    make_customer("customer@example.com", "Carl Customer")
    return [priya.email, ada.email]


@pytest.fixture
def week(maria, sam, alex, lionel, outcomes):
    """Last week (23-29 Nov): 4 customer messages, 3 by e-mail and 1 on the site; 3 needing an
    answer, 2 answered (42 min within target, 10 h late); 1 case resolved and rated 4.
    The week before: 1 e-mail answered in 30 min. Waiting now: 2, one of them overdue."""
    with at(utc(2, 9)):
        issue = services.publish_post(
            author=lionel.person, kind=Kind.KNOWN_ISSUE, title="Deliveries to the north are late",
            body_md="A storm closed the motorway.", affected_area="Scotland",
        )  # fmt: skip
    late, refunds = (
        Topic.objects.create(number=1, name="late delivery", terms=["late"]),
        Topic.objects.create(number=2, name="refunds", terms=["refund"]),
    )

    # Sunday 15 November: before both weeks.
    old = email(maria.person, "An old question", utc(15, 10))
    with at(utc(16, 9, 30)):
        services.answer(old, by=alex, body_md="Answered on Monday.")
    # The week before: answered in 30 minutes.
    before = email(sam.person, "Where is my refund?", utc(18, 10))
    label(before, Sentiment.NEUTRAL, refunds)
    with at(utc(18, 10, 30)):
        services.answer(before, by=alex, body_md="Sent today.")

    # Monday: Maria is furious; answered 42 minutes later.
    furious = email(maria.person, "Third time late, I am furious", utc(23, 10))
    label(furious, Sentiment.NEGATIVE, late)
    with at(utc(23, 10, 42)):
        services.answer(furious, by=alex, body_md="So sorry: a new box is on its way.")
    # Tuesday 16:00 on the site, answered Thursday 10:00: 1 + 8 + 1 = 10 business hours, late.
    with at(utc(24, 16)):
        comment = services.post_comment(issue, author=sam.person, body_md="Mine is late too")
    label(comment, Sentiment.NEUTRAL, late)
    with at(utc(26, 10)):
        services.answer(comment, by=alex, body_md="It is on the next van.")
    # Thursday 09:00: never answered, due at 17:00.
    waiting = email(sam.person, "My refund has still not been paid", utc(26, 9))
    label(waiting, Sentiment.NEGATIVE, refunds)
    # Friday: Maria is happy again; resolving closes her thanks without a reply; she rates 4.
    happy = email(maria.person, "It came and it is perfect!", utc(27, 11), furious.conversation)
    label(happy, Sentiment.POSITIVE, late)
    with at(utc(27, 12)):
        cases.resolve(furious.conversation, by=alex, outcome=outcomes["Replaced"])
    with at(utc(27, 13)):
        satisfaction.rate(furious.conversation.surveys.get().token, 4)
    # Monday 30 November, before the digest: waiting, not yet overdue, not in the week.
    email(maria.person, "Early bird question", utc(30, 6))

    with at(utc(25, 10)):
        services.post_status_update(
            issue, author=lionel.person, status=KnownIssueStatus.IDENTIFIED,
            body_md="We know where.", next_update_due=utc(27, 12),
        )  # fmt: skip
    for day, count in ((25, 12), (20, 7)):  # one alert last week, one the week before
        Alert.objects.create(
            metric=AlertMetric.VOLUME, window_start=utc(day, 13), window_end=utc(day, 14),
            count=count, observed=count, baseline=2.0, spread=1.0, threshold=4.0,
            created_at=utc(day, 14),
        )  # fmt: skip
    rollups.refresh_pending()
    return {"issue": issue, "furious": furious}


def test_the_week_is_the_last_full_monday_to_sunday():
    assert (week_before(MONDAY).start, week_before(MONDAY).end) == (
        date(2026, 11, 23),
        date(2026, 11, 29),
    )
    sunday = week_before(date(2026, 11, 29))  # Sunday: its own week is not over
    assert (sunday.start, sunday.end) == (date(2026, 11, 16), date(2026, 11, 22))
    wednesday = week_before(date(2026, 12, 2))
    assert (wednesday.start, wednesday.end) == (date(2026, 11, 23), date(2026, 11, 29))


def test_managers_and_admins_get_last_weeks_figures(settings, staff, week):
    settings.SITE_URL = "https://help.larder.test"
    with at(SENT_AT):
        assert send_weekly_digest(MONDAY) == 2

    assert sorted(m.to[0] for m in mail.outbox) == sorted(staff)
    assert all(len(m.to) == 1 for m in mail.outbox)
    sent = mail.outbox[0]
    assert sent.subject == "Customer service, week of 23 Nov to 29 Nov 2026"
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    got = lines(sent.body)
    for expected in [
        "Durations are in business hours, times in UTC.",
        "23 Nov to 29 Nov Week before",
        "Customer messages 4 1",
        "Answered 67% (2 of 3) 100% (1 of 1)",
        "First response, median 42 min 30 min",
        "First response, 90th percentile 10 h 30 min",
        # Around the clock the late one waited 42 h (Tuesday 16:00 to Thursday 10:00).
        "First response, median around the clock 42 min 30 min",
        # Within target: 1 of the 2 answered, and the one still waiting is past its target.
        "Within target 33% 100%",
        "Cases resolved 1 0",
        "Satisfaction 4.0 of 5 (1 rated) no ratings",
        # By channel, in the order of the channels.
        "Website 1 0",
        "E-mail 3 1",
        "Waiting for an answer now: 2, 1 of them past their target.",
        "The oldest has waited since Thu 26 Nov 2026, 09:00.",
        # Topics: late delivery 3 (1 negative) and new, so trending; refunds 1 and 1 before.
        "- late delivery: 3 messages (0 the week before), 33% negative, trending",
        "- refunds: 1 message (1 the week before), 100% negative",
        "Trending against the four weeks before: late delivery",
        "Alerts raised: 1",
        "- Wed 25 Nov, 14:00: Volume spike in all mentions, 12 mentions",
        "Customers won back: 1",
        "- Maria Keller, Fri 27 Nov",
        "- Maria Keller: score 1 (0 answers accepted, 0 helpful replies, 1 positive message)",
        f"https://help.larder.test{DASHBOARD}",
    ]:
        assert expected in got, expected
    issue = week["issue"]
    known = got[got.index("Open known issues") + 1]
    assert known == (
        "- Deliveries to the north are late (Identified, affects Scotland), open since "
        "2 Nov 2026. Next update promised by Fri 27 Nov, 12:00: OVERDUE."
    )
    assert f"https://help.larder.test{issue.get_absolute_url()}" in got
    # Figures and names only: no message text leaves in the digest.
    assert "furious" not in sent.body and "perfect" not in sent.body
    assert "Early bird" not in sent.body and "storm" not in sent.body


def test_nothing_is_sent_when_the_digest_is_off(settings, staff, week):
    settings.INSIGHTS_DIGEST = False
    with at(SENT_AT):
        assert send_weekly_digest(MONDAY) == 0
    assert mail.outbox == []


def test_each_address_gets_a_week_once(staff, week):
    with at(SENT_AT):
        assert send_weekly_digest(MONDAY) == 2
        assert send_weekly_digest(MONDAY) == 0
        assert send_weekly_digest(date(2026, 12, 2)) == 0  # Wednesday: still that week
    assert len(mail.outbox) == 2
    assert sorted(DigestSent.objects.values_list("email", flat=True)) == sorted(staff)
    # A manager who joins gets the week that went out; the next week goes to everyone.
    make_staff("newcomer@example.com", "Nia N.", "Team lead", Role.MANAGER)
    with at(SENT_AT):
        assert send_weekly_digest(MONDAY) == 1
    assert mail.outbox[-1].to == ["newcomer@example.com"]
    with at(SENT_AT + timedelta(days=7)):
        assert send_weekly_digest() == 3


def test_a_send_that_fails_is_tried_again(monkeypatch, staff):
    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages

    def refuse_ada(self, messages):
        if messages[0].to == ["ada@example.com"]:
            raise OSError("mail server went away")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_ada)
    with at(SENT_AT), pytest.raises(OSError):
        send_weekly_digest(MONDAY)
    # ada (first in order) was not marked; priya was never reached.
    assert not DigestSent.objects.exists()
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    with at(SENT_AT):
        assert send_weekly_digest(MONDAY) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(staff)


def test_no_managers_no_mail(alex, maria):
    assert send_weekly_digest(MONDAY) == 0
    assert mail.outbox == []


def test_an_empty_week_says_so(priya):
    with at(SENT_AT):
        assert send_weekly_digest(MONDAY) == 1
    got = lines(mail.outbox[0].body)
    for expected in [
        "Customer messages 0 0",
        "Answered none needed an answer none needed an answer",
        "Satisfaction no ratings no ratings",
        "First response, median no data no data",
        "No customer messages in either week.",
        "Waiting for an answer now: 0, 0 of them past their target.",
        "No topics this week.",
        "None open.",
        "Alerts raised: 0",
        "Customers won back: 0",
        "None this week.",
    ]:
        assert expected in got, expected


def test_weeks_are_local(settings, priya, maria, sam):
    settings.TIME_ZONE = "Europe/Berlin"
    # Berlin is UTC+1 in November: local midnight is 23:00 UTC the day before.
    email(maria.person, "first of the week", datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    email(maria.person, "last of the week", datetime(2026, 11, 29, 22, 30, tzinfo=UTC))
    email(sam.person, "already Monday", datetime(2026, 11, 29, 23, 30, tzinfo=UTC))
    email(sam.person, "week before", datetime(2026, 11, 22, 22, 30, tzinfo=UTC))
    rollups.refresh_pending()
    # 23:45 UTC on Sunday is Monday 00:45 in Berlin: the week just ended is 23-29 November.
    with at(datetime(2026, 11, 29, 23, 45, tzinfo=UTC)):
        assert send_weekly_digest() == 1
    (sent,) = mail.outbox
    assert sent.subject == "Customer service, week of 23 Nov to 29 Nov 2026"
    assert "Customer messages 2 1" in lines(sent.body)


def test_the_scheduled_job_sends_the_digest(priya):
    from insights.tasks import weekly_digest

    with at(SENT_AT):
        assert weekly_digest.call_local() == 1
    assert mail.outbox[0].subject == "Customer service, week of 23 Nov to 29 Nov 2026"


# -- over a real SMTP conversation ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        message = email_parser.message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append((envelope.rcpt_tos, message))
        return "250 Message accepted"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it."""
    mailbox = Mailbox()
    server = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.hostname, server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield mailbox
    server.stop()


def test_a_real_smtp_conversation(smtp_server, settings, staff, week):
    with at(SENT_AT):
        assert send_weekly_digest(MONDAY) == 2
    assert sorted(to for tos, _ in smtp_server.received for to in tos) == sorted(staff)
    _, message = smtp_server.received[0]
    assert message["Subject"] == "Customer service, week of 23 Nov to 29 Nov 2026"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Openline-Loop"] == settings.SUPPORT_EMAIL_DOMAIN
    body = lines(message.get_content())
    assert "Customer messages 4 1" in body and "First response, median 42 min 30 min" in body
    assert f"{settings.SITE_URL}{DASHBOARD}" in body
