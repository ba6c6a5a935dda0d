"""The `openline` command: every Django management command, plus Openline's own."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openline.settings")
    from openline.env import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        print(f"openline: configuration error: {exc}", file=sys.stderr)
        return 2
    from django.core.management import execute_from_command_line

    execute_from_command_line(["openline", *(sys.argv[1:] if argv is None else argv)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
