"""Train a λ_train grid and tabulate accuracy against the gap the term targets.

One function, :func:`train_grid`, for the dashboard's "train a λ_train grid"
and the report: it fits one BPR model per λ (λ = 0 is exactly the plain
model) and returns one row per λ with overall NDCG@K, the user-group NDCG
ratio and difference (the term's user attribute, or ``ratio_grouping``) and,
for the item-exposure term, the protected group's ES/CS in the top K.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from fairrec_core.errors import ConfigError
from fairrec_core.fairtrain.spec import as_fairness_config

#: A 5-point grid; the useful range differs per term (benchmarks/RESULTS.md).
DEFAULT_LAMBDAS = {"user-loss": (0.0, 0.1, 0.3, 1.0, 3.0),
                   "item-exposure": (0.0, 0.03, 0.1, 0.3, 1.0),
                   "adversary": (0.0, 0.01, 0.03, 0.1, 0.3)}


def train_grid(dataset, split, fairness, *, lambdas: Sequence[float] | None = None,
               model_params: dict | None = None, k: int = 10,
               ratio_grouping: str | None = None,
               progress: Callable[[int, int, float], object] | None = None) -> pd.DataFrame:
    """Fit BPR once per λ_train and measure each fit on the split's test positives.

    Parameters
    ----------
    dataset, split
        The data and its split (test positives are the truth).
    fairness : FairnessConfig or dict
        The term; its ``weight`` is replaced by each λ in turn.
    lambdas : sequence of float, optional
        Default :data:`DEFAULT_LAMBDAS` of the term.
    model_params : dict, optional
        Further :class:`~fairrec_core.models.bpr.BPR` options (epochs, dim, seed, ...).
    k : int, default 10
    ratio_grouping : str, optional
        User attribute of the NDCG ratio; default the term's attribute for the
        user terms, else ``gender`` when present.
    progress : callable, optional
        Called as ``progress(done, total, lam)`` after each fit.

    Returns
    -------
    pandas.DataFrame
        Columns ``lambda``, ``ndcg``, ``user_grouping``, ``ndcg_ratio``,
        ``ndcg_difference``, ``protected``, ``es_cs`` (item-exposure only, else
        NaN), ``fairness_term`` (last epoch's mean unweighted term) and ``seconds``.
    """
    from fairrec_core.models import BPR

    cfg = as_fairness_config(fairness, where="fairness")
    grid = [float(x) for x in (DEFAULT_LAMBDAS[cfg.term] if lambdas is None else lambdas)]
    if not grid or any(not np.isfinite(x) or x < 0 for x in grid):
        raise ConfigError("The λ_train grid must be a non-empty list of numbers, 0 or more.")
    grouping = ratio_grouping or (cfg.attribute if cfg.term != "item-exposure" else "gender")
    if grouping not in dataset.users:
        raise ConfigError(f"The NDCG ratio is taken over the user attribute '{grouping}', which "
                          "the users file does not have; pass ratio_grouping.")
    rows = []
    for n, lam in enumerate(grid, start=1):
        t0 = time.perf_counter()
        model = BPR(**(model_params or {}),
                    fairness=dataclasses.replace(cfg, weight=lam)).fit(dataset, split)
        rows.append({"lambda": lam, **_measure(model, dataset, split, k, grouping),
                     "fairness_term": model.training_.history[-1].get("fairness_term"),
                     "seconds": time.perf_counter() - t0})
        if progress is not None:
            progress(n, len(grid), lam)
    return pd.DataFrame(rows)


def _measure(model, dataset, split, k: int, grouping: str) -> dict:
    from fairrec_core.metrics import make_grouping
    from fairrec_core.metrics.groups import group_means, provider_shares
    from fairrec_core.metrics.ranking import ranking_metrics

    truth = split.test_matrix()
    top, _ = model.recommend(None, min(k, model.n_items_))
    ndcg = ranking_metrics(top, truth, k=top.shape[1]).per_user["ndcg"].to_numpy()
    users = make_grouping(dataset.users[grouping].reset_index(drop=True), name=grouping,
                          n=dataset.n_users)
    means, _ = group_means(ndcg, users)
    means = means[:, 0][[lab != "unknown" for lab in users.labels]]
    means = means[np.isfinite(means)]
    out = {"ndcg": float(np.nanmean(ndcg)), "user_grouping": grouping,
           "ndcg_ratio": float(means.min() / means.max()) if means.size > 1 else np.nan,
           "ndcg_difference": float(means.max() - means.min()) if means.size > 1 else np.nan,
           "protected": None, "es_cs": np.nan}
    fair = model.fairness_
    if fair is not None and fair.item_protected is not None:
        labels = np.where(fair.item_protected, "protected", "other")
        table = provider_shares(top, truth, labels).table.set_index("group")
        out.update(protected=fair.protected, es_cs=float(table.loc["protected", "es_cs_ratio"]))
    return out
