"""patients.outcomes.stats against arithmetic done by hand (each test shows it)."""

from math import sqrt

import pytest

from patients.outcomes import stats


def test_the_t_quantile_is_students():
    # Tables of Student's t: t(0.975; 2) = 4.303, t(0.975; 3) = 3.182, t(0.975; 9) = 2.262,
    # and with many degrees of freedom it tends to the normal's 1.960.
    assert stats.t_quantile(0.975, 2) == pytest.approx(4.3027, abs=1e-4)
    assert stats.t_quantile(0.975, 3) == pytest.approx(3.1824, abs=1e-4)
    assert stats.t_quantile(0.975, 9) == pytest.approx(2.2622, abs=1e-4)
    assert stats.t_quantile(0.975, 100_000) == pytest.approx(1.9600, abs=1e-3)


def test_the_ci_of_four_changes():
    # changes 10, 20, 30, 40: mean 25; deviations -15, -5, 5, 15, squares 225 + 25 + 25 + 225 = 500;
    # s = √(500/3) = 12.9099; s/√4 = 6.45497; t(0.975; 3) = 3.18245; half-width 20.5426;
    # interval 25 ± 20.5426 = [4.4574, 45.5426]. Median (20 + 30)/2 = 25.
    summary = stats.change_summary([10, 20, 30, 40])
    assert summary.n == 4 and summary.mean == 25 and summary.median == 25
    low, high = summary.ci95
    assert low == pytest.approx(4.4574, abs=1e-3) and high == pytest.approx(45.5426, abs=1e-3)


def test_the_ci_of_three_changes_with_an_outlier():
    # changes 2, 4, 30: mean 12, median 4 (the outlier drags the mean, not the median);
    # deviations -10, -8, 18, squares 100 + 64 + 324 = 488; s = √244 = 15.6205; s/√3 = 9.01850;
    # t(0.975; 2) = 4.30265; half-width 38.8035; interval [-26.8035, 50.8035].
    summary = stats.change_summary([2, 4, 30])
    assert (summary.n, summary.mean, summary.median) == (3, 12, 4)
    low, high = summary.ci95
    assert low == pytest.approx(-26.8035, abs=1e-3) and high == pytest.approx(50.8035, abs=1e-3)
    assert high - low == pytest.approx(2 * 4.30265 * sqrt(244) / sqrt(3), abs=1e-3)


def test_no_interval_under_three_patients():
    # Two changes, 10 and 20: mean 15, median 15, and no interval.
    assert stats.change_summary([10, 20]) == stats.ChangeSummary(2, 15, 15, None)
    assert stats.change_summary([7.5]) == stats.ChangeSummary(1, 7.5, 7.5, None)


def test_an_empty_cohort_has_no_figures():
    assert stats.change_summary([]) == stats.ChangeSummary(0, None, None, None)


def test_equal_changes_give_an_interval_of_no_width():
    # 5, 5, 5: s = 0, so the interval is [5, 5].
    assert stats.change_summary([5, 5, 5]).ci95 == (5, 5)


def test_change_and_change_percent():
    # 121.7 → 146.6 hairs/cm² (seed 004): +24.9, and 24.9 / 121.7 = 20.46 %.
    assert stats.change(121.7, 146.6) == pytest.approx(24.9)
    assert stats.change_percent(121.7, 146.6) == pytest.approx(20.46, abs=0.01)
    # A fall: 61.4 → 52.6 µm is −8.8, −14.33 %.
    assert stats.change_percent(61.4, 52.6) == pytest.approx(-14.33, abs=0.01)
    # No percentage of nothing: a SALT score of 0 at baseline.
    assert stats.change_percent(0, 10) is None


def test_percent_and_rate_per_100():
    # 3 of 8 is 37.5 %; 2 adverse events over 40 sessions are 5 per 100; nothing of nothing is None.
    assert stats.percent(3, 8) == 37.5
    assert stats.per_100(2, 40) == 5
    assert stats.percent(0, 0) is None and stats.per_100(3, 0) is None


def test_rounded():
    assert stats.rounded(20.4601) == 20.46 and stats.rounded(None) is None
