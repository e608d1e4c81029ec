"""Fairness terms for the profile-reading two-tower (issue 15.1: "incl. the profile-reading tower").

Each term is checked against a measurement made here, not by the term's own
code: per-group mean BPR loss from the served vectors with numpy, the
protected group's exposure from the metrics engine, and the gender leakage
AUC of a cross-validated scikit-learn logistic regression.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from fairrec_core.data import load_dataset, split_dataset
from fairrec_core.errors import ConfigError
from fairrec_core.fairtrain import parse_fairness, train_grid
from fairrec_core.llm.profile import ProfileTemplate
from fairrec_core.llm.profile_tower import ProfileTwoTower
from fairrec_core.metrics.groups import provider_shares
from fairrec_core.training import PairSampler
from tests.helpers import assert_weight_zero_is_plain, cli_data_args, write_csvs
from tests.test_models_base import tiny_data

pytestmark = pytest.mark.usefixtures("one_torch_thread")

KW = dict(dim=8, epochs=2, batch_size=128, patience=0, device="cpu", seed=3, max_length=32)


@pytest.fixture(scope="module")
def tiny():
    ds, _ = tiny_data(n_users=60, n_items=40, n_inter=700, seed=11)
    return ds, split_dataset(ds, method="temporal")


@pytest.mark.parametrize("spec", ["user-loss:gender", "item-exposure:seller_size=small",
                                  "adversary:gender"])
def test_profile_tower_weight_zero_is_the_plain_model(tiny, spec):
    ds, split = tiny
    assert_weight_zero_is_plain(ProfileTwoTower, KW, ds, split, spec, "user_id.weight")


@pytest.mark.parametrize("spec", ["item-exposure:seller_size=small", "adversary:gender"])
def test_weight_zero_is_plain_with_counterfactual_augmentation(tiny, spec):
    """Augmentation draws random profiles in training; the terms read own profiles, drawing none."""
    ds, split = tiny
    assert_weight_zero_is_plain(ProfileTwoTower, {**KW, "augment": "swap", "augment_p": 0.5},
                                ds, split, spec, "user_id.weight")


def _served(model, users):
    """User vectors and item factors as served after training (own profiles, no grad)."""
    mod = model.module_.eval()
    with torch.no_grad():
        u = mod.user_vectors(torch.as_tensor(users)).numpy().astype(np.float64)
        v, b = mod.item_matrix()
    return u, v.numpy().astype(np.float64), b.numpy().astype(np.float64)


def _gender_loss_spread(model, ds, split) -> float:
    tr = split.train
    u, i, j = next(PairSampler(tr["user"].to_numpy(), tr["item"].to_numpy(), ds.n_items,
                               batch_size=len(tr), seed=12345).epoch(1))
    users, items, bias = _served(model, np.arange(ds.n_users))
    d = (users[u] * (items[i] - items[j])).sum(1) + bias[i] - bias[j]
    losses = np.logaddexp(0.0, -d)  # -log σ(d)
    gender = ds.users["gender"].astype(str).to_numpy()[u]
    means = [losses[gender == g].mean() for g in np.unique(gender)]
    return max(means) - min(means)


def test_user_loss_term_narrows_the_gender_loss_spread(tiny):
    ds, split = tiny
    kw = {**KW, "epochs": 15}
    plain = ProfileTwoTower(**kw).fit(ds, split)
    fair = ProfileTwoTower(**kw, fairness=parse_fairness("user-loss:gender", 10.0)).fit(ds, split)
    s0, s1 = _gender_loss_spread(plain, ds, split), _gender_loss_spread(fair, ds, split)
    print(f"gender loss spread {s0:.4f} -> {s1:.4f}")
    # Measured: 0.0246 -> 0.0052 (λ = 3: 0.0091). Served vectors read the whole history,
    # training the leave-one-out one, so this is the term's target seen from outside.
    assert s1 < 0.5 * s0


def _es_cs(model, split, protected) -> float:
    top, _ = model.recommend(None, 5)
    labels = np.where(protected, "protected", "other")
    table = provider_shares(top, split.test_matrix(), labels).table.set_index("group")
    return float(table.loc["protected", "es_cs_ratio"])


def test_item_exposure_term_lifts_the_protected_group(tiny):
    ds, split = tiny
    kw = {**KW, "epochs": 6}
    plain = ProfileTwoTower(**kw).fit(ds, split)
    fair = ProfileTwoTower(**kw, fairness=parse_fairness("item-exposure:seller_size=big", 3.0,
                                                         target="catalog")).fit(ds, split)
    protected = ds.items["seller_size"].astype(str).to_numpy() == "big"
    e0, e1 = _es_cs(plain, split, protected), _es_cs(fair, split, protected)
    print(f"big sellers ES/CS {e0:.3f} -> {e1:.3f}")
    # Measured: 0.774 -> 1.208.
    assert e0 < 1  # under-exposed by the plain model: the shortfall the term closes
    assert e1 > e0 + 0.1


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("fairness, message", [
    ({"term": "user-loss", "attribute": "gender", "weight": -1}, "must be 0 or more"),
    ({"term": "adversary", "attribute": "gender", "weight": "lots"}, "must be a number"),
    ({"term": "item-exposure", "attribute": "seller_size", "protected": "huge"},
     "No item of the catalogue has seller_size = 'huge'"),
    ({"term": "adversary", "attribute": "gender_one"}, "has only 'F'.*at least two"),
])
def test_bad_fairness_is_refused_before_the_profiles_are_read(tiny, fairness, message):
    ds, split = tiny
    users = ds.users.copy()
    users["gender_one"] = "F"
    ds = type(ds)(**{**ds.__dict__, "users": users})
    model = ProfileTwoTower(**KW, fairness=fairness)
    with pytest.raises(ConfigError, match=message):
        model.fit(ds, split)
    # It failed before the template was resolved and the profile sentences encoded.
    assert not hasattr(model, "template_") and not hasattr(model, "module_")


# ---------------------------------------------------------------------- surfaces
def test_cli_and_grid_accept_the_profile_tower(tiny, tmp_path, capsys):
    from fairrec_core.cli.main import main
    from tests.helpers import small_text_shop

    _, _, g = small_text_shop()
    args = cli_data_args(write_csvs(g, tmp_path))
    rc = main(["train", *args, "--model", "profile-two-tower", "--epochs", "1", "--dim", "4",
               "--device", "cpu", "--out", str(tmp_path / "ck"), "--json",
               "--fairness", "adversary:gender", "--fairness-weight", "0.5"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["fairness"]["config"]["term"] == "adversary"
    ds, split = tiny
    table = train_grid(ds, split, parse_fairness("adversary:gender"), lambdas=[0.0, 1.0],
                       model_params={**KW, "epochs": 1}, model="profile-two-tower")
    assert list(table["lambda"]) == [0.0, 1.0] and table["ndcg"].notna().all()


def test_audit_accepts_model_fairness_for_the_profile_tower():
    from fairrec_core.config_sections import ModelConfig
    from fairrec_core.fairtrain.spec import as_fairness_config
    from fairrec_core.pipeline.stages import build_model

    fair = as_fairness_config({"term": "adversary", "attribute": "gender", "weight": 0.5})
    built = build_model(ModelConfig(name="profile-two-tower", fairness=fair))
    assert isinstance(built, ProfileTwoTower) and built.fairness.weight == 0.5
    with pytest.raises(ConfigError, match="profile-two-tower"):
        build_model(ModelConfig(name="popularity", fairness=fair))


# ---------------------------------------------------------------------- leakage, sample data
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
#: Gender and region in the profile, no history sentence: the model reads gender
#: directly (the "aware" model), and only 12 distinct sentences need encoding.
AWARE = ProfileTemplate(parts=("{gender}", "{region} region"), n_history=0,
                        sensitive=("gender",))


def _gender_auc(model, ds) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    gender = ds.users["gender"].astype(str).to_numpy()
    keep = np.isin(gender, ["F", "M"])
    x = _served(model, np.arange(ds.n_users))[0][keep]
    y = gender[keep] == "F"
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    p = cross_val_predict(LogisticRegression(max_iter=2000), x, y, cv=cv,
                          method="predict_proba")[:, 1]
    return float(roc_auc_score(y, p))


@pytest.mark.slow
def test_adversary_lowers_the_leakage_of_the_aware_profile_tower():
    ds = load_dataset(SAMPLE / "interactions.csv", users=SAMPLE / "users.csv",
                      items=SAMPLE / "items.csv")
    split = split_dataset(ds, method="temporal", test_n=2, valid_n=1)
    kw = dict(dim=32, epochs=12, patience=0, device="cpu", seed=0, max_length=32,
              template=AWARE, max_eval_users=300)
    plain = ProfileTwoTower(**kw).fit(ds, split)
    fair = ProfileTwoTower(**kw, fairness=parse_fairness("adversary:gender", 1.0)
                           ).fit(ds, split)
    a0, a1 = _gender_auc(plain, ds), _gender_auc(fair, ds)
    print(f"gender AUC {a0:.3f} -> {a1:.3f}")
    # Measured: 1.000 -> 0.59 (the aware model reads gender from its profile).
    assert a0 > 0.9
    assert abs(a1 - 0.5) < 0.5 * abs(a0 - 0.5)
