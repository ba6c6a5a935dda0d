"""The community in the Django admin: admins define idea statuses; built-in ones stay;
votes, ideas and accepted answers are read-only there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community import ideas
from community.models import FaqEntry, IdeaStatus, Vote
from tests.community.test_ideas import make_idea

pytestmark = pytest.mark.django_db


def test_an_admin_adds_a_status_that_then_works_everywhere(ada_client, idea, sam, alex, client):
    response = ada_client.post(
        reverse("admin:community_ideastatus_add"),
        {
            "name": "In beta",
            "slug": "in-beta",
            "description": "Try it in the beta app",
            "position": "15",
            "is_open": "on",
            "on_roadmap": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    beta = IdeaStatus.objects.get(slug="in-beta")
    assert not beta.builtin
    ideas.vote(idea, sam.person)
    ideas.set_status(idea, beta, by=alex, reason_md="Out in the beta app.")
    assert ideas.budget(sam.person) == (1, 3)  # open: the vote still counts
    assert "In beta" in client.get(reverse("community:roadmap")).content.decode()


def test_built_in_statuses_cannot_be_deleted_or_lose_their_slug(ada_client, idea_statuses):
    planned = idea_statuses["planned"]
    assert (
        ada_client.get(reverse("admin:community_ideastatus_delete", args=[planned.pk])).status_code
        == 403
    )
    change = ada_client.get(reverse("admin:community_ideastatus_change", args=[planned.pk]))
    assert change.status_code == 200
    assert 'name="slug"' not in change.content.decode()
    # Nor through the bulk action.
    response = ada_client.post(
        reverse("admin:community_ideastatus_changelist"),
        {"action": "delete_selected", "_selected_action": [planned.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert IdeaStatus.objects.filter(pk=planned.pk).exists()


def test_an_unused_status_of_ones_own_can_be_deleted(ada_client, idea_statuses):
    parked = IdeaStatus.objects.create(slug="parked", name="Parked", is_open=False)
    response = ada_client.post(
        reverse("admin:community_ideastatus_delete", args=[parked.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not IdeaStatus.objects.filter(pk=parked.pk).exists()


def test_a_status_in_use_cannot_be_deleted(ada_client, idea, alex, idea_statuses):
    parked = IdeaStatus.objects.create(slug="parked", name="Parked", is_open=False)
    ideas.set_status(idea, parked, by=alex, reason_md="Later.")
    url = reverse("admin:community_ideastatus_delete", args=[parked.pk])
    assert ada_client.get(url).status_code == 403


def test_ideas_votes_and_questions_are_read_only(ada_client, idea, question, sam, alex):
    ideas.vote(idea, sam.person)
    ideas.set_status(idea, "planned", by=alex, reason_md="Soon.")
    for name in ["idea", "vote", "question"]:
        assert ada_client.get(reverse(f"admin:community_{name}_changelist")).status_code == 200
        assert ada_client.get(reverse(f"admin:community_{name}_add")).status_code == 403
    page = ada_client.get(reverse("admin:community_idea_change", args=[idea.pk]))
    assert page.status_code == 200 and "Soon." in page.content.decode()
    vote = Vote.objects.get()
    assert ada_client.get(reverse("admin:community_vote_delete", args=[vote.pk])).status_code == 403


def test_faq_entries_are_written_in_markdown(ada_client, ada, idea_statuses):
    response = ada_client.post(
        reverse("admin:community_faqentry_add"),
        {
            "question": "When do you deliver?",
            "slug": "when-do-you-deliver",
            "answer_md": "Monday to **Saturday**.",
            "position": "0",
            "published": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = FaqEntry.objects.get()
    assert entry.answer_html == "<p>Monday to <strong>Saturday</strong>.</p>\n"
    assert entry.created_by == ada
    response = ada_client.post(
        reverse("admin:community_faqentry_change", args=[entry.pk]),
        {
            "question": "When do you deliver?",
            "slug": "when-do-you-deliver",
            "answer_md": "Every day but _Sunday_.",
            "position": "1",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert "<em>Sunday</em>" in entry.answer_html and not entry.published
    assert entry.created_by == ada and entry.updated_at > entry.created_at
    url = reverse("admin:community_faqentry_delete", args=[entry.pk])
    assert ada_client.post(url, {"post": "yes"}).status_code == 302
    assert not FaqEntry.objects.exists()


def test_the_community_admin_is_for_admins(alex_client, maria_client, idea_statuses):
    for client in (alex_client, maria_client):
        assert client.get(reverse("admin:community_ideastatus_changelist")).status_code == 302


def test_a_merged_idea_keeps_its_history_in_the_admin(ada_client, idea, sam, alex):
    other = make_idea(sam, "Deliver to parcel lockers")
    ideas.merge_ideas(other, idea, by=alex)
    page = ada_client.get(reverse("admin:community_idea_change", args=[other.pk]))
    assert "Merged into" in page.content.decode()
