"""The shared re-ranking contract: candidates, bad input, λ = 0, determinism, provenance.

References are written plainly here (a Python sort of each user's candidates
for the base top-K), never taken from the code under test.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from fairrec_core.metrics import make_grouping
from fairrec_core.rerank import (
    RERANKERS,
    Candidates,
    RerankError,
    RerankWarning,
    make_reranker,
    rerank,
)

N_ITEMS = 40


def random_instance(seed, n_users=25, c=12, ties=True, pad_share=0.15):
    """Unsorted candidates with padding anywhere and (optionally) tied scores."""
    rng = np.random.default_rng(seed)
    ids = np.stack([rng.choice(N_ITEMS, c, replace=False) for _ in range(n_users)])
    scores = rng.normal(size=(n_users, c))
    if ties:
        scores = np.round(scores, 1)
    ids[rng.random((n_users, c)) < pad_share] = -1
    ids[0, :] = -1                       # a user without candidates
    ids[1, 3:] = -1                      # a user with fewer than K candidates
    scores[ids < 0] = np.nan
    return ids, scores


def naive_top_k(ids, scores, k):
    """Each user's real candidates sorted by (score desc, column asc), cut at K."""
    out_ids = np.full((ids.shape[0], k), -1)
    out_scores = np.full((ids.shape[0], k), np.nan)
    for u in range(ids.shape[0]):
        cand = [(-scores[u, j], j) for j in range(ids.shape[1]) if ids[u, j] >= 0]
        cand.sort()
        for t, (neg, j) in enumerate(cand[:k]):
            out_ids[u, t] = ids[u, j]
            out_scores[u, t] = -neg
    return out_ids, out_scores


def all_methods(n_users, rng=None):
    """One configured instance of every registered method on the test catalogue."""
    rng = rng or np.random.default_rng(7)
    item_groups = np.where(np.arange(N_ITEMS) % 3 == 0, "small", "big")
    cats = np.array(["a", "b", "c", "d"])[np.arange(N_ITEMS) % 4]
    users = np.where(np.arange(n_users) < 3, "active", "inactive")
    history = sp.random(n_users, N_ITEMS, density=0.2, random_state=3, format="csr")
    return {
        "two_sided": dict(item_groups=item_groups, user_groups=users, protected="small"),
        "provider": dict(item_groups=item_groups, history=history),
        "calibrated": dict(item_groups=cats, history=history),
        "fair_topk": dict(item_groups=item_groups, protected="small"),
    }


def test_registry_has_the_four_methods():
    assert set(RERANKERS) == {"two_sided", "provider", "calibrated", "fair_topk"}


# --------------------------------------------------------------------------- λ = 0


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("method", ["two_sided", "provider", "calibrated", "fair_topk"])
def test_lambda_zero_reproduces_the_base_top_k_exactly(method, seed):
    ids, scores = random_instance(seed)
    cands = Candidates(ids, scores)
    k = 5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RerankWarning)
        res = rerank(cands, method=method, lam=0.0, k=k, **all_methods(ids.shape[0])[method])
    want_ids, want_scores = naive_top_k(ids, scores, k)
    np.testing.assert_array_equal(res.ids, want_ids)
    np.testing.assert_array_equal(res.scores, want_scores)   # NaN == NaN at padding
    assert res.lam == 0.0 and res.k == k and res.method == method


@pytest.mark.parametrize("method", ["two_sided", "provider", "calibrated", "fair_topk"])
def test_results_are_deterministic_and_lists_are_valid(method):
    ids, scores = random_instance(11)
    opts = all_methods(ids.shape[0])[method]
    a = rerank(Candidates(ids, scores), method=method, lam=0.6, k=6, **opts)
    b = rerank(Candidates(ids.copy(), scores.copy()), method=method, lam=0.6, k=6, **opts)
    np.testing.assert_array_equal(a.ids, b.ids)
    np.testing.assert_array_equal(a.adjusted, b.adjusted)
    for u in range(ids.shape[0]):
        got = a.ids[u]
        real = got[got >= 0]
        # No repeats, only the user's own candidates, padding only at the end,
        # and as many items as the user has candidates (up to K).
        assert len(set(real.tolist())) == real.size
        assert set(real.tolist()) <= set(ids[u][ids[u] >= 0].tolist())
        assert real.size == min(6, int((ids[u] >= 0).sum()))
        assert (got[real.size:] == -1).all()
        # The score reported is the item's original candidate score.
        for t, item in enumerate(real):
            assert a.scores[u, t] == scores[u][ids[u] == item][0]


