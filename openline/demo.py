"""The demo company (being written)."""

DEMO_PASSWORD = "openline-demo"  # noqa: S105 (published demo logins)
DEMO_LOGINS: list[tuple[str, str]] = []


def load_demo(stdout=None) -> None:
    raise NotImplementedError
