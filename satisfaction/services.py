"""Satisfaction follow-up after a conversation is resolved."""

from __future__ import annotations


def request_rating(conversation) -> None:
    """Ask the customer of a just-resolved conversation for a 1-5 rating (after commit)."""