def test_provenance_is_complete_and_json_serialisable():
    ids, scores = random_instance(3)
    opts = all_methods(ids.shape[0])
    for method, o in opts.items():
        res = rerank(Candidates(ids, scores), method=method, lam=0.25, k=5, **o)
        prov = res.provenance()
        text = json.dumps(prov)
        assert prov["method"] == method and prov["lam"] == 0.25 and prov["k"] == 5
        assert "reference" in prov["params"] and prov["params"]["reference"]
        assert prov["params"]["candidates"]["n_candidates"] == ids.shape[1]
        assert prov["params"]["candidates"]["users_with_fewer_than_k"] >= 2
        assert "λ = 0.25" in res.describe()
        assert "padded" in text                      # the short users are noted
    two = rerank(Candidates(ids, scores), method="two_sided", lam=0.5, k=5, **opts["two_sided"])
    assert two.params["protected"] == ["small"]
    assert two.params["protected_inferred"] is False
    assert two.params["protected_users"] == ["inactive"]
    fair = rerank(Candidates(ids, scores), method="fair_topk", lam=0.5, k=5, **opts["fair_topk"])
    assert len(fair.params["mtable"]) == 5 and fair.params["p_value"] == 0.5


# --------------------------------------------------------------------------- Candidates


def test_from_ranks_uses_rank_order_and_linear_relevance():
    ids = np.array([[5, 7, 9, -1], [1, 2, 3, 4]])
    cands = Candidates.from_ranks(ids)
    assert cands.source == "ranks"
    np.testing.assert_array_equal(cands.top_k(3), [[5, 7, 9], [1, 2, 3]])
    np.testing.assert_allclose(cands.prepared.rel[1], [1, 2 / 3, 1 / 3, 0])
    # Explicit ranks in any column order.
    c2 = Candidates.from_ranks(np.array([[9, 5, 7]]), np.array([[3, 1, 2]]))
    np.testing.assert_array_equal(c2.top_k(3), [[5, 7, 9]])


def test_from_recommendations_with_and_without_scores():
    from fairrec_core.data import Recommendations

    items = np.array([[3, 1, -1], [2, 0, 1]], dtype=np.int32)
    rec = Recommendations(items=items, scores=np.array([[2.0, 1.0, np.nan], [5.0, 4.0, 3.0]]))
    c = Candidates.from_recommendations(rec)
    assert c.source == "scores"
    np.testing.assert_array_equal(c.top_k(2), [[3, 1], [2, 0]])
    c2 = Candidates.from_recommendations(Recommendations(items=items))
    assert c2.source == "ranks"
    np.testing.assert_array_equal(c2.top_k(3), [[3, 1, -1], [2, 0, 1]])


def test_fewer_candidates_than_k_are_padded_for_every_method():
    ids = np.array([[4, 2, -1, -1, -1], [1, 2, 3, 5, 6]])
    scores = np.array([[0.2, 0.9, np.nan, np.nan, np.nan], [0.5, 0.4, 0.3, 0.2, 0.1]])
    cands = Candidates(ids, scores)
    hist = sp.csr_matrix(np.ones((2, N_ITEMS)))
    groups = np.where(np.arange(N_ITEMS) % 2 == 0, "small", "big")
    for method, opts in [("two_sided", dict(item_groups=groups, protected="small")),
                         ("provider", dict(item_groups=groups, history=hist)),
                         ("calibrated", dict(item_groups=groups, history=hist)),
                         ("fair_topk", dict(item_groups=groups, protected="small"))]:
        res = rerank(cands, method=method, lam=0.7, k=4, **opts)
        assert sorted(res.ids[0, :2].tolist()) == [2, 4]
        np.testing.assert_array_equal(res.ids[0, 2:], [-1, -1])
        assert np.isnan(res.scores[0, 2:]).all() and np.isnan(res.adjusted[0, 2:]).all()
        assert (res.ids[1] >= 0).all()
        assert any("fewer than 4 candidates" in n for n in res.notes)
    # K larger than C.
    res = rerank(cands, method="fair_topk", lam=0.5, k=7, item_groups=groups, protected="small")
    assert res.ids.shape == (2, 7) and (res.ids[1, 5:] == -1).all()


