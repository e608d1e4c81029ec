"""Per-user arrays of the metrics stage: ranking metrics, novelty, ARP, APLT, miscalibration.

Also the training-data counts they rest on (popularity, activity, head items,
list lengths) and the plain notes about users and items they leave out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairrec_core.i18n import phrase

from .beyond import (
    head_items,
    list_lengths,
    user_aplt,
    user_arp,
    user_miscalibration,
    user_novelty,
)
from .grouping import make_grouping
from .ranking import RankingResult, ranking_metrics_validated


@dataclass(frozen=True)
class _UserArrays:
    """Per-user metrics and the training-data counts they were computed from."""

    ranking: RankingResult
    per_user: pd.DataFrame
    popularity: np.ndarray
    activity: np.ndarray
    head: np.ndarray
    length: np.ndarray


def _per_user_arrays(lists, truth, train, k, weights, *, item_categories, head_share,
                     calibration_alpha, batch_size, notes: list[str]) -> _UserArrays:
    """Ranking metrics, novelty, ARP, APLT and miscalibration of every user.

    A note on the calibration categories' missing labels is appended to ``notes``.
    """
    n_users, n_items = truth.shape
    ranking = ranking_metrics_validated(lists, truth, k, batch_size)
    popularity = np.bincount(train.indices, minlength=n_items)
    activity = np.diff(train.indptr)
    head = head_items(popularity, head_share=head_share)
    length = list_lengths(lists)
    per_user = ranking.per_user.copy()
    per_user["novelty"] = user_novelty(lists, popularity, n_users)
    per_user["arp"] = user_arp(lists, popularity)
    per_user["aplt"] = user_aplt(lists, ~head, k)
    if item_categories is not None:
        cats = make_grouping(item_categories, name="category", n=n_items)
        per_user["miscalibration"] = user_miscalibration(
            lists, train, cats.codes, cats.n_groups, alpha=calibration_alpha, weights=weights,
            batch_size=batch_size)
        if cats.note:
            notes.append(cats.note)
    else:
        per_user["miscalibration"] = np.nan
    return _UserArrays(ranking, per_user, popularity, activity, head, length)


def _data_notes(users: _UserArrays, lists, head_share, n_users, n_items) -> list[str]:
    """Plain sentences on excluded users, empty lists, unseen items and the head/tail cut."""
    notes: list[str] = []
    ranking, length, popularity = users.ranking, users.length, users.popularity
    if ranking.n_excluded:
        notes.append(phrase("note.excluded", n=ranking.n_excluded, total=n_users))
    n_empty = int((length == 0).sum())
    if n_empty:
        notes.append(phrase("note.empty_one") if n_empty == 1 else
                     phrase("note.empty", n=n_empty))
    unseen = int(((popularity[lists[lists >= 0]]) == 0).sum())
    if unseen:
        notes.append(phrase("note.unseen", n=unseen))
    n_head = int(users.head.sum())
    notes.append(phrase("note.head", n_head=n_head, share=f"{n_head / max(n_items, 1):.0%}",
                        target=f"{head_share:.0%}", n_tail=n_items - n_head))
    return notes
