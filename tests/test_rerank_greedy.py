"""Greedy re-rankers against naive per-user reference implementations.

Each reference below is written plainly from its paper: one user at a time,
one position at a time, every remaining candidate scored from scratch, the
best kept (ties to the candidate earlier in the base order).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from fairrec_core.rerank import (
    Calibrated,
    Candidates,
    FairTopK,
    ProviderExposure,
    mtable,
)

N_ITEMS = 50


def instance(seed, n_users=40, c=15, ties=False):
    rng = np.random.default_rng(seed)
    ids = np.stack([rng.choice(N_ITEMS, c, replace=False) for _ in range(n_users)])
    scores = rng.normal(size=(n_users, c))
    if ties:
        scores = np.round(scores, 1)
    ids[rng.random((n_users, c)) < 0.15] = -1
    ids[1, 4:] = -1
    scores[ids < 0] = np.nan
    return ids, scores


def base_list(ids, scores, u):
    """[(item, normalised relevance)] of user u in base order."""
    cand = sorted((-scores[u, j], j) for j in range(ids.shape[1]) if ids[u, j] >= 0)
    if not cand:
        return []
    vals = [-s for s, _ in cand]
    lo, hi = min(vals), max(vals)
    return [(int(ids[u, j]), (v - lo) / (hi - lo) if hi > lo else 1.0)
            for (_, j), v in zip(cand, vals)]


# --------------------------------------------------------------------------- smooth xQuAD


def naive_xquad(ids, scores, group_of, pref, lam, k):
    """Abdollahpouri et al. 2019, smooth xQuAD, one user at a time."""
    out = np.full((ids.shape[0], k), -1)
    for u in range(ids.shape[0]):
        cand = base_list(ids, scores, u)
        chosen, count = [], {}
        for t in range(min(k, len(cand))):
            best, best_val = None, None
            for idx, (item, rel) in enumerate(cand):
                if idx in chosen:
                    continue
                g = group_of[item]
                cov = count.get(g, 0) / t if t > 0 else 0.0
                val = (1 - lam) * rel + lam * (pref[u][g] * (1 - cov))
                if best is None or val > best_val:
                    best, best_val = idx, val
            chosen.append(best)
            g = group_of[cand[best][0]]
            count[g] = count.get(g, 0) + 1
        out[u, :len(chosen)] = [cand[i][0] for i in chosen]
    return out


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("lam", [0.0, 0.3, 0.7, 1.0])
def test_provider_greedy_matches_the_naive_loop(seed, lam):
    ids, scores = instance(seed, ties=seed % 2 == 0)
    rng = np.random.default_rng(seed)
    n_groups = 3
    group_of = rng.integers(0, n_groups, N_ITEMS)
    labels = np.array(["g0", "g1", "g2"])[group_of]
    pref = rng.dirichlet(np.ones(n_groups), size=ids.shape[0])
    res = ProviderExposure(item_groups=labels, preference=pref).rerank(
        Candidates(ids, scores), lam=lam, k=6)
    np.testing.assert_array_equal(res.ids, naive_xquad(ids, scores, group_of, pref, lam, 6))


def test_provider_history_preference_matches_the_naive_loop():
    ids, scores = instance(5, ties=True)
    rng = np.random.default_rng(5)
    group_of = (np.arange(N_ITEMS) % 4 == 0).astype(int)          # 1 = small
    labels = np.where(group_of == 1, "small", "big")
    dense = rng.random((ids.shape[0], N_ITEMS)) < 0.1
    dense[3] = False                                  # no history: catalogue shares
    history = sp.csr_matrix(dense, dtype=float)
    pref = []
    for u in range(ids.shape[0]):
        items = history[u].indices
        if items.size:
            pref.append([np.mean(group_of[items] == 0), np.mean(group_of[items] == 1)])
        else:
            pref.append([np.mean(group_of == 0), np.mean(group_of == 1)])
    for lam in (0.2, 0.9):
        res = ProviderExposure(item_groups=labels, history=history).rerank(
            Candidates(ids, scores), lam=lam, k=5)
        got, want = res.ids, naive_xquad(ids, scores, group_of, pref, lam, 5)
        np.testing.assert_array_equal(got, want)
        assert res.params["users_on_catalog_fallback"] == 1


# --------------------------------------------------------------------------- calibrated


def naive_calibrated(ids, scores, cat_of, p, lam, k, alpha=0.01):
    """Steck 2018: greedily add the item maximising (1-λ)Σs − λ KL(p‖q̃) of the list.

    Returns the lists and, per user and step, the objective of every
    remaining candidate (to allow for floating ties).
    """
    w = 1.0 / np.log2(np.arange(2, k + 2))
    out = np.full((ids.shape[0], k), -1)
    steps = []
    for u in range(ids.shape[0]):
        cand = base_list(ids, scores, u)
        chosen, user_steps = [], []
        for t in range(min(k, len(cand))):
            vals = {}
            for idx, (item, rel) in enumerate(cand):
                if idx in chosen:
                    continue
                lst = chosen + [idx]
                q = np.zeros(p.shape[1])
                for pos, i in enumerate(lst):
                    q[cat_of[cand[i][0]]] += w[pos]
                q /= w[:len(lst)].sum()
                kl = 0.0
                for c in range(p.shape[1]):
                    if p[u, c] > 0:
                        kl += p[u, c] * math.log(p[u, c] / ((1 - alpha) * q[c] + alpha * p[u, c]))
                vals[idx] = (1 - lam) * sum(cand[i][1] for i in lst) - lam * kl
            best = max(vals, key=lambda i: (vals[i], -i))
            user_steps.append({cand[i][0]: v for i, v in vals.items()})
            chosen.append(best)
        out[u, :len(chosen)] = [cand[i][0] for i in chosen]
        steps.append(user_steps)
    return out, steps


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("lam", [0.0, 0.4, 0.8, 1.0])
def test_calibrated_matches_the_naive_loop(seed, lam):
    ids, scores = instance(seed + 10, n_users=30, c=12)
    rng = np.random.default_rng(seed)
    n_cat = 4
    cat_of = rng.integers(0, n_cat, N_ITEMS)
    p = rng.dirichlet(np.ones(n_cat) * 0.7, size=ids.shape[0])
    p[p < 0.05] = 0                                  # categories the user never had
    p /= p.sum(axis=1, keepdims=True)
    p[2] = 0                                         # a user without history
    res = Calibrated(item_groups=np.array(list("abcd"))[cat_of], target=p).rerank(
        Candidates(ids, scores), lam=lam, k=6)
    want, _ = naive_calibrated(ids, scores, cat_of, p, lam, 6)
    np.testing.assert_array_equal(res.ids, want)


def test_calibrated_with_count_histories_picks_a_naive_best_at_every_step():
    """Histories of counts create exact ties between categories; every pick must
    still be a best one by the naive objective (up to float rounding)."""
    ids, scores = instance(21, n_users=25, c=10, ties=True)
    rng = np.random.default_rng(21)
    cat_of = rng.integers(0, 3, N_ITEMS)
    history = sp.csr_matrix(rng.random((ids.shape[0], N_ITEMS)) < 0.12, dtype=float)
    counts = np.stack([np.bincount(cat_of[history[u].indices], minlength=3)
                       for u in range(ids.shape[0])]).astype(float)
    p = np.divide(counts, counts.sum(axis=1, keepdims=True),
                  out=np.zeros_like(counts), where=counts.sum(axis=1, keepdims=True) > 0)
    for lam in (0.5, 1.0):
        res = Calibrated(item_groups=cat_of, history=history).rerank(
            Candidates(ids, scores), lam=lam, k=5)
        for u in range(ids.shape[0]):
            # Follow the method's own picks and check each against the naive values.
            got = [i for i in res.ids[u] if i >= 0]
            cand = base_list(ids, scores, u)
            w = 1.0 / np.log2(np.arange(2, 7))
            for t, item in enumerate(got):
                vals = {}
                for it, _ in cand:
                    if it in got[:t]:
                        continue
                    lst = got[:t] + [it]
                    q = np.zeros(3)
                    for pos, i in enumerate(lst):
                        q[cat_of[i]] += w[pos]
                    q /= w[:len(lst)].sum()
                    kl = sum(p[u, c] * math.log(p[u, c] / (0.99 * q[c] + 0.01 * p[u, c]))
                             for c in range(3) if p[u, c] > 0)
                    rel = dict(cand)
                    vals[it] = (1 - lam) * sum(rel[i] for i in lst) - lam * kl
                assert vals[item] >= max(vals.values()) - 1e-12


# --------------------------------------------------------------------------- FA*IR


def naive_fair(ids, scores, protected_of, table, k):
    """Zehlike et al. 2017, Algorithm 2 (FA*IR), one user at a time."""
    out = np.full((ids.shape[0], k), -1)
    for u in range(ids.shape[0]):
        cand = [item for item, _ in base_list(ids, scores, u)]
        p0 = [i for i in cand if protected_of[i]]          # protected queue, best first
        p1 = [i for i in cand if not protected_of[i]]      # non-protected queue
        ranked, n_prot = [], 0
        for pos in range(k):
            if n_prot < table[pos]:
                if p0:
                    ranked.append(p0.pop(0))
                    n_prot += 1
                elif p1:
                    ranked.append(p1.pop(0))
            else:
                if p0 and p1:
                    # The better of the two heads: the one earlier in base order.
                    if cand.index(p0[0]) < cand.index(p1[0]):
                        ranked.append(p0.pop(0))
                        n_prot += 1
                    else:
                        ranked.append(p1.pop(0))
                elif p0:
                    ranked.append(p0.pop(0))
                    n_prot += 1
                elif p1:
                    ranked.append(p1.pop(0))
        out[u, :len(ranked)] = ranked
    return out


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("lam", [0.0, 0.3, 0.6, 0.9, 1.0])
def test_fair_topk_matches_the_naive_algorithm(seed, lam):
    ids, scores = instance(seed + 30, ties=seed % 2 == 1)
    rng = np.random.default_rng(seed)
    protected_of = rng.random(N_ITEMS) < 0.3
    labels = np.where(protected_of, "women", "men")
    for adjust in (True, False):
        model = FairTopK(item_groups=labels, protected="women", alpha=0.1, adjust_alpha=adjust)
        res = model.rerank(Candidates(ids, scores), lam=lam, k=8)
        table = res.params["mtable"]
        if not adjust:
            assert table == mtable(8, lam, 0.1).tolist()
        np.testing.assert_array_equal(res.ids, naive_fair(ids, scores, protected_of, table, 8))
        # Every list meets the table as far as its protected candidates allow.
        for u in range(ids.shape[0]):
            got = res.ids[u]
            n_avail = sum(protected_of[i] for i in ids[u] if i >= 0)
            for pos in range(8):
                if got[pos] < 0:
                    break
                have = sum(protected_of[i] for i in got[:pos + 1])
                assert have >= min(table[pos], n_avail)
