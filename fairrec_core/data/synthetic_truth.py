"""The generator's ground truth: each injected bias measured on the generated data.

``truth`` is written to ``truth.json`` next to the sample data; its key order
is part of that file's bytes, so the sections below are assembled in the
order they have always been written.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fairrec_core.data.synthetic_params import (
    _GENDER_SHIFT,
    _GENDERS,
    _PARAMS,
    _REGIONS,
    _TIERS,
    AGE_BANDS,
)
from fairrec_core.data.synthetic_vocab import CATEGORIES


def _ndcg_per_user(rec_items, rel_keys, n_rel, n_items, k):
    """Binary-gain NDCG@k of each user's list against relevant (user, item) keys."""
    n_users = rec_items.shape[0]
    keys = np.arange(n_users)[:, None] * n_items + rec_items[:, :k]
    hits = np.isin(keys, rel_keys)
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = hits @ disc
    cdisc = np.concatenate([[0.0], np.cumsum(disc)])
    idcg = cdisc[np.minimum(n_rel, k)]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_rel > 0, dcg / np.where(idcg > 0, idcg, 1.0), np.nan)



def _group_means(values, groups, labels):
    """Mean of ``values`` per group (NaN left out) and the min/max ratio over groups of 30+."""
    out: dict[str, dict[str, Any]] = {}
    for gi, name in enumerate(labels):
        v = values[(groups == gi) & ~np.isnan(values)]
        out[name] = {"n": int(len(v)), "mean": round(float(v.mean()), 4) if len(v) else None}
    means = [d["mean"] for d in out.values() if d["mean"] is not None and d["n"] >= 30]
    ratio = round(min(means) / max(means), 4) if means and max(means) > 0 else None
    return {"by_group": out, "ratio_min_over_max": ratio}


def _heldout_ndcg(u, item, test, pos, rec_items, n_users, n_items, k) -> dict[str, np.ndarray]:
    """Per-user NDCG@k of the production lists on held-out positives and on all held-out items."""
    res = {}
    for name, mask in (("heldout_rating_ge_4", pos), ("heldout_all", test)):
        keys = u[mask] * n_items + item[mask]
        nrel = np.bincount(u[mask], minlength=n_users)
        res[name] = _ndcg_per_user(rec_items, keys, nrel, n_items, k)
    return res


def _small_seller_exposure(latent, item, test, pos, rec_items, n_users, k) -> dict[str, Any]:
    """Small sellers' exposure share at k next to their catalogue, interaction and merit shares."""
    small = latent["small"]
    # Exposure with the default position weights 1/log2(rank+1), top-k.
    e = 1.0 / np.log2(np.arange(2, k + 2))
    exp_small = (small[rec_items[:, :k]] * e).sum() / (n_users * e.sum())
    catalog_small = small.mean()
    merit_small_pos = small[item[pos]].mean()
    merit_small_all = small[item[test]].mean()
    return {
        "n_big_sellers": _PARAMS["n_big_sellers"],
        "n_small_sellers": int(latent["n_small_sellers"]),
        "catalog_share_small": round(float(catalog_small), 4),
        "interaction_share_small": round(float(small[item].mean()), 4),
        "merit_share_small_heldout_positives": round(float(merit_small_pos), 4),
        "merit_share_small_heldout_all": round(float(merit_small_all), 4),
        f"exposure_share_small_at_{k}": round(float(exp_small), 4),
        "exposure_over_catalog_small": round(float(exp_small / catalog_small), 4),
        "exposure_over_merit_small": round(float(exp_small / merit_small_pos), 4),
    }


def _sparse_history(band, counts, k, grouped) -> dict[str, Any]:
    """The sparse-history age band: its share, history lengths and accuracy by age band."""
    median_by_band = {b: float(np.median(counts[band == i])) if (band == i).any() else None
                      for i, b in enumerate(AGE_BANDS)}
    sparse = band == AGE_BANDS.index(_PARAMS["sparse_age_band"])
    return {
        "attribute": "age",
        "band": _PARAMS["sparse_age_band"],
        "share_of_users": round(float(sparse.mean()), 4),
        "median_interactions_by_band": median_by_band,
        "median_interactions_sparse": float(np.median(counts[sparse])),
        "median_interactions_others": float(np.median(counts[~sparse])),
        f"ndcg_at_{k}_by_age_band": grouped(band, AGE_BANDS),
    }


def _category_share_by_gender(gender, u, cat_of) -> dict[str, dict[str, float]]:
    """Share of each category in the interactions of each gender."""
    share = {}
    for gi, gname in enumerate(_GENDERS):
        sel = gender[u] == gi
        bc = np.bincount(cat_of[sel], minlength=len(CATEGORIES)) / max(1, sel.sum())
        share[gname] = {c: round(float(x), 4) for c, x in zip(CATEGORIES, bc)}
    return share


def _truth(latent, uinfo, counts, u, item, rating, test, rec_items, n_users, n_items, rec_k, params):
    """The ``truth`` record: parameters, sizes and every injected bias measured on the data."""
    pos = test & (rating >= _PARAMS["relevance_threshold"])
    kk = min(_PARAMS["audit_k"], rec_k)
    ndcg = _heldout_ndcg(u, item, test, pos, rec_items, n_users, n_items, kk)

    def grouped(groups, labels):
        return {name: _group_means(nd, groups, labels) for name, nd in ndcg.items()}

    # Popularity skew of the interaction log.
    cnt = np.sort(np.bincount(item, minlength=n_items))[::-1]
    top20 = cnt[: max(1, int(round(0.2 * n_items)))].sum() / cnt.sum()
    gender = uinfo["gender"]
    return {
        "generator": "fairrec_core.data.synthetic.generate",
        "params": params,
        "latent": dict(_PARAMS, gender_category_shift={g: dict(zip(CATEGORIES, map(float, s)))
                                                      for g, s in _GENDER_SHIFT.items()}),
        "sizes": {"users": n_users, "items": n_items, "interactions": int(len(u)),
                  "recommendations": int(rec_items.size), "heldout": int(test.sum()),
                  "heldout_positives": int(pos.sum())},
        "popularity_skew": {"top20pct_items_interaction_share": round(float(top20), 4)},
        "small_seller_exposure": _small_seller_exposure(latent, item, test, pos, rec_items,
                                                        n_users, kk),
        "sparse_history_group": _sparse_history(uinfo["band"], counts, kk, grouped),
        "gender_category_preference": {
            "category_share_of_interactions_by_gender": _category_share_by_gender(
                gender, u, latent["cat"][item]),
            f"ndcg_at_{kk}_by_gender": grouped(gender, _GENDERS),
        },
        "no_injection": {
            f"ndcg_at_{kk}_by_region": grouped(uinfo["region"], _REGIONS),
            f"ndcg_at_{kk}_by_membership_tier": grouped(uinfo["tier"], _TIERS),
        },
        "users_with_min_interactions": int((counts == counts.min()).sum()),
        "min_interactions_per_user": int(counts.min()),
    }
