"""Simultaneous bands for extremes over groups, against normal-theory references.

``gap_band`` and ``min_ratio_band`` studentise every pair (every group) with
its bootstrap standard deviation and take one critical value from the
largest studentised deviation. Fed synthetic bootstrap draws whose
distribution is known, the critical value must be the textbook one: 1.96
for a single comparison, Šidák's ``Φ⁻¹((1 + 0.95^(1/G)) / 2)`` for G
independent ratios (scipy as the reference).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from fairrec_core.metrics.bootstrap import gap_band, min_ratio_band

B = 100_000


def test_two_groups_is_the_plain_normal_interval_of_the_log_ratio():
    rng = np.random.default_rng(0)
    m = np.array([0.30, 0.40])
    s = np.array([0.05, 0.08])  # sd of log group means
    boot = m * np.exp(s * rng.standard_normal((B, 2)))
    lo, hi, dlo, dhi = gap_band(boot, m)
    a = abs(np.log(m[0] / m[1]))
    se = np.hypot(*s)
    z = norm.ppf(0.975)
    assert lo == pytest.approx(np.exp(-a - z * se), rel=5e-3)
    assert hi == pytest.approx(np.exp(-a + z * se), rel=5e-3)
    assert lo < m[0] / m[1] < hi <= 1.0
    assert dlo <= 0.10 <= dhi


def test_ratio_band_is_capped_at_one_and_difference_at_zero():
    rng = np.random.default_rng(1)
    m = np.array([0.40, 0.41, 0.405])
    boot = m + 0.02 * rng.standard_normal((5000, 3))
    lo, hi, dlo, dhi = gap_band(boot, m)
    assert hi == 1.0 and dlo == 0.0
    assert lo <= m.min() / m.max() and dhi >= m.max() - m.min()


def test_independent_ratios_use_the_sidak_critical_value():
    rng = np.random.default_rng(2)
    r = np.array([0.5, 0.8, 1.0, 1.2, 2.0])
    s = np.array([0.10, 0.05, 0.02, 0.04, 0.20])
    samples = r * np.exp(s * rng.standard_normal((B, r.size)))
    low, high = min_ratio_band(samples, r)
    c = norm.ppf((1 + 0.95 ** (1 / r.size)) / 2)
    np.testing.assert_allclose(low, r * np.exp(-c * s), rtol=5e-3)
    np.testing.assert_allclose(high, r * np.exp(c * s), rtol=5e-3)


def test_more_groups_widen_the_band():
    # With more comparisons the same pair gets a wider interval: the price of
    # not knowing in advance which pair will look most different.
    rng = np.random.default_rng(3)
    m2 = np.array([0.3, 0.4])
    m6 = np.array([0.3, 0.4, 0.35, 0.36, 0.37, 0.38])
    s = 0.05
    lo2, *_ = gap_band(m2 * np.exp(s * rng.standard_normal((50_000, 2))), m2)
    lo6, *_ = gap_band(m6 * np.exp(s * rng.standard_normal((50_000, 6))), m6)
    assert lo6 < lo2


def test_undefined_inputs_give_nan():
    assert all(np.isnan(gap_band(np.ones((10, 1)), [0.5])))
    rng = np.random.default_rng(4)
    boot = np.c_[np.zeros(100), 0.1 + 0.01 * rng.standard_normal(100)]
    lo, hi, dlo, dhi = gap_band(boot, [0.0, 0.1])  # a zero mean: no log ratio
    assert np.isnan(lo) and np.isnan(hi) and np.isfinite(dhi)
    low, high = min_ratio_band(np.ones((10, 2)), [np.nan, 0.0])
    assert np.isnan(low).all() and np.isnan(high).all()
    # No spread in the resamples: the band collapses onto the point.
    assert gap_band(np.full((10, 2), [0.2, 0.4]), [0.2, 0.4]) == (0.5, 0.5, 0.2, 0.2)


def test_a_group_without_exposure_has_an_exact_zero_ratio():
    rng = np.random.default_rng(5)
    samples = np.c_[np.zeros(1000), 1.0 + 0.1 * rng.standard_normal(1000)]
    low, high = min_ratio_band(samples, [0.0, 1.0])
    assert (low[0], high[0]) == (0.0, 0.0) and low[1] < 1.0 < high[1]


def test_many_groups_are_processed_in_chunks_with_the_same_band(monkeypatch):
    # 120 groups = 7,140 pairs; chunks of a few pairs must give the same band as one pass.
    from fairrec_core.metrics import bootstrap

    rng = np.random.default_rng(6)
    m = rng.uniform(0.2, 0.4, 120)
    boot = m * np.exp(0.05 * rng.standard_normal((300, 120)))
    whole = gap_band(boot, m)
    monkeypatch.setattr(bootstrap, "MAX_PAIR_ELEMENTS", 300 * 7)
    assert gap_band(boot, m) == pytest.approx(whole, rel=1e-12)
    assert whole[0] <= m.min() / m.max() <= whole[1]
