"""Representation-leakage attacker: AUC against scikit-learn, planted and shuffled attributes."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from fairrec_core.errors import ConfigError
from fairrec_core.llm.leakage import binary_auc, leakage_auc, ovo_auc, user_vectors


def test_binary_auc_hand_case_and_sklearn():
    y = np.array([0, 0, 1, 1, 1])
    s = np.array([0.1, 0.6, 0.35, 0.8, 0.6])
    # positive/negative pairs: (.35>.1) (.35<.6) (.8>.1) (.8>.6) (.6>.1) (.6=.6 tie, half) -> 4.5/6
    assert binary_auc(y, s) == pytest.approx(4.5 / 6)
    assert binary_auc(y, s) == pytest.approx(roc_auc_score(y, s))


def test_ovo_auc_matches_sklearn_on_random_probabilities():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 300)
    p = rng.dirichlet(np.ones(4), 300) + np.eye(4)[y] * 0.3
    p /= p.sum(1, keepdims=True)
    assert ovo_auc(y, p) == pytest.approx(roc_auc_score(y, p, multi_class="ovo",
                                                        average="macro"), abs=1e-12)


def test_known_separability_matches_sklearn_pipeline():
    # Two Gaussian classes 1.5 sd apart on one axis: the Bayes AUC is Phi(1.5 / sqrt 2) = 0.856.
    rng = np.random.default_rng(1)
    n = 1200
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, 5))
    x[:, 0] += 1.5 * y
    res = leakage_auc(x, np.where(y == 1, "a", "b"), folds=5, n_boot=200)
    assert res.auc == pytest.approx(0.856, abs=0.03)
    assert res.ci[0] < res.auc < res.ci[1]
    assert res.classes == ["a", "b"]


def test_planted_attribute_is_found_and_shuffled_is_not():
    rng = np.random.default_rng(2)
    n = 900
    gender = rng.choice(["F", "M", "X"], n, p=[0.45, 0.45, 0.1])
    x = rng.normal(size=(n, 16))
    planted = x.copy()
    planted[:, :3] += 4.0 * (gender[:, None] == np.array(["F", "M", "X"]))
    hit = leakage_auc(planted, gender, attribute="gender", n_boot=200)
    assert hit.auc > 0.97
    shuffled = leakage_auc(planted, rng.permutation(gender), attribute="gender", n_boot=200)
    assert abs(shuffled.auc - 0.5) < 0.06
    assert shuffled.ci[0] < 0.5 < shuffled.ci[1]


def test_unknown_values_are_left_out_and_counted():
    rng = np.random.default_rng(3)
    lab = np.array(["F", "M"] * 50 + ["unknown"] * 7 + [None] * 3, dtype=object)
    res = leakage_auc(rng.normal(size=(len(lab), 4)), lab, n_boot=50)
    assert res.left_out == 10 and res.n_users == 100


def test_one_value_is_a_clear_error():
    with pytest.raises(ConfigError, match="fewer than two values"):
        leakage_auc(np.zeros((10, 2)), ["F"] * 10, attribute="gender")


def test_bpr_user_vectors_leak_a_planted_attribute(tiny_dataset):
    from fairrec_core.models.bpr import BPR

    ds, gender = tiny_dataset
    model = BPR(dim=8, epochs=30, seed=0, patience=0).fit(ds)
    vecs = user_vectors(model)
    assert vecs.shape == (ds.n_users, 8)
    # Gender decides which half of the catalogue a user buys, so BPR's vectors carry it.
    res = leakage_auc(vecs, gender, attribute="gender", n_boot=100)
    assert res.auc > 0.9


@pytest.fixture
def tiny_dataset():
    import pandas as pd

    from fairrec_core.data import load_dataset

    rng = np.random.default_rng(4)
    rows = []
    gender = np.array(["F", "M"] * 40)
    for u, g in enumerate(gender):
        pool = np.arange(0, 20) if g == "F" else np.arange(20, 40)
        for i in rng.choice(pool, 8, replace=False):
            rows.append((f"u{u}", f"i{i}"))
    inter = pd.DataFrame(rows, columns=["user_id", "item_id"]).to_csv(index=False).encode()
    users = pd.DataFrame({"user_id": [f"u{u}" for u in range(len(gender))],
                          "gender": gender}).to_csv(index=False).encode()
    ds = load_dataset(inter, users)
    return ds, ds.users["gender"].to_numpy()