def test_duplicates_raise_or_keep_the_best_occurrence():
    ids = np.array([[3, 5, 3, 8], [1, 2, 4, 6]])
    scores = np.array([[0.1, 0.5, 0.9, 0.3], [0.4, 0.3, 0.2, 0.1]])
    with pytest.raises(RerankError, match=r"same item more than once.*user 0, item 3"):
        Candidates(ids, scores)
    c = Candidates.from_arrays(ids, scores, duplicates="keep_best")
    np.testing.assert_array_equal(c.ids[0], [-1, 5, 3, 8])   # the 0.9 copy survives
    np.testing.assert_array_equal(c.top_k(3)[0], [3, 5, 8])
    with pytest.raises(RerankError, match="duplicates must be"):
        Candidates.from_arrays(ids, scores, duplicates="sum")


def test_nan_scores_raise_unless_dropped_and_nan_at_padding_is_fine():
    ids = np.array([[3, 5, 7], [1, 2, -1]])
    scores = np.array([[0.1, np.nan, 0.3], [0.4, 0.3, np.nan]])
    with pytest.raises(RerankError, match=r"missing or infinite score.*first at user 0"):
        Candidates(ids, scores)
    c = Candidates.from_arrays(ids, scores, non_finite="drop")
    np.testing.assert_array_equal(c.top_k(3), [[7, 3, -1], [1, 2, -1]])
    with pytest.raises(RerankError, match="infinite"):
        Candidates(ids, np.array([[0.1, np.inf, 0.3], [0.4, 0.3, 0.0]]))
    with pytest.raises(RerankError, match="no rank"):
        Candidates.from_ranks(ids, np.array([[1.0, np.nan, 2.0], [1.0, 2.0, np.nan]]))


@pytest.mark.parametrize("ids, scores, msg", [
    (np.array([1, 2, 3]), np.array([0.1, 0.2, 0.3]), "2-D"),
    (np.array([[1, 2]]), np.array([[0.1, 0.2, 0.3]]), "shape"),
    (np.array([[1.0, 2.0]]), np.array([[0.1, 0.2]]), "whole-number"),
    (np.array([[1, -3]]), np.array([[0.1, 0.2]]), "negative"),
    (np.array([[1, 2]]), np.array([["a", "b"]]), "numbers"),
])
def test_malformed_candidates_are_refused(ids, scores, msg):
    with pytest.raises(RerankError, match=msg):
        Candidates(ids, scores)


def test_items_missing_from_the_grouping():
    ids, scores = random_instance(5)
    cands = Candidates(ids, scores)
    short = np.where(np.arange(N_ITEMS - 5) % 3 == 0, "small", "big")   # items 35..39 unlabelled
    for method, opts in [("two_sided", dict(protected="small")), ("provider",
                         dict(preference="catalog")), ("fair_topk", dict(protected="small"))]:
        with pytest.raises(RerankError, match=r"does not cover.*labels items 0\.\.34"):
            rerank(cands, method=method, lam=0.5, k=4, item_groups=short, **opts)
    # Missing labels (NaN) are the documented group "unknown": it takes part.
    labels = pd.Series(np.where(np.arange(N_ITEMS) % 3 == 0, "small", "big"), dtype=object)
    labels[::7] = None
    res = rerank(cands, method="fair_topk", lam=0.8, k=4, item_groups=labels, protected="small")
    assert res.params["protected"] == ["small"]
    assert make_grouping(labels, name="g").labels == ("big", "small", "unknown")


