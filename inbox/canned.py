"""Canned replies: saved answers with fields filled in for each customer."""

from __future__ import annotations


def available_for(user, conversation) -> list:
    """The canned replies this staff member may use on this conversation (one query)."""
    return []


def render(reply, *, conversation, customer, agent) -> str:
    """The reply's Markdown with {first_name}, {agent_name} and {link} filled in."""
    raise NotImplementedError
