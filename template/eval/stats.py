"""Confidence intervals and paired tests on per-item scores (numpy + scipy.stats).

Paired designs: both runs score the same items, so item difficulty cancels out and ~30 items
are enough to see a real difference. Seeds are fixed and recorded so results are reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_RESAMPLES = 10_000
DEFAULT_SEED = 12345
DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean with its percentile-bootstrap confidence interval."""

    mean: float
    low: float
    high: float
    n: int


@dataclass(frozen=True)
class PairedResult:
    """Candidate minus base over the same items."""

    delta: float
    low: float
    high: float
    n: int
    wins: int
    losses: int
    ties: int
    sign_p: float
    bootstrap_p: float


def _rng(seed: int):  # type: ignore[no-untyped-def]
    import numpy as np

    return np.random.default_rng(seed)


def mean_ci(
    values: Sequence[float],
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Interval:
    """Mean of ``values`` and a percentile-bootstrap CI (degenerate for n < 2)."""
    import numpy as np

    data = np.asarray(values, dtype=float)
    if data.size == 0:
        raise ValueError("mean_ci needs at least one value")
    mean = float(data.mean())
    if data.size < 2:
        return Interval(mean, mean, mean, int(data.size))
    idx = _rng(seed).integers(0, data.size, size=(resamples, data.size))
    means = data[idx].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return Interval(mean, float(low), float(high), int(data.size))


def sign_test(diffs: Sequence[float]) -> tuple[int, int, int, float]:
    """Exact two-sided sign test on paired differences: (wins, losses, ties, p)."""
    from scipy.stats import binomtest

    wins = sum(1 for d in diffs if d > 0)
    losses = sum(1 for d in diffs if d < 0)
    ties = len(diffs) - wins - losses
    if wins + losses == 0:
        return wins, losses, ties, 1.0
    p = float(binomtest(wins, wins + losses, 0.5, alternative="two-sided").pvalue)
    return wins, losses, ties, p


def paired_bootstrap(
    base: Sequence[float],
    candidate: Sequence[float],
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> PairedResult:
    """Bootstrap the mean of ``candidate - base`` over paired items, plus a sign test.

    ``bootstrap_p`` is the two-sided share of resampled means on the other side of zero;
    it is reported as ``1 / resamples`` at the smallest, never as 0.
    """
    import numpy as np

    a = np.asarray(base, dtype=float)
    b = np.asarray(candidate, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in size: {a.size} vs {b.size}")
    if a.size == 0:
        raise ValueError("paired_bootstrap needs at least one pair")
    diffs = b - a
    delta = float(diffs.mean())
    wins, losses, ties, sign_p = sign_test(diffs.tolist())
    if a.size < 2 or not np.any(diffs != diffs[0]):
        # every resample has the same mean: the interval is the point itself
        p = 1.0 if delta == 0 else 1.0 / resamples
        return PairedResult(delta, delta, delta, int(a.size), wins, losses, ties, sign_p, p)
    idx = _rng(seed).integers(0, a.size, size=(resamples, a.size))
    means = diffs[idx].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    below = float(np.mean(means <= 0.0))
    above = float(np.mean(means >= 0.0))
    p = max(min(1.0, 2.0 * min(below, above)), 1.0 / resamples)
    return PairedResult(delta, float(low), float(high), int(a.size), wins, losses, ties, sign_p, p)


def is_finite(value: object) -> bool:
    """True for a real number that is neither NaN nor infinite (metrics must be usable)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
