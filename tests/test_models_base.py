"""Recommender protocol: seen-item masking, top-K, input checks, popularity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from fairrec_core.data import load_dataset, split_dataset
from fairrec_core.data.synthetic import generate
from fairrec_core.errors import ConfigError, NotFittedError
from fairrec_core.models import Popularity, top_k_masked


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def tiny_data(n_users=80, n_items=60, n_inter=1200, seed=5, rec_k=10):
    """A small synthetic shop loaded through the real loader, with its raw frames."""
    g = generate(n_users=n_users, n_items=n_items, n_interactions=n_inter, seed=seed,
                 rec_k=rec_k)
    ds = load_dataset(_csv(g.interactions), users=_csv(g.users), items=_csv(g.items),
                      recommendations=_csv(g.recommendations))
    return ds, g


@pytest.fixture(scope="module")
def tiny():
    ds, g = tiny_data()
    return ds, split_dataset(ds, method="temporal"), g


def _loop_top_k(scores, seen_rows, k):
    """Reference: per user, sort unseen items by score (ties: lower id first)."""
    out = []
    for row, seen in zip(scores, seen_rows):
        cand = [(-row[i], i) for i in range(len(row)) if i not in seen]
        out.append([i for _, i in sorted(cand)[:k]] + [-1] * max(0, k - len(cand)))
    return np.array(out)


def test_top_k_masked_matches_a_plain_loop():
    rng = np.random.default_rng(0)
    n_users, n_items, k = 30, 25, 7
    scores = rng.standard_normal((n_users, n_items)).astype(np.float32)
    dense = (rng.random((n_users, n_items)) < 0.4).astype(np.float32)
    dense[3, :] = 1  # a user who has seen everything
    dense[4, :] = 0
    dense[4, :20] = 1  # ... and one with only 5 unseen items left (< k)
    seen = sp.csr_matrix(dense)
    users = np.arange(n_users)
    ids, vals = top_k_masked(scores.copy(), seen, users, k)
    seen_rows = [set(seen[u].indices) for u in users]
    np.testing.assert_array_equal(ids, _loop_top_k(scores, seen_rows, k))
    assert (ids[3] == -1).all() and np.isnan(vals[3]).all()
    assert (ids[4, 5:] == -1).all() and (ids[4, :5] >= 20).all()
    ok = ids >= 0
    np.testing.assert_allclose(vals[ok], scores[np.nonzero(ok)[0], ids[ok]])


def test_popularity_matches_value_counts_and_skips_seen(tiny):
    ds, split, _ = tiny
    model = Popularity().fit(ds, split)
    counts = split.train["item"].value_counts()
    full = pd.Series(0, index=range(ds.n_items))
    full[counts.index] = counts.to_numpy()
    order = sorted(range(ds.n_items), key=lambda i: (-full[i], i))
    # after fitting with a split, training *and* validation items count as seen
    known = pd.concat([split.train, split.valid])
    seen = known.groupby("user")["item"].apply(set)
    ids, scores = model.recommend(None, 10)
    for u in range(ds.n_users):
        expected = [i for i in order if i not in seen.get(u, set())][:10]
        assert ids[u].tolist() == expected
        assert scores[u].tolist() == [float(full[i]) for i in expected]


def test_recommend_batches_and_iter_agree(tiny):
    ds, split, _ = tiny
    model = Popularity().fit(ds, split)
    a, sa = model.recommend(None, 5)
    b, sb = model.recommend(None, 5, batch_size=7)
    np.testing.assert_array_equal(a, b)
    parts = list(model.iter_recommend(np.arange(20), 5, batch_size=6))
    assert len(parts) == 4
    np.testing.assert_array_equal(np.vstack([p[1] for p in parts]), a[:20])


def test_score_subsets_agree(tiny):
    ds, split, _ = tiny
    model = Popularity().fit(ds, split)
    items = np.array([5, 0, 17])
    full = model.score([1, 2])
    np.testing.assert_array_equal(model.score([1, 2], items), full[:, items])
    assert full.dtype == np.float32 and full.shape == (2, ds.n_items)


def test_exclude_seen_false_returns_seen_items(tiny):
    ds, split, _ = tiny
    model = Popularity().fit(ds, split)
    ids, _ = model.recommend(None, 3, exclude_seen=False)
    assert (ids == model.order_[:3]).all()


def test_bad_requests_give_clear_errors(tiny):
    ds, split, _ = tiny
    with pytest.raises(NotFittedError, match="not been trained"):
        Popularity().recommend([0], 5)
    model = Popularity().fit(ds, split)
    with pytest.raises(ConfigError, match="larger than the catalogue"):
        model.recommend([0], ds.n_items + 1)
    with pytest.raises(ConfigError, match="positive whole number"):
        model.recommend([0], 0)
    with pytest.raises(ConfigError, match="outside"):
        model.recommend([ds.n_users], 5)
    with pytest.raises(ConfigError, match="dense"):
        model.recommend(["U001"], 5)
    with pytest.warns(UserWarning, match="catalogue has"):
        ids, _ = model.candidates([0], ds.n_items + 50)
    assert ids.shape == (1, ds.n_items)


def test_fit_needs_training_rows(tiny):
    ds, split, _ = tiny
    empty = split_dataset(ds, method="temporal")
    empty.train = empty.train.iloc[:0]
    with pytest.raises(ConfigError, match="no training interactions"):
        Popularity().fit(ds, empty)
