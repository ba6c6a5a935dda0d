"""Spikes: is the latest window's figure unusually high against the windows before it?

Plain Python, no Django: `listening.alerts` counts mentions per window and asks here.

- `detect_volume(current, history)`: the number of mentions. The baseline is the mean of the
  history and the spread its population standard deviation, but never less than the square
  root of the mean (the deviation of a Poisson count with that mean: mentions arrive one by
  one, independently) nor less than 1. A short or unusually even history would otherwise
  make the spread near zero, and the first extra mention a spike. A spike needs
  `current >= min_count` and `current > mean + k * spread`.
- `detect_share(negative, total, history)`: the share of negative mentions. The baseline is
  the pooled share of the history, sum(negative) / sum(total), so quiet windows weigh little;
  without at least `min_count` mentions in the whole history there is no baseline and no
  spike. The spread is the larger of the standard deviation of the shares of the windows that
  had `min_count` mentions, and the binomial standard error of the current window's share,
  sqrt(p (1 - p) / total), with p smoothed to (negative + 1) / (total + 2) over the history so
  that a history without a single negative (or with nothing else) still leaves room for
  chance. A spike needs `total >= min_count`, at least `min_negative` negative mentions
  (half of `min_count` by default) and `negative / total > baseline + k * spread`.

Both are monotone in the current figure: a window that spikes still spikes with one more
mention (one more negative one, for the share), because the threshold does not depend on it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Spike:
    observed: float  # the current window's count, or its negative share
    baseline: float  # what is usual: the mean count, or the pooled share
    spread: float  # how much it usually varies, after the floors above
    threshold: float  # baseline + k * spread: `observed` is above it


def mean_and_deviation(values: Sequence[float]) -> tuple[float, float]:
    """The mean and the population standard deviation; (0, 0) for no values."""
    if not values:
        return 0.0, 0.0
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    return mean, math.sqrt(variance)


def detect_volume(
    current: int, history: Sequence[int], *, k: float, min_count: int
) -> Spike | None:
    """A Spike when `current` mentions stand out against the counts in `history`."""
    if current < min_count:
        return None
    mean, deviation = mean_and_deviation(history)
    spread = max(deviation, math.sqrt(mean), 1.0)
    threshold = mean + k * spread
    if current <= threshold:
        return None
    return Spike(observed=float(current), baseline=mean, spread=spread, threshold=threshold)


def default_min_negative(min_count: int) -> int:
    return max(1, math.ceil(min_count / 2))


def detect_share(
    current_negative: int,
    current_total: int,
    history: Sequence[tuple[int, int]],
    *,
    k: float,
    min_count: int,
    min_negative: int | None = None,
) -> Spike | None:
    """A Spike when the negative share of the current window stands out.

    `history` holds one (negative, total) pair per earlier window.
    """
    if not 0 <= current_negative <= current_total:
        raise ValueError(
            f"negative mentions ({current_negative}) must be between 0 and the total "
            f"({current_total})"
        )
    if min_negative is None:
        min_negative = default_min_negative(min_count)
    if current_total < min_count or current_negative < min_negative:
        return None
    negative_sum = sum(negative for negative, _ in history)
    total_sum = sum(total for _, total in history)
    if total_sum < min_count:
        return None
    baseline = negative_sum / total_sum
    shares = [negative / total for negative, total in history if total >= min_count]
    _, between_windows = mean_and_deviation(shares)
    smoothed = (negative_sum + 1) / (total_sum + 2)
    standard_error = math.sqrt(smoothed * (1 - smoothed) / current_total)
    spread = max(between_windows, standard_error)
    threshold = baseline + k * spread
    observed = current_negative / current_total
    if observed <= threshold:
        return None
    return Spike(observed=observed, baseline=baseline, spread=spread, threshold=threshold)
