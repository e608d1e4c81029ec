"""The indexed Dataset: dense integer ids both ways, interactions, attributes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from fairrec_core.data.validation import ValidationReport
from fairrec_core.errors import ConfigError


@dataclass
class Recommendations:
    """Imported production top-K lists as arrays.

    Attributes
    ----------
    items : ndarray of int32, shape (n_users, K)
        Dense item ids in rank order; ``-1`` pads shorter lists and users without a list.
    scores : ndarray of float64, shape (n_users, K) or None
        The production scores when the file had them; NaN where ``items`` is ``-1``.
    """

    items: np.ndarray
    scores: np.ndarray | None = None

    @property
    def k(self) -> int:
        return int(self.items.shape[1])

    @property
    def users_with_lists(self) -> np.ndarray:
        return np.flatnonzero((self.items >= 0).any(axis=1))


@dataclass
class Dataset:
    """Validated data with dense ids.

    Attributes
    ----------
    user_ids, item_ids : pandas.Index
        Original ids (text); position = dense id.
    interactions : pandas.DataFrame
        One row per (user, item) pair with int32 ``user``, ``item``, float32
        ``weight``, bool ``positive`` and, when present, float ``rating`` and
        int64 ``timestamp`` (unix seconds).
    users : pandas.DataFrame
        Audit-ready user attributes indexed by dense id: categorical text,
        numeric ones binned into labelled bands (``25-34``); missing -> ``unknown``.
    user_numeric : pandas.DataFrame
        The raw numeric user attributes (before binning), for models of drivers.
    items : pandas.DataFrame
        Item attributes indexed by dense id: ``title``, ``description``,
        ``category``, ``provider``, ``price``, ``created_at`` where present, and
        every other column of the items file.
    recommendations : Recommendations or None
    report : ValidationReport
        Warnings found on load travel with the data.
    sources : dict
        Per file kind: name, SHA-256, encoding, delimiter, rows, columns, mapping.
    rating_threshold : float or None
        ``rating >= threshold`` marks a positive; None for implicit data.
    """

    user_ids: pd.Index
    item_ids: pd.Index
    interactions: pd.DataFrame
    users: pd.DataFrame
    items: pd.DataFrame
    user_numeric: pd.DataFrame = field(default_factory=pd.DataFrame)
    recommendations: Recommendations | None = None
    report: ValidationReport = field(default_factory=ValidationReport)
    sources: dict = field(default_factory=dict)
    rating_threshold: float | None = None

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def has_timestamps(self) -> bool:
        return "timestamp" in self.interactions.columns

    @property
    def has_ratings(self) -> bool:
        return "rating" in self.interactions.columns

    @property
    def item_text(self) -> pd.Series:
        """Title and description joined, empty string where an item has neither."""
        parts = [self.items[c].fillna("") for c in ("title", "description") if c in self.items]
        if not parts:
            return pd.Series("", index=self.items.index)
        text = parts[0]
        for p in parts[1:]:
            text = text.str.cat(p, sep=". ")
        return text.str.strip(". ").fillna("")

    def matrix(self, rows: pd.DataFrame | None = None, *, values: str = "weight",
               positives_only: bool = False) -> sp.csr_matrix:
        """CSR matrix (n_users x n_items) of ``rows`` (default: all interactions)."""
        rows = self.interactions if rows is None else rows
        if positives_only:
            rows = rows[rows["positive"].to_numpy()]
        data = (np.ones(len(rows), dtype=np.float32) if values == "ones"
                else rows[values].to_numpy(np.float32))
        m = sp.csr_matrix((data, (rows["user"].to_numpy(), rows["item"].to_numpy())),
                          shape=(self.n_users, self.n_items))
        m.sort_indices()
        return m

    def user_index(self, ids) -> np.ndarray:
        """Dense ids of original user ids; unknown ids raise a clear error."""
        return _lookup(self.user_ids, ids, "user")

    def item_index(self, ids) -> np.ndarray:
        """Dense ids of original item ids; unknown ids raise a clear error."""
        return _lookup(self.item_ids, ids, "item")

    def interactions_per_user(self) -> np.ndarray:
        return np.bincount(self.interactions["user"].to_numpy(), minlength=self.n_users)

    def interactions_per_item(self) -> np.ndarray:
        return np.bincount(self.interactions["item"].to_numpy(), minlength=self.n_items)


def _lookup(index: pd.Index, ids, what: str) -> np.ndarray:
    ids = pd.Index([str(i) for i in np.atleast_1d(np.asarray(ids, dtype=object))])
    pos = index.get_indexer(ids)
    if (pos < 0).any():
        unknown = list(ids[pos < 0][:5])
        raise ConfigError(f"Unknown {what} id(s): {', '.join(map(str, unknown))}.")
    return pos.astype(np.int64)
