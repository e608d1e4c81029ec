"""The fold's cell-sorted Poisson totals against their definition, written out.

``poisson_cell_sums`` sorts users by their combination of groups and totals
each combination; the reference here is Σ_u w_bu · x_u over each group's
users, with the weights of :func:`poisson_weights` (checked on their own in
``test_engine_poisson.py``), computed with plain masks, no sorting.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from fairrec_core.engine.poisson import poisson_cell_sums, poisson_weights, user_keys


def _inputs(n=600, seed=0):
    rng = np.random.default_rng(seed)
    keys = user_keys([f"U{i}" for i in range(n)])
    x = rng.normal(size=(n, 4))
    codes = np.stack([rng.integers(0, 3, n), rng.integers(0, 5, n), rng.integers(0, 2, n)],
                     axis=1)
    overall = [rng.normal(size=(n, 2)),                                   # dense
               sp.random(n, 300, density=0.02, random_state=1, format="csr"),  # wide sparse
               sp.random(n, 6, density=0.3, random_state=2, format="csr")]     # narrow sparse
    return x, codes, [3, 5, 2], overall, keys


@pytest.mark.parametrize("max_cells", [2048, 4], ids=["cells", "per-grouping fallback"])
def test_cell_totals_equal_the_definition(max_cells):
    x, codes, counts, overall, keys = _inputs()
    n_boot = 23
    total, groups, outs = poisson_cell_sums(x, codes, counts, overall, keys, n_boot=n_boot,
                                            seed=9, max_weights=1_000, max_cells=max_cells)
    w = poisson_weights(keys, seed=9, start=0, count=n_boot)
    np.testing.assert_allclose(total, w @ x, rtol=1e-12, atol=1e-10)
    for j, g in enumerate(counts):
        assert groups[j].shape == (n_boot, g, x.shape[1])
        for group in range(g):
            mask = codes[:, j] == group
            np.testing.assert_allclose(groups[j][:, group], w[:, mask] @ x[mask],
                                       rtol=1e-12, atol=1e-10)
    for got, m in zip(outs, overall):
        dense = m.toarray() if sp.issparse(m) else m
        np.testing.assert_allclose(got, w @ dense, rtol=1e-12, atol=1e-10)


def test_cell_totals_merge_across_any_partition():
    x, codes, counts, overall, keys = _inputs(n=500, seed=4)
    whole = poisson_cell_sums(x, codes, counts, overall, keys, n_boot=17, seed=2)
    merged = None
    for idx in (np.arange(0, 120), np.arange(120, 121), np.arange(121, 500)):
        part = poisson_cell_sums(x[idx], codes[idx], counts, [m[idx] for m in overall],
                                 keys[idx], n_boot=17, seed=2)
        merged = part if merged is None else (
            merged[0] + part[0], [a + b for a, b in zip(merged[1], part[1])],
            [a + b for a, b in zip(merged[2], part[2])])
    np.testing.assert_allclose(merged[0], whole[0], rtol=1e-12, atol=1e-10)
    for a, b in zip(merged[1] + merged[2], whole[1] + whole[2]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-10)


def test_no_users_give_zero_totals():
    total, groups, outs = poisson_cell_sums(np.zeros((0, 3)), np.zeros((0, 2), int), [2, 4],
                                            [np.zeros((0, 5))], user_keys([]), n_boot=4)
    assert total.shape == (4, 3) and not total.any()
    assert [g.shape for g in groups] == [(4, 2, 3), (4, 4, 3)]
    assert outs[0].shape == (4, 5) and not outs[0].any()
