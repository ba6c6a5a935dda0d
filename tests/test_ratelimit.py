import pytest

from openline import ratelimit


def test_parse():
    assert ratelimit.parse("5/m, 30/h,") == [(5, 60), (30, 3600)]
    with pytest.raises(ValueError, match="write it like 5/m"):
        ratelimit.parse("five/m")
    with pytest.raises(ValueError):
        ratelimit.parse("5/week")


def test_hit_counts_per_identity():
    for _ in range(3):
        ratelimit.hit("t", "a", "3/m")
    with pytest.raises(ratelimit.RateLimited) as exc:
        ratelimit.hit("t", "a", "3/m")
    assert 0 < exc.value.retry_after <= 60
    ratelimit.hit("t", "b", "3/m")  # another identity has its own budget
