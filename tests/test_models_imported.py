"""Imported production lists wrapped as a model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairrec_core.data import load_dataset, split_dataset
from fairrec_core.errors import ConfigError, DataValidationError
from fairrec_core.models import ImportedRecommendations
from tests.test_models_base import _csv, tiny_data


@pytest.fixture(scope="module")
def tiny():
    ds, g = tiny_data()
    return ds, split_dataset(ds, method="temporal"), g


def test_lists_are_served_as_in_the_file(tiny):
    ds, split, g = tiny
    model = ImportedRecommendations().fit(ds, split)
    ids, scores = model.recommend(None, 10)
    recs = g.recommendations.sort_values(["user_id", "rank"])
    for u in [0, 7, ds.n_users - 1]:
        rows = recs[recs["user_id"] == ds.user_ids[u]].head(10)
        assert [ds.item_ids[i] for i in ids[u]] == rows["item_id"].tolist()
        np.testing.assert_allclose(scores[u], rows["score"].to_numpy(), rtol=1e-6)
    full = model.score([0])
    assert np.isneginf(full).sum() == ds.n_items - 10


def test_rank_only_lists_get_rank_scores_and_short_lists_pad(tiny):
    ds, split, g = tiny
    frame = g.recommendations.rename(columns={"user_id": "user", "item_id": "item"})
    frame = frame[frame["rank"] <= 3].drop(columns="score")
    model = ImportedRecommendations(recommendations=frame).fit(ds, split)
    with pytest.warns(UserWarning, match="hold 3 items"):
        ids, scores = model.recommend([0, 1], 5)
    assert (ids[:, 3:] == -1).all() and np.isnan(scores[:, 3:]).all()
    assert scores[0, :3].tolist() == [3.0, 2.0, 1.0]


def test_seen_items_are_kept_by_default_and_counted(tiny):
    ds, split, g = tiny
    # Serve every user their own first training item at rank 1.
    first = split.train.groupby("user")["item"].first()
    frame = pd.DataFrame({"user": ds.user_ids[first.index], "item": ds.item_ids[first.values],
                          "rank": 1})
    with pytest.warns(UserWarning, match="already"):
        kept = ImportedRecommendations(recommendations=frame).fit(ds, split)
    assert kept.warnings_[-1].count == len(first)
    ids, _ = kept.recommend(first.index.to_numpy(), 1)
    assert (ids[:, 0] == first.values).all()
    with pytest.warns(UserWarning):
        dropped = ImportedRecommendations(recommendations=frame, exclude_seen=True).fit(ds, split)
    ids, _ = dropped.recommend(first.index.to_numpy(), 1)
    assert (ids == -1).all()


def test_bad_lists_give_clear_errors(tiny):
    ds, split, g = tiny
    frame = g.recommendations.rename(columns={"user_id": "user", "item_id": "item"})
    unknown = pd.concat([frame, pd.DataFrame({"user": ["ghost"], "item": ["I001"],
                                              "rank": [1], "score": [1.0]})])
    with pytest.raises(ConfigError, match="does not know"):
        ImportedRecommendations(recommendations=unknown).fit(ds, split)
    with pytest.warns(UserWarning, match="left out"):
        m = ImportedRecommendations(recommendations=unknown, on_unknown="drop").fit(ds, split)
    assert m.warnings_[0].code == "unknown_ids"
    dup_rank = frame.copy()
    dup_rank.loc[dup_rank.index[1], "rank"] = 1
    with pytest.raises(ConfigError, match="same rank"):
        ImportedRecommendations(recommendations=dup_rank).fit(ds, split)
    with pytest.raises(ConfigError, match="rank or score"):
        ImportedRecommendations(recommendations=frame[["user", "item"]]).fit(ds, split)
    bare = load_dataset(_csv(g.interactions))
    model = ImportedRecommendations()
    with pytest.raises(ConfigError, match="No production recommendations"):
        model.fit(bare)
    assert not model.is_fitted  # a failed fit leaves nothing half-fitted


def test_loader_rejects_unknown_items_and_duplicate_ranks(tiny):
    _, _, g = tiny
    recs = g.recommendations.copy()
    recs.loc[0, "item_id"] = "NOPE"
    with pytest.raises(DataValidationError) as info:
        load_dataset(_csv(g.interactions), items=_csv(g.items), recommendations=_csv(recs))
    assert any(i.code == "unknown_ids" for i in info.value.report.errors)
    recs = g.recommendations.copy()
    recs.loc[1, "rank"] = recs.loc[0, "rank"]
    with pytest.raises(DataValidationError) as info:
        load_dataset(_csv(g.interactions), recommendations=_csv(recs))
    assert any(i.code == "duplicate_ranks" for i in info.value.report.errors)


def test_users_without_lists_are_a_recorded_warning(tiny):
    ds, split, g = tiny
    frame = g.recommendations.rename(columns={"user_id": "user", "item_id": "item"})
    frame = frame[frame["user"] != ds.user_ids[0]]
    with pytest.warns(UserWarning, match="no imported list"):
        model = ImportedRecommendations(recommendations=frame).fit(ds, split)
    assert model.warnings_[0].count == 1
    ids, _ = model.recommend([0], 5)
    assert (ids == -1).all()
