"""Fairness terms for the text two-tower, and [model.fairness] reaching the audited model.

The BPR side is in tests/test_fair_training.py; this file checks that the same
objective applies to the two-tower (issue 15.1) and that the audit's pipeline
trains with the configured term (issue 15.3).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from fairrec_core.errors import ConfigError
from fairrec_core.fairtrain import parse_fairness
from fairrec_core.models import TextTwoTower
from tests.helpers import (
    assert_weight_zero_is_plain,
    cli_data_args,
    small_text_shop,
    write_csvs,
)
from tests.test_models_base import tiny_data

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def tiny():
    return small_text_shop()


KW = dict(dim=8, epochs=2, batch_size=128, patience=0, device="cpu", seed=3)


@pytest.mark.parametrize("spec", ["user-loss:gender", "item-exposure:seller_size=small",
                                  "adversary:gender"])
def test_two_tower_weight_zero_is_the_plain_model(tiny, spec):
    ds, split, _ = tiny
    assert_weight_zero_is_plain(TextTwoTower, KW, ds, split, spec, "user_id.weight")


def test_two_tower_pair_losses_match_forward(tiny):
    ds, split, _ = tiny
    model = TextTwoTower(**KW).fit(ds, split)
    mod = model.module_.train()
    g = torch.Generator().manual_seed(0)
    users = torch.randint(0, ds.n_users, (50,), generator=g)
    pos = torch.randint(0, ds.n_items, (50,), generator=g)
    neg = torch.randint(0, ds.n_items, (50,), generator=g)
    losses, penalty = mod.pair_losses(users, pos, neg, reg=0.01)
    # Independent reference: the pairwise loss from the model's own scoring path.
    with torch.no_grad():
        v, b = mod.item_vectors(torch.arange(ds.n_items))
        own = mod.text[pos] * mod.has_text[pos].unsqueeze(1)
        p = mod._users(users, mod.hist_sum[users] - own,
                       mod.hist_n[users] - mod.has_text[pos].float())
        diff = (p * v[pos]).sum(1) + b[pos] - (p * v[neg]).sum(1) - b[neg]
    torch.testing.assert_close(losses.detach(), torch.log1p(torch.exp(-diff)))
    assert penalty is not None and float(penalty.detach()) > 0
    assert float(mod(users, pos, neg, reg=0.01).detach()) == pytest.approx(
        float((losses.mean() + penalty).detach()), rel=1e-6)


def test_two_tower_fairness_is_recorded_and_bad_input_refused(tiny):
    ds, split, _ = tiny
    model = TextTwoTower(**KW, fairness=parse_fairness("item-exposure:seller_size=small", 0.3))
    model.fit(ds, split)
    assert model.get_params()["fairness"]["weight"] == 0.3
    assert model._fitted_config()["fairness"]["protected"] == "small"
    with pytest.raises(ConfigError, match="No item of the catalogue has seller_size = 'huge'"):
        TextTwoTower(**KW, fairness=parse_fairness("item-exposure:seller_size=huge", 1.0)
                     ).fit(ds, split)


def test_cli_accepts_fairness_for_the_two_tower(tmp_path, capsys):
    from fairrec_core.cli.main import main

    _, _, g = small_text_shop()
    args = cli_data_args(write_csvs(g, tmp_path))
    rc = main(["train", *args, "--model", "two-tower", "--epochs", "1", "--dim", "4",
               "--device", "cpu", "--out", str(tmp_path / "ck"), "--json",
               "--fairness", "user-loss:gender", "--fairness-weight", "0.5"])
    assert rc == 0
    out = capsys.readouterr()
    summary = json.loads(out.out)
    assert summary["fairness"]["config"]["term"] == "user-loss"
    # The progress bar shows the encoding stage before training (issue 14.8).
    err = out.err
    assert "encoding item texts" in err and "40/40" in err
    assert err.index("encoding item texts") < err.index("training on")


# ---------------------------------------------------------------------- audit wiring
def _audit_config(tmp_path, model: dict):
    from fairrec_core.config import AuditConfig

    _, g = tiny_data()
    data = write_csvs(g, tmp_path)
    return AuditConfig.from_dict({"seed": 0, "data": data, "model": model,
                                  "metrics": {"n_boot": 50}})


def test_model_fairness_section_trains_the_audited_model(tmp_path):
    from fairrec_core.audit import run_audit
    from fairrec_core.models import BPR

    params = {"epochs": 2, "dim": 4, "device": "cpu", "patience": 0}
    cfg = _audit_config(tmp_path, {"name": "bpr", "params": params, "fairness": {
        "term": "user-loss", "attribute": "gender", "weight": 3.0}})
    result = run_audit(cfg)
    doc = json.loads(result.to_json())
    card = doc["model"]
    assert card["params"]["fairness"]["term"] == "user-loss"
    assert card["params"]["fairness"]["weight"] == 3.0
    assert card["fairness"]["labels"] == sorted(set(cfg_genders(tmp_path)))
    assert all("fairness_term" in h for h in card["training"]["history"])
    # The audited lists are those of a model trained with the term: the same BPR trained
    # by hand with the term gives the same weights' top-K, and differs from the plain one.
    from fairrec_core.pipeline.stages import build, build_split, read_inputs

    ds = build(cfg, read_inputs(cfg))
    split = build_split(ds, cfg.split, seed=0)
    fair = BPR(**params, seed=0, fairness=parse_fairness("user-loss:gender", 3.0)
               ).fit(ds, split)
    plain = BPR(**params, seed=0).fit(ds, split)
    hist = [h["fairness_term"] for h in fair.training_.history]
    np.testing.assert_allclose([h["fairness_term"] for h in card["training"]["history"]], hist)
    assert not np.array_equal(fair.score(), plain.score())


def cfg_genders(folder):
    import pandas as pd

    return pd.read_csv(folder / "users.csv")["gender"].dropna().astype(str).tolist()


def test_model_fairness_on_an_untrained_model_is_refused(tmp_path):
    from fairrec_core.audit import run_audit

    cfg = _audit_config(tmp_path, {"name": "popularity", "fairness": {
        "term": "user-loss", "attribute": "gender", "weight": 0.5}})
    with pytest.raises(ConfigError, match=r"\[model.fairness\].*popularity"):
        run_audit(cfg)


# ---------------------------------------------------------------------- report comparison
def test_audit_grid_reaches_report_json_html_and_pdf(tmp_path):
    import jsonschema

    from fairrec_core.audit import run_audit
    from fairrec_core.metrics import ranking_metrics
    from fairrec_core.models import BPR
    from fairrec_core.pipeline.stages import build, build_split, read_inputs
    from fairrec_core.report.html import render_html
    from fairrec_core.report.pdf import render_pdf
    from tests.test_report_json import SCHEMA_FILE

    params = {"epochs": 2, "dim": 4, "device": "cpu", "patience": 0}
    cfg = _audit_config(tmp_path, {"name": "bpr", "params": params, "fairness": {
        "term": "user-loss", "attribute": "gender", "weight": 1.0, "grid": [1.0, 0.0]}})
    result = run_audit(cfg)
    doc = json.loads(result.to_json())
    jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    ft = doc["model"]["fairtrain"]
    assert [r["lam"] for r in ft["table"]] == [0.0, 1.0]
    assert ft["fairness_column"] == "ndcg_ratio[gender]"
    # Row λ = 0 is the plain model: recompute its NDCG from a plain fit here.
    ds = build(cfg, read_inputs(cfg))
    split = build_split(ds, cfg.split, seed=0)
    plain = BPR(**params, seed=0).fit(ds, split)
    top, _ = plain.recommend(None, 10)
    ndcg = ranking_metrics(top, split.test_matrix(), k=10).per_user["ndcg"].to_numpy()
    assert ft["table"][0]["ndcg"] == pytest.approx(float(np.nanmean(ndcg)), rel=1e-9)
    html = render_html(result)
    assert "Fairness during training compared with re-ranking" in html
    assert "λ_train" in html
    pdf = render_pdf(result)
    assert pdf[:4] == b"%PDF" and len(pdf) > 1000


def test_a_grid_needs_two_to_twelve_values():
    from fairrec_core.fairtrain import as_fairness_config

    with pytest.raises(ConfigError, match="grid must be a list of 2 to 12"):
        as_fairness_config({"term": "user-loss", "attribute": "gender", "grid": [0.5]})
    with pytest.raises(ConfigError, match="0 or more"):
        as_fairness_config({"term": "user-loss", "attribute": "gender", "grid": [0, -1]})


def test_the_comparison_chart_front_spans_both_curves():
    import pandas as pd

    from fairrec_core.viz.model_charts import fairtrain_figure, fairtrain_points

    col = "ndcg_ratio[gender]"
    grid = pd.DataFrame({"lam": [0.0, 1.0, 3.0], "ndcg": [0.30, 0.28, 0.20],
                         col: [0.70, 0.90, 0.85]})
    rerank = pd.DataFrame({"lam": [0.0, 0.5, 1.0], "ndcg": [0.30, 0.29, 0.25],
                           col: [0.70, 0.75, 0.95]})
    pts = fairtrain_points(grid, col, rerank)
    # By hand: (0.70, 0.30) appears twice (both λ = 0, neither strictly better); (0.75, 0.29),
    # (0.90, 0.28) and (0.95, 0.25) are undominated; (0.85, 0.20) is beaten by (0.90, 0.28).
    assert pts["front"]["x"] == [0.70, 0.70, 0.75, 0.90, 0.95]
    assert pts["front"]["source"][2:] == ["rerank", "train", "rerank"]
    fig = fairtrain_figure(grid, col, rerank=rerank, labels={"train": "训练"})
    assert [t.name for t in fig.data] == ["训练", "re-ranking (λ sweep)", "Pareto front (both)"]
    # A re-ranking table without the grid's fairness column is not overlaid.
    assert fairtrain_points(grid, col, rerank.drop(columns=[col]))["rerank"] is None