def test_a_protected_group_without_candidates_warns_and_keeps_the_base_lists():
    ids, scores = random_instance(6)
    cands = Candidates(ids, scores)
    labels = np.full(N_ITEMS + 1, "big", dtype=object)
    labels[N_ITEMS] = "small"                # in the catalogue, never a candidate
    base = cands.top_k(4)
    for method, opts in [("two_sided", dict(protected="small")),
                         ("provider", dict(preference="catalog", protected="small")),
                         ("fair_topk", dict(protected="small"))]:
        with pytest.warns(RerankWarning, match="small"):
            res = rerank(cands, method=method, lam=1.0, k=4, item_groups=labels, **opts)
        if method != "provider":    # xQuAD still spreads over the other groups
            np.testing.assert_array_equal(res.ids, base)
        assert any("small" in n for n in res.notes)


def test_unknown_protected_label_is_refused():
    groups = np.where(np.arange(N_ITEMS) % 3 == 0, "small", "big")
    with pytest.raises(RerankError, match=r"'smal' is not a label.*big, small"):
        make_reranker("fair_topk", item_groups=groups, protected="smal")
    with pytest.raises(RerankError, match="name the protected"):
        ids, scores = random_instance(1)
        make_reranker("fair_topk", item_groups=np.arange(N_ITEMS) % 3).rerank(
            Candidates(ids, scores), lam=0.5, k=3)


@pytest.mark.parametrize("lam", [-0.01, 1.0001, float("nan"), "0.5", True, None])
@pytest.mark.parametrize("method", ["two_sided", "provider", "calibrated", "fair_topk"])
def test_lambda_outside_the_unit_interval_is_refused(method, lam):
    ids, scores = random_instance(2)
    with pytest.raises(RerankError, match="λ"):
        rerank(Candidates(ids, scores), method=method, lam=lam, k=4,
               **all_methods(ids.shape[0])[method])


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_bad_k_is_refused(k):
    ids, scores = random_instance(2)
    with pytest.raises(RerankError, match="K"):
        rerank(Candidates(ids, scores), method="fair_topk", lam=0.1, k=k,
               item_groups=np.arange(N_ITEMS) % 2, protected="1")


def test_option_errors_are_clear():
    groups = np.where(np.arange(N_ITEMS) % 3 == 0, "small", "big")
    with pytest.raises(RerankError, match="needs item_groups, user_groups or both"):
        make_reranker("two_sided")
    with pytest.raises(RerankError, match="protected_users"):
        make_reranker("two_sided", user_groups=np.array(["F", "M"] * 5))
    with pytest.raises(RerankError, match="single group"):
        make_reranker("two_sided", user_groups=np.array(["active"] * 5))
    with pytest.raises(RerankError, match="history"):
        make_reranker("provider", item_groups=groups)
    with pytest.raises(RerankError, match="history"):
        make_reranker("calibrated", item_groups=groups)
    with pytest.raises(RerankError, match="Unknown re-ranking method"):
        make_reranker("mmr")
    with pytest.raises(RerankError, match="item_weight"):
        make_reranker("two_sided", item_groups=groups, item_weight=-1)
    ids, scores = random_instance(2)
    with pytest.raises(RerankError, match="same dense user index"):
        rerank(Candidates(ids, scores), method="two_sided", lam=0.3, k=3,
               user_groups=np.array(["active", "inactive"] * 3))


def test_normalised_relevance_is_per_user_min_max():
    ids = np.array([[1, 2, 3, -1], [4, 5, -1, -1], [6, -1, -1, -1], [7, 8, 9, 10]])
    scores = np.array([[3.0, 1.0, 2.0, np.nan], [5.0, 5.0, np.nan, np.nan],
                       [9.0, np.nan, np.nan, np.nan], [-1.0, 4.0, 0.0, 1.5]])
    prep = Candidates(ids, scores).prepared
    want = np.zeros(ids.shape)
    for u in range(ids.shape[0]):
        vals = sorted((s for s, i in zip(scores[u], ids[u]) if i >= 0), reverse=True)
        lo, hi = min(vals), max(vals)
        for t, v in enumerate(vals):
            want[u, t] = (v - lo) / (hi - lo) if hi > lo else 1.0   # equal scores: all 1
    np.testing.assert_allclose(prep.rel, want)
    np.testing.assert_array_equal(prep.ids[3], [8, 10, 9, 7])
    np.testing.assert_array_equal(prep.n_valid, [3, 2, 1, 4])


