"""Every stored message is scored after commit; rescoring is batched and resumable."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

import analysis
from conversations import scoring, services
from conversations.models import Message, Topic, TopicModelState

# Scoring is queued when a message's transaction commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

COMPLAINTS = [
    "My parcel never arrived and nobody answers, really disappointed",
    "Still no parcel, the delivery is a week late and nobody answers",
    "The courier lost my parcel again, the delivery is late",
]


def test_a_new_comment_is_scored_after_commit(maria_comment):
    maria_comment.refresh_from_db()
    assert maria_comment.analysed_with == analysis.version()
    assert maria_comment.sentiment in ("negative", "neutral", "positive")
    assert maria_comment.intent == "question"  # "Where is my parcel? Order 1042."
    assert maria_comment.topic is not None
    assert maria_comment.topic.size == 1


def test_staff_replies_get_sentiment_but_no_topic(alex, maria_comment):
    reply = services.answer(maria_comment, by=alex, body_md="Thanks for your patience, Maria!")
    reply.refresh_from_db()
    assert reply.analysed_with == analysis.version()
    assert reply.sentiment == "positive"
    assert reply.topic is None


def test_articles_are_scored_and_rescored_when_edited(lionel, article):
    opening = article.messages.get(is_opening=True)
    assert opening.analysed_with == analysis.version()
    services.edit_post(
        article,
        editor=lionel.person,
        title=article.title,
        body_md="We are sorry: the warehouse flooded and every order is delayed. Awful week.",
    )
    opening.refresh_from_db()
    assert opening.analysed_with == analysis.version()
    assert opening.sentiment == "negative"


def test_similar_complaints_share_a_topic(maria, sam, known_issue):
    messages = [
        services.post_comment(known_issue, author=person, body_md=text)
        for person, text in zip([maria.person, sam.person, maria.person], COMPLAINTS, strict=True)
    ]
    for m in messages:
        m.refresh_from_db()
    assert len({m.topic_id for m in messages}) == 1
    topic = messages[0].topic
    assert topic.size == 3
    assert {"parcel", "delivery"} & set(topic.terms)
    assert all(m.sentiment == "negative" and m.intent == "complaint" for m in messages)


def test_scoring_twice_changes_nothing(maria_comment):
    assert scoring.analyse_ids([maria_comment.pk]) == 0
    maria_comment.refresh_from_db()
    assert maria_comment.topic.size == 1
    assert TopicModelState.objects.get().revision == 1


def test_rescore_is_batched_and_picks_up_where_it_stopped(maria, sam, known_issue):
    for i, text in enumerate(COMPLAINTS * 3):
        services.post_comment(known_issue, author=(maria, sam)[i % 2].person, body_md=text)
    Message.objects.update(analysed_with="linear-old/intent-0")
    customer = Message.objects.filter(official=False).count()

    run = scoring.rescore(batch_size=4)
    first = next(run)  # stopped after one batch, as if the process were killed
    assert (first.done, first.remaining) == (4, Message.objects.count() - 4)
    assert Message.objects.exclude(analysed_with=analysis.version()).count() == first.remaining

    out = io.StringIO()
    call_command("rescore", "--batch-size", "3", stdout=out)
    assert Message.objects.exclude(analysed_with=analysis.version()).count() == 0
    assert f"Scored {first.remaining} messages" in out.getvalue()
    # Topics were assigned once per customer message, never twice.
    assert sum(Topic.objects.values_list("size", flat=True)) == customer


def test_refit_topics_reclusters_every_customer_message(maria, sam, known_issue):
    for i, text in enumerate([*COMPLAINTS, "How do I reset my password?", "password reset link"]):
        services.post_comment(known_issue, author=(maria, sam)[i % 2].person, body_md=text)
    out = io.StringIO()
    call_command("rescore", "--refit-topics", stdout=out)
    assert "Clustered the customer messages into" in out.getvalue()
    customer = Message.objects.filter(official=False)
    assert customer.filter(topic__isnull=True).count() == 0
    assert sum(Topic.objects.values_list("size", flat=True)) == customer.count()


def test_trending_topics_compare_today_with_the_week_before(maria, sam, known_issue):
    today = timezone.localdate()
    now = timezone.now()
    services.post_comment(
        known_issue, author=maria.person, body_md=COMPLAINTS[0], at=now - timedelta(days=3)
    )
    for i in range(5):
        services.post_comment(
            known_issue, author=(maria, sam)[i % 2].person, body_md=COMPLAINTS[i % 3]
        )
    rows = scoring.trending_topics("day", today=today)
    assert len(rows) == 1
    topic, trend = rows[0]
    assert trend.count == 5
    assert trend.baseline == pytest.approx(1 / 7)
    out = io.StringIO()
    call_command("topics", "--trending", "day", stdout=out)
    assert topic.name in out.getvalue()
    out = io.StringIO()
    call_command("topics", stdout=out)
    assert out.getvalue().split()[0] == "6"


def test_nothing_trending_is_said_plainly(db):
    out = io.StringIO()
    call_command("topics", "--trending", "week", stdout=out)
    assert out.getvalue().strip() == "Nothing stands out this week."


def test_analyze_command_writes_a_file(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('id,body\n1,"great, another delay"\n', encoding="utf-8")
    target = tmp_path / "out.csv"
    err = io.StringIO()
    call_command(
        "analyze", str(source), "--text-column", "body", "--output", str(target), stderr=err
    )
    assert target.read_text().splitlines()[1].startswith('1,"great, another delay",negative,')
    assert "Analysed 1 rows" in err.getvalue()


def test_analyze_command_errors_are_clear(tmp_path):
    with pytest.raises(CommandError, match=r"cannot read .*missing\.csv: No such file"):
        call_command("analyze", str(tmp_path / "missing.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"text\ncaf\xe9\n")
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("analyze", str(bad))
    with pytest.raises(CommandError, match="no column named 'text'"):
        bad.write_text("body\nx\n")
        call_command("analyze", str(bad))


def test_analyze_reads_standard_input_and_exits_nonzero_on_error():
    openline = [sys.executable, "-m", "openline.cli"]
    done = subprocess.run(
        [*openline, "analyze", "-", "--model", "vader"],
        input=b'{"text": "I love it"}\n',
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert b'"sentiment": "positive"' in done.stdout
    failed = subprocess.run(
        [*openline, "analyze", "-"],
        input=b"body\nx\n",
        capture_output=True,
        timeout=60,
    )
    assert failed.returncode == 1
    assert b"no column named 'text'" in failed.stderr


def test_a_failed_save_does_not_leave_unsaved_topics_in_memory(maria, known_issue, monkeypatch):
    services.post_comment(known_issue, author=maria.person, body_md=COMPLAINTS[0])
    message = Message.objects.filter(official=False).get()
    Message.objects.filter(pk=message.pk).update(analysed_with="", topic=None)
    message.refresh_from_db()

    def broken_save(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(scoring, "_save_topic_model", broken_save)
    with pytest.raises(RuntimeError):
        scoring.analyse([message])
    assert scoring._cached is None
    monkeypatch.undo()
    assert scoring.analyse_ids([message.pk]) == 1
    message.refresh_from_db()
    # Counted at the first scoring and now; the failed attempt in between left no trace.
    assert message.topic.size == 2


def test_a_worker_reloads_the_topic_model_another_worker_saved(maria_comment):
    from django.db import transaction
    from django.db.models import F

    from analysis.topics import TopicModel

    held_in_memory = scoring._cached[1]
    other = TopicModel()
    other.assign("folding bicycles with a basket for the weekly shop")
    TopicModelState.objects.update(state=other.to_dict(), revision=F("revision") + 1)
    with transaction.atomic():
        model = scoring._topic_model(scoring._locked_state())
    assert model is not held_in_memory
    assert model.to_dict() == other.to_dict()
    with transaction.atomic():
        assert scoring._topic_model(scoring._locked_state()) is model  # unchanged: no reload


def test_analyze_shows_a_progress_bar_only_on_a_terminal(tmp_path):
    import fcntl
    import os
    import pty
    import struct
    import termios

    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "where is my parcel?"}\n' * 3, encoding="utf-8")
    command = [sys.executable, "-m", "openline.cli", "analyze", str(source)]
    leader, follower = pty.openpty()
    # A real terminal has a size; a fresh pseudo-terminal says 0 columns.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=follower, timeout=60)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal is closed once everything is read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    assert done.stdout.count(b'"intent": "question"') == 3
    assert b"3/3" in shown or b"3 rows" in shown
    piped = subprocess.run(command, capture_output=True, timeout=60, check=True)
    assert piped.stderr == b""
