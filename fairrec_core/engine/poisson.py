"""Poisson bootstrap with weights drawn from a seeded hash of the user id.

The local engine's bootstrap (:mod:`fairrec_core.metrics.bootstrap`) draws,
per resample, n users with replacement: the multiplicities of one resample
depend on every user at once, so it needs all users in one place. The
Poisson bootstrap (Hanley & MacGibbon 2006; Chamandy et al., Google, 2012,
"Estimating uncertainty for massive data streams") replaces the multinomial
multiplicities by independent Poisson(1) weights, one per user and
resample. Each weight depends only on

    (seed, user id, resample index)

through a counter-based hash, so any worker can compute the weights of its
own users, the resampled totals Σ_u w_bu · x_u of a partition are plain sums,
and partial totals from any partitioning of the users add up to the same
result. Nothing per user is gathered; the result does not depend on how the
users were split into batches, nor on the number of workers.

As n grows the Poisson and multinomial bootstraps agree (the multinomial
counts are asymptotically independent Poisson(1)); the only difference is
that a Poisson resample's size varies around n. Statistics here are ratios
of totals (group means, exposure shares), so that variation largely cancels.
Coverage is checked by simulation in ``tests/test_engine_poisson.py``.

The fold (:func:`poisson_cell_sums`) sorts a batch's users once by their
combination of user groups and draws the weights in that order, so every
grouping's totals come from one product per combination and the item-side
totals from one dense and one sparse product per chunk of resamples: about
1.5–2.3× faster at 1,000 resamples than one reordering of the weights per
grouping (``benchmarks/bench_poisson.py``), with the same weights.

The hash: the user id's text is hashed to 64 bits with pandas' SipHash
(``pandas.util.hash_array`` with a fixed key; stable across runs and
processes, unlike Python's ``hash``); resample b's weight is the SplitMix64
finaliser of ``key ⊕ mix(seed) + (b + 1)·φ``, turned into a uniform number
with 53 bits and then into a Poisson(1) count by inverting its CDF.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import scipy.sparse as sp

#: Fixed SipHash key of the user-id hash (16 characters, as pandas requires).
HASH_KEY = "fairrec-poisson1"
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
#: Poisson(1) CDF at 0, 1, 2, ...; P(X > 25) < 1e-26, below the 2^-53 resolution.
_CDF = np.cumsum([math.exp(-1.0) / math.factorial(k) for k in range(26)])
#: Upper bound on (resample, user) weights held at once (about 32 MB).
MAX_WEIGHTS = 4_000_000


def user_keys(user_ids) -> np.ndarray:
    """64-bit keys of user ids (their text), the same in every process.

    Parameters
    ----------
    user_ids : array-like
        Raw user ids as the platform knows them; numbers are keyed by their
        text, so ``7`` and ``"7"`` get the same weights.

    Returns
    -------
    numpy.ndarray of uint64
    """
    text = np.asarray([str(u) for u in np.asarray(user_ids, dtype=object)], dtype=object)
    return pd.util.hash_array(text, hash_key=HASH_KEY, categorize=False).astype(np.uint64)


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (wrapping uint64 arithmetic), in place on a fresh array."""
    with np.errstate(over="ignore"):
        z = z + _GOLDEN
        for shift, mult in ((30, _M1), (27, _M2)):
            z ^= z >> np.uint64(shift)
            z *= mult
        z ^= z >> np.uint64(31)
        return z


