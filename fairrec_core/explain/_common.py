"""Helpers shared by the explainers: id resolution, fitted checks, user histories.

What a model can be asked is decided by its capability flags and answered by
its public explanation interface (:mod:`fairrec_core.models.interface`);
nothing here looks inside a model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairrec_core.explain.result import ExplanationError


def check_fitted(model) -> None:
    if not getattr(model, "is_fitted", False):
        raise ExplanationError(f"The {getattr(model, 'name', '') or type(model).__name__} model "
                               "has not been trained yet: train or load it before asking why "
                               "it recommended something.")


def resolve_id(value, ids: pd.Index, what: str, n_model: int | None = None) -> int:
    """Dense id of ``value``: an integer is already dense, a string is an original id.

    Raises
    ------
    ExplanationError
        The id is unknown, out of range, or the model was fitted on other data.
    """
    n = len(ids)
    if isinstance(value, (bool, np.bool_)):
        raise ExplanationError(f"A {what} id must be a whole number or an id text, "
                               f"not {value!r}.")
    if isinstance(value, (int, np.integer)):
        idx = int(value)
        if not 0 <= idx < n:
            raise ExplanationError(f"There is no {what} number {idx}: the data has {n} {what}s "
                                   f"(numbered 0 to {n - 1}).")
    else:
        text = str(value).strip()
        pos = ids.get_indexer(pd.Index([text]))[0] if len(ids) else -1
        if pos < 0:
            raise ExplanationError(f"Unknown {what} id '{text}': it is not in the uploaded "
                                   f"data. Check the spelling, or pick a {what} from the list.")
        idx = int(pos)
    if n_model is not None and idx >= n_model:
        raise ExplanationError(f"The model was trained on {n_model} {what}s and does not know "
                               f"{what} {ids[idx]!s}; retrain it on this data.")
    return idx


def check_model_matches(model, dataset) -> None:
    """The model must have been fitted on this dataset's id spaces."""
    nu, ni = getattr(model, "n_users_", None), getattr(model, "n_items_", None)
    if nu is not None and (nu != dataset.n_users or ni != dataset.n_items):
        raise ExplanationError(f"The model was trained on other data ({nu} users, {ni} items) "
                               f"than the data given here ({dataset.n_users} users, "
                               f"{dataset.n_items} items); explain it with the data it was "
                               "trained on.")


def item_label(dataset, item: int, width: int = 60) -> str:
    """A short readable name of an item: its title (shortened) and original id."""
    iid = str(dataset.item_ids[item])
    title = None
    if "title" in dataset.items:
        v = dataset.items["title"].iloc[item]
        title = None if pd.isna(v) else str(v).strip()
    if not title:
        return iid
    if len(title) > width:
        title = title[:width - 1].rstrip() + "…"
    return f"{title} ({iid})"


def ordered_history(model, dataset, user: int) -> tuple[np.ndarray, bool]:
    """The model's history of ``user``, most recent first.

    The items are those the model itself treats as the user's (``model.seen_``:
    training rows, and validation rows once fitting is done), so the
    explanation is about what the model actually used. Their order comes
    from the latest timestamp of each (user, item) in the dataset's
    interactions; without timestamps, from the order of the interactions
    table, latest row first.

    Returns
    -------
    items : numpy.ndarray of int64
    by_time : bool
        Whether timestamps gave the order.
    """
    seen = model.seen_
    items = seen.indices[seen.indptr[user]:seen.indptr[user + 1]].astype(np.int64)
    frame = dataset.interactions
    by_time = "timestamp" in frame
    if items.size <= 1:
        return items, by_time
    u = frame["user"].to_numpy()
    pos = np.flatnonzero(u == user)
    it = frame["item"].to_numpy()[pos]
    key = frame["timestamp"].to_numpy()[pos].astype(np.float64) if by_time else pos.astype(
        np.float64)
    latest = pd.Series(key).groupby(it).max()
    rank = latest.reindex(items).to_numpy(dtype=np.float64)
    rank = np.where(np.isnan(rank), -np.inf, rank)  # unknown order: treated as oldest
    order = np.lexsort((items, -rank))
    return items[order], by_time
