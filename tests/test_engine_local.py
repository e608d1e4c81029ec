"""The partitioned engine folded in this process, against the local engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from fairrec_core.engine import EngineError, evaluate_partitioned
from fairrec_core.engine.runners import check_complete
from fairrec_core.metrics import evaluate_lists

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
POINT = {"overall": ["value", "n"],
         "user_groups": ["value", "n"],
         "user_gaps": ["difference", "ratio", "n_groups"],
         "item_groups": ["n_items", "n_relevant", "exposure_share", "catalog_share",
                         "merit_share", "es_cs_ratio", "es_rs_ratio"]}
KEYS = {"overall": ["metric"], "user_groups": ["grouping", "group", "metric", "status"],
        "user_gaps": ["grouping", "metric", "best_group", "worst_group", "status"],
        "item_groups": ["grouping", "group", "status"]}


def assert_same_points(a, b, tol=1e-9):
    """Every point value of two FairnessResults equal to ``tol``; labels identical."""
    for name, cols in POINT.items():
        ta, tb = getattr(a, name), getattr(b, name)
        assert list(ta.columns) == list(tb.columns) and len(ta) == len(tb), name
        for c in KEYS[name]:
            assert ta[c].astype(str).tolist() == tb[c].astype(str).tolist(), (name, c)
        np.testing.assert_allclose(ta[cols].to_numpy(float), tb[cols].to_numpy(float),
                                   rtol=0, atol=tol, equal_nan=True, err_msg=name)
    # Check values are point estimates; statuses read intervals, which differ by design.
    assert a.checks["name"].tolist() == b.checks["name"].tolist()
    np.testing.assert_allclose(a.checks["value"].to_numpy(float),
                               b.checks["value"].to_numpy(float), atol=tol, equal_nan=True)
    np.testing.assert_allclose(a.lorenz.to_numpy(), b.lorenz.to_numpy(), atol=tol)
    assert a.counts == b.counts and a.notes == b.notes


def random_inputs(seed=0, n_users=500, n_items=120, k=10):
    rng = np.random.default_rng(seed)
    pop = rng.zipf(1.6, n_items).astype(float)
    p = pop / pop.sum()
    train = sp.csr_matrix((np.ones(n_users * 8), (np.repeat(np.arange(n_users), 8),
                                                   rng.choice(n_items, n_users * 8, p=p))),
                          shape=(n_users, n_items))
    truth = sp.random(n_users, n_items, density=0.02, random_state=seed, format="csr")
    lists = np.array([rng.choice(n_items, k, replace=False, p=p) for _ in range(n_users)])
    lists[:7, 6:] = -1  # short lists
    lists[7] = -1  # a user without a list
    groups = {"gender": rng.choice(["F", "M", "X"], n_users, p=[0.48, 0.48, 0.04]),
              "age": np.where(rng.random(n_users) < 0.03, None,
                              rng.choice(["18-34", "35-54", "55+"], n_users))}
    items = {"seller": rng.choice(["big", "small"], n_items),
             "category": rng.choice(["A", "B", "C", None], n_items)}
    return lists, truth, train, groups, items


OPTIONS = dict(k=10, n_boot=300, seed=4, intersections=[("gender", "age")], min_group_size=20)


@pytest.mark.parametrize("exposure", ["log", "geometric"])
def test_points_equal_the_local_engine_on_random_lists(exposure):
    lists, truth, train, groups, items = random_inputs()
    ref = evaluate_lists(lists, truth, train, user_groups=groups, item_groups=items,
                         item_categories=items["category"], exposure=exposure,
                         engine="numpy", **OPTIONS)
    got = evaluate_partitioned(lists, truth, train, user_groups=groups, item_groups=items,
                               item_categories=items["category"], exposure=exposure,
                               runner="local", block_users=64, **OPTIONS)
    assert_same_points(ref, got)
    pd.testing.assert_frame_equal(ref.per_user, got.per_user, check_exact=False, atol=1e-12)
    pd.testing.assert_frame_equal(ref.user_labels, got.user_labels)
    assert got.params["engine"] == "local" and "Poisson" in got.params["ci_method"]


def test_hand_computed_case():
    # Two users, K = 2. u0: list [0, 1], truth {1} -> NDCG = (1/log2 3) / 1;
    # u1: list [2, 0], truth {2, 3} -> NDCG = 1 / (1 + 1/log2 3).
    lists = np.array([[0, 1], [2, 0]])
    truth = sp.csr_matrix(np.array([[0, 1, 0, 0], [0, 0, 1, 1]]))
    train = sp.csr_matrix(np.array([[0, 0, 1, 1], [1, 1, 0, 0]]))
    res = evaluate_partitioned(lists, truth, train, user_groups={"g": ["a", "b"]}, k=2,
                               n_boot=20, min_group_size=1, runner="local", block_users=1)
    ndcg = {r.group: r.value for r in res.user_groups.itertuples() if r.metric == "ndcg"}
    d = 1 / np.log2(3)
    assert ndcg["a"] == pytest.approx(d) and ndcg["b"] == pytest.approx(1 / (1 + d))
    overall = res.overall.set_index("metric")["value"]
    assert overall["ndcg"] == pytest.approx((d + 1 / (1 + d)) / 2)
    assert overall["coverage"] == pytest.approx(3 / 4)
    # Exposure: item 0 gets 1 + d, item 1 gets d, item 2 gets 1, item 3 none.
    np.testing.assert_allclose(res.items["exposure"], [1 + d, d, 1, 0])


def test_intervals_do_not_depend_on_the_partitioning():
    lists, truth, train, groups, items = random_inputs(seed=1)
    a = evaluate_partitioned(lists, truth, train, user_groups=groups, item_groups=items,
                             runner="local", block_users=500, **OPTIONS)
    b = evaluate_partitioned(lists, truth, train, user_groups=groups, item_groups=items,
                             runner="local", block_users=37, **OPTIONS)
    for name in ("overall", "user_groups", "user_gaps", "item_groups"):
        ta, tb = getattr(a, name), getattr(b, name)
        num = ta.select_dtypes("number").columns
        np.testing.assert_allclose(ta[num].to_numpy(float), tb[num].to_numpy(float),
                                   atol=1e-9, equal_nan=True, err_msg=name)


def test_incomplete_totals_are_refused():
    lists, truth, _train, _groups, _items = random_inputs(n_users=50)
    from fairrec_core.engine.blocks import block_partial, make_blocks
    from fairrec_core.engine.partials import BatchContext, merge_all
    from fairrec_core.engine.poisson import user_keys

    ctx = BatchContext(k=10, weights=np.ones(10), popularity=np.ones(120, int),
                       tail=np.zeros(120, bool), n_users=50, user_groupings={"all": 1},
                       item_groupings={}, n_boot=5)
    blocks = make_blocks(user_keys(np.arange(50)), lists, truth, None,
                         np.zeros((50, 1), int), block_users=20)
    parts = [block_partial(b, ctx) for b in blocks]
    check_complete(merge_all(parts), 50)
    with pytest.raises(EngineError, match="cover 30 users, expected 50"):
        check_complete(merge_all(parts[1:]), 50)
    with pytest.raises(EngineError, match="counted twice"):
        check_complete(merge_all(parts + parts[:1]), 50)


@pytest.fixture(scope="module")
def sample_audit():
    from fairrec_core.config import AuditConfig
    from fairrec_core.pipeline import stages as steps

    cfg = AuditConfig.from_dict({
        "data": {k: str(SAMPLE / f"{k}.csv") for k in
                 ("interactions", "users", "items", "recommendations")},
        "model": {"name": "imported"}, "rerank": {"method": "none"},
        "metrics": {"n_boot": 400}})
    ds = steps.build(cfg, steps.read_inputs(cfg))
    split = steps.make_split(cfg, ds)
    model, _ = steps.prepare_model(cfg, ds, split, None, lambda m: None)
    return cfg, ds, split, steps.recommend(cfg, model).ids


def test_sample_data_points_equal_and_intervals_within_monte_carlo_error(sample_audit):
    """Points equal to 1e-9; intervals within the stated Monte Carlo tolerance.

    Tolerance: a 2.5% / 97.5% percentile endpoint from B resamples has a
    Monte Carlo standard error of about 0.68 / sqrt(B) of the interval's
    width (normal approximation), so two independent bootstraps differ by
    about 0.96 / sqrt(B) = 0.048 widths at B = 400. We require every endpoint
    within 0.30 widths (over 6 SE, for the maximum over ~300 endpoints) and
    the median within 0.08 widths.
    """
    from fairrec_core.config_sections import EngineConfig
    from fairrec_core.engine import evaluate_dataset
    from fairrec_core.pipeline.evaluation import evaluate

    cfg, ds, split, lists = sample_audit
    ref = evaluate(ds, split, lists, cfg.metrics, thresholds=cfg.thresholds, seed=cfg.seed)
    got = evaluate_dataset(ds, split, lists, cfg.metrics, thresholds=cfg.thresholds,
                           seed=cfg.seed, engine=EngineConfig(name="local", block_users=300))
    assert_same_points(ref, got)
    gaps = []
    for name, lo, hi in (("overall", "ci_low", "ci_high"), ("user_groups", "ci_low", "ci_high"),
                         ("item_groups", "exposure_share_ci_low", "exposure_share_ci_high")):
        a, b = getattr(ref, name), getattr(got, name)
        width = (a[hi] - a[lo]).to_numpy(float)
        ok = np.isfinite(width) & (width > 0)
        for col in (lo, hi):
            gaps.append(np.abs(a[col] - b[col]).to_numpy(float)[ok] / width[ok])
    gaps = np.concatenate(gaps)
    assert gaps.size > 200
    assert gaps.max() < 0.30 and np.median(gaps) < 0.08, (gaps.max(), np.median(gaps))
