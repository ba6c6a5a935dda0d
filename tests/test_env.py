import pytest

from openline.env import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_secret,
    env_str,
    env_url,
)


@pytest.mark.parametrize("raw", ["true", "True", "1", "yes", "on"])
def test_env_bool_true(raw):
    assert env_bool("X", False, {"X": raw}) is True


@pytest.mark.parametrize("raw", ["false", "0", "no", "OFF"])
def test_env_bool_false(raw):
    assert env_bool("X", True, {"X": raw}) is False


def test_env_bool_default_when_unset_or_blank():
    assert env_bool("X", True, {}) is True
    assert env_bool("X", False, {"X": "  "}) is False


def test_env_bool_rejects_anything_else_and_names_the_variable():
    with pytest.raises(ConfigError, match="DEBUG must be true or false, not 'maybe'"):
        env_bool("DEBUG", False, {"DEBUG": "maybe"})


def test_env_int():
    assert env_int("N", 3, {}) == 3
    assert env_int("N", 3, {"N": " 42 "}) == 42
    with pytest.raises(ConfigError, match="N must be a whole number"):
        env_int("N", 3, {"N": "4.5"})
    with pytest.raises(ConfigError, match="N must be at least 1, not 0"):
        env_int("N", 3, {"N": "0"}, minimum=1)
    with pytest.raises(ConfigError, match="PORT must be at most 65535"):
        env_int("PORT", 1, {"PORT": "70000"}, maximum=65535)


def test_env_str_and_list():
    assert env_str("S", "d", {}) == "d"
    assert env_str("S", "d", {"S": "x"}) == "x"
    assert env_list("L", ["a"], {}) == ["a"]
    assert env_list("L", [], {"L": "a.com, b.com,,"}) == ["a.com", "b.com"]


def test_env_secret_reads_value_or_file(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    assert env_secret("K", "", {"K": "direct"}) == "direct"
    assert env_secret("K", "", {"K_FILE": str(secret)}) == "s3cret"
    assert env_secret("K", "dflt", {}) == "dflt"
    with pytest.raises(ConfigError, match="set K or K_FILE, not both"):
        env_secret("K", "", {"K": "a", "K_FILE": str(secret)})
    with pytest.raises(ConfigError, match="K_FILE names"):
        env_secret("K", "", {"K_FILE": str(tmp_path / "missing")})


def test_env_choice():
    assert env_choice("C", "a", ("a", "b"), {"C": "b"}) == "b"
    assert env_choice("C", "a", ("a", "b"), {}) == "a"
    with pytest.raises(ConfigError, match="C must be one of a, b, not 'c'"):
        env_choice("C", "a", ("a", "b"), {"C": "c"})


def test_env_url():
    assert env_url("U", ("redis",), {}) is None
    assert env_url("U", ("redis",), {"U": "redis://127.0.0.1:6379/0"}) == "redis://127.0.0.1:6379/0"
    with pytest.raises(ConfigError, match="U must be a URL starting with redis://"):
        env_url("U", ("redis",), {"U": "127.0.0.1:6379"})
    with pytest.raises(ConfigError, match="U must be a URL"):
        env_url("U", ("redis",), {"U": "redis://"})