def _seed_key(seed: int) -> np.uint64:
    return _mix(np.array([int(seed) & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0]


#: Bits of the uniform that pick a table bucket: a 2^14-entry table stays in the
#: CPU cache (a 2^20 one did not, and its lookups cost more than the hash);
#: at most 26 buckets hold a CDF jump, so 0.2% of weights need the search.
_BUCKET_BITS = 14


def _bucket_tables(bits: int = _BUCKET_BITS):
    """Poisson(1) value at the start and the end of each of 2^bits uniform buckets.

    Where both agree (all but at most 26 buckets) the bucket's value is exact
    for every uniform in it; the others are resolved by a CDF search.
    """
    edges = np.arange(2**bits + 1, dtype=np.float64) / 2**bits
    at = np.searchsorted(_CDF, edges, side="right").astype(np.int8)
    return at[:-1], at[1:] != at[:-1]


_LOW, _SPLIT = _bucket_tables()
#: The bucket's count as a float, or -1 where the bucket holds a jump of the CDF.
_TABLE = np.where(_SPLIT, -1.0, _LOW.astype(np.float64))


def poisson_weights(keys: np.ndarray, seed: int, start: int, count: int) -> np.ndarray:
    """Poisson(1) weights of resamples ``start .. start + count − 1`` for ``keys``.

    Parameters
    ----------
    keys : numpy.ndarray of uint64, shape (n,)
        From :func:`user_keys`.
    seed : int
    start, count : int
        Resample indices.

    Returns
    -------
    numpy.ndarray of float64, shape (count, n)
        Whole numbers; entry (b, u) depends only on (seed, key_u, start + b).
    """
    return _weights_by_user(keys, seed, start, count).T


def _weights_by_user(keys: np.ndarray, seed: int, start: int, count: int) -> np.ndarray:
    """:func:`poisson_weights` laid out (n, count), C order: a user's weights side by side,
    as sparse products read them; its transpose feeds BLAS without a copy."""
    keys = np.asarray(keys, dtype=np.uint64)
    base = keys ^ _seed_key(seed)
    with np.errstate(over="ignore"):
        steps = (np.arange(start, start + count, dtype=np.uint64) + np.uint64(1)) * _GOLDEN
        z = _mix(base[:, None] + steps[None, :])
    # The top bits pick a bucket of the uniform; a table gives the count,
    # exact except in the few buckets that hold a jump of the CDF (marked -1).
    z_top = z >> np.uint64(64 - _BUCKET_BITS)
    w = _TABLE[z_top.view(np.int64)]
    fix = w < 0
    if fix.any():
        u = (z[fix] >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
        w[fix] = np.searchsorted(_CDF, u, side="right")
    return w


class _Job:
    """One set of per-user matrices totalled per group (users sorted by group once)."""

    def __init__(self, matrices, codes, n_groups: int, n: int):
        self.n_groups = n_groups
        self.widths = [m.shape[1] for m in matrices]
        self.order = None if codes is None or n_groups == 1 else np.argsort(codes,
                                                                              kind="stable")
        if self.order is not None:
            sizes = np.bincount(np.asarray(codes)[self.order], minlength=n_groups)
            self.bounds = np.concatenate([[0], np.cumsum(sizes)])
        mats = []
        for m in matrices:
            # Dense rows go through BLAS; very wide sparse ones (thousands of
            # provider groups) stay sparse.
            if sp.issparse(m) and (m.shape[1] > 256 and self.order is None):
                mats.append(m.tocsr().T.tocsr())
                continue
            d = m.toarray() if sp.issparse(m) else np.asarray(m, dtype=np.float64)
            mats.append(d if self.order is None else d[self.order])
        self.mats = mats

    def totals(self, w: np.ndarray) -> list[np.ndarray]:
        b = w.shape[0]
        out = [np.empty((b, self.n_groups, width)) for width in self.widths]
        if self.order is None:
            for o, m in zip(out, self.mats):
                o[:, 0] = (m @ w.T).T if sp.issparse(m) else w @ m
            return out
        ws = w[:, self.order]
        for g in range(self.n_groups):
            lo, hi = self.bounds[g], self.bounds[g + 1]
            for o, m in zip(out, self.mats):
                o[:, g] = ws[:, lo:hi] @ m[lo:hi]
        return out


def poisson_sums_many(jobs, keys, *, n_boot: int = 1000, seed: int = 0,
                      max_weights: int = MAX_WEIGHTS) -> list[list[np.ndarray]]:
    """:func:`poisson_sums` for several (matrices, codes, n_groups) at once.

    The weights are drawn once per chunk of resamples and shared by every job.
    """
    keys = np.asarray(keys, dtype=np.uint64)
    n = keys.size
    outs = [[np.zeros((n_boot, g, m.shape[1])) for m in mats] for mats, _, g in jobs]
    if n == 0:
        return outs
    prepared = [_Job(mats, codes, g, n) for mats, codes, g in jobs]
    chunk = max(1, min(n_boot, max_weights // n))
    for b0 in range(0, n_boot, chunk):
        b = min(chunk, n_boot - b0)
        w = poisson_weights(keys, seed, b0, b)
        for out, job in zip(outs, prepared):
            for o, t in zip(out, job.totals(w)):
                o[b0:b0 + b] = t
    return outs


#: Above this many distinct combinations of user groups, each grouping is totalled
#: on its own (:func:`poisson_sums_many`); below, once per combination.
MAX_CELLS = 2048


def poisson_cell_sums(x, codes, group_counts, overall, keys, *, n_boot: int = 1000,
                      seed: int = 0, max_weights: int = MAX_WEIGHTS,
                      max_cells: int = MAX_CELLS):
    """Resampled totals of ``x`` per group of every user grouping, and of ``overall``.

    Users are sorted once by their combination of groups (a *cell*: e.g.
    F × 55+ × East × gold × active); the resampled totals of each cell are
    BLAS products over a contiguous slice, and every grouping's group totals
    are sums of cells. Weights are drawn in that order, so no per-grouping
    reordering of the (resamples × users) weights is needed. Same totals as
    :func:`poisson_sums_many` with one job per grouping, up to summation order.

    Parameters
    ----------
    x : numpy.ndarray, shape (n, m)
        Per-user quantities totalled per group (and overall).
    codes : numpy.ndarray of int, shape (n, n_groupings)
    group_counts : sequence of int
        Groups per grouping.
    overall : list of array-like or sparse, each shape (n, m_j)
        Per-user quantities totalled over all users only.
    keys : numpy.ndarray of uint64, shape (n,)
    n_boot, seed, max_weights
        As for :func:`poisson_sums`.
    max_cells : int
        With more combinations than this, each grouping is totalled on its
        own instead (:func:`poisson_sums_many`).

    Returns
    -------
    x_total : numpy.ndarray, shape (n_boot, m)
    x_groups : list of numpy.ndarray, each shape (n_boot, n_groups, m)
    overall_totals : list of numpy.ndarray, each shape (n_boot, m_j)
    """
    keys = np.asarray(keys, dtype=np.uint64)
    n = keys.size
    codes = np.asarray(codes, dtype=np.int64).reshape(n, len(group_counts))
    cell = np.zeros(n, dtype=np.int64)
    for j, g in enumerate(group_counts):  # mixed radix, factorised as it goes
        cell, _ = pd.factorize(cell * int(g) + codes[:, j])
    n_cells = int(cell.max(initial=-1)) + 1
    if n_cells > max_cells:  # a slice per cell would cost more than a sort per grouping
        sums = poisson_sums_many(
            [([x, *overall], None, 1)] + [([x], codes[:, j], int(g))
                                          for j, g in enumerate(group_counts)],
            keys, n_boot=n_boot, seed=seed, max_weights=max_weights)
        return (sums[0][0][:, 0], [s[0] for s in sums[1:]],
                [t[:, 0] for t in sums[0][1:]])
    order = np.argsort(cell, kind="stable")
    keys = keys[order]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(cell, minlength=n_cells))])
    first = order[bounds[:-1]]  # a user of each cell, for its group codes
    x = np.asarray(x, dtype=np.float64)[order]
    cell_tot = np.zeros((n_boot, n_cells, x.shape[1]))
    # All overall quantities in two matrices, so each chunk of weights is read
    # once by BLAS and once by the sparse product: dense columns, and very wide
    # sparse ones (thousands of provider groups) kept sparse, transposed.
    wide = [sp.issparse(m) and m.shape[1] > 256 for m in overall]
    dense = np.hstack([np.zeros((n, 0))] + [
        (m.toarray() if sp.issparse(m) else np.asarray(m, dtype=np.float64))[order]
        for m, is_wide in zip(overall, wide) if not is_wide])
    sparse_t = sp.hstack([sp.csr_matrix((n, 0))] + [m.tocsr()[order] for m, is_wide
                                                    in zip(overall, wide) if is_wide]).T.tocsr()
    dense_tot = np.zeros((n_boot, dense.shape[1]))
    sparse_tot = np.zeros((n_boot, sparse_t.shape[0]))
    chunk = max(1, min(n_boot, max_weights // max(n, 1)))
    for b0 in range(0, n_boot if n else 0, chunk):
        b = min(chunk, n_boot - b0)
        w = poisson_weights(keys, seed, b0, b)
        for c in range(n_cells):
            lo, hi = bounds[c], bounds[c + 1]
            cell_tot[b0:b0 + b, c] = w[:, lo:hi] @ x[lo:hi]
        dense_tot[b0:b0 + b] = w @ dense
        if sparse_t.shape[0]:
            sparse_tot[b0:b0 + b] = (sparse_t @ w.T).T
    outs, at = [], {False: 0, True: 0}
    for m, is_wide in zip(overall, wide):
        tot = sparse_tot if is_wide else dense_tot
        outs.append(tot[:, at[is_wide]:at[is_wide] + m.shape[1]])
        at[is_wide] += m.shape[1]
    groups = []
    for j, g in enumerate(group_counts):
        onehot = np.zeros((n_cells, int(g)))
        onehot[np.arange(n_cells), codes[first, j]] = 1.0
        groups.append(np.einsum("bcm,cg->bgm", cell_tot, onehot))
    return cell_tot.sum(axis=1), groups, outs


def poisson_sums(matrices, keys, *, codes=None, n_groups: int = 1, n_boot: int = 1000,
                 seed: int = 0, max_weights: int = MAX_WEIGHTS) -> list[np.ndarray]:
    """Poisson-resampled totals of per-user quantities, per group.

    The mergeable counterpart of
    :func:`fairrec_core.metrics.bootstrap.resampled_sums`: the totals of two
    disjoint sets of users add up to the totals of their union.

    Parameters
    ----------
    matrices : sequence of array-like or sparse, each shape (n, m)
    keys : numpy.ndarray of uint64, shape (n,)
    codes : array-like of int, shape (n,), optional
        Group of every user; default one group.
    n_groups : int
    n_boot : int
    seed : int
    max_weights : int
        Resamples are drawn in chunks of at most this many weights.

    Returns
    -------
    list of numpy.ndarray, each shape (n_boot, n_groups, m)
        ``out[j][b, g] = Σ_{u in g} w_bu · X_j[u]``.
    """
    return poisson_sums_many([(list(matrices), codes, n_groups)], keys, n_boot=n_boot,
                             seed=seed, max_weights=max_weights)[0]


__all__ = ["HASH_KEY", "MAX_CELLS", "poisson_cell_sums", "poisson_sums", "poisson_sums_many",
           "poisson_weights", "user_keys"]
