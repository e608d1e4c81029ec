"""Accuracy on the bundled sample data: the learned models must clearly beat popularity.

Split: temporal leave-last-out (per user, the last 2 interactions by time are
the test set, the one before them validation); test positives are ratings of
4 or more. Cold items are items with at most 5 training interactions; on them
the models rank only the cold items the user has not interacted with, against
the user's cold test positives -- where text, not interaction history, has to
do the work.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fairrec_core.data import load_dataset, split_dataset
from fairrec_core.metrics.ranking import ranking_metrics
from fairrec_core.models import BPR, Popularity, TextTwoTower

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fitted():
    ds = load_dataset(SAMPLE / "interactions.csv", users=SAMPLE / "users.csv",
                      items=SAMPLE / "items.csv")
    split = split_dataset(ds, method="temporal", test_n=2, valid_n=1)
    models = {"popularity": Popularity().fit(ds, split),
              "bpr": BPR(device="cpu", seed=0).fit(ds, split),
              "two-tower": TextTwoTower(device="cpu", seed=0).fit(ds, split)}
    return ds, split, models


def _ndcg(top, truth) -> float:
    return float(np.nanmean(ranking_metrics(top, truth, k=10).per_user["ndcg"]))


def _cold(split, n_items):
    counts = np.bincount(split.train["item"].to_numpy(), minlength=n_items)
    cold = np.flatnonzero(counts <= 5)
    truth = split.test_matrix()[:, cold]
    return cold, truth


def _cold_ndcg(model, cold, truth) -> float:
    scores = model.score(None, cold)
    scores[model.seen_[:, cold].toarray() > 0] = -np.inf
    top = np.argsort(-scores, axis=1, kind="stable")[:, :10]
    # Positions in the cold list are the item ids of the restricted problem.
    return _ndcg(top, truth)


def test_learned_models_beat_popularity_clearly(fitted):
    ds, split, models = fitted
    truth = split.test_matrix()
    ndcg = {name: _ndcg(m.recommend(None, 10)[0], truth) for name, m in models.items()}
    print("NDCG@10 on sample data:", {k: round(v, 4) for k, v in ndcg.items()})
    assert ndcg["bpr"] >= 2.0 * ndcg["popularity"]
    assert ndcg["two-tower"] >= 2.0 * ndcg["popularity"]


def test_two_tower_beats_bpr_on_cold_items(fitted):
    ds, split, models = fitted
    cold, truth = _cold(split, ds.n_items)
    assert cold.size > 100 and truth.nnz > 50  # enough cold test positives to compare
    ndcg = {name: _cold_ndcg(m, cold, truth) for name, m in models.items()}
    print("cold-item NDCG@10 on sample data:", {k: round(v, 4) for k, v in ndcg.items()})
    assert ndcg["two-tower"] >= 1.1 * ndcg["bpr"]
    assert ndcg["two-tower"] > ndcg["popularity"]
