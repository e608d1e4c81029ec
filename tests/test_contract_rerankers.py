"""The contract every re-ranker keeps, run over every registered method.

For each method in :data:`fairrec_core.rerank.RERANKERS`:

* λ = 0 returns the base lists exactly (checked against a plain Python sort);
* the same input gives the same lists (a second run, a fresh instance);
* every list holds K distinct items, all among the user's candidates;
* ``protected`` is honoured: for the methods whose objective acts for it
  (``USES_PROTECTED``, the only ones the What-if page offers the picker for)
  the protected share of list slots, counted here with numpy, rises with λ
  and follows the named group; for the others naming a group changes nothing.

Also the builder every surface uses (:func:`fairrec_core.pipeline.rerank_stage.build_reranker`)
on the sample data: the protected group named in ``[rerank].protected`` is
the one whose share rises.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.stats import binom

from fairrec_core.config_sections import MetricsConfig, RerankConfig
from fairrec_core.metrics import Thresholds
from fairrec_core.pipeline.rerank_stage import (
    USES_PROTECTED,
    build_reranker,
    model_candidates,
)
from fairrec_core.rerank import RERANKERS, Candidates, make_reranker

N_USERS, N_ITEMS, C, K = 80, 150, 30, 10
LAMS = (0.0, 0.25, 0.5, 0.75, 1.0)
#: Three provider groups; "c" and "b" are scored down so the base lists under-expose them.
GROUPS = np.array(["a", "b", "c"])[np.arange(N_ITEMS) % 3]
CATEGORIES = np.array(["x", "y", "z", "w"])[np.arange(N_ITEMS) % 4]


@pytest.fixture(scope="module")
def instance():
    rng = np.random.default_rng(11)
    ids = np.stack([rng.choice(N_ITEMS, C, replace=False) for _ in range(N_USERS)])
    penalty = np.select([GROUPS[ids] == "c", GROUPS[ids] == "b"], [0.8, 0.4], 0.0)
    scores = rng.normal(size=ids.shape) - penalty
    history = sp.random(N_USERS, N_ITEMS, density=0.1, random_state=5, format="csr")
    return ids, scores, history


def options(method: str, history, protected="c") -> dict:
    users = np.where(np.arange(N_USERS) < 8, "active", "inactive")
    return {"two_sided": dict(item_groups=GROUPS, user_groups=users, protected=protected),
            "provider": dict(item_groups=GROUPS, history=history, protected=protected),
            "fair_topk": dict(item_groups=GROUPS, protected=protected),
            "calibrated": dict(item_groups=CATEGORIES, history=history)}[method]


def plain_top_k(ids, scores, k):
    """Each user's candidates by score (ties: earlier column), written without the library."""
    out = np.full((ids.shape[0], k), -1)
    for u in range(ids.shape[0]):
        order = sorted(range(ids.shape[1]), key=lambda j: (-scores[u, j], j))
        out[u] = ids[u, order[:k]]
    return out


def protected_share(lists, group) -> float:
    real = lists >= 0
    return float((GROUPS[lists[real]] == group).sum() / real.sum())


