"""analysis.spikes: when a window's count or negative share is a spike."""

import math

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from analysis.spikes import (
    Spike,
    default_min_negative,
    detect_share,
    detect_volume,
    mean_and_deviation,
)

K, MIN = 3.0, 10
quick = hypothesis_settings(database=None, deadline=None, max_examples=200)
counts = st.lists(st.integers(min_value=0, max_value=500), max_size=30)


def test_mean_and_deviation():
    assert mean_and_deviation([]) == (0.0, 0.0)
    assert mean_and_deviation([2, 4, 4, 4, 5, 5, 7, 9]) == (5.0, 2.0)


# --- Volume ------------------------------------------------------------------------------


def test_volume_against_a_steady_history():
    history = [2, 3, 2, 3, 2, 3]
    # mean 2.5, deviation 0.5, but never below sqrt(2.5) = 1.58: threshold 2.5 + 3 * 1.58 = 7.24
    spike = detect_volume(12, history, k=K, min_count=MIN)
    assert spike == Spike(
        observed=12.0,
        baseline=2.5,
        spread=pytest.approx(math.sqrt(2.5)),
        threshold=pytest.approx(2.5 + 3 * math.sqrt(2.5)),
    )


def test_volume_uses_the_deviation_when_it_is_larger():
    history = [0, 20, 0, 20]  # mean 10, deviation 10 > sqrt(10)
    spike = detect_volume(41, history, k=K, min_count=MIN)
    assert spike.baseline == 10 and spike.spread == 10 and spike.threshold == 40
    assert detect_volume(40, history, k=K, min_count=MIN) is None  # must be above, not at


def test_volume_with_no_history_needs_min_count_and_k():
    # Nothing to compare with: the spread's floor of 1 leaves min_count to decide.
    assert detect_volume(9, [], k=K, min_count=MIN) is None
    spike = detect_volume(10, [], k=K, min_count=MIN)
    assert spike == Spike(observed=10.0, baseline=0.0, spread=1.0, threshold=3.0)
    assert detect_volume(3, [], k=K, min_count=1) is None
    assert detect_volume(4, [], k=K, min_count=1) is not None


def test_volume_with_an_all_zero_history():
    assert detect_volume(9, [0] * 24, k=K, min_count=MIN) is None
    assert detect_volume(10, [0] * 24, k=K, min_count=MIN).threshold == 3.0


def test_volume_with_a_constant_history_uses_the_poisson_floor():
    # A constant 100 has no deviation; chance alone moves a count of 100 by about 10.
    assert detect_volume(130, [100] * 24, k=K, min_count=MIN) is None
    spike = detect_volume(131, [100] * 24, k=K, min_count=MIN)
    assert spike.spread == 10.0 and spike.threshold == 130.0


def test_volume_one_huge_outlier_in_the_history_raises_the_bar():
    quiet = [3] * 23
    assert detect_volume(20, [*quiet, 3], k=K, min_count=MIN) is not None
    assert detect_volume(20, [*quiet, 300], k=K, min_count=MIN) is None


@quick
@given(current=st.integers(min_value=0, max_value=2000), history=counts)
def test_volume_is_monotone_in_the_current_count(current, history):
    if detect_volume(current, history, k=K, min_count=MIN):
        assert detect_volume(current + 1, history, k=K, min_count=MIN)


@quick
@given(
    current=st.integers(min_value=0, max_value=2000),
    history=counts,
    min_count=st.integers(min_value=1, max_value=50),
    k=st.floats(min_value=0.5, max_value=6),
)
def test_volume_never_spikes_below_min_count_and_always_above_the_threshold(
    current, history, min_count, k
):
    spike = detect_volume(current, history, k=k, min_count=min_count)
    if current < min_count:
        assert spike is None
    if spike:
        assert spike.observed > spike.threshold >= spike.baseline + k
        assert spike.spread >= max(1.0, math.sqrt(spike.baseline))


# --- Negative share ----------------------------------------------------------------------


