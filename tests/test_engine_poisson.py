"""The hash-keyed Poisson bootstrap: its weights, mergeability and coverage."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

from fairrec_core.engine.poisson import poisson_sums, poisson_weights, user_keys
from fairrec_core.metrics.bootstrap import percentile_interval


def test_weights_are_poisson_one():
    keys = user_keys([f"U{i:06d}" for i in range(20_000)])
    w = poisson_weights(keys, seed=3, start=0, count=50).ravel()
    counts = np.bincount(w.astype(int), minlength=8)[:8]
    expected = np.array([math.exp(-1) / math.factorial(k) for k in range(8)]) * w.size
    # Chi-square goodness of fit against Poisson(1) (last cell pooled).
    obs = np.append(counts[:6], w.size - counts[:6].sum())
    exp = np.append(expected[:6], w.size - expected[:6].sum())
    assert stats.chisquare(obs, exp).pvalue > 1e-3
    assert abs(w.mean() - 1) < 0.01 and abs(w.var() - 1) < 0.02


def test_weights_depend_only_on_seed_id_and_resample():
    ids = ["a", "b", 7, "7", "c"]
    keys = user_keys(ids)
    assert keys[2] == keys[3]  # a number and its text are one id
    w = poisson_weights(keys, seed=11, start=0, count=40)
    # Same users in another order, resamples asked in two pieces: same weights.
    perm = [4, 0, 3, 1, 2]
    w2 = np.hstack([poisson_weights(keys[perm], seed=11, start=0, count=15).T,
                    poisson_weights(keys[perm], seed=11, start=15, count=25).T]).T
    np.testing.assert_array_equal(w2, w[:, perm])
    assert not np.array_equal(poisson_weights(keys, seed=12, start=0, count=40), w)
    # Different users are not perfectly correlated.
    assert abs(np.corrcoef(w[:, 0], w[:, 1])[0, 1]) < 0.5


def test_partial_sums_merge_to_the_whole_for_any_partition():
    rng = np.random.default_rng(0)
    n = 1_000
    keys = user_keys(np.arange(n))
    x = rng.normal(size=(n, 3))
    e = sp.random(n, 5, density=0.2, random_state=1, format="csr")
    codes = rng.integers(0, 4, n)
    whole = poisson_sums([x, e], keys, codes=codes, n_groups=4, n_boot=30, seed=5)
    parts = [np.arange(0, 300), np.arange(300, 310), np.arange(310, n)]
    merged = [np.zeros_like(a) for a in whole]
    for idx in parts:
        for acc, s in zip(merged, poisson_sums([x[idx], e[idx]], keys[idx], codes=codes[idx],
                                               n_groups=4, n_boot=30, seed=5)):
            acc += s
    for a, b in zip(whole, merged):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    # Independent reference: the definition Σ_u w_bu · x_u for group 2, resample 7.
    w = poisson_weights(keys, seed=5, start=7, count=1)[0]
    g = codes == 2
    np.testing.assert_allclose(whole[0][7, 2], (w[g, None] * x[g]).sum(axis=0), rtol=1e-12)
    # Resamples drawn in small chunks give the same totals.
    chunked = poisson_sums([x], keys, n_boot=30, seed=5, max_weights=2_500)[0]
    np.testing.assert_allclose(chunked[:, 0], poisson_sums([x], keys, n_boot=30,
                                                           seed=5)[0][:, 0], rtol=1e-12)


@pytest.mark.parametrize("kind", ["mean", "ratio"])
def test_interval_coverage_by_simulation(kind):
    """95% Poisson-bootstrap intervals cover the true value about 95% of the time.

    Populations with a known answer: a skewed per-user metric (exponential,
    mean 1) and a ratio of totals (Bernoulli hits over Poisson list lengths,
    true ratio 0.3). 300 replications of 400 users, 400 resamples each; the
    binomial 99.9% band for 300 trials at p = 0.95 is about [0.91, 0.985].
    """
    rng = np.random.default_rng(20240611)
    reps, n, n_boot = 300, 400, 400
    covered = 0
    for r in range(reps):
        keys = user_keys([f"r{r}-u{i}" for i in range(n)])
        if kind == "mean":
            x = rng.exponential(1.0, n)
            mats, truth = np.column_stack([x, np.ones(n)]), 1.0
        else:
            length = rng.poisson(8, n) + 1
            hits = rng.binomial(length, 0.3)
            mats, truth = np.column_stack([hits, length]).astype(float), 0.3
        (s,) = poisson_sums([mats], keys, n_boot=n_boot, seed=r)
        est = s[:, 0, 0] / s[:, 0, 1]
        lo, hi = percentile_interval(est, level=0.95)
        covered += lo <= truth <= hi
    assert 0.91 <= covered / reps <= 0.985, covered / reps


def test_poisson_and_multinomial_intervals_agree_on_a_mean():
    from fairrec_core.metrics.bootstrap import resampled_sums

    rng = np.random.default_rng(7)
    n = 3_000
    x = np.column_stack([rng.exponential(2.0, n), np.ones(n)])
    keys = user_keys(np.arange(n))
    (p,) = poisson_sums([x], keys, n_boot=2_000, seed=1)
    (m,) = resampled_sums([x], n_boot=2_000, seed=1)
    pl, ph = percentile_interval(p[:, 0, 0] / p[:, 0, 1])
    ml, mh = percentile_interval(m[:, 0, 0] / m[:, 0, 1])
    se = x[:, 0].std() / math.sqrt(n)
    # Both near mean ± 1.96 SE; endpoints within Monte Carlo error of each other.
    assert abs((ph - pl) - 2 * 1.96 * se) < 0.1 * (ph - pl)
    assert abs(pl - ml) < 0.1 * (mh - ml) and abs(ph - mh) < 0.1 * (mh - ml)