def test_grouped_order_keeps_base_order_within_each_group():
    from fairrec_core.rerank.base import grouped_order

    rng = np.random.default_rng(4)
    codes = rng.integers(0, 4, (30, 9))          # 3 groups, 3 = padding sentinel
    order, start, size = grouped_order(codes, 3)
    for u in range(30):
        want = [j for g in range(4) for j in range(9) if codes[u, j] == g]
        assert order[u].tolist() == want
        for g in range(3):
            assert size[u, g] == (codes[u] == g).sum()
            assert start[u, g] == (codes[u] < g).sum()


@pytest.mark.parametrize("method", ["two_sided", "provider", "calibrated", "fair_topk"])
def test_any_shape_any_lambda_gives_valid_lists_and_lambda_zero_is_the_base(method):
    """Property test over random shapes: C = 1, all padding, K > C, heavy ties."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None, derandomize=True)
    @given(n=st.integers(1, 6), c=st.integers(1, 7), k=st.integers(1, 9),
           lam=st.floats(0, 1), seed=st.integers(0, 10_000))
    def check(n, c, k, lam, seed):
        rng = np.random.default_rng(seed)
        ids = np.stack([rng.choice(N_ITEMS, c, replace=False) for _ in range(n)])
        ids[rng.random((n, c)) < 0.3] = -1
        scores = rng.integers(0, 3, (n, c)).astype(float)          # many ties
        opts = dict(all_methods(n)[method])
        if n <= 3:                      # users 0..2 are "active": one user group only
            opts.pop("user_groups", None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RerankWarning)
            res = rerank(Candidates(ids, scores), method=method, lam=lam, k=k, **opts)
            base = rerank(Candidates(ids, scores), method=method, lam=0.0, k=k, **opts)
        np.testing.assert_array_equal(base.ids, naive_top_k(ids, scores, k)[0])
        assert res.ids.shape == (n, k)
        for u in range(n):
            real = res.ids[u][res.ids[u] >= 0]
            assert real.size == min(k, int((ids[u] >= 0).sum()))
            assert sorted(real.tolist()) == sorted(set(real.tolist()))
            assert set(real.tolist()) <= set(ids[u].tolist())
            assert (res.ids[u][real.size:] == -1).all()

    check()


def test_description_reads_in_english_and_in_chinese():
    from fairrec_core.i18n import say
    from tests.zh_leaks import english_runs

    ids, scores = random_instance(3)
    opts = all_methods(ids.shape[0])
    for method, o in opts.items():
        res = rerank(Candidates(ids, scores), method=method, lam=0.25, k=5, **o)
        en, zh = say(res.describe(), "en"), say(res.describe(), "zh")
        # English: the applied line, the method's objective summary, then its notes.
        assert en == str(res.describe())
        assert en.startswith(f"Re-ranked with '{method}' (")
        assert "λ = 0.25, K = 5" in en and "padded with -1" in en
        # Chinese: the same numbers, no English prose (names and references are data).
        assert "λ = 0.25" in zh and "K = 5" in zh and "补齐" in zh
        prose = english_runs(zh, data=[res.params["reference"]])
        assert not prose, (method, prose)
    two = rerank(Candidates(ids, scores), method="two_sided", lam=0.5, k=5, **opts["two_sided"])
    # The English sentence as it was written before it moved to the catalogue.
    assert ("Objective: relevance minus λ-weighted gaps on the item side 'item_group' "
            "(disadvantaged: small, given; weight 0.5) and user side 'user_group' "
            "(disadvantaged: inactive, CPFair's convention; weight 0.12).") in str(two.describe())
