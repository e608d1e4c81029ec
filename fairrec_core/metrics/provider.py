"""Provider-side group fairness: exposure, catalogue and merit shares of item groups.

Exposure share ES_h, catalogue share CS_h, merit share RS_h and the ratios
ES/CS (equal exposure) and ES/RS (merit-proportional exposure); and CPFair's
IGF = ES_head − ES_tail: the signed gap in exposure share between the popular
head and the long tail (positive = head gets more). CPFair states item
fairness as an exposure deviation between these two groups; this is that
deviation measured in shares of total exposure, so it lies in [−1, 1] and
does not depend on the number of users.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._validate import as_binary_csr, as_top_k
from .exposure import position_weights, user_group_exposure
from .grouping import Grouping, make_grouping

PROVIDER_COLUMNS = ("group", "n_items", "n_relevant", "exposure_share", "catalog_share",
                    "merit_share", "es_cs_ratio", "es_rs_ratio")


@dataclass(frozen=True)
class ProviderShares:
    """Exposure, catalogue and merit shares of item groups.

    Attributes
    ----------
    grouping : Grouping
        The item grouping.
    table : pandas.DataFrame
        Columns :data:`PROVIDER_COLUMNS`, one row per group.
    exposure_by_user, merit_by_user : scipy.sparse.csr_matrix, shape (n_users, n_groups)
        Per-user exposure given to, and held-out positives in, each group;
        the bootstrap resamples their rows.
    """

    grouping: Grouping
    table: pd.DataFrame
    exposure_by_user: sp.csr_matrix
    merit_by_user: sp.csr_matrix


def item_group_merit(truth: sp.csr_matrix, item_codes: np.ndarray, n_groups: int) -> sp.csr_matrix:
    """|T_u ∩ h| for every user u and item group h, as a sparse matrix."""
    onehot = sp.csr_matrix((np.ones(item_codes.size), (np.arange(item_codes.size), item_codes)),
                           shape=(item_codes.size, n_groups))
    return sp.csr_matrix(truth @ onehot)


def shares_table(exposure_sum: np.ndarray, merit_sum: np.ndarray, n_items: np.ndarray,
                 labels) -> pd.DataFrame:
    """ES, CS, RS and ratios from per-group totals (the formulas in one place)."""
    e_tot, r_tot, i_tot = exposure_sum.sum(), merit_sum.sum(), n_items.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        es = exposure_sum / e_tot if e_tot > 0 else np.full(len(labels), np.nan)
        rs = merit_sum / r_tot if r_tot > 0 else np.full(len(labels), np.nan)
        cs = n_items / i_tot
        es_cs = np.where(cs > 0, es / cs, np.nan)
        es_rs = np.where(rs > 0, es / rs, np.nan)
    return pd.DataFrame({
        "group": list(labels), "n_items": n_items.astype(np.int64),
        "n_relevant": merit_sum.astype(np.int64), "exposure_share": es, "catalog_share": cs,
        "merit_share": rs, "es_cs_ratio": es_cs, "es_rs_ratio": es_rs,
    })


def item_group_shares(item_exposure, item_merit, grouping: Grouping) -> pd.DataFrame:
    """Provider shares from per-item totals, without per-user matrices.

    Parameters
    ----------
    item_exposure : array-like of float, shape (n_items,)
        E_i.
    item_merit : array-like of int, shape (n_items,)
        Held-out positives per item, Σ_u 1[i ∈ T_u].
    grouping : Grouping
        Item grouping.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PROVIDER_COLUMNS`.
    """
    g = grouping.n_groups
    return shares_table(
        np.bincount(grouping.codes, weights=np.asarray(item_exposure, dtype=float), minlength=g),
        np.bincount(grouping.codes, weights=np.asarray(item_merit, dtype=float), minlength=g),
        grouping.sizes, grouping.labels)


def provider_shares(top_k, truth, item_groups, *, k: int | None = None, exposure: str = "log",
                    p: float = 0.8, name: str = "item_group") -> ProviderShares:
    """Exposure share ES_h, catalogue share CS_h, merit share RS_h and their ratios.

    ES_h = Σ_{i∈h} E_i / Σ_i E_i; CS_h = |h| / |I|;
    RS_h = Σ_u |T_u ∩ h| / Σ_u |T_u|.

    Parameters
    ----------
    top_k : array-like of int, shape (n_users, K)
    truth : scipy.sparse matrix, shape (n_users, n_items)
    item_groups : Grouping or array-like of labels, shape (n_items,)
    k : int, optional
    exposure, p
        Position-bias model, see :func:`~fairrec_core.metrics.exposure.position_weights`.
    name : str
        Grouping name when labels are given.

    Returns
    -------
    ProviderShares
        ES/RS is NaN for a group without held-out positives (its merit is
        zero, the ratio undefined).
    """
    truth = as_binary_csr(truth, shape=None, what="Held-out positives")
    lists = as_top_k(top_k, n_items=truth.shape[1], k=k)
    g = make_grouping(item_groups, name=name, n=truth.shape[1])
    return provider_shares_validated(lists, truth, g,
                                     position_weights(lists.shape[1], exposure, p=p))


def provider_shares_validated(lists: np.ndarray, truth: sp.csr_matrix, grouping: Grouping,
                              weights: np.ndarray) -> ProviderShares:
    """:func:`provider_shares` for inputs already checked by the caller."""
    exp_u = user_group_exposure(lists, grouping.codes, grouping.n_groups, weights)
    merit_u = item_group_merit(truth, grouping.codes, grouping.n_groups)
    table = shares_table(np.asarray(exp_u.sum(axis=0)).ravel(),
                         np.asarray(merit_u.sum(axis=0)).ravel(),
                         grouping.sizes, grouping.labels)
    return ProviderShares(grouping=grouping, table=table, exposure_by_user=exp_u,
                          merit_by_user=merit_u)


def igf(exposure, head_mask) -> float:
    """CPFair's item-group fairness as used here: ES_head − ES_tail.

    Parameters
    ----------
    exposure : array-like of float, shape (n_items,)
        Item exposure E_i.
    head_mask : array-like of bool, shape (n_items,)

    Returns
    -------
    float
        In [−1, 1]; NaN when nothing was exposed.
    """
    e = np.asarray(exposure, dtype=np.float64)
    head = np.asarray(head_mask, dtype=bool)
    total = e.sum()
    if total <= 0:
        return float("nan")
    return float((e[head].sum() - e[~head].sum()) / total)
