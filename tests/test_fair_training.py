"""Fairness terms in the training objective: parsing, bad input, gradients, λ = 0 exactness.

The trade-off on the sample data is in tests/test_fair_training_sample.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from fairrec_core.config import AuditConfig
from fairrec_core.config_sections import FairnessConfig
from fairrec_core.data import split_dataset
from fairrec_core.errors import ConfigError
from fairrec_core.fairtrain import parse_fairness, resolve_fairness
from fairrec_core.fairtrain.terms import (
    Adversary,
    FairnessObjective,
    adversary_loss,
    exposure_shortfall,
    grad_reverse,
    group_loss_spread,
    soft_exposure_ratio,
)
from fairrec_core.models import BPR, load_checkpoint, save_checkpoint
from tests.helpers import assert_weight_zero_is_plain, cli_data_args, write_csvs
from tests.test_models_base import tiny_data

# Tiny batches: on a 2-core machine shared with other jobs, thread hand-offs
# cost more than the arithmetic (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def tiny():
    ds, _ = tiny_data()
    return ds, split_dataset(ds, method="temporal")


# ---------------------------------------------------------------------- parsing and config
@pytest.mark.parametrize("text, term, attribute, protected", [
    ("user-loss:gender", "user-loss", "gender", None),
    ("USER_LOSS: age ", "user-loss", "age", None),
    ("item-exposure:seller_size=small", "item-exposure", "seller_size", "small"),
    ("exposure:popularity", "item-exposure", "popularity", None),
    ("adversary:gender", "adversary", "gender", None),
])
def test_cli_forms_parse(text, term, attribute, protected):
    cfg = parse_fairness(text, "0.5")
    assert (cfg.term, cfg.attribute, cfg.protected, cfg.weight) == (term, attribute, protected,
                                                                    0.5)


@pytest.mark.parametrize("text, weight, message", [
    ("user-loss:gender", -0.1, "0 or more"),
    ("user-loss:gender", "abc", "must be a number"),
    ("user-loss:gender", "nan", "finite"),
    ("user-loss:gender", float("inf"), "finite"),
    ("user-loss:gender", True, "must be a number"),
    ("gender", 1.0, "TERM:ATTRIBUTE"),
    ("parity:gender", 1.0, "unknown fairness term 'parity'"),
    ("user-loss:", 1.0, "name the user attribute"),
    ("adversary:gender=F", 1.0, "only applies to the item-exposure term"),
])
def test_bad_cli_forms_are_plain_errors(text, weight, message):
    with pytest.raises(ConfigError, match=message):
        parse_fairness(text, weight)


def test_model_fairness_section_round_trips_through_toml():
    toml = """
    [data]
    interactions = "i.csv"
    [model]
    name = "bpr"
    [model.fairness]
    term = "item-exposure"
    attribute = "seller_size"
    protected = "small"
    weight = 0.25
    target = "merit"
    """
    cfg = AuditConfig.from_toml(toml)
    f = cfg.model.fairness
    assert isinstance(f, FairnessConfig)
    assert (f.term, f.attribute, f.protected, f.weight, f.target) == (
        "item-exposure", "seller_size", "small", 0.25, "merit")
    again = AuditConfig.from_toml(cfg.to_toml())
    assert again.model.fairness == f
    assert "[model.fairness]" in cfg.to_toml()


@pytest.mark.parametrize("table, message", [
    ('term = "user-loss"\nattribute = "gender"\nweight = -1',
     r"\[model.fairness\]\.weight \(λ_train\) must be 0 or more"),
    ('term = "user-loss"\nattribute = "gender"\nlambda = 1', "Unknown setting.*lambda"),
    ('term = "item-exposure"\nattribute = "x"\ntarget = "equal"', "target must be one of"),
])
def test_bad_fairness_section_names_the_key(table, message):
    toml = f'[data]\ninteractions = "i.csv"\n[model.fairness]\n{table}\n'
    with pytest.raises(ConfigError, match=message):
        AuditConfig.from_toml(toml)


# ---------------------------------------------------------------------- bad data before training
def test_grouping_with_one_group_is_refused_before_training(tiny):
    ds, split = tiny
    users = ds.users.copy()
    users["gender"] = "F"
    one = type(ds)(**{**ds.__dict__, "users": users})
    model = BPR(dim=4, epochs=1, device="cpu", fairness=parse_fairness("user-loss:gender"))
    with pytest.raises(ConfigError, match="has only 'F'.*at least two"):
        model.fit(one, split)
    assert not model.is_fitted and not hasattr(model, "module_")


def test_protected_group_absent_from_catalogue_is_refused(tiny):
    ds, split = tiny
    model = BPR(dim=4, epochs=1, device="cpu",
                fairness=parse_fairness("item-exposure:seller_size=medium"))
    with pytest.raises(ConfigError, match="No item of the catalogue has seller_size = 'medium'"
                                          ".*big, small"):
        model.fit(ds, split)
    assert not hasattr(model, "module_")


@pytest.mark.parametrize("text, message", [
    ("user-loss:shoe_size", "does not have. Known: gender"),
    ("item-exposure:colour", "item grouping 'colour'"),
])
def test_unknown_attribute_is_refused(tiny, text, message):
    ds, split = tiny
    with pytest.raises(ConfigError, match=message):
        BPR(dim=4, epochs=1, device="cpu", fairness=parse_fairness(text)).fit(ds, split)


def test_resolution_counts_and_default_protected_group(tiny):
    ds, split = tiny
    r = resolve_fairness(parse_fairness("item-exposure:seller_size"), ds, split.train)
    small = ds.items["seller_size"].to_numpy() == "small"
    counts = np.bincount(split.train["item"], minlength=ds.n_items)
    per_item = {g: counts[m].sum() / m.sum() for g, m in (("small", small), ("big", ~small))}
    # Default: the group with fewer training interactions per item.
    assert r.protected == min(per_item, key=per_item.get)
    mask = small if r.protected == "small" else ~small
    assert r.catalog_share == pytest.approx(mask.mean())
    assert r.merit_share == pytest.approx(counts[mask].sum() / counts.sum())
    merit = resolve_fairness(parse_fairness("item-exposure:seller_size=small", target="merit"),
                             ds, split.train)
    assert merit.target_ratio == pytest.approx(
        (counts[small].sum() / counts.sum()) / small.mean())
    u = resolve_fairness(parse_fairness("user-loss:gender"), ds, split.train)
    assert set(u.labels) == set(ds.users["gender"]) - {"unknown"}
    assert (u.user_codes >= 0).sum() == sum(u.group_sizes.values())


# ---------------------------------------------------------------------- values and gradients
def test_group_loss_spread_matches_hand_computation():
    losses = torch.tensor([1.0, 3.0, 2.0, 10.0, 4.0, 6.0])
    codes = torch.tensor([0, 0, 1, -1, 2, 2])
    # Means: group 0 -> 2, group 1 -> 2, group 2 -> 5; the -1 pair is left out.
    assert group_loss_spread(losses, codes, 3).item() == pytest.approx(3.0)
    assert group_loss_spread(losses, torch.tensor([0, 0, 0, 0, -1, -1]), 2).item() == 0.0
    assert group_loss_spread(losses, torch.full((6,), -1), 2).item() == 0.0


def test_soft_exposure_ratio_matches_hand_computation():
    scores = torch.tensor([[0.0, 0.0, 0.0, 0.0], [math.log(3.0), 0.0, 0.0, 0.0]])
    protected = torch.tensor([True, False, False, False])
    # User 0: uniform -> 1/4; user 1: 3/(3+3) = 1/2. ES = 3/8, CS = 1/4.
    assert soft_exposure_ratio(scores, protected).item() == pytest.approx(1.5)
    assert exposure_shortfall(scores, protected, 2.0).item() == pytest.approx(0.25)
    assert exposure_shortfall(scores, protected, 1.0).item() == 0.0  # one-sided
    none = torch.zeros(4, dtype=torch.bool)
    s = scores.clone().requires_grad_(True)
    value = exposure_shortfall(s, none, 1.0)
    value.backward()
    assert value.item() == 0.0 and torch.isfinite(s.grad).all()


def test_user_loss_spread_gradcheck():
    gen = torch.Generator().manual_seed(0)
    losses = torch.rand(12, generator=gen, dtype=torch.float64).requires_grad_(True)
    codes = torch.tensor([0, 1, 2, 0, 1, 2, -1, 0, 1, 2, 2, 0])
    assert torch.autograd.gradcheck(lambda x: group_loss_spread(x, codes, 3), (losses,))


def test_exposure_shortfall_gradcheck_through_scores_and_vectors():
    gen = torch.Generator().manual_seed(1)
    p = torch.randn(5, 4, generator=gen, dtype=torch.float64, requires_grad=True)
    v = torch.randn(7, 4, generator=gen, dtype=torch.float64, requires_grad=True)
    b = torch.randn(7, generator=gen, dtype=torch.float64, requires_grad=True)
    protected = torch.tensor([True, False, True, False, False, False, False])

    def term(p, v, b):
        return exposure_shortfall(p @ v.T + b, protected, 3.0, temperature=0.7)

    assert term(p, v, b).item() > 0  # away from the hinge, where it is differentiable
    assert torch.autograd.gradcheck(term, (p, v, b))


def test_adversary_loss_gradcheck_and_reversal():
    gen = torch.Generator().manual_seed(2)
    torch.manual_seed(0)
    adv = Adversary(4, 3, hidden=5).double()
    x = torch.randn(9, 4, generator=gen, dtype=torch.float64, requires_grad=True)
    codes = torch.tensor([0, 1, 2, 0, -1, 2, 1, 0, 2])
    assert torch.autograd.gradcheck(lambda z: adversary_loss(adv, z, codes), (x,))
    # The reversal layer: identity forward; backward the gradient times -λ.
    w = torch.randn(9, 4, generator=gen, dtype=torch.float64)
    y = grad_reverse(x, 0.3)
    assert torch.equal(y, x)
    (y * w).sum().backward()
    assert torch.equal(x.grad, -0.3 * w)


# ---------------------------------------------------------------------- λ = 0 is the plain model
@pytest.mark.parametrize("spec", ["user-loss:gender", "item-exposure:seller_size=small",
                                  "adversary:gender"])
def test_weight_zero_reproduces_the_plain_model_exactly(tiny, spec):
    ds, split = tiny
    kw = dict(dim=8, epochs=3, batch_size=128, patience=0, device="cpu", seed=3)
    assert_weight_zero_is_plain(BPR, kw, ds, split, spec, "user.weight")


def test_objective_leaves_the_global_random_stream_alone(tiny):
    ds, split = tiny
    r = resolve_fairness(parse_fairness("adversary:gender"), ds, split.train)
    torch.manual_seed(11)
    FairnessObjective(r, dim=8, seed=0)
    after = torch.rand(3)
    torch.manual_seed(11)
    assert torch.equal(after, torch.rand(3))


def test_fairness_is_recorded_in_the_checkpoint(tiny, tmp_path):
    ds, split = tiny
    model = BPR(dim=4, epochs=1, device="cpu",
                fairness=parse_fairness("item-exposure:seller_size=small", 0.5)).fit(ds, split)
    folder = save_checkpoint(model, tmp_path / "cp")
    import json

    saved = json.loads((folder / "config.json").read_text())
    assert saved["params"]["fairness"]["term"] == "item-exposure"
    assert saved["params"]["fairness"]["weight"] == 0.5
    rec = saved["fitted"]["fairness"]
    assert rec["protected"] == "small"
    assert rec["catalog_share"] == pytest.approx((ds.items["seller_size"] == "small").mean())
    loaded = load_checkpoint(folder, ds)
    assert loaded.get_params()["fairness"] == saved["params"]["fairness"]
    np.testing.assert_array_equal(loaded.score(), model.score())
    assert loaded._fitted_config() == saved["fitted"]


# ---------------------------------------------------------------------- CLI
def _write_csvs(tmp_path):
    _, g = tiny_data()
    return cli_data_args(write_csvs(g, tmp_path))


def test_cli_train_with_a_fairness_term_records_it(tmp_path, capsys):
    import json

    from fairrec_core.cli.main import main

    out = tmp_path / "ck"
    rc = main(["train", *_write_csvs(tmp_path), "--epochs", "1", "--dim", "4", "--device",
               "cpu", "--no-progress", "--out", str(out), "--json",
               "--fairness", "item-exposure:seller_size=small", "--fairness-weight", "0.5"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["fairness"]["config"]["term"] == "item-exposure"
    assert summary["fairness"]["config"]["weight"] == 0.5
    assert summary["fairness"]["protected"] == "small"
    assert load_checkpoint(out).get_params()["fairness"]["attribute"] == "seller_size"


@pytest.mark.parametrize("extra, message", [
    (["--fairness", "user-loss:gender", "--fairness-weight", "-0.5"], "must be 0 or more"),
    (["--fairness", "user-loss:gender", "--fairness-weight", "lots"], "must be a number"),
    (["--fairness-weight", "0.5"], "without --fairness"),
    (["--fairness", "user-loss:gender", "--model", "popularity"], "Use --model bpr"),
])
def test_cli_bad_fairness_options_fail_before_reading_data(tmp_path, capsys, extra, message):
    from fairrec_core.cli.main import main

    # The interactions file does not exist: the option error must come first.
    rc = main(["train", "--interactions", str(tmp_path / "missing.csv"), "--out",
               str(tmp_path / "ck"), *extra])
    assert rc == 2
    err = capsys.readouterr().err
    assert message in err and "missing.csv" not in err


def test_cli_grouping_with_one_group_fails_before_training(tmp_path, capsys):
    import pandas as pd

    from fairrec_core.cli.main import main

    args = _write_csvs(tmp_path)
    users = pd.read_csv(tmp_path / "users.csv")
    users["gender"] = "F"
    users.to_csv(tmp_path / "users.csv", index=False)
    rc = main(["train", *args, "--device", "cpu", "--out", str(tmp_path / "ck"),
               "--fairness", "adversary:gender"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "has only 'F'" in err and "training on" not in err
    assert not (tmp_path / "ck").exists()


# ---------------------------------------------------------------------- λ_train grid
def test_train_grid_rows_match_independent_measurements(tiny):
    import pandas as pd

    from fairrec_core.fairtrain.grid import train_grid
    from fairrec_core.metrics.ranking import ranking_metrics

    ds, split = tiny
    params = dict(dim=8, epochs=2, batch_size=128, patience=0, device="cpu", seed=3)
    seen = []
    table = train_grid(ds, split, parse_fairness("item-exposure:seller_size=small"),
                       lambdas=[0.0, 2.0], model_params=params,
                       progress=lambda done, total, lam: seen.append((done, total, lam)))
    assert seen == [(1, 2, 0.0), (2, 2, 2.0)]
    assert list(table["lambda"]) == [0.0, 2.0] and (table["protected"] == "small").all()
    # λ = 0 is the plain model: recompute its row from a plain fit.
    plain = BPR(**params).fit(ds, split)
    top, _ = plain.recommend(None, 10)
    ndcg = ranking_metrics(top, split.test_matrix(), k=10).per_user["ndcg"]
    means = pd.Series(ndcg.to_numpy()).groupby(ds.users["gender"].to_numpy()).mean()
    means = means.drop("unknown", errors="ignore").dropna()
    row = table.iloc[0]
    assert row["ndcg"] == pytest.approx(np.nanmean(ndcg))
    assert row["ndcg_ratio"] == pytest.approx(means.min() / means.max())
    small = ds.items["seller_size"].to_numpy() == "small"
    w = 1 / np.log2(np.arange(2, 12))
    exposure_small = sum(w[r] for u in range(top.shape[0]) for r in range(10)
                         if top[u, r] >= 0 and small[top[u, r]])
    total = sum(w[r] for u in range(top.shape[0]) for r in range(10) if top[u, r] >= 0)
    assert row["es_cs"] == pytest.approx(exposure_small / total / small.mean())
    assert table.iloc[1]["es_cs"] != row["es_cs"]


def test_train_grid_refuses_bad_lambdas(tiny):
    from fairrec_core.fairtrain.grid import train_grid

    ds, split = tiny
    with pytest.raises(ConfigError, match="0 or more"):
        train_grid(ds, split, parse_fairness("user-loss:gender"), lambdas=[0.0, -1.0])
