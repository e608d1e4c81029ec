"""Descriptive summary of a Dataset: counts, sparsity, activity, group sizes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairrec_core.data.dataset import Dataset
from fairrec_core.data.timestamps import format_seconds

MAX_GROUPS_SHOWN = 30
MAX_ATTRIBUTES_SHOWN = 50  # lines of group sizes in the text summary


@dataclass
class DataSummary:
    """What the data page and ``fairrec validate`` show about a Dataset.

    Attributes
    ----------
    counts : dict
        Headline numbers (users, items, interactions, sparsity, ...).
    per_user, per_item : ndarray
        Interactions per user and per item (dense ids).
    user_groups : pandas.DataFrame
        Columns ``attribute, group, users``: sizes of every user group.
    item_groups : pandas.DataFrame
        Columns ``attribute, group, items`` for category and provider.
    """

    counts: dict
    per_user: np.ndarray
    per_item: np.ndarray
    user_groups: pd.DataFrame
    item_groups: pd.DataFrame

    def to_text(self) -> str:
        c = self.counts
        lines = [
            f"Users: {c['users']:,} ({c['users_with_interactions']:,} with interactions)",
            f"Items: {c['items']:,} ({c['items_with_interactions']:,} with interactions)",
            f"Interactions: {c['interactions']:,} ({c['positives']:,} positives)",
            f"Density: {c['density']:.4%} (sparsity {1 - c['density']:.4%})",
            f"Interactions per user: median {c['per_user_median']:g}, mean "
            f"{c['per_user_mean']:.1f}, min {c['per_user_min']}, max {c['per_user_max']}",
            f"Interactions per item: median {c['per_item_median']:g}, mean "
            f"{c['per_item_mean']:.1f}, max {c['per_item_max']}",
            f"Top 20% of items hold {c['top20_item_share']:.0%} of interactions",
        ]
        if c.get("first_timestamp"):
            lines.append(f"Time span: {c['first_timestamp']} to {c['last_timestamp']}")
        if c.get("rating_threshold") is not None:
            lines.append(f"Positive = rating >= {c['rating_threshold']:g}")
        if c.get("recommendation_k"):
            lines.append(f"Imported recommendations: top-{c['recommendation_k']} for "
                         f"{c['users_with_recommendations']:,} users")
        lines += _group_lines(self.user_groups, "users", "Users", None)
        lines += _group_lines(self.item_groups, "items", "Items", 10)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"counts": self.counts,
                "user_groups": self.user_groups.to_dict(orient="records"),
                "item_groups": self.item_groups.to_dict(orient="records")}


def summarize(dataset: Dataset) -> DataSummary:
    """Compute the :class:`DataSummary` of ``dataset``."""
    inter = dataset.interactions
    per_user = dataset.interactions_per_user()
    per_item = dataset.interactions_per_item()
    active_users = per_user[per_user > 0]
    sorted_items = np.sort(per_item)[::-1]
    top = max(1, int(round(0.2 * dataset.n_items)))
    counts: dict[str, object] = {
        "users": dataset.n_users,
        "items": dataset.n_items,
        "interactions": int(len(inter)),
        "positives": int(inter["positive"].sum()),
        "users_with_interactions": int((per_user > 0).sum()),
        "items_with_interactions": int((per_item > 0).sum()),
        "density": len(inter) / max(dataset.n_users * dataset.n_items, 1),
        "per_user_median": float(np.median(active_users)) if active_users.size else 0.0,
        "per_user_mean": float(active_users.mean()) if active_users.size else 0.0,
        "per_user_min": int(active_users.min()) if active_users.size else 0,
        "per_user_max": int(per_user.max(initial=0)),
        "per_item_median": float(np.median(per_item)) if per_item.size else 0.0,
        "per_item_mean": float(per_item.mean()) if per_item.size else 0.0,
        "per_item_max": int(per_item.max(initial=0)),
        "top20_item_share": float(sorted_items[:top].sum() / max(sorted_items.sum(), 1)),
        "rating_threshold": dataset.rating_threshold,
        "warnings": len(dataset.report.warnings),
    }
    if dataset.has_timestamps and len(inter):
        ts = inter["timestamp"].to_numpy()
        # numpy's datetime64 holds any year; pandas stops at 2262 and crashed on year 56971.
        counts["first_timestamp"] = format_seconds(ts.min(), date_only=True)
        counts["last_timestamp"] = format_seconds(ts.max(), date_only=True)
    if dataset.recommendations is not None:
        counts["recommendation_k"] = dataset.recommendations.k
        counts["users_with_recommendations"] = int(dataset.recommendations.users_with_lists.size)
    user_groups = _group_sizes(dataset.users, "users")
    item_groups = _group_sizes(item_groupings(dataset.items).fillna("unknown"), "items")
    return DataSummary(counts, per_user, per_item, user_groups, item_groups)


def _group_lines(groups: pd.DataFrame, what: str, title: str, per: int | None) -> list[str]:
    """One line per attribute, at most ``MAX_ATTRIBUTES_SHOWN`` of them."""
    by: dict[str, list[str]] = {}
    for attr, group, size in zip(groups["attribute"], groups["group"], groups[what]):
        by.setdefault(attr, []).append(f"{group} {size:,}")
    lines = []
    for attr, sizes in list(by.items())[:MAX_ATTRIBUTES_SHOWN]:
        more = f", ... ({len(sizes)} groups)" if per is not None and len(sizes) > per else ""
        lines.append(f"{title} by {attr}: {', '.join(sizes[:per])}{more}")
    if len(by) > MAX_ATTRIBUTES_SHOWN:
        lines.append(f"{title}: {len(by) - MAX_ATTRIBUTES_SHOWN:,} more attributes (see --json)")
    return lines


def item_groupings(items: pd.DataFrame) -> pd.DataFrame:
    """Item columns that can serve as provider groupings.

    Category and provider always; other item attributes when they have
    between 2 and ``MAX_GROUPS_SHOWN`` distinct values (e.g. ``seller_size``).
    Text, price and dates are not groupings.
    """
    cols = [c for c in ("category", "provider") if c in items]
    skip = {"title", "description", "price", "created_at", *cols}
    for c in items.columns:
        if c not in skip and 2 <= items[c].nunique() <= MAX_GROUPS_SHOWN:
            cols.append(c)
    return items[cols]


def _group_sizes(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """Size of every group of every column, all columns counted in one pass.

    Rows are ordered by column, then largest group first, then label. Users
    columns with more than ``MAX_GROUPS_SHOWN`` groups are left out: they are
    id-like, not groupings.
    """
    names = ["attribute", "group", what]
    n, m = frame.shape
    if n == 0 or m == 0:
        return pd.DataFrame(columns=names)
    flat = frame.to_numpy(dtype=object).T.ravel()
    codes, uniques = pd.factorize(pd.Series(flat, dtype=object).astype(str))
    key = np.repeat(np.arange(m, dtype=np.int64), n) * len(uniques) + codes
    found, counts = np.unique(key, return_counts=True)
    col, grp = found // len(uniques), found % len(uniques)
    keep = np.ones(len(found), dtype=bool)
    if what == "users":
        keep = np.bincount(col, minlength=m)[col] <= MAX_GROUPS_SHOWN
    out = pd.DataFrame({"_col": col[keep], "group": np.asarray(uniques, dtype=object)[grp[keep]],
                        what: counts[keep]})
    out = out.sort_values(["_col", what, "group"], ascending=[True, False, True],
                          kind="stable")
    out.insert(0, "attribute", np.asarray(frame.columns, dtype=object)[out["_col"]])
    return out.drop(columns="_col").reset_index(drop=True)
