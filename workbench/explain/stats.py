"""Robust summaries of timings and an honest speed-up with a bootstrap interval.

Query timings are skewed (a few runs hit a checkpoint, a context switch, a cold
cache line), so the summary is the median and the inter-quartile range, not the
mean and standard deviation. The speed-up of a variant over the baseline is the
ratio of medians; its 95 % interval comes from a percentile bootstrap with a
seeded generator, so the same samples always give the same interval.

The bootstrap is hierarchical when the runs come from several clones per
variant: each resample first draws the variant's clones with replacement, then
runs within each drawn clone, so a difference between two clones (or the two
backends measuring them) widens the interval instead of posing as an effect.

Words follow the evidence:

* the interval contains 1.0: "no clear difference" (or "negligible" when the
  whole interval lies within ±``NEGLIGIBLE``, 5 %: a difference shown to be small);
* the interval excludes 1.0 but the point estimate is within 5 %: "negligible";
* identical plan shapes in both variants: the same work was done the same way,
  so only a ``LARGE`` effect (≥ 1.25×) whose whole interval is beyond 5 % earns
  a verdict; otherwise "same plan, no clear difference";
* a variant whose DDL touches none of the query's relations (and sets nothing)
  says so, and any measured difference is labelled as not caused by the design.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NO_CLEAR_DIFFERENCE = "no clear difference"
#: Differences smaller than this fraction are reported as negligible, even when clear.
NEGLIGIBLE = 0.05
#: With identical plans, a difference must be at least this large (ratio) to be reported.
LARGE = 1.25


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
    bootstrap confidence interval at ``confidence``. ``same_plan`` (both plans
    have one shape) and ``untouched`` (the query's relations, when the variant's
    DDL touches none of them and it sets nothing) shape the words of the verdict.
    """

    baseline: str
    variant: str
    ratio: float
    low: float
    high: float
    confidence: float
    same_plan: bool | None = None
    untouched: tuple[str, ...] | None = None

    @property
    def clear(self) -> bool:
        """True when the interval excludes 1.0 (a difference the data supports)."""
        return self.low > 1.0 or self.high < 1.0

    @property
    def negligible(self) -> bool:
        """True when the measured difference is under :data:`NEGLIGIBLE` either way."""
        return 1 / (1 + NEGLIGIBLE) < self.ratio < 1 + NEGLIGIBLE

    @property
    def within_negligible(self) -> bool:
        """True when the whole interval lies within ±:data:`NEGLIGIBLE`."""
        return self.low > 1 / (1 + NEGLIGIBLE) and self.high < 1 + NEGLIGIBLE

    @property
    def beyond_negligible(self) -> bool:
        """True when the whole interval lies beyond ±:data:`NEGLIGIBLE` on one side."""
        return self.low > 1 + NEGLIGIBLE or self.high < 1 / (1 + NEGLIGIBLE)

    @property
    def large(self) -> bool:
        return self.ratio >= LARGE or self.ratio <= 1 / LARGE

    @property
    def claims(self) -> bool:
        """True when the verdict says "faster" or "slower"."""
        if not self.clear or self.negligible:
            return False
        return not (self.same_plan and not (self.large and self.beyond_negligible))

    @property
    def verdict(self) -> str:
        prefix = "same plan, " if self.same_plan else ""
        if self.untouched is not None:
            prefix += (
                "DDL touches none of the query's relations "
                f"({', '.join(self.untouched) or 'none'}), "
            )
        if not self.clear:
            if self.within_negligible:
                return f"{prefix}negligible difference (within ±{NEGLIGIBLE:.0%})"
            return prefix + NO_CLEAR_DIFFERENCE
        if self.negligible:
            return f"{prefix}negligible difference ({abs(self.ratio - 1):.0%})"
        if not self.claims:
            return prefix + NO_CLEAR_DIFFERENCE
        words = (
            f"{self.ratio:.2f}× faster" if self.ratio >= 1.0 else f"{1 / self.ratio:.2f}× slower"
        )
        if self.untouched is not None:
            words += " (not caused by the design: look for noise or cache effects)"
        return prefix + words

    def __str__(self) -> str:
        pct = round(self.confidence * 100)
        return (
            f"{self.variant} vs {self.baseline}: {self.verdict} "
            f"(speed-up {self.ratio:.2f}, {pct}% CI {self.low:.2f}–{self.high:.2f})"
        )


def _boot_medians(
    x: np.ndarray, groups: np.ndarray | None, rng: np.random.Generator, resamples: int
) -> np.ndarray:
    """Bootstrap medians; clones first, then runs within each drawn clone, when grouped."""
    labels = np.unique(groups) if groups is not None else np.zeros(1)
    if groups is None or labels.size < 2:
        return np.median(x[rng.integers(0, x.size, size=(resamples, x.size))], axis=1)
    clusters = [x[groups == g] for g in labels]
    k = len(clusters)
    m = max(c.size for c in clusters)
    padded = np.full((k, m), np.nan)
    sizes = np.array([c.size for c in clusters])
    for i, c in enumerate(clusters):
        padded[i, : c.size] = c
    pick = rng.integers(0, k, size=(resamples, k))  # which clones this resample holds
    within = np.floor(rng.random((resamples, k, m)) * sizes[pick][..., None]).astype(int)
    values = padded[pick[..., None], within]  # (resamples, k, m)
    return np.median(values.reshape(resamples, k * m), axis=1)


def speedup(
    baseline: Sequence[float],
    variant: Sequence[float],
    *,
    baseline_name: str = "baseline",
    variant_name: str = "variant",
    confidence: float = 0.95,
    resamples: int = 4000,
    seed: int = 0,
    baseline_groups: Sequence[int] | None = None,
    variant_groups: Sequence[int] | None = None,
    same_plan: bool | None = None,
    untouched: tuple[str, ...] | None = None,
) -> SpeedUp:
    """Speed-up of ``variant`` over ``baseline``: median(baseline) / median(variant), with CI.

    Percentile bootstrap: both samples are resampled independently (they are
    independent runs, or independent clones of runs when ``*_groups`` label
    each timing's clone), the ratio of medians is computed per resample, and
    the interval is read off the ratios' percentiles. Vectorised with numpy,
    so 4000 resamples of a few dozen timings take milliseconds.
    """
    a = np.asarray(baseline, dtype=float)
    b = np.asarray(variant, dtype=float)
    if a.size < 2 or b.size < 2:
        raise ValueError(
            f"a speed-up interval needs at least 2 timings per side, "
            f"got {a.size} ({baseline_name}) and {b.size} ({variant_name})"
        )
    rng = np.random.default_rng(seed)
    ga = None if baseline_groups is None else np.asarray(baseline_groups)
    gb = None if variant_groups is None else np.asarray(variant_groups)
    ma = _boot_medians(a, ga, rng, resamples)
    mb = _boot_medians(b, gb, rng, resamples)
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
        same_plan=same_plan,
        untouched=untouched,
    )
