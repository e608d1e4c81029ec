"""The two-sided method against the same objective solved as a linear programme (HiGHS).

The objective J(x) is written here from its definition (group means of list
quality, exposure shares), evaluated on unit vectors to get the LP's cost
vector, and solved by scipy's HiGHS with the same constraints: each user
picks exactly min(K, #candidates) of its candidates, 0 ≤ x ≤ 1. The
re-ranker's lists must reach the LP optimum.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import LinearConstraint, linprog, milp

from fairrec_core.rerank import Candidates, TwoSided

N_ITEMS = 30


def instance(seed, n_users=9, c=8):
    rng = np.random.default_rng(seed)
    ids = np.stack([rng.choice(N_ITEMS, c, replace=False) for _ in range(n_users)])
    scores = rng.gamma(2.0, size=(n_users, c))
    ids[rng.random((n_users, c)) < 0.2] = -1
    ids[0, 2:] = -1                                    # a user with 2 candidates only
    scores[ids < 0] = np.nan
    item_labels = np.where(rng.random(N_ITEMS) < 0.4, "small", "big")
    user_labels = np.where(np.arange(n_users) < 3, "active", "inactive")
    return ids, scores, item_labels, user_labels


def plain_weights(ids, scores):
    """Per-user min-max normalised scores, written out."""
    w = np.zeros(ids.shape)
    for u in range(ids.shape[0]):
        real = [j for j in range(ids.shape[1]) if ids[u, j] >= 0]
        vals = [scores[u, j] for j in real]
        if not vals:
            continue
        lo, hi = min(vals), max(vals)
        for j in real:
            w[u, j] = (scores[u, j] - lo) / (hi - lo) if hi > lo else 1.0
    return w


def objective(x, ids, w, item_labels, user_labels, k, lam, beta_u, beta_i,
              prot_item="small", prot_user="inactive"):
    """J(x) = R − λ (β_U G_U + β_I G_I), from the definitions in the docstring."""
    n = ids.shape[0]
    q = np.array([sum(w[u, j] * x[u, j] for j in range(ids.shape[1]) if ids[u, j] >= 0) / k
                  for u in range(n)])
    relevance = q.mean()
    adv = [u for u in range(n) if user_labels[u] != prot_user]
    dis = [u for u in range(n) if user_labels[u] == prot_user]
    user_gap = np.mean(q[adv]) - np.mean(q[dis])
    total = sum(min(k, int((ids[u] >= 0).sum())) for u in range(n))
    e_adv = e_dis = 0.0
    for u in range(n):
        for j in range(ids.shape[1]):
            if ids[u, j] >= 0:
                if item_labels[ids[u, j]] == prot_item:
                    e_dis += x[u, j]
                else:
                    e_adv += x[u, j]
    item_gap = (e_adv - e_dis) / total
    return relevance - lam * (beta_u * user_gap + beta_i * item_gap)


def solve_lp(ids, w, item_labels, user_labels, k, lam, beta_u, beta_i, integral=False):
    n, c = ids.shape
    var = [(u, j) for u in range(n) for j in range(c) if ids[u, j] >= 0]
    cost = np.empty(len(var))
    for v, (u, j) in enumerate(var):
        e = np.zeros((n, c))
        e[u, j] = 1.0
        cost[v] = objective(e, ids, w, item_labels, user_labels, k, lam, beta_u, beta_i)
    a_eq = np.zeros((n, len(var)))
    for v, (u, _) in enumerate(var):
        a_eq[u, v] = 1.0
    b_eq = np.array([min(k, int((ids[u] >= 0).sum())) for u in range(n)], dtype=float)
    if integral:
        res = milp(-cost, constraints=LinearConstraint(a_eq, b_eq, b_eq),
                   integrality=np.ones(len(var)), bounds=(0, 1))
    else:
        res = linprog(-cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, 1), method="highs")
    assert res.status == 0
    return -res.fun


def x_of(result_ids, ids):
    x = np.zeros(ids.shape)
    for u in range(ids.shape[0]):
        for item in result_ids[u][result_ids[u] >= 0]:
            x[u, np.flatnonzero(ids[u] == item)[0]] = 1.0
    return x


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("lam", [0.0, 0.15, 0.5, 1.0])
def test_two_sided_reaches_the_lp_optimum(seed, lam):
    ids, scores, item_labels, user_labels = instance(seed)
    k = 3
    rng = np.random.default_rng(100 + seed)
    beta_u, beta_i = float(rng.uniform(0, 2)), float(rng.uniform(0, 2))
    res = TwoSided(item_groups=item_labels, user_groups=user_labels, protected="small",
                   protected_users="inactive", item_weight=beta_i,
                   user_weight=beta_u).rerank(Candidates(ids, scores), lam=lam, k=k)
    w = plain_weights(ids, scores)
    x = x_of(res.ids, ids)
    # Feasible: exactly min(K, #candidates) picks per user, all among its candidates.
    assert (x.sum(axis=1) == np.minimum(k, (ids >= 0).sum(axis=1))).all()
    mine = objective(x, ids, w, item_labels, user_labels, k, lam, beta_u, beta_i)
    best = solve_lp(ids, w, item_labels, user_labels, k, lam, beta_u, beta_i)
    assert mine == pytest.approx(best, abs=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_lp_optimum_is_integral_and_matches_the_milp(seed):
    ids, scores, item_labels, user_labels = instance(seed + 20, n_users=7, c=6)
    w = plain_weights(ids, scores)
    lp = solve_lp(ids, w, item_labels, user_labels, 2, 0.4, 1.0, 0.5)
    ip = solve_lp(ids, w, item_labels, user_labels, 2, 0.4, 1.0, 0.5, integral=True)
    res = TwoSided(item_groups=item_labels, user_groups=user_labels, protected="small",
                   user_weight=1.0).rerank(Candidates(ids, scores), lam=0.4, k=2)
    mine = objective(x_of(res.ids, ids), ids, w, item_labels, user_labels, 2, 0.4, 1.0, 0.5)
    assert lp == pytest.approx(ip, abs=1e-9)
    assert mine == pytest.approx(ip, abs=1e-9)


def test_item_side_only_and_user_side_only_also_reach_the_optimum():
    ids, scores, item_labels, user_labels = instance(42)
    w = plain_weights(ids, scores)
    for opts, bu, bi in [(dict(item_groups=item_labels, protected="small"), 0.0, 0.5),
                         (dict(user_groups=user_labels, user_weight=2.0), 2.0, 0.0)]:
        res = TwoSided(**opts).rerank(Candidates(ids, scores), lam=0.7, k=3)
        mine = objective(x_of(res.ids, ids), ids, w, item_labels, user_labels, 3, 0.7, bu, bi)
        assert mine == pytest.approx(solve_lp(ids, w, item_labels, user_labels, 3, 0.7, bu, bi),
                                     abs=1e-9)


def test_default_weights_and_orientation():
    ids, scores, item_labels, user_labels = instance(3)
    res = TwoSided(item_groups=item_labels, user_groups=user_labels).rerank(
        Candidates(ids, scores), lam=0.5, k=3)
    p = res.params
    assert p["item_weight"] == 0.5
    assert p["user_weight"] == pytest.approx(3 / 9)          # |U_a| / |U|
    assert p["protected_users"] == ["inactive"] and p["protected_users_inferred"]
    # The item side is oriented by the base top-K: the group with the lower
    # exposure share per catalogue share, counted here by hand.
    base = Candidates(ids, scores).top_k(3)
    counts = {g: sum(item_labels[i] == g for i in base[base >= 0]) for g in ("big", "small")}
    share = {g: counts[g] / sum(counts.values()) / np.mean(item_labels == g) for g in counts}
    assert p["protected"] == [min(share, key=share.get)]
    assert p["protected_inferred"]
    # At λ = 1 with the default weights the advantaged users' relevance weight is 0.
    assert p["lam_where_advantaged_relevance_turns_negative"] == pytest.approx(1.0)


def test_larger_lambda_moves_exposure_to_the_protected():
    rng = np.random.default_rng(9)
    n, c = 300, 20
    ids = np.stack([rng.choice(N_ITEMS, c, replace=False) for _ in range(n)])
    labels = np.where(np.arange(N_ITEMS) < 10, "small", "big")
    # Small items score lower on average: the base lists under-expose them.
    scores = rng.normal(size=(n, c)) - 0.8 * (labels[ids] == "small")
    cands = Candidates(ids, scores)
    model = TwoSided(item_groups=labels, protected="small")
    shares = [np.mean(labels[model.rerank(cands, lam=lam, k=5).ids] == "small")
              for lam in np.linspace(0, 1, 11)]
    assert all(b >= a for a, b in zip(shares, shares[1:]))
    assert shares[-1] > shares[0] + 0.2
