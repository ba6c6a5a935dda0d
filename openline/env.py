"""Strict readers for configuration from environment variables.

Every setting comes through one of these, so a wrong value stops start-up with a
message that names the variable instead of surfacing later as a strange error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


class ConfigError(Exception):
    """A configuration variable is set to something Openline cannot use."""


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def env_int(
    name: str,
    default: int,
    environ: Mapping[str, str] | None = None,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {number}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, not {number}")
    return number


def env_float(
    name: str, default: float, environ: Mapping[str, str] | None = None, *, minimum: float = 0
) -> float:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {value!r}") from None
    if not number >= minimum:  # also refuses nan
        raise ConfigError(f"{name} must be at least {minimum:g}, not {value}")
    return number


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (for container secrets)."""
    value = _raw(name, environ)
    file_name = _raw(f"{name}_FILE", environ)
    if value is not None and file_name is not None:
        raise ConfigError(f"set {name} or {name}_FILE, not both")
    if file_name is not None:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"{name}_FILE names {file_name!r}, which cannot be read: {exc}"
            ) from None
    return default if value is None else value


def env_choice(
    name: str, default: str, choices: tuple[str, ...], environ: Mapping[str, str] | None = None
) -> str:
    value = _raw(name, environ)
    if value is None:
        return default
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_url(
    name: str, schemes: tuple[str, ...], environ: Mapping[str, str] | None = None
) -> str | None:
    """A URL whose scheme is one of `schemes`, or None when unset."""
    value = _raw(name, environ)
    if value is None:
        return None
    scheme, sep, rest = value.partition("://")
    if not sep or scheme not in schemes or not rest:
        raise ConfigError(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}, "
            f"not {value!r}"
        )
    return value
