"""Exposure and beyond-accuracy metrics against hand computations and textbook formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from fairrec_core.metrics import (
    MetricsInputError,
    aplt,
    arp,
    coverage,
    gini,
    head_items,
    item_exposure,
    item_popularity,
    miscalibration,
    novelty,
    position_weights,
    user_activity,
)
from fairrec_core.metrics.beyond import user_miscalibration

L3 = 1 / math.log2(3)  # 0.6309...


# ---------------------------------------------------------------- exposure


def test_position_weights():
    np.testing.assert_allclose(position_weights(3, "log"), [1, L3, 0.5])
    np.testing.assert_allclose(position_weights(3, "geometric"), [1, 0.8, 0.64])
    np.testing.assert_allclose(position_weights(3, "geometric", p=0.5), [1, 0.5, 0.25])
    np.testing.assert_allclose(position_weights(3, "uniform"), [1, 1, 1])
    with pytest.raises(MetricsInputError, match="Unknown exposure model"):
        position_weights(3, "linear")
    with pytest.raises(MetricsInputError, match="patience"):
        position_weights(3, "geometric", p=1.5)


def test_item_exposure_by_hand():
    top = np.array([[0, 1, 2], [1, 0, -1]])
    # log: item 0 at ranks 1 and 2 -> 1 + 1/log2(3); item 1 likewise; item 2 at
    # rank 3 -> 1/log2(4) = 0.5; item 3 never -> 0.
    np.testing.assert_allclose(item_exposure(top, 4), [1 + L3, 1 + L3, 0.5, 0])
    # geometric p = 0.8: 1 + 0.8, 0.8 + 1, 0.8^2, 0.
    np.testing.assert_allclose(item_exposure(top, 4, model="geometric"), [1.8, 1.8, 0.64, 0])
    np.testing.assert_allclose(item_exposure(top, 4, model="uniform"), [2, 2, 1, 0])
    # A cut-off of 1 keeps only the first column.
    np.testing.assert_allclose(item_exposure(top, 4, k=1, model="uniform"), [1, 1, 0, 0])


def test_coverage_by_hand():
    # items 0, 1, 2 of 4 appear -> 3/4.
    assert coverage(np.array([[0, 1, 2], [1, 0, -1]]), 4) == 0.75
    assert coverage(np.array([[-1, -1]]), 4) == 0.0


# ---------------------------------------------------------------- Gini


def textbook_gini(x):
    """Mean absolute difference over all ordered pairs / (2 * mean)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    mad = sum(abs(a - b) for a in x for b in x) / (n * n)
    return mad / (2 * x.mean())


def test_gini_all_equal_is_zero():
    assert gini(np.full(7, 3.2)) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("n", [1, 2, 5, 100])
