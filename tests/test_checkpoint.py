"""Checkpoints: round trips, no unpickling, clear errors for other data."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch

from fairrec_core.data import load_dataset, split_dataset
from fairrec_core.errors import ConfigError
from fairrec_core.models import (
    BPR,
    ImportedRecommendations,
    Popularity,
    TextTwoTower,
    load_checkpoint,
    save_checkpoint,
)
from tests.test_models_base import _csv, tiny_data


@pytest.fixture(scope="module")
def tiny():
    ds, g = tiny_data()
    return ds, split_dataset(ds, method="temporal"), g


def _models():
    return [Popularity(), ImportedRecommendations(),
            BPR(dim=8, epochs=2, batch_size=256, device="cpu"),
            TextTwoTower(dim=8, epochs=1, batch_size=256, device="cpu")]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.name)
def test_round_trip_reproduces_top_k_and_scores(model, tiny, tmp_path, monkeypatch):
    ds, split, _ = tiny
    model.fit(ds, split)
    ids, scores = model.recommend(None, 10)
    folder = save_checkpoint(model, tmp_path / "ck")
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["config.json", "item_ids.json", "model.safetensors", "user_ids.json"]

    def refuse(*a, **k):
        raise AssertionError("a checkpoint load must not unpickle anything")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(torch, "load", refuse)
    loaded = load_checkpoint(folder, ds)
    assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
    ids2, scores2 = loaded.recommend(None, 10)
    np.testing.assert_array_equal(ids, ids2)
    np.testing.assert_allclose(scores, scores2, rtol=1e-6, equal_nan=True)
    config = json.loads((folder / "config.json").read_text())
    assert config["model"] == model.name and config["n_items"] == ds.n_items


def test_two_tower_checkpoint_names_its_encoder(tiny, tmp_path):
    ds, split, _ = tiny
    model = TextTwoTower(dim=8, epochs=1, device="cpu").fit(ds, split)
    config = json.loads((save_checkpoint(model, tmp_path / "tt") / "config.json").read_text())
    enc = config["fitted"]["encoder"]
    assert enc["kind"] == "package" and enc["fingerprint"] == model.encoder_ref_.fingerprint
    assert config["fitted"]["finetuned"] is False


def test_fine_tuned_encoder_is_saved_and_restored(tiny, tmp_path):
    ds, split, _ = tiny
    model = TextTwoTower(mode="top", top_layers=1, dim=8, epochs=1, batch_size=256,
                         max_length=32, device="cpu").fit(ds, split)
    folder = save_checkpoint(model, tmp_path / "ft")
    assert (folder / "encoder" / "config.json").is_file()
    loaded = load_checkpoint(folder, ds)
    for (k, a), (_, b) in zip(model.module_.encoder.state_dict().items(),
                              loaded.module_.encoder.state_dict().items()):
        assert torch.equal(a, b), k
    np.testing.assert_array_equal(model.recommend(None, 5)[0], loaded.recommend(None, 5)[0])


def test_other_data_gives_a_clear_error(tiny, tmp_path):
    ds, split, g = tiny
    folder = save_checkpoint(Popularity().fit(ds, split), tmp_path / "pop")
    other, _ = tiny_data(n_users=90, n_items=60, n_inter=1300, seed=9)
    with pytest.raises(ConfigError, match="trained on other data") as info:
        load_checkpoint(folder, other)
    assert "unknown to the checkpoint" in str(info.value)
    # Same ids in another order are refused too: dense positions would be wrong.
    shuffled = g.items.sample(frac=1.0, random_state=0)
    reordered = load_dataset(_csv(g.interactions), items=_csv(shuffled))
    with pytest.raises(ConfigError, match="different order"):
        load_checkpoint(folder, reordered)


def test_not_a_checkpoint(tmp_path):
    with pytest.raises(ConfigError, match="not a fairrec checkpoint"):
        load_checkpoint(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"format": "fairrec-checkpoint",
                                                      "version": 99}))
    with pytest.raises(ConfigError, match="version 99"):
        load_checkpoint(tmp_path)
