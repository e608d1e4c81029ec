"""Train a λ_train grid and tabulate accuracy against the gap the term targets.

One function, :func:`train_grid`, for the dashboard's "train a λ_train grid"
and the report: it fits one model (BPR-MF or a text two-tower) per λ
(λ = 0 is exactly the plain model) and returns one row per λ with overall
NDCG@K, the user-group NDCG ratio and difference (the term's user attribute,
or ``ratio_grouping``) and, for the item-exposure term, the protected group's
ES/CS in the top K.

The table also carries the re-ranking sweep's column names (``lam``,
``ndcg_ratio[g]``, ``es_cs_ratio[p]``) and its ``pareto`` flag, so a
train-time curve and a re-ranking curve share axes without translation
(:func:`fairness_column` names the axis the term targets).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from fairrec_core.errors import ConfigError
from fairrec_core.fairtrain.spec import FAIR_TRAINABLE, as_fairness_config

#: A 5-point grid; the useful range differs per term (benchmarks/RESULTS.md).
DEFAULT_LAMBDAS = {"user-loss": (0.0, 0.1, 0.3, 1.0, 3.0),
                   "item-exposure": (0.0, 0.03, 0.1, 0.3, 1.0),
                   "adversary": (0.0, 0.003, 0.01, 0.03, 0.1)}


def train_grid(dataset, split, fairness, *, lambdas: Sequence[float] | None = None,
               model_params: dict | None = None, k: int = 10,
               ratio_grouping: str | None = None, model: str = "bpr",
               progress: Callable[[int, int, float], object] | None = None,
               callbacks: Sequence[Callable] = (),
               on_fit: Callable[[float, object], object] | None = None) -> pd.DataFrame:
    """Fit a model once per λ_train and measure each fit on the split's test positives.

    Parameters
    ----------
    dataset, split
        The data and its split (test positives are the truth).
    fairness : FairnessConfig or dict
        The term; its ``weight`` is replaced by each λ in turn.
    lambdas : sequence of float, optional
        Default :data:`DEFAULT_LAMBDAS` of the term.
    model_params : dict, optional
        Further model options (epochs, dim, seed, ...).
    k : int, default 10
    ratio_grouping : str, optional
        User attribute of the NDCG ratio; default the term's attribute for the
        user terms, else ``gender`` when present.
    model : {"bpr", "two-tower", "profile-two-tower"}, default "bpr"
    progress : callable, optional
        Called as ``progress(done, total, lam)`` after each fit.
    callbacks : sequence of callable
        Training-loop callbacks of every fit (a callback returning True stops
        the fit it is in; the grid then ends after that fit, with the rows so far).
    on_fit : callable, optional
        Called as ``on_fit(lam, model)`` with each fitted model, before the next
        fit, so a caller can keep what it needs of it (e.g. the candidates the
        combined training + re-ranking curves re-rank,
        :func:`fairrec_core.pipeline.combined_stage.keep_candidates`); the models
        themselves are not kept.

    Returns
    -------
    pandas.DataFrame
        Columns ``lambda``, ``ndcg``, ``user_grouping``, ``ndcg_ratio``,
        ``ndcg_difference``, ``protected``, ``es_cs`` (item-exposure only, else
        NaN), ``fairness_term`` (last epoch's mean unweighted term) and ``seconds``;
        the same values as ``lam``, ``ndcg_ratio[<user_grouping>]`` and
        ``es_cs_ratio[<protected>]`` (item-exposure), and ``pareto`` (not
        dominated in NDCG and the :func:`fairness_column`).
    """
    from fairrec_core.models import make_model

    cfg = as_fairness_config(fairness, where="fairness")
    if cfg is None:
        raise ConfigError("A λ_train grid varies the weight of a fairness term: name the term.")
    grid = [float(x) for x in (DEFAULT_LAMBDAS[cfg.term] if lambdas is None else lambdas)]
    if model not in FAIR_TRAINABLE:
        raise ConfigError(f"A λ_train grid trains BPR-MF or a text two-tower "
                          f"({', '.join(FAIR_TRAINABLE)}), not {model!r}.")
    if not grid or any(not np.isfinite(x) or x < 0 for x in grid):
        raise ConfigError("The λ_train grid must be a non-empty list of numbers, 0 or more.")
    grouping = ratio_grouping or (cfg.attribute if cfg.term != "item-exposure" else "gender")
    if grouping not in dataset.users:
        raise ConfigError(f"The NDCG ratio is taken over the user attribute '{grouping}', which "
                          "the users file does not have; pass ratio_grouping.")
    rows = []
    stopped = [False]

    def watch(ev):
        out = any(cb(ev) is True for cb in callbacks)
        stopped[0] = stopped[0] or out
        return out

    for n, lam in enumerate(grid, start=1):
        t0 = time.perf_counter()
        fitted = make_model(model, **(model_params or {}),
                            fairness=dataclasses.replace(cfg, weight=lam))
        fitted.fit(dataset, split, callbacks=[watch] if callbacks else [])
        rows.append({"lambda": lam, **_measure(fitted, dataset, split, k, grouping),
                     "fairness_term": fitted.training_.history[-1].get("fairness_term")
                     if fitted.training_.history else np.nan,
                     "seconds": time.perf_counter() - t0})
        if on_fit is not None:
            on_fit(lam, fitted)
        if progress is not None:
            progress(n, len(grid), lam)
        if stopped[0]:
            break
    return _with_axes(pd.DataFrame(rows))


def fairness_column(table: pd.DataFrame) -> str:
    """The fairness axis a grid's term targets: ``es_cs_ratio[p]`` or ``ndcg_ratio[g]``."""
    es = [c for c in table.columns if c.startswith("es_cs_ratio[")]
    if es and table[es[0]].notna().any():
        return es[0]
    return next(c for c in table.columns if c.startswith("ndcg_ratio["))


def _with_axes(table: pd.DataFrame) -> pd.DataFrame:
    """Add the re-ranking sweep's column names and the Pareto flag (see module notes)."""
    from fairrec_core.rerank.sweep import pareto_mask

    if table.empty:
        return table
    table["lam"] = table["lambda"]
    table[f"ndcg_ratio[{table['user_grouping'].iloc[0]}]"] = table["ndcg_ratio"]
    protected = table["protected"].iloc[0]
    if protected is not None and table["es_cs"].notna().any():
        table[f"es_cs_ratio[{protected}]"] = table["es_cs"]
    table["pareto"] = pareto_mask(table[["ndcg", fairness_column(table)]].to_numpy(float))
    return table


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
