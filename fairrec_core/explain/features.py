"""Per-user features of the disparity-drivers model: behaviour, tenure and attributes.

Computed from the interactions a recommender knows when it makes the audited
lists (training and validation rows); names come from the catalogue
(``explain.drv.feature.*``), so the drivers' charts and sentences read in the
reader's language while the columns stay machine-readable.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairrec_core.explain import wording
from fairrec_core.explain.result import ExplanationError

__all__ = ["BEHAVIOURAL", "user_features"]

#: The behavioural features, in display order (their names are in the catalogue,
#: ``explain.drv.feature.*``).
BEHAVIOURAL = ("history_length", "activity", "mean_popularity", "category_entropy",
               "tenure_days")
_DATE_HINTS = ("signup", "sign_up", "joined", "registered", "since", "created", "date")


def user_features(dataset, split=None, *, attributes=None,
                  lang: str = "en") -> tuple[pd.DataFrame, dict]:
    """Per-user features for the disparity-drivers model.

    Parameters
    ----------
    dataset : Dataset
    split : Split, optional
        Features come from the interactions before its test rows (training
        and validation: what a recommender knows when it makes the evaluated
        lists); default all interactions.
    attributes : list of str, optional
        User attribute columns to include as features (the sensitive ones);
        default every attribute except a sign-up date, which becomes tenure.
    lang : {"en", "zh"}, default "en"
        Language of the display names in ``info["labels"]``.

    Returns
    -------
    features : pandas.DataFrame
        One row per dense user id; float columns: ``history_length`` (distinct
        history items), ``activity`` (history interactions per 30 days since
        the user's first one; needs timestamps), ``mean_popularity`` (mean
        number of users of the history items), ``category_entropy`` (bits;
        needs item categories), ``tenure_days`` (days from sign-up, or from
        the first interaction when there is no sign-up date, to the last
        history timestamp; needs timestamps), then one column per
        attribute: raw numbers where the attribute is numeric (age), else
        the group's position in sorted order (``unknown`` is missing).
    info : dict
        ``labels`` (column -> display name), ``categories`` (attribute ->
        list of group labels by code), ``attributes`` (the attribute columns),
        ``tenure_from`` (the sign-up column used, or None).
    """
    if split is None:
        train = dataset.interactions
    else:
        train = pd.concat([split.train, split.valid], ignore_index=True)
    n = dataset.n_users
    u = train["user"].to_numpy(np.int64)
    pairs = np.unique(u * np.int64(dataset.n_items) + train["item"].to_numpy(np.int64))
    pu, pi = pairs // dataset.n_items, pairs % dataset.n_items
    hist_len = np.bincount(pu, minlength=n).astype(np.float64)
    pop = np.bincount(pi, minlength=dataset.n_items).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_pop = np.bincount(pu, weights=pop[pi], minlength=n) / hist_len
    feats = {"history_length": hist_len, "mean_popularity": mean_pop}
    info: dict[str, Any] = {"categories": {}, "attributes": [], "tenure_from": None}
    if "timestamp" in train and len(train):
        feats.update(_time_features(dataset, train, u, info))
    if "category" in dataset.items:
        feats["category_entropy"] = _category_entropy(dataset, pu, pi)
    info["labels"] = {c: wording.feature_label(c, lang, tenure_from_first=(
        "tenure_days" in feats and info["tenure_from"] is None)) for c in BEHAVIOURAL}
    frame = pd.DataFrame({k: feats[k] for k in BEHAVIOURAL if k in feats},
                         index=pd.RangeIndex(n, name="user"))
    _add_attributes(frame, dataset, attributes, info)
    return frame, info


def _time_features(dataset, train, u, info: dict) -> dict:
    """``activity`` (interactions per 30 days) and ``tenure_days``; notes the sign-up column."""
    n = dataset.n_users
    ts = train["timestamp"].to_numpy(np.float64)
    end = float(np.max(ts))
    first = np.full(n, np.nan)
    np.fmin.at(first, u, ts)
    days_active = np.maximum((end - first) / 86400.0, 1.0)
    counts = np.bincount(u, minlength=n).astype(np.float64)
    signup = _signup_column(dataset)
    if signup is not None:
        start = dataset.user_numeric[signup].to_numpy(np.float64)
        info["tenure_from"] = signup
    else:
        start = first
    return {"activity": counts / days_active * 30.0, "tenure_days": (end - start) / 86400.0}


def _category_entropy(dataset, pu, pi) -> np.ndarray:
    """Entropy (bits) of the categories of each user's distinct history items; NaN without."""
    n = dataset.n_users
    cat = dataset.items["category"].astype("string").fillna("").to_numpy(dtype=object)
    codes, uniq = pd.factorize(cat)
    c = codes[pi]
    ok = c >= 0
    counts = np.zeros((n, len(uniq)))
    np.add.at(counts, (pu[ok], c[ok]), 1.0)
    tot = counts.sum(1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = counts / tot
        ent = -np.nansum(np.where(p > 0, p * np.log2(p), 0.0), axis=1)
    ent[tot[:, 0] == 0] = np.nan
    return ent


def _add_attributes(frame: pd.DataFrame, dataset, attributes, info: dict) -> None:
    """Append the sensitive attributes as feature columns (in place) and record them."""
    users = dataset.users
    if attributes is None:
        attributes = [c for c in users.columns if c != info["tenure_from"]]
    unknown = [a for a in attributes if a not in users.columns]
    if unknown:
        raise ExplanationError(f"Unknown user attribute(s): {', '.join(map(str, unknown))}. "
                               f"The users file has: {', '.join(map(str, users.columns))}.")
    for a in attributes:
        if a in frame.columns:
            raise ExplanationError(f"The attribute '{a}' has the name of a computed feature; "
                                   "rename the column in the users file.")
        if a in dataset.user_numeric.columns:
            frame[a] = dataset.user_numeric[a].to_numpy(np.float64)
        else:
            lab = users[a].astype(str)
            groups = sorted(x for x in lab.unique() if x != "unknown")
            code = {g: float(k) for k, g in enumerate(groups)}
            frame[a] = lab.map(code).astype(np.float64).to_numpy()
            info["categories"][a] = groups
        info["labels"][a] = str(a)
    info["attributes"] = list(attributes)


def _signup_column(dataset) -> str | None:
    """A numeric user column holding dates (unix seconds) whose name says sign-up."""
    num = dataset.user_numeric
    for c in num.columns:
        name = str(c).lower()
        if any(h in name for h in _DATE_HINTS):
            v = num[c].to_numpy(np.float64)
            if np.isfinite(v).any() and np.nanmedian(v) > 1e8:  # after 1973: a timestamp
                return c
    return None
