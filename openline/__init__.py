"""Openline: a self-hosted customer-service blog, community and listening post."""

__version__ = "0.1.0"
