"""Synthetic users: demographics (stratified, so only injected signals exist) and activity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairrec_core.data.synthetic_catalogue import _ids, _iso_dates
from fairrec_core.data.synthetic_params import (
    _AGE_EDGES,
    _DAY,
    _GENDER_PROBS,
    _GENDERS,
    _HISTORY_START,
    _PARAMS,
    _REGION_PROBS,
    _REGIONS,
    _TIER_PROBS,
    _TIERS,
    _WINDOW_END,
    AGE_BANDS,
)


def _stratified(rng: np.random.Generator, strata: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Labels with the given proportions inside every stratum, in random order.

    Systematic sampling within each stratum: the attribute is then
    independent of the stratifying variables by construction, not merely in
    expectation, which keeps chance composition differences out of the
    "nothing injected" checks.
    """
    n = len(strata)
    order = np.lexsort((rng.random(n), strata))
    s_sorted = strata[order]
    starts = np.searchsorted(s_sorted, s_sorted, side="left")
    sizes = np.searchsorted(s_sorted, s_sorted, side="right") - starts
    n_strata = int(strata.max()) + 1
    offset = rng.random(n_strata)[s_sorted]
    frac = (np.arange(n) - starts + offset) / sizes
    labels = np.empty(n, dtype=np.int64)
    labels[order] = np.minimum(np.searchsorted(np.cumsum(probs), frac, side="right"), len(probs) - 1)
    return labels


def _make_users(rng: np.random.Generator, band: np.ndarray, counts: np.ndarray):
    """The users frame, and per-user codes of age band, gender, region, tier and signup day.

    Gender, region and tier are stratified by age band x activity quintile, so
    they carry no signal of their own.
    """
    n_users = len(band)
    lo = np.array(_AGE_EDGES[:-1])[band]
    hi = np.array(_AGE_EDGES[1:])[band]
    age = lo + np.floor(rng.random(n_users) * (hi - lo)).astype(np.int64)
    # Strata: age band x activity quintile within the band.
    quint = np.zeros(n_users, dtype=np.int64)
    for b in range(len(AGE_BANDS)):
        idx = np.flatnonzero(band == b)
        if len(idx):
            r = np.argsort(np.argsort(counts[idx] + rng.random(len(idx))))
            quint[idx] = (5 * r) // len(idx)
    strata = band * 5 + quint
    gender = _stratified(rng, strata, _GENDER_PROBS)
    region = _stratified(rng, strata, _REGION_PROBS)
    tier = _stratified(rng, strata, _TIER_PROBS)
    signup = rng.integers(_HISTORY_START, _WINDOW_END - 60 * _DAY, n_users)
    users = pd.DataFrame(
        {
            "user_id": _ids("U", n_users),
            "gender": np.array(_GENDERS, dtype=object)[gender],
            "age": age,
            "region": np.array(_REGIONS, dtype=object)[region],
            "membership_tier": np.array(_TIERS, dtype=object)[tier],
            "signup_date": _iso_dates(signup),
        }
    )
    # Signup dates are written at day resolution; interactions must follow
    # the written date, so keep the day floor.
    signup = (signup // _DAY) * _DAY
    return users, {"band": band, "gender": gender, "region": region, "tier": tier, "signup": signup}


def _activity(rng, band, n_interactions, min_count, cap):
    """Per-user interaction counts summing to ``n_interactions``."""
    n_users = len(band)
    sparse = band == AGE_BANDS.index(_PARAMS["sparse_age_band"])
    z = np.exp(_PARAMS["activity_sigma"] * rng.standard_normal(n_users))

    def raw(scale):
        # The sparse band keeps a fixed median however dense the data set is
        # (so the bias survives at MovieLens scale), but never more than
        # ``sparse_activity_multiplier`` times everybody else's median.
        m_sparse = min(_PARAMS["sparse_median_interactions"], _PARAMS["sparse_activity_multiplier"] * scale)
        return np.where(sparse, m_sparse, scale) * z

    def total(scale):
        return np.clip(np.round(raw(scale)), min_count, cap).sum()

    lo, hi = 0.0, 1.0
    while total(hi) < n_interactions:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if total(mid) < n_interactions else (lo, mid)
    counts = np.clip(np.round(raw(hi)), min_count, cap).astype(np.int64)
    # Settle the rounding remainder one interaction at a time on random users.
    while (diff := n_interactions - counts.sum()) != 0:
        ok = np.flatnonzero(counts < cap) if diff > 0 else np.flatnonzero(counts > min_count)
        chosen = rng.choice(ok, size=min(abs(diff), len(ok)), replace=False)
        counts[chosen] += int(np.sign(diff))
    # Guarantee one user at the minimum: the smallest possible history must be
    # exercised by downstream code.
    if min_count == 3 and not (counts == min_count).any():
        i = int(np.argmin(counts))
        extra = counts[i] - min_count
        counts[i] = min_count
        j = np.flatnonzero(counts + extra <= cap)
        j = j[j != i]
        counts[j[np.argmax(counts[j])]] += extra
    return counts

