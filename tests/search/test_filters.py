"""Filters: kind, department (category), label, and status, which means a question's answer,
an idea's status or a known issue's progress."""

from __future__ import annotations

import pytest

from community.models import Idea
from community.services import accept_answer
from conversations import services
from conversations.models import Category, Kind
from tests.search.conftest import comment, publish


@pytest.fixture
def everything(lionel, maria, sam, question, discussion, idea, known_issue, article):
    """One of each kind, all mentioning "parcel"."""
    comment(question, sam, "Same here, my parcel went to the old address.")
    comment(known_issue, sam, "My parcel is one of them.")
    billing = Category.objects.create(name="Billing", slug="billing")
    services.edit_post(
        article, editor=lionel.person, title=article.title, category=billing,
        body_md="Every parcel is packed by hand.", labels=services.labels_from_names(["Care"]),
    )  # fmt: skip
    return {
        "question": question, "discussion": discussion, "idea": idea,
        "known_issue": known_issue, "article": article,
    }  # fmt: skip


def test_every_kind_is_found_and_each_filters(everything, ids):
    every = {c.pk for c in everything.values()}
    assert set(ids("parcel")) == every
    for kind, conversation in everything.items():
        assert ids("parcel", kinds=[kind]) == [conversation.pk]
    assert set(ids("parcel", kinds=["idea", "question"])) == {
        everything["idea"].pk, everything["question"].pk,
    }  # fmt: skip


def test_category(everything, ids):
    assert ids("parcel", category="billing") == [everything["article"].pk]
    community = {everything[k].pk for k in ("question", "discussion", "idea")}
    assert set(ids("parcel", category="deliveries")) == community
    assert ids("parcel", category="no-such-department") == []


def test_label(everything, ids):
    assert ids("parcel", label="care") == [everything["article"].pk]
    assert ids("parcel", label="delivery") == [everything["known_issue"].pk]
    assert ids("parcel", label="nothing") == []


def test_question_solved_or_not(everything, maria, sam, ids):
    question = everything["question"]
    assert ids("parcel", status="unsolved") == [question.pk]
    assert ids("parcel", status="solved") == []
    answer = comment(question, sam, "Change it under Orders, then Address.")
    accept_answer(question, answer, by=maria)
    assert ids("parcel", status="solved") == [question.pk]
    assert ids("parcel", status="unsolved") == []
    assert ids("parcel", status="solved", kinds=["idea"]) == []


def test_idea_status(everything, idea_statuses, ids):
    idea = everything["idea"]
    assert ids("parcel", status="under-review") == [idea.pk]
    Idea.objects.filter(pk=idea.pk).update(status=idea_statuses["planned"])
    assert ids("parcel", status="planned") == [idea.pk]
    assert ids("parcel", status="under-review") == []


def test_known_issue_status(everything, lionel, ids):
    issue = everything["known_issue"]
    assert ids("parcel", status="investigating") == [issue.pk]
    services.post_status_update(issue, author=lionel.person, status="resolved", body_md="Done.")
    assert ids("parcel", status="resolved") == [issue.pk]
    assert ids("parcel", status="investigating") == []


def test_filters_combine(everything, ids):
    question = everything["question"]
    assert ids("parcel", kinds=["question"], category="deliveries", status="unsolved") == [
        question.pk
    ]
    assert ids("parcel", kinds=["question"], category="billing") == []
    assert ids("parcel", status="no-such-status") == []


def test_filters_count_what_they_show(everything, engine):
    results = engine.search("parcel", category="deliveries", per_page=2)
    assert results.total == 3 and len(results.hits) == 2 and results.has_next


def test_a_filtered_search_still_ranks_titles_first(lionel, ids):
    low = publish(lionel, "Spring update", "The ladder came in three parts.", kind=Kind.ARTICLE)
    high = publish(lionel, "Ladder recall", "Stop using it.", kind=Kind.ARTICLE)
    assert ids("ladder", kinds=["article"]) == [high.pk, low.pk]
