"""Bootstrap confidence intervals over users (DESIGN.md section 4).

One resample draws, within every stratum (user group), as many users as the
stratum has, with replacement. Instead of materialising the resampled data,
each resample is a row of multiplicities ``c_b`` (how often each user was
drawn), so any per-user quantity ``X`` (n_users × m) becomes resampled totals
by one matrix product ``C @ X``. Group means are ratios of such totals
(Σ c·num / Σ c·den), and provider shares are ratios of per-group exposure and
merit totals, so every statistic of a resample is exact and the whole
bootstrap is a handful of BLAS calls per chunk of resamples.

Intervals are percentile intervals. Resamples where a statistic is undefined
(e.g. a small group drew no evaluable user) are left out of its quantiles.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ._validate import MetricsInputError
from .groups import _num_den

#: Upper bound on entries of one (resamples × users) multiplicity block; keeps
#: memory near 64 MB whatever the number of users.
MAX_BLOCK_ELEMENTS = 8_000_000


def derive_rng(seed, key: str) -> np.random.Generator:
    """A generator fixed by ``seed`` and a name.

    Each grouping draws from its own stream, so adding or removing one
    grouping leaves the intervals of the others unchanged.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(key.encode())]))


def resampled_sums(matrices: Sequence, *, strata=None, n_strata: int | None = None,
                   n_boot: int = 1000, seed=0,
                   max_elements: int = MAX_BLOCK_ELEMENTS) -> list[np.ndarray]:
    """Totals of per-user quantities under stratified bootstrap resampling.

    Parameters
    ----------
    matrices : sequence of array-like or sparse, each shape (n_users, m)
        Per-user quantities to total.
    strata : array-like of int, shape (n_users,), optional
        Stratum (group) code per user; users are resampled within their
        stratum. Default: one stratum.
    n_strata : int, optional
        Number of strata (default ``max(strata) + 1``).
    n_boot : int, default 1000
    seed : int or numpy.random.Generator
    max_elements : int
        Resamples are processed in chunks of at most this many
        (resample, user) multiplicities.

    Returns
    -------
    list of numpy.ndarray, each shape (n_boot, n_strata, m)
        ``out[j][b, g]`` = Σ over users u of stratum g of c_bu · X_j[u].
    """
    if n_boot < 1:
        raise MetricsInputError(
            f"The number of bootstrap resamples must be positive, got {n_boot}.")
    mats = [m if sp.issparse(m) else np.asarray(m, dtype=np.float64) for m in matrices]
    n = mats[0].shape[0]
    strata = np.zeros(n, dtype=np.int64) if strata is None else np.asarray(strata, dtype=np.int64)
    if n_strata is None:
        n_strata = int(strata.max()) + 1 if n else 1
    rng = derive_rng(seed, "")
    # Sorting users by stratum makes each stratum a contiguous block of rows,
    # so its totals are one product of its multiplicities with a row slice.
    order = np.argsort(strata, kind="stable")
    sizes = np.bincount(strata, minlength=n_strata)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    sorted_mats = [m[order] for m in mats]
    out = [np.zeros((n_boot, n_strata, m.shape[1])) for m in mats]
    if n == 0:
        return out
    chunk = max(1, min(n_boot, max_elements // n))
    for b0 in range(0, n_boot, chunk):
        b = min(chunk, n_boot - b0)
        for g in np.flatnonzero(sizes):
            size, lo = int(sizes[g]), int(starts[g])
            # Scalar-bound draws per stratum are exact and several times
            # faster than one draw with a per-user bound.
            idx = rng.integers(0, size, size=(b, size),
                               dtype=np.int32 if size < 2**31 else np.int64)
            flat = idx + (np.arange(b, dtype=np.int64) * size)[:, None]
            counts = np.bincount(flat.ravel(), minlength=b * size).reshape(b, size)
            counts = counts.astype(np.float64)
            for j, m in enumerate(sorted_mats):
                part = m[lo:lo + size]
                out[j][b0:b0 + b, g] = (part.T @ counts.T).T if sp.issparse(part) else counts @ part
    return out


def _nan_quantiles(s: np.ndarray, qs, axis: int) -> list[np.ndarray]:
    """Linear-interpolation quantiles ignoring NaN, vectorised over the other axes.

    Same values as ``numpy.nanquantile`` (method "linear"), which falls back
    to a Python-level loop over columns as soon as one NaN is present.
    """
    srt = np.sort(np.moveaxis(s, axis, 0), axis=0)  # NaN sorts last
    n_valid = (~np.isnan(srt)).sum(axis=0)
    out = []
    for q in qs:
        pos = q * np.maximum(n_valid - 1, 0)
        lo_i = np.floor(pos).astype(np.int64)
        hi_i = np.minimum(lo_i + 1, np.maximum(n_valid - 1, 0))
        lo_v = np.take_along_axis(srt, lo_i[None], axis=0)[0]
        hi_v = np.take_along_axis(srt, hi_i[None], axis=0)[0]
        val = lo_v + (hi_v - lo_v) * (pos - lo_i)
        out.append(np.where(n_valid > 0, val, np.nan))
    return out


def percentile_interval(samples, *, level: float = 0.95, axis: int = 0):
    """Percentile interval of bootstrap samples, ignoring undefined (NaN) resamples.

    Parameters
    ----------
    samples : array-like
        Bootstrap replicates along ``axis``.
    level : float, default 0.95
    axis : int, default 0

    Returns
    -------
    low, high : numpy.ndarray or float
        NaN where every resample is undefined.
    """
    if not 0.0 < level < 1.0:
        raise MetricsInputError(f"The confidence level must lie in (0, 1), got {level}.")
    s = np.asarray(samples, dtype=np.float64)
    tail = (1.0 - level) / 2.0
    lo, hi = _nan_quantiles(s, (tail, 1.0 - tail), axis)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def bootstrap_group_means(values, strata=None, *, n_strata: int | None = None, weights=None,
                          n_boot: int = 1000, seed=0) -> np.ndarray:
    """Resampled group means of per-user metrics.

    Parameters
    ----------
    values : array-like, shape (n_users, m)
        Per-user metric values, NaN = not evaluable.
    strata : array-like of int, shape (n_users,), optional
        Group code per user (e.g. ``Grouping.codes``); resampling is within
        groups. Default: all users in one group.
    n_strata : int, optional
    weights : array-like, optional
        Per-user weights for pooled means.
    n_boot : int, default 1000
    seed : int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray, shape (n_boot, n_strata, m)
        NaN where a resample drew no evaluable user of a group.
    """
    num, den = _num_den(values, weights)
    # One product for numerators and denominators together.
    (both,) = resampled_sums([np.hstack([num, den])], strata=strata, n_strata=n_strata,
                             n_boot=n_boot, seed=seed)
    s_num, s_den = both[..., :num.shape[1]], both[..., num.shape[1]:]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s_den > 0, s_num / s_den, np.nan)


def gap_samples(boot: np.ndarray, best: np.ndarray, worst: np.ndarray):
    """Difference and ratio of a fixed pair of groups in every resample.

    The pair is the best and the worst group of the point estimate, so the
    interval is about the comparison a sentence names ("group A gets x% less
    than group B"). Re-picking max and min inside each resample would bias
    the interval upward when groups are close.

    Parameters
    ----------
    boot : numpy.ndarray, shape (n_boot, n_groups, m)
    best, worst : numpy.ndarray of int, shape (m,)
        Group index per metric.

    Returns
    -------
    diff, ratio : numpy.ndarray, shape (n_boot, m)
    """
    cols = np.arange(boot.shape[2])
    hi = boot[:, best, cols]
    lo = boot[:, worst, cols]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(hi > 0, lo / hi, np.nan)
    return hi - lo, ratio


def bootstrap_shares(exposure_by_user, merit_by_user, *, n_boot: int = 1000, seed=0):
    """Resampled exposure and merit shares of item groups.

    Parameters
    ----------
    exposure_by_user, merit_by_user : sparse or array, shape (n_users, n_groups)
        See :class:`~fairrec_core.metrics.groups.ProviderShares`.
    n_boot : int
    seed : int or numpy.random.Generator

    Returns
    -------
    es, rs : numpy.ndarray, shape (n_boot, n_groups)
        Exposure share and merit share per resample (users resampled with
        replacement from all users).
    """
    e, r = resampled_sums([exposure_by_user, merit_by_user], n_boot=n_boot, seed=seed)
    e, r = e[:, 0], r[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        es = e / e.sum(axis=1, keepdims=True)
        rs = r / r.sum(axis=1, keepdims=True)
    return es, rs
