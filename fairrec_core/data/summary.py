"""Descriptive summary of a Dataset: counts, sparsity, activity, group sizes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairrec_core.data.dataset import Dataset

MAX_GROUPS_SHOWN = 30


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
        for attr, grp in self.user_groups.groupby("attribute", sort=False):
            sizes = ", ".join(f"{g} {n:,}" for g, n in zip(grp["group"], grp["users"]))
            lines.append(f"Users by {attr}: {sizes}")
        for attr, grp in self.item_groups.groupby("attribute", sort=False):
            shown = grp.head(10)
            more = f", ... ({len(grp)} groups)" if len(grp) > 10 else ""
            sizes = ", ".join(f"{g} {n:,}" for g, n in zip(shown["group"], shown["items"]))
            lines.append(f"Items by {attr}: {sizes}{more}")
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
    counts = {
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
        counts["first_timestamp"] = str(pd.to_datetime(ts.min(), unit="s").date())
        counts["last_timestamp"] = str(pd.to_datetime(ts.max(), unit="s").date())
    if dataset.recommendations is not None:
        counts["recommendation_k"] = dataset.recommendations.k
        counts["users_with_recommendations"] = int(dataset.recommendations.users_with_lists.size)
    user_groups = _group_sizes(dataset.users, "users")
    item_groups = _group_sizes(item_groupings(dataset.items).fillna("unknown"), "items")
    return DataSummary(counts, per_user, per_item, user_groups, item_groups)


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
    parts = []
    for col in frame.columns:
        vc = frame[col].astype(str).value_counts()
        if len(vc) > MAX_GROUPS_SHOWN and what == "users":
            continue  # an id-like column, not a grouping
        part = vc.rename_axis("group").reset_index(name=what)
        part.insert(0, "attribute", col)
        parts.append(part.sort_values([what, "group"], ascending=[False, True]))
    if not parts:
        return pd.DataFrame(columns=["attribute", "group", what])
    return pd.concat(parts, ignore_index=True)