def test_share_against_a_flat_history():
    history = [(1, 12)] * 6  # 1 in 12 negative, every window alike
    spike = detect_share(8, 12, history, k=K, min_count=MIN)
    # pooled 6/72; no variation between windows, so the binomial error of 12 mentions with
    # p smoothed to 7/74 sets the spread
    p = 7 / 74
    error = math.sqrt(p * (1 - p) / 12)
    assert spike == Spike(
        observed=pytest.approx(8 / 12),
        baseline=pytest.approx(1 / 12),
        spread=pytest.approx(error),
        threshold=pytest.approx(1 / 12 + 3 * error),
    )
    assert detect_share(4, 12, history, k=K, min_count=MIN) is None  # 33% < 34%


def test_share_uses_the_variation_between_windows_when_it_is_larger():
    history = [(0, 100), (50, 100)] * 3  # shares 0 and 0.5: deviation 0.25
    spike = detect_share(99, 100, history, k=1.5, min_count=MIN)
    assert spike.baseline == 0.25 and spike.spread == 0.25 and spike.threshold == 0.625
    assert detect_share(62, 100, history, k=1.5, min_count=MIN) is None


def test_share_leaves_out_small_windows_from_the_variation_but_pools_them():
    history = [(1, 20)] * 5 + [(3, 3)]  # the last window is tiny: all negative
    spike = detect_share(15, 20, history, k=K, min_count=MIN)
    assert spike.baseline == pytest.approx(8 / 103)
    p = 9 / 105
    assert spike.spread == pytest.approx(math.sqrt(p * (1 - p) / 20))


def test_share_needs_enough_mentions_and_enough_negative_ones():
    history = [(1, 20)] * 6
    assert detect_share(9, 9, history, k=K, min_count=MIN) is None  # total below min_count
    assert default_min_negative(MIN) == 5
    assert detect_share(4, 10, history, k=K, min_count=MIN) is None  # 40%, but 4 < 5
    assert detect_share(5, 10, history, k=K, min_count=MIN) is not None
    assert detect_share(4, 10, history, k=K, min_count=MIN, min_negative=4) is not None
    assert default_min_negative(1) == 1


def test_share_needs_a_history():
    assert detect_share(10, 10, [], k=K, min_count=MIN) is None
    assert detect_share(10, 10, [(0, 0)] * 24, k=K, min_count=MIN) is None
    assert detect_share(10, 10, [(0, 3)] * 3, k=K, min_count=MIN) is None  # 9 < 10 in all
    assert detect_share(10, 10, [(0, 2)] * 5, k=K, min_count=MIN) is not None


def test_share_with_a_history_without_negatives_still_allows_for_chance():
    history = [(0, 50)] * 24
    spike = detect_share(5, 50, history, k=K, min_count=MIN)
    assert spike.baseline == 0.0 and spike.spread > 0
    assert detect_share(5, 10, [(0, 10)] * 3, k=K, min_count=MIN) is not None


def test_share_cannot_rise_above_an_all_negative_history():
    assert detect_share(20, 20, [(20, 20)] * 6, k=K, min_count=MIN) is None


def test_share_rejects_impossible_counts():
    with pytest.raises(ValueError, match="between 0 and the total"):
        detect_share(11, 10, [], k=K, min_count=MIN)
    with pytest.raises(ValueError):
        detect_share(-1, 10, [], k=K, min_count=MIN)


windows = st.lists(
    st.integers(min_value=0, max_value=300).flatmap(
        lambda total: st.tuples(st.integers(min_value=0, max_value=total), st.just(total))
    ),
    max_size=30,
)


@quick
@given(
    current=st.integers(min_value=0, max_value=300).flatmap(
        lambda total: st.tuples(st.integers(min_value=0, max_value=total), st.just(total))
    ),
    history=windows,
)
def test_share_is_monotone_in_the_negative_count(current, history):
    negative, total = current
    if negative < total and detect_share(negative, total, history, k=K, min_count=MIN):
        assert detect_share(negative + 1, total, history, k=K, min_count=MIN)


@quick
@given(
    negative=st.integers(min_value=0, max_value=300),
    extra=st.integers(min_value=0, max_value=300),
    history=windows,
    min_count=st.integers(min_value=1, max_value=50),
)
def test_share_never_spikes_below_min_count(negative, extra, history, min_count):
    total = negative + extra
    spike = detect_share(negative, total, history, k=K, min_count=min_count)
    if total < min_count or negative < default_min_negative(min_count):
        assert spike is None
    if spike:
        assert 0 <= spike.baseline < spike.threshold < spike.observed <= 1
