"""Accuracy on the Chinese sample: a text model that reads Chinese wins on cold items.

Same protocol as ``test_models_quality.py`` (temporal leave-last-out, cold items
= at most 5 training interactions, cold ranking against cold test positives). The
Chinese sample holds the English sample's interactions, so popularity and BPR
score exactly as there; only what a text model can read differs. The English
MiniLM reads Chinese titles as unknown pieces; multilingual e5 reads them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_models_quality import _cold, _cold_ndcg, _ndcg

from fairrec_core.data import load_dataset, split_dataset
from fairrec_core.models import BPR, Popularity, TextTwoTower

ZH = Path(__file__).resolve().parents[1] / "sample_data" / "zh"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fitted():
    ds = load_dataset(ZH / "interactions.csv", users=ZH / "users.csv", items=ZH / "items.csv")
    split = split_dataset(ds, method="temporal", test_n=2, valid_n=1)
    models = {"popularity": Popularity().fit(ds, split),
              "bpr": BPR(device="cpu", seed=0).fit(ds, split),
              "two-tower e5": TextTwoTower(encoder="e5", device="cpu", seed=0).fit(ds, split),
              "two-tower MiniLM": TextTwoTower(device="cpu", seed=0).fit(ds, split)}
    return ds, split, models


def test_multilingual_two_tower_wins_on_cold_chinese_items(fitted):
    ds, split, models = fitted
    truth = split.test_matrix()
    cold, cold_truth = _cold(split, ds.n_items)
    full = {n: _ndcg(m.recommend(None, 10)[0], truth) for n, m in models.items()}
    cold_ndcg = {n: _cold_ndcg(m, cold, cold_truth) for n, m in models.items()}
    print("zh NDCG@10:", {k: round(v, 4) for k, v in full.items()})
    print("zh cold-item NDCG@10:", {k: round(v, 4) for k, v in cold_ndcg.items()})
    assert cold_ndcg["two-tower e5"] >= 1.1 * cold_ndcg["bpr"]
    assert cold_ndcg["two-tower e5"] > cold_ndcg["popularity"]
    assert cold_ndcg["two-tower e5"] > cold_ndcg["two-tower MiniLM"]
    assert full["two-tower e5"] >= 2.0 * full["popularity"]


def test_e5_cannot_be_fine_tuned():
    from fairrec_core.errors import ConfigError

    with pytest.raises(ConfigError, match="frozen"):
        TextTwoTower(encoder="e5", mode="top")._check_params()
