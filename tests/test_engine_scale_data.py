"""The scale-test generator: seeded, chunked Parquet parts with the sample data's biases."""

from __future__ import annotations

import json

import pytest

from fairrec_core.data import load_dataset
from fairrec_core.data.scale import write_scale_dataset

N_USERS = 4_000


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("scale")
    truth = write_scale_dataset(out, n_users=N_USERS, n_items=3_000, seed=7, chunk_users=1_500)
    return out, truth


def test_parts_rows_and_reproducibility(generated, tmp_path):
    out, truth = generated
    parts = sorted(p.name for p in (out / "recommendations").iterdir())
    assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    assert truth["rows"]["recommendations"] == N_USERS * 20
    # Two worker processes write the same bytes and figures as one.
    again = write_scale_dataset(tmp_path, n_users=N_USERS, n_items=3_000, seed=7,
                                chunk_users=1_500, workers=2)
    assert again == truth
    for sub in ("interactions", "recommendations", "users"):
        for p in (out / sub).iterdir():
            assert p.read_bytes() == (tmp_path / sub / p.name).read_bytes()
    assert json.loads((out / "truth.json").read_text())["params"]["seed"] == 7


def test_guide_table_draws_equal_searchsorted():
    import numpy as np

    from fairrec_core.data.scale import _InverseCdf

    rng = np.random.default_rng(3)
    w = rng.pareto(1.0, 5_000) + 1e-9  # very uneven: many entries share a guide slice
    cdf = np.cumsum(w) / w.sum()
    cdf[-1] = 1.0
    u = 1.0 - rng.random(200_000)
    sampler = _InverseCdf(cdf, np.arange(cdf.size), bins=256)
    assert np.array_equal(sampler.index(u), np.searchsorted(cdf, u))
    # Laid end to end (the per-category form): category c's draws stay in c.
    two = _InverseCdf(np.concatenate([cdf, 1 + cdf]), np.arange(2 * cdf.size), bins=512,
                      top=2.0)
    cats = rng.integers(0, 2, u.size)
    got = two.index(cats + u)
    assert np.array_equal(got, np.searchsorted(cdf, u) + cats * cdf.size)


@pytest.fixture(scope="module")
def audited(generated):
    from fairrec_core.config import AuditConfig
    from fairrec_core.config_sections import EngineConfig
    from fairrec_core.engine import evaluate_dataset
    from fairrec_core.pipeline import stages as steps

    out, truth = generated
    cfg = AuditConfig.from_dict({
        "data": {"interactions": str(out / "interactions"), "users": str(out / "users"),
                 "items": str(out / "items.parquet"),
                 "recommendations": str(out / "recommendations"), "max_mb": 500},
        "model": {"name": "imported"}, "rerank": {"method": "none"},
        "metrics": {"n_boot": 50, "user_groupings": ["gender", "age", "region",
                                                     "membership_tier"],
                    "item_groupings": ["seller_size"]}})
    ds = load_dataset(*(cfg.path(k) for k in ("interactions", "users", "items",
                                               "recommendations")), max_bytes=500 * 2**20)
    split = steps.make_split(cfg, ds)
    model, _ = steps.prepare_model(cfg, ds, split, None, lambda m: None)
    lists = steps.recommend(cfg, model).ids
    return truth, evaluate_dataset(ds, split, lists, cfg.metrics, thresholds=cfg.thresholds,
                                   engine=EngineConfig(name="local", block_users=1_000))


def test_the_audit_finds_the_injected_biases(audited):
    truth, res = audited
    items = res.item_groups.set_index(["grouping", "group"])
    small = items.loc[("seller_size", "small")]
    # The generator's own accounting and the audit agree on the provider figures.
    assert small["exposure_share"] == pytest.approx(
        truth["small_seller"]["exposure_share_top10"], abs=1e-9)
    assert small["catalog_share"] == pytest.approx(truth["small_seller"]["catalog_share"])
    assert small["merit_share"] == pytest.approx(truth["small_seller"]["merit_share"],
                                                 abs=0.01)
    assert small["es_cs_ratio"] < 0.8
    checks = res.checks.set_index("grouping")
    gaps = res.user_gaps.set_index(["grouping", "metric"])
    age = gaps.loc[("age", "ndcg")]
    assert age["worst_group"] == "55+" and age["ratio"] < 0.8
    assert age["ratio"] == pytest.approx(truth["age_ratio"], abs=0.03)
    # Nothing injected on region and tier: no failed check there.
    for g in ("region", "membership_tier"):
        assert (checks.loc[[g], "status"] != "fail").all(), g
