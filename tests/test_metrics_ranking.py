"""Ranking metrics against hand computations, a trec_eval-style loop and ranx."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from fairrec_core.metrics import (
    RANKING_METRICS,
    MetricsInputError,
    iter_ranking_metrics,
    ranking_metrics,
)


def csr(rows: list[list[int]], n_items: int) -> sp.csr_matrix:
    data = np.zeros((len(rows), n_items))
    for u, items in enumerate(rows):
        data[u, items] = 1
    return sp.csr_matrix(data)


def naive(top, truth_sets, k):
    """trec_eval-style definitions written as plain loops, one user at a time."""
    out = []
    for lst, rel in zip(top, truth_sets):
        if not rel:
            out.append([math.nan] * 6)
            continue
        lst = [i for i in list(lst)[:k] if i >= 0]
        hits = [1 if i in rel else 0 for i in lst]
        n_hit = sum(hits)
        mrr = 0.0
        for j, h in enumerate(hits):
            if h:
                mrr = 1.0 / (j + 1)
                break
        dcg = sum(h / math.log2(j + 2) for j, h in enumerate(hits))
        idcg = sum(1.0 / math.log2(j + 2) for j in range(min(k, len(rel))))
        ap = 0.0
        for j, h in enumerate(hits):
            if h:
                ap += sum(hits[:j + 1]) / (j + 1)
        ap /= min(k, len(rel))
        out.append([n_hit / k, n_hit / len(rel), float(n_hit > 0), mrr, dcg / idcg, ap])
    return np.array(out, dtype=float).reshape(len(truth_sets), 6)


# ---------------------------------------------------------------- hand-computed cases

LOG3 = math.log2(3)  # 1.58496...


def test_hand_computed_k3():
    # 6 items, K = 3.
    # user 0: list (2, 1, -1), T = {0, 2}     -> hits (1, 0, 0)
    #   P = 1/3, R = 1/2, HR = 1, MRR = 1
    #   DCG = 1/log2(2) = 1; IDCG over min(3,2)=2 ranks = 1 + 1/log2(3)
    #   AP = (P@1 * 1) / min(3, 2) = 1/2
    # user 1: list (0, 1, 2), T = {}          -> not evaluable, NaN
    # user 2: list (4, 0, 1), T = {1,2,3,4}   -> hits (1, 0, 1)
    #   P = 2/3, R = 2/4, HR = 1, MRR = 1
    #   DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) + 1/2
    #   AP = (1/1 + 2/3) / min(3, 4) = 5/9
    # user 3: list (5, 3, 1), T = {0}         -> no hit: all 0
    # user 4: list (3, 0, -1), T = {0}        -> hit at rank 2
    #   P = 1/3, R = 1, MRR = 1/2, NDCG = (1/log2(3)) / 1, AP = (1/2) / 1
    top = np.array([[2, 1, -1], [0, 1, 2], [4, 0, 1], [5, 3, 1], [3, 0, -1]])
    truth = csr([[0, 2], [], [1, 2, 3, 4], [0], [0]], 6)
    r = ranking_metrics(top, truth, k=3)
    expected = np.array([
        [1 / 3, 1 / 2, 1, 1, 1 / (1 + 1 / LOG3), 1 / 2],
        [np.nan] * 6,
        [2 / 3, 2 / 4, 1, 1, 1.5 / (1 + 1 / LOG3 + 0.5), 5 / 9],
        [0, 0, 0, 0, 0, 0],
        [1 / 3, 1, 1, 1 / 2, 1 / LOG3, 1 / 2],
    ])
    np.testing.assert_allclose(r.per_user.to_numpy(), expected, rtol=1e-12)
    assert list(r.per_user.columns) == list(RANKING_METRICS)
    assert r.per_user.index.name == "user"
    assert r.evaluable.tolist() == [True, False, True, True, True]
    assert r.n_evaluable == 4 and r.n_excluded == 1
    assert r.n_relevant.tolist() == [2, 0, 4, 1, 1]


def test_perfect_list_scores_one():
    # T = {0, 1}, list (1, 0): everything is 1 except P@2 = 2/2 = 1 too.
    r = ranking_metrics(np.array([[1, 0]]), csr([[0, 1]], 3), k=2)
    np.testing.assert_allclose(r.per_user.to_numpy(), [[1, 1, 1, 1, 1, 1]])


def test_k_larger_than_list_counts_against_k():
    # list (0,) with K = 4, T = {0, 1, 2}: P = 1/4 (K, not the list length),
    # R = 1/3, NDCG = 1 / (1 + 1/log2 3 + 1/2), AP = 1 / min(4, 3) = 1/3.
    r = ranking_metrics(np.array([[0]]), csr([[0, 1, 2]], 5), k=4)
    np.testing.assert_allclose(
        r.per_user.to_numpy(),
        [[1 / 4, 1 / 3, 1, 1, 1 / (1 + 1 / LOG3 + 0.5), 1 / 3]])


def test_columns_beyond_k_are_ignored():
    # Only the first K=1 position counts: list (3, 0), T = {0} -> no hit at K=1.
    r = ranking_metrics(np.array([[3, 0]]), csr([[0]], 4), k=1)
    assert r.per_user.loc[0, "hr"] == 0
    r2 = ranking_metrics(np.array([[3, 0]]), csr([[0]], 4), k=2)
    assert r2.per_user.loc[0, "mrr"] == 0.5


def test_truth_with_explicit_zeros_and_values_other_than_one():
    # Stored zero for item 1 is not a positive; rating 5 for item 2 is one positive.
    truth = sp.csr_matrix((np.array([0.0, 5.0]), (np.array([0, 0]), np.array([1, 2]))),
                          shape=(1, 4))
    r = ranking_metrics(np.array([[1, 2]]), truth, k=2)
    assert r.n_relevant.tolist() == [1]
    assert r.per_user.loc[0, "mrr"] == 0.5


def test_all_users_unevaluable():
    r = ranking_metrics(np.array([[0, 1], [1, 0]]), csr([[], []], 3), k=2)
    assert r.per_user.isna().all().all()
    assert r.n_excluded == 2


# ---------------------------------------------------------------- independent references


def random_case(seed, n_users=300, n_items=60, width=12, k=10):
    rng = np.random.default_rng(seed)
    top = np.full((n_users, width), -1)
    for u in range(n_users):
        length = rng.integers(0, width + 1)  # includes empty and full lists
        top[u, :length] = rng.choice(n_items, size=length, replace=False)
    truth_sets = [set(rng.choice(n_items, size=rng.integers(0, 15), replace=False).tolist())
                  for _ in range(n_users)]
    truth = csr([sorted(s) for s in truth_sets], n_items)
    return top, truth, truth_sets


@pytest.mark.parametrize("k", [1, 5, 10, 20])
def test_matches_naive_loop_on_random_data(k):
    top, truth, sets = random_case(k)
    r = ranking_metrics(top, truth, k=k)
    np.testing.assert_allclose(r.per_user.to_numpy(), naive(top, sets, k), rtol=1e-12,
                               equal_nan=True)


def test_batches_give_identical_results():
    top, truth, _ = random_case(3)
    full = ranking_metrics(top, truth, k=10).per_user
    small = ranking_metrics(top, truth, k=10, batch_size=7).per_user
    pd.testing.assert_frame_equal(full, small)
    pieces = list(iter_ranking_metrics(top, truth, k=10, batch_size=64))
    assert [p[0].start for p in pieces] == [0, 64, 128, 192, 256]
    np.testing.assert_array_equal(np.vstack([p[1] for p in pieces]), full.to_numpy())


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_property_matches_naive(data):
    n_items = data.draw(st.integers(1, 12))
    n_users = data.draw(st.integers(1, 6))
    k = data.draw(st.integers(1, 8))
    rows, sets = [], []
    for _ in range(n_users):
        items = data.draw(st.lists(st.integers(0, n_items - 1), unique=True, max_size=n_items))
        rows.append(items[:k] + [-1] * (k - len(items[:k])))
        sets.append(set(data.draw(st.lists(st.integers(0, n_items - 1), unique=True))))
    top = np.array(rows, dtype=np.int64)
    r = ranking_metrics(top, csr([sorted(s) for s in sets], n_items), k=k)
    np.testing.assert_allclose(r.per_user.to_numpy(), naive(top, sets, k), rtol=1e-12,
                               equal_nan=True)
    vals = r.per_user.to_numpy()
    assert np.all((vals[~np.isnan(vals)] >= 0) & (vals[~np.isnan(vals)] <= 1 + 1e-12))


@pytest.mark.slow
def test_matches_ranx():
    """ranx (numba) as an external reference; its first run JIT-compiles (~40 s)."""
    import ranx  # a dev dependency: an independent trec_eval-style reference
    top, truth, sets = random_case(11, n_users=200)
    k = 10
    keep = [u for u in range(len(sets)) if sets[u] and (top[u] >= 0).any()]
    qrels = ranx.Qrels({f"u{u:06d}": {f"i{i}": 1 for i in sets[u]} for u in keep})
    run = ranx.Run({f"u{u:06d}": {f"i{i}": float(k - j) for j, i in enumerate(top[u, :k]) if i >= 0}
                    for u in keep})
    names = ["precision@10", "recall@10", "hit_rate@10", "mrr@10", "ndcg@10", "map@10"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ranx.evaluate(qrels, run, names, return_mean=False, make_comparable=True)
    ours = ranking_metrics(top, truth, k=k).per_user.loc[keep]
    for ours_name, ref_name in zip(RANKING_METRICS, names):
        expected = np.asarray(ref[ref_name], dtype=float)
        if ours_name == "ap":
            # ranx's map@k divides by |T_u|; DESIGN.md divides by min(K, |T_u|).
            rel = np.array([len(sets[u]) for u in keep])
            expected = expected * rel / np.minimum(k, rel)
        np.testing.assert_allclose(ours[ours_name].to_numpy(), expected, rtol=1e-9,
                                   err_msg=ours_name)


# ---------------------------------------------------------------- input errors


def test_duplicates_raise_with_count():
    top = np.array([[0, 0, 1], [1, 2, 3], [2, 3, 2]])
    with pytest.raises(MetricsInputError, match=r"^2 users have the same item more than once"):
        ranking_metrics(top, csr([[0], [1], [2]], 4), k=3)


def test_duplicate_padding_is_fine():
    r = ranking_metrics(np.array([[0, -1, -1]]), csr([[0]], 2), k=3)
    assert r.per_user.loc[0, "precision"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("top, message", [
    (np.array([[0, -1, 1]]), "padding"),
    (np.array([[0, 9]]), "not valid item indices"),
    (np.array([[0, -2]]), "not valid item indices"),
    (np.array([[0.0, 1.0]]), "whole-number"),
    (np.array([0, 1]), "2-D"),
])
def test_malformed_lists_raise(top, message):
    with pytest.raises(MetricsInputError, match=message):
        ranking_metrics(top, csr([[0]], 3), k=3)


def test_shape_mismatch_raises():
    with pytest.raises(MetricsInputError, match="same dense user index"):
        ranking_metrics(np.array([[0], [1]]), csr([[0]], 3), k=1)


def test_bad_k_raises():
    with pytest.raises(MetricsInputError, match="positive whole number"):
        ranking_metrics(np.array([[0]]), csr([[0]], 3), k=0)


def test_errors_are_value_errors():
    assert issubclass(MetricsInputError, ValueError)