def test_gini_one_item_holds_everything(n):
    x = np.zeros(n)
    x[n // 2] = 4.0
    assert gini(x) == pytest.approx((n - 1) / n)


def test_gini_by_hand():
    # E = (2, 2, 1, 0) sorted (0, 1, 2, 2), n = 4, sum = 5:
    # Σ (2j - n - 1) E_(j) = -3*0 - 1*1 + 1*2 + 3*2 = 7 -> G = 7 / (4 * 5) = 0.35
    assert gini([2, 2, 1, 0]) == pytest.approx(0.35)


def test_gini_matches_textbook_on_random_data():
    rng = np.random.default_rng(0)
    for _ in range(20):
        x = rng.exponential(size=rng.integers(2, 60))
        x[rng.random(x.size) < 0.3] = 0.0  # zeros included
        if x.sum() == 0:
            continue
        assert gini(x) == pytest.approx(textbook_gini(x), rel=1e-12)


def test_gini_degenerate():
    assert math.isnan(gini(np.zeros(3)))
    with pytest.raises(MetricsInputError, match="non-negative"):
        gini([-1.0, 2.0])


# ---------------------------------------------------------------- popularity-based


@pytest.fixture
def train():
    # user 0: items 0 (rating 5), 1 (rating 3); user 1: item 0 and an explicit
    # zero at item 2 (not an interaction); user 2: items 0 and 3.
    rows = [0, 0, 1, 1, 2, 2]
    cols = [0, 1, 0, 2, 0, 3]
    vals = [5.0, 3.0, 1.0, 0.0, 1.0, 1.0]
    return sp.csr_matrix((vals, (rows, cols)), shape=(3, 4))


def test_popularity_and_activity(train):
    assert item_popularity(train).tolist() == [3, 1, 0, 1]  # users, not rating sums
    assert user_activity(train).tolist() == [2, 1, 2]


def test_novelty_by_hand(train):
    # |U| = 3. Self-information: item 0 -> -log2(3/3) = 0; items 1, 3 ->
    # -log2(1/3) = log2 3; item 2 never seen -> treated as pop 1 -> log2 3.
    # Recommended pairs: (0, 1), (3, 2), (0) -> 0, l, l, l, 0 -> 3 log2(3) / 5.
    top = np.array([[0, 1], [3, 2], [0, -1]])
    assert novelty(top, train) == pytest.approx(3 * math.log2(3) / 5)


def test_arp_by_hand(train):
    # user 0: mean(pop 0, pop 1) = (3 + 1)/2 = 2; user 1: (1 + 0)/2 = 0.5;
    # user 2: 3; user 3 has an empty list and is skipped -> (2 + 0.5 + 3)/3.
    top = np.array([[0, 1], [3, 2], [0, -1], [-1, -1]])
    t4 = sp.vstack([train, sp.csr_matrix((1, 4))]).tocsr()
    assert arp(top, t4) == pytest.approx(5.5 / 3)


def test_head_items():
    pop = np.array([3, 1, 0, 1])
    # 50% of 4 items = 2: item 0 (pop 3), then items 1 and 3 tie at pop 1 ->
    # the lower index wins.
    assert head_items(pop, head_share=0.5).tolist() == [True, True, False, False]
    # 20% of 4 = 0.8 -> ceil -> 1 item.
    assert head_items(pop, head_share=0.2).tolist() == [True, False, False, False]
    # 0.2 * 15 is 3.0000000000000004 in floating point; still 3 items.
    assert head_items(np.arange(15, 0, -1), head_share=0.2).sum() == 3
    # Never-seen items are never head, even when the quota is not filled.
    assert head_items(np.array([0, 0, 5, 0, 0]), head_share=0.5).tolist() == [
        False, False, True, False, False]
    with pytest.raises(MetricsInputError):
        head_items(pop, head_share=1.0)


def test_aplt_by_hand(train):
    # head (50%) = items {0, 1}, tail = {2, 3}. K = 2.
    # user 0: (0, 1) -> 0/2; user 1: (3, 2) -> 2/2; user 2: (0) -> 0/2. Mean 1/3.
    top = np.array([[0, 1], [3, 2], [0, -1]])
    assert aplt(top, train, head_share=0.5) == pytest.approx(1 / 3)
    # K = 4 divides by 4 (lists shorter than K count as shorter):
    assert aplt(top, train, k=4, head_share=0.5) == pytest.approx((0 + 0.5 + 0) / 3)


# ---------------------------------------------------------------- calibration


def naive_kl(history, lst, cats, n_cats, alpha, weights):
    p = np.zeros(n_cats)
    for i in history:
        p[cats[i]] += 1
    q = np.zeros(n_cats)
    for r, i in enumerate(lst):
        if i >= 0:
            q[cats[i]] += weights[r]
    if p.sum() == 0 or q.sum() == 0:
        return math.nan
    p, q = p / p.sum(), q / q.sum()
    total = 0.0
    for c in range(n_cats):
        if p[c] > 0:
            total += p[c] * math.log(p[c] / ((1 - alpha) * q[c] + alpha * p[c]))
    return total


def test_miscalibration_by_hand():
    # Categories: items 0, 1 -> A; items 2, 3 -> B. History of both users:
    # items 0, 2, 3 -> p = (1/3, 2/3).
    # user 0, list (0, 1): q = (1, 0); q~ = 0.99 q + 0.01 p = (0.99 + 0.01/3, 0.02/3)
    #   KL = 1/3 ln((1/3)/(0.99 + 0.01/3)) + 2/3 ln((2/3)/(0.02/3))
    # user 1, list (2, 0): weights 1 (rank 1) and 1/log2 3 (rank 2), so
    #   q = (L3, 1) / (1 + L3) for (A, B).
    train = sp.csr_matrix(np.array([[1, 0, 1, 1], [1, 0, 1, 1]], dtype=float))
    top = np.array([[0, 1], [2, 0]])
    cats = np.array(["A", "A", "B", "B"])
    a = 0.01
    kl0 = 1 / 3 * math.log((1 / 3) / (0.99 + 0.01 / 3)) + 2 / 3 * math.log((2 / 3) / (0.02 / 3))
    qa, qb = L3 / (1 + L3), 1 / (1 + L3)
    kl1 = (1 / 3 * math.log((1 / 3) / ((1 - a) * qa + a / 3))
           + 2 / 3 * math.log((2 / 3) / ((1 - a) * qb + a * 2 / 3)))
    assert miscalibration(top, train, cats) == pytest.approx((kl0 + kl1) / 2)
    # A perfectly calibrated list scores 0: history (A, B) 50/50 under uniform weights.
    t2 = sp.csr_matrix(np.array([[1, 0, 1, 0]], dtype=float))
    assert miscalibration(np.array([[1, 3]]), t2, cats, exposure="uniform") == pytest.approx(0)


def test_miscalibration_matches_naive_loop():
    rng = np.random.default_rng(5)
    n_users, n_items, k = 80, 40, 6
    cats = rng.integers(0, 5, n_items)
    dense = (rng.random((n_users, n_items)) < 0.15).astype(float)
    dense[0] = 0  # a user without history -> NaN
    train = sp.csr_matrix(dense)
    top = np.array([rng.choice(n_items, k, replace=False) for _ in range(n_users)])
    top[1] = -1  # a user with an empty list -> NaN
    w = position_weights(k, "log")
    ours = user_miscalibration(top, train, cats, 5, alpha=0.01, weights=w, batch_size=17)
    ref = [naive_kl(np.flatnonzero(dense[u]), top[u], cats, 5, 0.01, w) for u in range(n_users)]
    np.testing.assert_allclose(ours, ref, rtol=1e-10, equal_nan=True)
    assert np.isnan(ours[0]) and np.isnan(ours[1])


def test_miscalibration_missing_category_is_its_own_category():
    train = sp.csr_matrix(np.array([[1, 1, 0]], dtype=float))
    cats = np.array(["A", None, "A"], dtype=object)
    # History: A and unknown (1/2 each); list (0, 2) is all A under uniform
    # weights: q = (1, 0). KL = 1/2 ln(0.5/(0.99+0.005)) + 1/2 ln(0.5/0.005)
    expected = 0.5 * math.log(0.5 / 0.995) + 0.5 * math.log(0.5 / 0.005)
    assert miscalibration(np.array([[0, 2]]), train, cats, exposure="uniform") == pytest.approx(
        expected)
