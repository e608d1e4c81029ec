"""Splits: temporal leave-last-n, seeded random holdout, minimum-count filtering."""

import numpy as np
import pandas as pd
import pytest

from fairrec_core.data import filter_min_counts, load_dataset, split_dataset
from fairrec_core.errors import ConfigError
from tests.helpers import csv_bytes, interactions


@pytest.fixture
def ds():
    header, rows = interactions(n_users=6, per_user=10)
    rows += [["u9", "i1", 5, 1_900_000_000], ["u9", "i2", 5, 1_900_000_100],
             ["u9", "i3", 5, 1_900_000_200]]
    return load_dataset(csv_bytes(header, rows[::-1]))  # file order is not time order


def test_temporal_leave_last_n_by_hand(ds):
    sp = split_dataset(ds, method="temporal", test_n=2, valid_n=1)
    inter = ds.interactions
    for u in range(ds.n_users):
        rows = inter[inter["user"] == u].sort_values("timestamp")
        test = sp.test[sp.test["user"] == u]
        valid = sp.valid[sp.valid["user"] == u]
        if len(rows) >= 4:
            assert set(test["item"]) == set(rows["item"].iloc[-2:])
            assert set(valid["item"]) == set(rows["item"].iloc[-3:-2])
    # u9 has 3 interactions: 1 train, no validation, 2 test
    u9 = ds.user_index(["u9"])[0]
    assert (sp.train["user"] == u9).sum() == 1 and (sp.valid["user"] == u9).sum() == 0
    assert (sp.test["user"] == u9).sum() == 2
    assert len(sp.train) + len(sp.valid) + len(sp.test) == len(inter)


def test_auto_uses_temporal_when_timestamps_exist(ds):
    assert split_dataset(ds).method == "temporal"
    no_ts = load_dataset(csv_bytes(*interactions(with_ts=False)))
    assert split_dataset(no_ts).method == "random"
    with pytest.raises(ConfigError, match="timestamp"):
        split_dataset(no_ts, method="temporal")


def test_test_matrix_holds_positives_only(ds):
    sp = split_dataset(ds, method="temporal")
    t = sp.test_matrix()
    expected = sp.test[sp.test["positive"]]
    assert t.nnz == len(expected)
    assert sp.train_matrix().nnz == len(sp.train)


def test_random_split_reproducible_and_seeded(ds):
    a = split_dataset(ds, method="random", seed=7)
    b = split_dataset(ds, method="random", seed=7)
    c = split_dataset(ds, method="random", seed=8)
    pd.testing.assert_frame_equal(a.test, b.test)
    assert not a.test.index.equals(c.test.index)


def test_random_split_ratios_per_user(ds):
    sp = split_dataset(ds, method="random", ratios=(8, 1, 1), seed=0)
    for u in range(6):  # ten interactions each -> 8:1:1 exactly
        assert (sp.train["user"] == u).sum() == 8
        assert (sp.valid["user"] == u).sum() == 1
        assert (sp.test["user"] == u).sum() == 1


def test_random_split_global_ratios(ds):
    sp = split_dataset(ds, method="random", ratios=(0.8, 0.1, 0.1), by_user=False, seed=1)
    n = len(ds.interactions)
    assert len(sp.train) == round(0.8 * n)
    assert len(sp.train) + len(sp.valid) == round(0.9 * n)


def test_bad_ratios(ds):
    with pytest.raises(ConfigError):
        split_dataset(ds, method="random", ratios=(1, 1))
    with pytest.raises(ConfigError):
        split_dataset(ds, method="random", ratios=(0, 1, 1))
    with pytest.raises(ConfigError):
        split_dataset(ds, method="sideways")


def test_min_count_filter_is_iterative():
    # user a: items x,y ; user b: x ; user c: x,y,z.  min_user=2, min_item=2:
    # round 1 drops b (1 interaction) and z (1 interaction); then x has a,c and y a,c: stable.
    inter = pd.DataFrame({"user": [0, 0, 1, 2, 2, 2], "item": [0, 1, 0, 0, 1, 2]})
    keep, info = filter_min_counts(inter, min_user=2, min_item=2)
    assert keep.tolist() == [True, True, False, True, True, False]
    assert info["rows_removed"] == 2
    # a chain that needs two rounds: dropping user 1 leaves item 2 with one interaction
    inter = pd.DataFrame({"user": [0, 0, 1, 2, 2], "item": [0, 1, 2, 0, 1]})
    keep, _ = filter_min_counts(inter, min_user=2, min_item=2)
    assert keep.tolist() == [True, True, False, True, True]
    keep, _ = filter_min_counts(pd.DataFrame({"user": [0, 0, 1, 1], "item": [0, 2, 0, 1]}),
                                min_user=2, min_item=2)
    # round 1: items 1, 2 have one interaction -> dropped; then users have 1 each -> dropped
    assert not keep.any()


def test_summary_describes_the_split(ds):
    sp = split_dataset(ds, method="temporal", min_user=4)
    s = sp.summary()
    assert s["method"] == "temporal" and s["params"] == {"test_n": 2, "valid_n": 1}
    assert "last 2 interaction(s)" in s["description"]
    assert s["filtered"]["rows_removed"] == 3  # u9 has 3 < 4
    assert s["evaluable_users"] == len(np.unique(sp.test_matrix().nonzero()[0]))
