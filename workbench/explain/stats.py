"""Robust summaries of timings and an honest speed-up with a bootstrap interval.

Query timings are skewed (a few runs hit a checkpoint, a context switch, a cold
cache line), so the summary is the median and the inter-quartile range, not the
mean and standard deviation. The speed-up of a variant over the baseline is the
ratio of medians; its 95 % interval comes from a percentile bootstrap with a
seeded generator, so the same samples always give the same interval. When that
interval contains 1.0 the honest verdict is "no clear difference". A difference
the data supports but that is smaller than ``NEGLIGIBLE`` (5 %) is reported as
negligible: two clones of one database differ that much in physical layout and
cache state, so an index on another table can look "1.02× faster" — true of the
measurement, useless to a designer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NO_CLEAR_DIFFERENCE = "no clear difference"
#: Differences smaller than this fraction are reported as negligible, even when clear.
NEGLIGIBLE = 0.05


@dataclass(frozen=True)
class Summary:
    """Median and spread of one variant's timings (milliseconds)."""

    n: int
    median: float
    q1: float
    q3: float
    minimum: float
    maximum: float

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def relative_iqr(self) -> float:
        """IQR as a fraction of the median: how noisy the measurement was."""
        return self.iqr / self.median if self.median else float("nan")


def summarize(samples: Sequence[float]) -> Summary:
    """Median, quartiles and range of a sample."""
    a = np.asarray(samples, dtype=float)
    if a.size == 0:
        nan = float("nan")
        return Summary(0, nan, nan, nan, nan, nan)
    q1, med, q3 = np.percentile(a, [25, 50, 75])
    return Summary(int(a.size), float(med), float(q1), float(q3), float(a.min()), float(a.max()))


@dataclass(frozen=True)
class SpeedUp:
    """How many times faster ``variant`` is than ``baseline`` (ratio of median times).

    ``ratio`` > 1 means the variant is faster. ``low``/``high`` bound the
    bootstrap confidence interval at ``confidence``.
    """

    baseline: str
    variant: str
    ratio: float
    low: float
    high: float
    confidence: float

    @property
    def clear(self) -> bool:
        """True when the interval excludes 1.0 (a difference the data supports)."""
        return self.low > 1.0 or self.high < 1.0

    @property
    def negligible(self) -> bool:
        """True when the measured difference is under :data:`NEGLIGIBLE` either way."""
        return 1 / (1 + NEGLIGIBLE) < self.ratio < 1 + NEGLIGIBLE

    @property
    def verdict(self) -> str:
        if not self.clear:
            return NO_CLEAR_DIFFERENCE
        if self.negligible:
            return f"negligible difference ({abs(self.ratio - 1):.0%})"
        if self.ratio >= 1.0:
            return f"{self.ratio:.2f}× faster"
        return f"{1 / self.ratio:.2f}× slower"

    def __str__(self) -> str:
        pct = round(self.confidence * 100)
        return (
            f"{self.variant} vs {self.baseline}: {self.verdict} "
            f"(speed-up {self.ratio:.2f}, {pct}% CI {self.low:.2f}–{self.high:.2f})"
        )


def speedup(
    baseline: Sequence[float],
    variant: Sequence[float],
    *,
    baseline_name: str = "baseline",
    variant_name: str = "variant",
    confidence: float = 0.95,
    resamples: int = 4000,
    seed: int = 0,
) -> SpeedUp:
    """Speed-up of ``variant`` over ``baseline``: median(baseline) / median(variant), with CI.

    Percentile bootstrap: both samples are resampled independently (they are
    independent runs), the ratio of medians is computed per resample, and the
    interval is read off the ratios' percentiles. Vectorised with numpy, so
    4000 resamples of a few dozen timings take milliseconds.
    """
    a = np.asarray(baseline, dtype=float)
    b = np.asarray(variant, dtype=float)
    if a.size < 2 or b.size < 2:
        raise ValueError(
            f"a speed-up interval needs at least 2 timings per side, "
            f"got {a.size} ({baseline_name}) and {b.size} ({variant_name})"
        )
    rng = np.random.default_rng(seed)
    ma = np.median(a[rng.integers(0, a.size, size=(resamples, a.size))], axis=1)
    mb = np.median(b[rng.integers(0, b.size, size=(resamples, b.size))], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = ma / mb
    tail = (1 - confidence) / 2 * 100
    low, high = np.nanpercentile(ratios, [tail, 100 - tail])
    return SpeedUp(
        baseline=baseline_name,
        variant=variant_name,
        ratio=float(np.median(a) / np.median(b)),
        low=float(low),
        high=float(high),
        confidence=confidence,
    )