def run(method, ids, scores, history, lam, protected="c"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reranker = make_reranker(method, **options(method, history, protected))
        return reranker.rerank(Candidates(ids, scores), lam=lam, k=K).ids


def test_every_registered_method_is_covered():
    assert set(RERANKERS) == {"two_sided", "provider", "fair_topk", "calibrated"}
    assert set(USES_PROTECTED) <= set(RERANKERS)


@pytest.mark.parametrize("method", sorted(RERANKERS))
def test_lambda_zero_gives_the_base_lists_exactly(method, instance):
    ids, scores, history = instance
    np.testing.assert_array_equal(run(method, ids, scores, history, 0.0),
                                  plain_top_k(ids, scores, K))


@pytest.mark.parametrize("method", sorted(RERANKERS))
def test_deterministic(method, instance):
    ids, scores, history = instance
    first = run(method, ids, scores, history, 0.6)
    np.testing.assert_array_equal(first, run(method, ids, scores, history, 0.6))
    # A shuffled copy of the candidate columns is the same input: same lists.
    perm = np.random.default_rng(3).permutation(C)
    np.testing.assert_array_equal(first, run(method, ids[:, perm], scores[:, perm], history,
                                             0.6))


@pytest.mark.parametrize("method", sorted(RERANKERS))
@pytest.mark.parametrize("lam", LAMS)
def test_k_distinct_items_from_the_users_candidates(method, lam, instance):
    ids, scores, history = instance
    lists = run(method, ids, scores, history, lam)
    assert lists.shape == (N_USERS, K) and (lists >= 0).all()
    for u in range(N_USERS):
        assert len(set(lists[u])) == K
        assert set(lists[u]) <= set(ids[u])


@pytest.mark.parametrize("method", sorted(RERANKERS))
def test_protected_is_honoured_or_not_offered(method, instance):
    ids, scores, history = instance
    if method not in USES_PROTECTED:
        # The objective does not act for one group: naming another changes nothing,
        # which is why the dashboard offers no picker for it.
        if "protected" in options(method, history):
            np.testing.assert_array_equal(run(method, ids, scores, history, 0.7, "c"),
                                          run(method, ids, scores, history, 0.7, "b"))
        return
    for group in ("c", "b"):
        shares = [protected_share(run(method, ids, scores, history, lam, group), group)
                  for lam in LAMS]
        assert all(b >= a - 1e-12 for a, b in zip(shares, shares[1:])), (group, shares)
        assert shares[-1] > shares[0] + 0.1, (group, shares)


def test_fair_topk_prefixes_meet_the_binomial_minimum(instance):
    """Without the multiple-testing correction, m(k) = min{m : F(m; k, p) > α} (scipy)."""
    ids, scores, _ = instance
    p, alpha = 0.5, 0.1
    lists = make_reranker("fair_topk", item_groups=GROUPS, protected="c", alpha=alpha,
                          adjust_alpha=False).rerank(Candidates(ids, scores), lam=p, k=K).ids
    need = [int(np.argmax(binom.cdf(np.arange(k + 1), k, p) > alpha)) for k in range(1, K + 1)]
    available = (GROUPS[ids] == "c").sum(axis=1)
    for u in range(N_USERS):
        counts = np.cumsum(GROUPS[lists[u]] == "c")
        for k in range(K):
            assert counts[k] >= min(need[k], available[u]), (u, k)


# ---------------------------------------------------------------------- the builder
@pytest.fixture(scope="module")
def sample():
    from fairrec_core.data import load_dataset, split_dataset
    from fairrec_core.models import Popularity
    from tests.report_helpers import SAMPLE

    ds = load_dataset(SAMPLE / "interactions.csv", users=SAMPLE / "users.csv",
                      items=SAMPLE / "items.csv")
    split = split_dataset(ds, method="temporal", test_n=2, valid_n=1)
    model = Popularity().fit(ds, split)
    return ds, split, model_candidates(model, K, 100)


@pytest.mark.parametrize("method", USES_PROTECTED)
def test_the_builder_acts_for_the_configured_group(method, sample):
    ds, split, cands = sample
    labels = ds.items["category"].to_numpy()
    for group in ("Books", "Toys & Games"):
        assert group in set(labels)
        setup = build_reranker(RerankConfig(method=method, item_grouping="category",
                                            protected=[group]),
                               MetricsConfig(k=K), Thresholds(), ds, split, cands)
        assert setup.protected == [group] and not setup.protected_inferred
        share = []
        for lam in (0.0, 0.5):
            lists = setup.reranker.rerank(cands, lam=lam, k=K).ids
            share.append(float((labels[lists[lists >= 0]] == group).mean()))
        assert share[1] > share[0], (group, share)
