"""Ideas: votes within a budget, statuses with public reasons, merging."""


def panel_context(request, conversation) -> dict:
    """What the idea panel on a topic page needs (community/ideas/_panel.html)."""
    return {}
