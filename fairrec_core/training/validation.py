"""Validation while training: which users, and the NDCG the early stopping watches."""

from __future__ import annotations

import numpy as np


def validation_users(valid, *, max_users: int | None, seed: int) -> np.ndarray:
    """Users with validation positives, subsampled (seeded) to ``max_users``."""
    users = np.flatnonzero(np.diff(valid.indptr) > 0)
    if max_users and users.size > max_users:
        users = np.sort(np.random.default_rng(seed).choice(users, max_users, replace=False))
    return users


def ndcg_on(model, truth, users: np.ndarray, k: int = 10) -> float | None:
    """Mean NDCG@k of ``model``'s unseen-item lists for ``users`` against ``truth`` rows."""
    from fairrec_core.metrics.ranking import ranking_metrics

    if users.size == 0:
        return None
    k = min(k, model.n_items_)
    top, _ = model.recommend(users, k)
    res = ranking_metrics(top, truth[users], k=k)
    return float(np.nanmean(res.per_user["ndcg"].to_numpy()))


def validation_data(model, split):
    """Validation positives and users for ``model``; a recorded warning when there are none."""
    if split is None:
        return None, np.empty(0, dtype=np.int64)
    valid = split.valid_matrix()
    users = validation_users(valid, max_users=model.max_eval_users, seed=model.seed)
    if users.size == 0:
        model._warn("no_validation_users",
                    "No user has a validation positive, so the model cannot be validated "
                    "while it trains: it runs all epochs without early stopping. Use a split "
                    "with a validation part (e.g. valid_n=1, or ratios 8:1:1).")
        return None, users
    return valid, users
