"""The arithmetic of the outcome reports: plain numbers in, plain numbers out, no Django.

A report's question is the change from baseline per protocol, with its uncertainty: the mean
change with a 95% confidence interval by Student's t distribution (the cohorts are small, the
studies open-label), and the median, which one outlier cannot drag. The t quantile comes from
SciPy (scipy.stats.t.ppf), imported on first use: SciPy takes a second to import, and only the
reports need it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from math import sqrt
from statistics import fmean, median, stdev

# Under three patients an interval says more about the arithmetic than about the protocol.
CI_MIN_N = 3
CI_LEVEL = 0.95


@dataclass(frozen=True)
class ChangeSummary:
    n: int
    mean: float | None
    median: float | None
    ci95: tuple[float, float] | None


@cache
def t_quantile(probability: float, df: int) -> float:
    """The `probability` quantile of Student's t distribution with `df` degrees of freedom."""
    if df < 1:
        raise ValueError("Student's t needs at least one degree of freedom")
    from scipy.stats import t

    return float(t.ppf(probability, df))


def mean_ci(values: Sequence[float], level: float = CI_LEVEL) -> tuple[float, float] | None:
    """The two-sided `level` confidence interval of the mean by the t distribution:
    mean ± t(1 − (1 − level)/2, n − 1) · s/√n, with s the sample standard deviation.
    None under CI_MIN_N values."""
    n = len(values)
    if n < CI_MIN_N:
        return None
    centre = fmean(values)
    half = t_quantile(1 - (1 - level) / 2, n - 1) * stdev(values) / sqrt(n)
    return centre - half, centre + half


def change_summary(changes: Sequence[float]) -> ChangeSummary:
    """n, mean, median and 95% interval of the changes (None for what an empty cohort lacks)."""
    if not changes:
        return ChangeSummary(0, None, None, None)
    return ChangeSummary(len(changes), fmean(changes), float(median(changes)), mean_ci(changes))


def change(baseline: float, latest: float) -> float:
    return latest - baseline


def change_percent(baseline: float, latest: float) -> float | None:
    """The change as a percentage of the baseline; None from a baseline of 0 (no percentage of nothing)."""
    if baseline == 0:
        return None
    return (latest - baseline) / abs(baseline) * 100


def percent(part: int, whole: int) -> float | None:
    """part/whole as a percentage; None when there is no whole to speak of."""
    return part / whole * 100 if whole else None


def per_100(events: int, exposures: int) -> float | None:
    """Events per 100 exposures (adverse events per 100 sessions); None without exposures."""
    return events / exposures * 100 if exposures else None


def rounded(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)
