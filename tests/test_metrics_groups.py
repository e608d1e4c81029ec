"""Group values against Fairlearn's MetricFrame called directly and a naive pandas groupby."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from fairlearn.metrics import MetricFrame

from fairrec_core.metrics import (
    MetricsInputError,
    activity_grouping,
    compare_groups,
    group_means,
    igf,
    intersect,
    make_grouping,
    metric_frame,
    provider_shares,
    ugf,
)


def mean_of_true(y_true, y_pred):
    return float(np.mean(y_true))


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n = 900
    values = pd.DataFrame({
        "ndcg": rng.beta(0.6, 2.0, n),
        "recall": rng.random(n),
        "arp": rng.exponential(50, n),
    })
    values.loc[rng.random(n) < 0.2, ["ndcg", "recall"]] = np.nan  # not evaluable
    gender = rng.choice(["F", "M", None], n, p=[0.48, 0.48, 0.04])
    age = rng.choice(["18-24", "25-34", "55+"], n, p=[0.3, 0.6, 0.1])
    return values, gender, age


# ---------------------------------------------------------------- groupings


def test_make_grouping_missing_labels():
    g = make_grouping(pd.Series(["M", None, "F", np.nan, "M"]), name="gender")
    assert g.labels == ("F", "M", "unknown")  # sorted, unknown last
    assert g.codes.tolist() == [1, 2, 0, 2, 1]
    assert g.n_missing == 2
    assert g.note == "gender: 2 without a label, reported as the group 'unknown'."
    assert g.sizes.tolist() == [1, 2, 2]


def test_make_grouping_number_labels_and_alignment():
    g = make_grouping([3.0, np.nan, 1.0], name="tier")
    assert g.labels == ("1", "3", "unknown")
    # A Series indexed by dense user ids is aligned, not read positionally.
    s = pd.Series(["b", "a"], index=[2, 0])
    g2 = make_grouping(s, name="x", n=3)
    assert g2.values.tolist() == ["a", "unknown", "b"]
    with pytest.raises(MetricsInputError, match="dense index"):
        make_grouping(pd.Series(["a"], index=["user_7"]), name="x", n=1)
    with pytest.raises(MetricsInputError, match="expected 4"):
        make_grouping(["a", "b"], name="x", n=4)


def test_intersection_labels():
    a = make_grouping(["F", "M", "F", None], name="gender")
    b = make_grouping(["55+", "55+", "18-24", "18-24"], name="age_band")
    x = intersect(a, b)
    assert x.name == "gender × age_band"
    assert x.values.tolist() == ["F × 55+", "M × 55+", "F × 18-24", "unknown × 18-24"]
    assert x.n_missing == 1
    assert list(x.features.columns) == ["gender", "age_band"]


def test_activity_grouping_top_share():
    # 40 users with activity 0..39; top 5% = ceil(2) = 2 users: 39 and 38.
    g = activity_grouping(np.arange(40), top_share=0.05)
    assert sorted(np.flatnonzero(g.values == "active").tolist()) == [38, 39]
    # Ties at the cut: the lower index wins so exactly 2 are active.
    g2 = activity_grouping(np.array([5, 9, 9, 9, 1] * 8), top_share=0.05)
    assert np.flatnonzero(g2.values == "active").tolist() == [1, 2]


# ---------------------------------------------------------------- user side


@pytest.mark.parametrize("engine", ["fairlearn", "numpy"])
def test_group_values_match_metricframe_and_groupby(data, engine):
    values, gender, _ = data
    g = make_grouping(gender, name="gender")
    cmp = compare_groups(values, g, min_group_size=1, engine=engine)
    labels = pd.Series(gender).fillna("unknown").to_numpy()
    for metric in values.columns:
        v = values[metric].to_numpy()
        ev = ~np.isnan(v)
        # Fairlearn used the ordinary way: one metric, evaluable users only.
        mf = MetricFrame(metrics=mean_of_true, y_true=v[ev], y_pred=v[ev],
                         sensitive_features=labels[ev])
        naive = pd.Series(v[ev]).groupby(labels[ev]).mean()
        for group in g.labels:
            assert cmp.value.loc[group, metric] == pytest.approx(mf.by_group[group], rel=1e-12)
            assert cmp.value.loc[group, metric] == pytest.approx(naive[group], rel=1e-12)
            assert cmp.n.loc[group, metric] == (labels[ev] == group).sum()
        assert cmp.difference[metric] == pytest.approx(mf.difference(), rel=1e-12)
        assert cmp.ratio[metric] == pytest.approx(mf.ratio(), rel=1e-12)
        assert cmp.difference[metric] == pytest.approx(naive.max() - naive.min(), rel=1e-12)
        assert cmp.best[metric] == naive.idxmax() and cmp.worst[metric] == naive.idxmin()


@pytest.mark.parametrize("engine", ["fairlearn", "numpy"])
def test_intersection_matches_fairlearn_two_features(data, engine):
    values, gender, age = data
    x = intersect(make_grouping(gender, name="gender"), make_grouping(age, name="age_band"))
    cmp = compare_groups(values[["ndcg"]], x, min_group_size=1, engine=engine)
    v = values["ndcg"].to_numpy()
    ev = ~np.isnan(v)
    sf = pd.DataFrame({"gender": pd.Series(gender).fillna("unknown"), "age": age})[ev]
    mf = MetricFrame(metrics=mean_of_true, y_true=v[ev], y_pred=v[ev], sensitive_features=sf)
    by = mf.by_group.dropna()
    assert len(by) == x.n_groups
    for (gen, ag), val in by.items():
        assert cmp.value.loc[f"{gen} × {ag}", "ndcg"] == pytest.approx(val, rel=1e-12)
    assert cmp.difference["ndcg"] == pytest.approx(mf.difference(), rel=1e-12)
    assert cmp.ratio["ndcg"] == pytest.approx(mf.ratio(), rel=1e-12)


def test_small_groups_are_not_compared(data):
    values, gender, age = data
    # "unknown" gender has ~36 users of which ~80% evaluable for ndcg: below 40.
    g = make_grouping(gender, name="gender")
    cmp = compare_groups(values, g, min_group_size=40)
    assert not cmp.sufficient.loc["unknown", "ndcg"]
    v = values["ndcg"].to_numpy()
    labels = pd.Series(gender).fillna("unknown").to_numpy()
    keep = ~np.isnan(v) & (labels != "unknown")
    naive = pd.Series(v[keep]).groupby(labels[keep]).mean()
    assert cmp.difference["ndcg"] == pytest.approx(naive.max() - naive.min(), rel=1e-12)
    assert cmp.ratio["ndcg"] == pytest.approx(naive.min() / naive.max(), rel=1e-12)
    # Still reported:
    assert np.isfinite(cmp.value.loc["unknown", "ndcg"])


def test_fewer_than_two_sufficient_groups_gives_nan_gap():
    values = pd.DataFrame({"m": [0.1, 0.2, 0.3, 0.4]})
    cmp = compare_groups(values, ["a", "a", "a", "b"], min_group_size=2)
    assert np.isnan(cmp.difference["m"]) and cmp.best["m"] is None


def test_weighted_pooled_mean():
    # Novelty is pooled over recommended pairs: group a has users with per-user
    # means 1 (2 items) and 4 (1 item) -> (1*2 + 4*1) / 3 = 2.
    values = pd.DataFrame({"novelty": [1.0, 4.0, 5.0]})
    means, counts = group_means(values.to_numpy(), make_grouping(["a", "a", "b"], name="g"),
                                weights=np.array([2, 1, 3]))
    np.testing.assert_allclose(means[:, 0], [2.0, 5.0])
    assert counts[:, 0].tolist() == [2, 1]
    cmp = compare_groups(values, ["a", "a", "b"], weights=np.array([2, 1, 3]), min_group_size=1)
    assert cmp.value.loc["a", "novelty"] == pytest.approx(2.0)


def test_metric_frame_is_a_real_metricframe(data):
    values, gender, _ = data
    mf = metric_frame(values, make_grouping(gender, name="gender"))
    assert isinstance(mf, MetricFrame)
    assert list(mf.by_group.columns) == list(values.columns)


def test_ugf_by_hand():
    # active users NDCG 0.5 and 0.3 -> 0.4; inactive 0.1, 0.2, NaN -> 0.15.
    ndcg = np.array([0.5, 0.3, 0.1, 0.2, np.nan])
    labels = ["active", "active", "inactive", "inactive", "inactive"]
    assert ugf(ndcg, labels) == pytest.approx(0.25)


# ---------------------------------------------------------------- provider side


def test_provider_shares_by_hand():
    # 4 items: groups small = {0, 1}, large = {2, 3}. K = 2, uniform exposure.
    # Lists: u0 (0, 2), u1 (2, 3), u2 (3, -1) -> exposure small 1, large 4.
    # ES = (1/5, 4/5); CS = (2/4, 2/4); held-out: u0 {1}, u1 {2}, u2 {0, 3}:
    # merit small 2 (items 1, 0), large 2 -> RS = (1/2, 1/2).
    top = np.array([[0, 2], [2, 3], [3, -1]])
    truth = sp.csr_matrix(np.array([[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1]], dtype=float))
    ps = provider_shares(top, truth, ["small", "small", "large", "large"], exposure="uniform")
    t = ps.table.set_index("group")
    assert t.loc["small", "exposure_share"] == pytest.approx(0.2)
    assert t.loc["large", "exposure_share"] == pytest.approx(0.8)
    assert t.loc["small", "catalog_share"] == 0.5
    assert t.loc["small", "merit_share"] == 0.5
    assert t.loc["small", "es_cs_ratio"] == pytest.approx(0.4)
    assert t.loc["large", "es_rs_ratio"] == pytest.approx(1.6)
    assert t["n_items"].tolist() == [2, 2] and t["n_relevant"].tolist() == [2, 2]
    # Per-user matrices add up to the totals.
    assert ps.exposure_by_user.sum() == pytest.approx(5)
    assert ps.merit_by_user.sum() == 4


def test_provider_shares_log_exposure_and_zero_merit():
    # log weights (1, 1/log2 3): exposure a = 1 + 1 = 2 (both at rank 1),
    # b = 2/log2 3. Group b has no held-out positive -> ES/RS undefined.
    top = np.array([[0, 1], [0, 1]])
    truth = sp.csr_matrix(np.array([[1, 0], [1, 0]], dtype=float))
    t = provider_shares(top, truth, ["a", "b"]).table.set_index("group")
    tot = 2 + 2 / np.log2(3)
    assert t.loc["a", "exposure_share"] == pytest.approx(2 / tot)
    assert t.loc["a", "es_rs_ratio"] == pytest.approx(2 / tot)
    assert np.isnan(t.loc["b", "es_rs_ratio"])


def test_igf_by_hand():
    # head exposure 6 of 10 -> 0.6; tail 0.4 -> IGF = 0.2.
    assert igf([5, 1, 2, 2], [True, True, False, False]) == pytest.approx(0.2)
    assert np.isnan(igf([0, 0], [True, False]))
