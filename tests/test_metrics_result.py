"""evaluate_lists end to end: tables, naive references, edge cases, no silent NaN."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from fairlearn.metrics import MetricFrame

from fairrec_core.metrics import MetricsInputError, evaluate_lists
from fairrec_core.metrics.result import (
    ITEM_GROUP_COLUMNS,
    OVERALL_COLUMNS,
    USER_GAP_COLUMNS,
    USER_GROUP_COLUMNS,
)

N_USERS, N_ITEMS, K = 420, 90, 5


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    segment = rng.choice(["A", "B"], N_USERS, p=[0.6, 0.4])
    gender = rng.choice(["F", "M", None], N_USERS, p=[0.5, 0.45, 0.05]).astype(object)
    age = rng.choice(["18-24", "25-34", "55+"], N_USERS, p=[0.4, 0.45, 0.15])
    pop_w = 1.0 / np.arange(1, N_ITEMS + 1)
    p = pop_w / pop_w.sum()
    train = np.zeros((N_USERS, N_ITEMS))
    truth = np.zeros((N_USERS, N_ITEMS))
    top = np.full((N_USERS, K), -1)
    for u in range(N_USERS):
        train[u, rng.choice(N_ITEMS, rng.integers(1, 25), replace=False, p=p)] = 1
        if u % 9 != 0:  # every 9th user has no held-out positives
            truth[u, rng.choice(N_ITEMS, rng.integers(1, 6), replace=False)] = 1
        lst = list(rng.choice(N_ITEMS, K, replace=False, p=p))
        rel = np.flatnonzero(truth[u])
        # Segment A gets a relevant item at rank 1 far more often: a real gap.
        if rel.size and rng.random() < (0.7 if segment[u] == "A" else 0.25):
            if rel[0] in lst:
                lst.remove(rel[0])
            lst = [rel[0]] + lst[:K - 1]
        length = K if u % 17 else 3  # some shorter lists
        top[u, :length] = lst[:length]
    top[5] = -1  # one user with an empty list
    items = dict(seller_size=rng.choice(["small", "large"], N_ITEMS, p=[0.7, 0.3]),
                 category=rng.choice(["toys", "books", "garden", None], N_ITEMS).astype(object))
    return dict(top=top, truth=sp.csr_matrix(truth), train=sp.csr_matrix(train),
                users=dict(segment=segment, gender=gender, age_band=age), items=items)


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.fixture(scope="module")
def result(data):
    return evaluate_lists(data["top"], data["truth"], data["train"], user_groups=data["users"],
                          item_groups=data["items"], intersections=[("gender", "age_band")],
                          item_categories=data["items"]["category"], k=K, n_boot=300, seed=3)


def naive_per_user(data):
    """Per-user NDCG and novelty recomputed with plain loops."""
    top, truth, train = data["top"], data["truth"].toarray(), data["train"].toarray()
    pop = (train > 0).sum(axis=0)
    ndcg, nov_sum, length = [], [], []
    for u in range(N_USERS):
        rel = set(np.flatnonzero(truth[u]))
        lst = [i for i in top[u] if i >= 0]
        if rel:
            dcg = sum(1 / math.log2(r + 2) for r, i in enumerate(lst) if i in rel)
            idcg = sum(1 / math.log2(r + 2) for r in range(min(K, len(rel))))
            ndcg.append(dcg / idcg)
        else:
            ndcg.append(np.nan)
        nov_sum.append(sum(-math.log2(max(pop[i], 1) / N_USERS) for i in lst))
        length.append(len(lst))
    return np.array(ndcg), np.array(nov_sum), np.array(length)


def test_table_columns_are_stable(result):
    assert list(result.overall.columns) == list(OVERALL_COLUMNS)
    assert list(result.user_groups.columns) == list(USER_GROUP_COLUMNS)
    assert list(result.user_gaps.columns) == list(USER_GAP_COLUMNS)
    assert list(result.item_groups.columns) == list(ITEM_GROUP_COLUMNS)
    assert set(result.tables()) == {"overall", "user_groups", "user_gaps", "item_groups",
                                    "checks"}
    assert result.overall["metric"].tolist() == [
        "precision", "recall", "hr", "mrr", "ndcg", "ap", "novelty", "arp", "aplt",
        "miscalibration", "coverage", "gini", "ugf", "igf"]


def test_overall_matches_naive(data, result):
    ndcg, nov_sum, length = naive_per_user(data)
    o = result.overall.set_index("metric")
    assert o.loc["ndcg", "value"] == pytest.approx(np.nanmean(ndcg), rel=1e-12)
    assert o.loc["ndcg", "n"] == np.isfinite(ndcg).sum()
    # Novelty pooled over recommended pairs.
    assert o.loc["novelty", "value"] == pytest.approx(nov_sum.sum() / length.sum(), rel=1e-12)
    assert o.loc["novelty", "n"] == (length > 0).sum()
    seen = {i for row in data["top"] for i in row if i >= 0}
    assert o.loc["coverage", "value"] == pytest.approx(len(seen) / N_ITEMS)
    for m in ["ndcg", "novelty", "arp", "miscalibration"]:
        assert o.loc[m, "ci_low"] <= o.loc[m, "value"] <= o.loc[m, "ci_high"]
    assert result.counts == {"n_users": N_USERS, "n_items": N_ITEMS,
                             "n_evaluable": int(np.isfinite(ndcg).sum()),
                             "n_excluded": int(np.isnan(ndcg).sum()),
                             "n_with_list": int((length > 0).sum())}


def test_user_groups_match_naive_groupby(data, result):
    ndcg, _, _ = naive_per_user(data)
    labels = pd.Series(data["users"]["gender"]).fillna("unknown")
    naive = pd.Series(ndcg).groupby(labels).agg(["mean", "count"])
    ug = result.user_groups
    rows = ug[(ug.grouping == "gender") & (ug.metric == "ndcg")].set_index("group")
    for g in naive.index:
        assert rows.loc[g, "value"] == pytest.approx(naive.loc[g, "mean"], rel=1e-12)
        assert rows.loc[g, "n"] == naive.loc[g, "count"]
    assert "gender: " in " ".join(result.notes)  # missing labels recorded


def test_user_gaps_match_fairlearn(data, result):
    ndcg, _, _ = naive_per_user(data)
    ev = np.isfinite(ndcg)
    seg = np.asarray(data["users"]["segment"])
    mf = MetricFrame(metrics=lambda yt, yp: float(np.mean(yt)), y_true=ndcg[ev],
                     y_pred=ndcg[ev], sensitive_features=seg[ev])
    gap = result.user_gaps.set_index(["grouping", "metric"]).loc[("segment", "ndcg")]
    assert gap["difference"] == pytest.approx(mf.difference(), rel=1e-12)
    assert gap["ratio"] == pytest.approx(mf.ratio(), rel=1e-12)
    assert (gap["best_group"], gap["worst_group"]) == ("A", "B")
    assert gap["difference_ci_low"] <= gap["difference"] <= gap["difference_ci_high"]
    assert gap["ratio_ci_low"] <= gap["ratio"] <= gap["ratio_ci_high"]
    check = result.checks.set_index("name").loc["user_gap:segment:ndcg"]
    assert check["status"] == "fail"
    assert check["message"].startswith('Users with segment "B" receive ')


def test_item_groups_match_naive(data, result):
    top, truth = data["top"], data["truth"].toarray()
    seller = data["items"]["seller_size"]
    exp = {"small": 0.0, "large": 0.0}
    for row in top:
        for r, i in enumerate(row):
            if i >= 0:
                exp[seller[i]] += 1 / math.log2(r + 2)
    total = sum(exp.values())
    merit = {g: truth[:, seller == g].sum() for g in exp}
    t = result.item_groups[result.item_groups.grouping == "seller_size"].set_index("group")
    for g in exp:
        es, cs, rs = exp[g] / total, (seller == g).mean(), merit[g] / truth.sum()
        assert t.loc[g, "exposure_share"] == pytest.approx(es, rel=1e-12)
        assert t.loc[g, "catalog_share"] == pytest.approx(cs, rel=1e-12)
        assert t.loc[g, "merit_share"] == pytest.approx(rs, rel=1e-12)
        assert t.loc[g, "es_cs_ratio"] == pytest.approx(es / cs, rel=1e-12)
        assert t.loc[g, "es_rs_ratio"] == pytest.approx(es / rs, rel=1e-12)
        assert t.loc[g, "exposure_share_ci_low"] <= es <= t.loc[g, "exposure_share_ci_high"]
    assert set(result.item_groups.grouping) == {"seller_size", "category", "popularity"}


def test_ugf_and_igf_match_naive(data, result):
    ndcg, _, _ = naive_per_user(data)
    activity = data["train"].getnnz(axis=1)
    n_active = math.ceil(0.05 * N_USERS)
    order = np.lexsort((np.arange(N_USERS), -activity))
    active = np.zeros(N_USERS, bool)
    active[order[:n_active]] = True
    ugf = np.nanmean(ndcg[active]) - np.nanmean(ndcg[~active])
    o = result.overall.set_index("metric")
    assert o.loc["ugf", "value"] == pytest.approx(ugf, rel=1e-12)
    pop = data["train"].getnnz(axis=0)
    head = np.zeros(N_ITEMS, bool)
    head[np.lexsort((np.arange(N_ITEMS), -pop))[:math.ceil(0.2 * N_ITEMS)]] = True
    e = result.items["exposure"].to_numpy()
    assert result.items["head"].tolist() == head.tolist()
    assert o.loc["igf", "value"] == pytest.approx((e[head].sum() - e[~head].sum()) / e.sum())
    assert o.loc["igf", "ci_low"] <= o.loc["igf", "value"] <= o.loc["igf", "ci_high"]


def test_intersection_groups_present(result):
    groups = set(result.user_groups[result.user_groups.grouping == "gender × age_band"].group)
    assert "F × 55+" in groups and "unknown × 18-24" in groups


def test_no_silent_nan(result):
    explain = {"overall": "note", "user_groups": "reason", "user_gaps": "reason",
               "item_groups": "reason", "checks": "message"}
    for name, table in result.tables().items():
        numeric = table.select_dtypes("number")
        has_nan = numeric.isna().any(axis=1)
        assert (table.loc[has_nan, explain[name]].str.len() > 0).all(), name
        if "status" in table:
            assert set(table.loc[has_nan, "status"]) <= {"insufficient_data"}, name


def test_engines_agree(data, result):
    other = evaluate_lists(data["top"], data["truth"], data["train"],
                           user_groups=data["users"], item_groups=data["items"],
                           intersections=[("gender", "age_band")],
                           item_categories=data["items"]["category"], k=K, n_boot=300, seed=3,
                           engine="numpy")
    assert (result.params["engine"], other.params["engine"]) == ("fairlearn", "numpy")
    for name, table in result.tables().items():
        pd.testing.assert_frame_equal(table, other.tables()[name], rtol=1e-12, obj=name)


def test_auto_engine_switches_on_size(monkeypatch):
    import fairrec_core.metrics.result as result_module

    top, truth, train = small_case()
    assert evaluate_lists(top, truth, train, k=3, n_boot=10).params["engine"] == "fairlearn"
    monkeypatch.setattr(result_module, "FAIRLEARN_MAX_USERS", 59)
    assert evaluate_lists(top, truth, train, k=3, n_boot=10).params["engine"] == "numpy"
    with pytest.raises(MetricsInputError, match="Unknown engine"):
        evaluate_lists(top, truth, train, k=3, n_boot=10, engine="spark")


def test_seeded_and_independent_of_other_groupings(data, result):
    fewer = evaluate_lists(data["top"], data["truth"], data["train"],
                           user_groups={"segment": data["users"]["segment"]},
                           item_groups=data["items"], item_categories=data["items"]["category"],
                           k=K, n_boot=300, seed=3, engine="numpy")
    a = result.user_groups[result.user_groups.grouping == "segment"].reset_index(drop=True)
    b = fewer.user_groups[fewer.user_groups.grouping == "segment"].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


# ---------------------------------------------------------------- edge cases


def small_case():
    # 60 users, 12 items, K = 3; users 0..9 have no held-out positives.
    rng = np.random.default_rng(1)
    top = np.array([rng.choice(12, 3, replace=False) for _ in range(60)])
    truth = np.zeros((60, 12))
    for u in range(10, 60):
        truth[u, rng.choice(12, 2, replace=False)] = 1
    train = (rng.random((60, 12)) < 0.3).astype(float)
    return top, sp.csr_matrix(truth), sp.csr_matrix(train)


def test_single_group_and_unevaluable_group():
    top, truth, train = small_case()
    one = ["all"] * 60
    # Group "C" = users 0..9, none evaluable; group "D" = 5 users; rest "E".
    mixed = ["C"] * 10 + ["D"] * 5 + ["E"] * 45
    res = evaluate_lists(top, truth, train, user_groups={"one": one, "mixed": mixed}, k=3,
                         n_boot=50)
    gaps = res.user_gaps.set_index(["grouping", "metric"])
    assert gaps.loc[("one", "ndcg"), "status"] == "insufficient_data"
    assert gaps.loc[("one", "ndcg"), "reason"] == "all users are in one group of one"
    assert gaps.loc[("mixed", "ndcg"), "reason"] == (
        "only 1 of 3 groups have at least 30 evaluable users")
    ug = res.user_groups.set_index(["grouping", "group", "metric"])
    c = ug.loc[("mixed", "C", "ndcg")]
    assert c["n"] == 0 and np.isnan(c["value"]) and c["status"] == "insufficient_data"
    assert c["reason"] == "no evaluable users in this group"
    d = ug.loc[("mixed", "D", "ndcg")]
    assert d["n"] == 5 and np.isfinite(d["value"]) and d["reason"].startswith("only 5 evaluable")
    # Exposure-side metrics are defined for group C (everyone has a list).
    assert ug.loc[("mixed", "C", "arp"), "n"] == 10
    checks = res.checks.set_index("name")
    assert checks.loc["user_gap:one:ndcg", "status"] == "insufficient_data"
    # Without categories: no miscalibration rows, and the overall row says why.
    assert "miscalibration" not in set(res.user_groups.metric)
    o = res.overall.set_index("metric")
    assert o.loc["miscalibration", "note"] == "no item categories given"
    assert "10 of 60 users have no held-out positives" in res.notes[0]


def test_min_group_size_is_configurable():
    top, truth, train = small_case()
    mixed = ["C"] * 10 + ["D"] * 5 + ["E"] * 45
    res = evaluate_lists(top, truth, train, user_groups={"mixed": mixed}, k=3, n_boot=50,
                         min_group_size=5)
    gap = res.user_gaps.set_index(["grouping", "metric"]).loc[("mixed", "ndcg")]
    assert gap["status"] == "ok" and gap["n_groups"] == 2


def test_reserved_and_unknown_names():
    top, truth, train = small_case()
    with pytest.raises(MetricsInputError, match="activity"):
        evaluate_lists(top, truth, train, user_groups={"activity": ["a"] * 60}, k=3, n_boot=10)
    with pytest.raises(MetricsInputError, match="popularity"):
        evaluate_lists(top, truth, train, item_groups={"popularity": ["a"] * 12}, k=3,
                       n_boot=10)
    with pytest.raises(MetricsInputError, match="unknown grouping"):
        evaluate_lists(top, truth, train, user_groups={"g": ["a"] * 60},
                       intersections=[("g", "h")], k=3, n_boot=10)
    with pytest.raises(MetricsInputError, match="shape"):
        evaluate_lists(top, truth, train[:, :5], k=3, n_boot=10)


def test_nothing_recommended():
    _, truth, train = small_case()
    res = evaluate_lists(np.full((60, 3), -1), truth, train, k=3, n_boot=20)
    o = res.overall.set_index("metric")
    assert o.loc["ndcg", "value"] == 0.0
    assert np.isnan(o.loc["gini", "value"]) and o.loc["gini", "note"] == "no item was recommended"
    assert o.loc["novelty", "note"] == "no user can be evaluated on this metric"
    assert (res.item_groups["status"] == "insufficient_data").all()
    test_no_silent_nan(res)
