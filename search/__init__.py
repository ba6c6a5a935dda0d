"""Full-text search over every public conversation (docs/search.md)."""


def engine(vendor: str | None = None):
    """The search backend for the database in use: `search.engine().search("refund*")`."""
    from search.backends import engine as pick

    return pick(vendor)
