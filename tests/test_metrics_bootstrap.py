"""Bootstrap: resampling structure, standard errors, and interval calibration by simulation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from fairrec_core.metrics import (
    bootstrap_group_means,
    bootstrap_shares,
    percentile_interval,
)
from fairrec_core.metrics.bootstrap import derive_rng, gap_samples, resampled_sums


def test_within_group_multiplicities_sum_to_group_size():
    # Totals of a column of ones are the number of draws in each group, which
    # a within-group bootstrap keeps equal to the group's size in every resample.
    strata = np.array([0, 1, 1, 2, 2, 2, 1, 0, 2, 2])
    (out,) = resampled_sums([np.ones((10, 1))], strata=strata, n_boot=50, seed=1)
    assert out.shape == (50, 3, 1)
    np.testing.assert_array_equal(out[:, :, 0], np.tile([2, 3, 5], (50, 1)))


def test_chunking_keeps_structure():
    strata = np.repeat([0, 1], [30, 70])
    (out,) = resampled_sums([np.ones((100, 1))], strata=strata, n_boot=37, seed=0,
                            max_elements=250)  # 2 resamples per chunk
    np.testing.assert_array_equal(out[:, :, 0], np.tile([30, 70], (37, 1)))


def test_each_user_drawn_from_own_group_only():
    # Group 0 users carry value 1, group 1 users value 100: any leak across
    # groups would show up in the totals.
    strata = np.repeat([0, 1], [4, 6])
    x = np.where(strata == 0, 1.0, 100.0)[:, None]
    (out,) = resampled_sums([x], strata=strata, n_boot=200, seed=3)
    np.testing.assert_array_equal(out[:, 0, 0], 4.0)
    np.testing.assert_array_equal(out[:, 1, 0], 600.0)


def test_sparse_and_dense_inputs_agree():
    rng = np.random.default_rng(0)
    x = rng.random((40, 3)) * (rng.random((40, 3)) < 0.3)
    dense, sparse = resampled_sums([x, sp.csr_matrix(x)], strata=rng.integers(0, 2, 40),
                                   n_boot=20, seed=4)
    np.testing.assert_allclose(dense, sparse)


def test_bootstrap_standard_error_matches_formula():
    # The bootstrap SD of a mean is s * sqrt((n-1)/n) / sqrt(n) (plug-in SE).
    rng = np.random.default_rng(2)
    v = rng.exponential(size=400)[:, None]
    boot = bootstrap_group_means(v, n_boot=4000, seed=0)[:, 0, 0]
    se = v.std() / np.sqrt(v.size)
    assert boot.std() == pytest.approx(se, rel=0.05)
    assert boot.mean() == pytest.approx(v.mean(), abs=4 * se / np.sqrt(4000) + 1e-3)


def test_not_evaluable_users_are_skipped_in_resamples():
    # Group mean over the evaluable users only; a NaN never propagates.
    v = np.array([1.0, np.nan, 3.0, np.nan])[:, None]
    boot = bootstrap_group_means(v, n_boot=300, seed=0)[:, 0, 0]
    finite = boot[np.isfinite(boot)]
    assert finite.min() >= 1.0 and finite.max() <= 3.0
    # Resamples that drew only NaN users (prob 1/16) are undefined, not 0.
    assert 0 < np.isnan(boot).sum() < 60


def test_seeded_and_stream_separated():
    v = np.random.default_rng(0).random((50, 2))
    a = bootstrap_group_means(v, n_boot=30, seed=7)
    b = bootstrap_group_means(v, n_boot=30, seed=7)
    c = bootstrap_group_means(v, n_boot=30, seed=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    x1 = derive_rng(0, "user:gender").random(3)
    x2 = derive_rng(0, "user:age").random(3)
    assert not np.array_equal(x1, x2)
    np.testing.assert_array_equal(x1, derive_rng(0, "user:gender").random(3))


def test_percentile_interval_ignores_undefined():
    s = np.array([np.nan, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, np.nan])
    lo, hi = percentile_interval(s, level=0.8)
    assert lo == pytest.approx(np.quantile(np.arange(1, 11), 0.1))
    assert hi == pytest.approx(np.quantile(np.arange(1, 11), 0.9))
    lo, hi = percentile_interval(np.full(5, np.nan))
    assert np.isnan(lo) and np.isnan(hi)


def test_percentile_interval_matches_numpy_nanquantile():
    rng = np.random.default_rng(0)
    x = rng.random((500, 3, 4))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[:, 1, 2] = np.nan  # a statistic never defined
    lo, hi = percentile_interval(x, level=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        np.testing.assert_allclose(lo, np.nanquantile(x, 0.05, axis=0), equal_nan=True)
        np.testing.assert_allclose(hi, np.nanquantile(x, 0.95, axis=0), equal_nan=True)


def test_gap_samples_fixed_pair():
    boot = np.array([[[0.5], [0.2], [0.4]], [[0.3], [0.3], [0.6]]])  # (2 resamples, 3 groups, 1)
    d, r = gap_samples(boot, best=np.array([0]), worst=np.array([1]))
    np.testing.assert_allclose(d[:, 0], [0.3, 0.0])
    np.testing.assert_allclose(r[:, 0], [0.4, 1.0])


def test_bootstrap_shares_are_shares():
    rng = np.random.default_rng(1)
    e = sp.csr_matrix(rng.poisson(2, (60, 4)).astype(float))
    m = sp.csr_matrix(rng.poisson(1, (60, 4)).astype(float))
    es, rs = bootstrap_shares(e, m, n_boot=100, seed=0)
    np.testing.assert_allclose(es.sum(axis=1), 1.0)
    np.testing.assert_allclose(rs.sum(axis=1), 1.0)


# ---------------------------------------------------------------- calibration by simulation


def _ndcg_like(rng, n, zero_share):
    """Skewed values in [0, 1]: a point mass at 0 plus Beta(2, 3) (mean 0.4)."""
    x = rng.beta(2.0, 3.0, n)
    x[rng.random(n) < zero_share] = 0.0
    return x


@pytest.mark.slow
def test_difference_and_ratio_intervals_cover_the_true_gap():
    """≥ 300 simulated datasets with a known gap: the 95% CI covers it 92–98% of the time."""
    rng = np.random.default_rng(20240601)
    sizes = (250, 200)
    zero_share = (0.55, 0.65)
    true_mean = np.array([(1 - z) * 0.4 for z in zero_share])  # 0.18 and 0.14
    n_sim, n_boot = 1000, 500
    strata = np.repeat([0, 1], sizes)
    cover_d = cover_r = 0
    for s in range(n_sim):
        v = np.concatenate([_ndcg_like(rng, n, z) for n, z in zip(sizes, zero_share)])
        means = np.array([v[strata == g].mean() for g in (0, 1)])
        best, worst = int(np.argmax(means)), int(np.argmin(means))
        boot = bootstrap_group_means(v[:, None], strata, n_boot=n_boot, seed=s)
        d, r = gap_samples(boot, np.array([best]), np.array([worst]))
        dlo, dhi = percentile_interval(d[:, 0])
        rlo, rhi = percentile_interval(r[:, 0])
        true_d = true_mean[best] - true_mean[worst]
        true_r = true_mean[worst] / true_mean[best]
        cover_d += dlo <= true_d <= dhi
        cover_r += rlo <= true_r <= rhi
    assert 0.92 <= cover_d / n_sim <= 0.98, cover_d / n_sim
    assert 0.92 <= cover_r / n_sim <= 0.98, cover_r / n_sim


@pytest.mark.slow
def test_exposure_share_intervals_cover_the_true_share():
    """Provider side: per-user exposure to two item groups with known expected shares."""
    rng = np.random.default_rng(7)
    lam = np.array([3.0, 5.0])  # expected exposure per user -> true ES = (3/8, 5/8)
    merit_p = np.array([0.3, 0.1])  # expected merit per user -> true RS = (3/4, 1/4)
    true_es, true_rs = lam / lam.sum(), merit_p / merit_p.sum()
    n_sim, n_users = 600, 300
    cover_es = cover_ratio = 0
    for s in range(n_sim):
        e = rng.poisson(lam, (n_users, 2)).astype(float)
        m = (rng.random((n_users, 2)) < merit_p).astype(float)
        es, rs = bootstrap_shares(sp.csr_matrix(e), sp.csr_matrix(m), n_boot=500, seed=s)
        lo, hi = percentile_interval(es[:, 0])
        cover_es += lo <= true_es[0] <= hi
        lo, hi = percentile_interval(es[:, 1] / rs[:, 1])
        cover_ratio += lo <= true_es[1] / true_rs[1] <= hi
    assert 0.92 <= cover_es / n_sim <= 0.98, cover_es / n_sim
    assert 0.92 <= cover_ratio / n_sim <= 0.98, cover_ratio / n_sim
