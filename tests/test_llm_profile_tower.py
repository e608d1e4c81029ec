"""Profile-reading two-tower: real MiniLM, profile texts in the user tower, checkpoints."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairrec_core.llm.probe import run_probe
from fairrec_core.llm.profile import ProfileTemplate, render_profiles
from fairrec_core.llm.profile_tower import ProfileTwoTower

TEMPLATE = ProfileTemplate(parts=("{gender}", "{region} region"), n_history=2,
                           sensitive=("gender",))


@pytest.fixture(scope="module")
def shop():
    """Women buy serums and handbags, men headphones and tents: gender is in the data."""
    from fairrec_core.data import load_dataset

    rng = np.random.default_rng(0)
    titles = ["Rosewater face serum", "Leather handbag", "Silk scarf", "Vitamin C serum",
              "Wireless headphones", "Camping tent", "Trail running shoes", "Power drill"]
    titles = [f"{t} {v}" for v in ("small", "large", "classic") for t in titles]
    n_users = 80
    gender = np.array(["F", "M"] * (n_users // 2))
    rows = []
    for u, g in enumerate(gender):
        base = 0 if g == "F" else 4
        pool = [base + c + 8 * v for c in range(4) for v in range(3)]
        for j, i in enumerate(rng.choice(pool, 6, replace=False)):
            rows.append((f"u{u}", f"i{i}", 1_700_000_000 + j))
    inter = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    users = pd.DataFrame({"user_id": [f"u{u}" for u in range(n_users)], "gender": gender,
                          "region": rng.choice(["North", "South"], n_users)})
    items = pd.DataFrame({"item_id": [f"i{i}" for i in range(len(titles))], "title": titles})
    return load_dataset(inter.to_csv(index=False).encode(),
                        users.to_csv(index=False).encode(), items.to_csv(index=False).encode())


@pytest.fixture(scope="module")
def fitted(shop):
    from fairrec_core.data import split_dataset

    split = split_dataset(shop, test_n=1, valid_n=1)
    model = ProfileTwoTower(template=TEMPLATE, dim=16, epochs=15, patience=0, seed=0,
                            max_length=32)
    return model.fit(shop, split), split


def test_user_tower_reads_the_profile(fitted, shop):
    model, split = fitted
    assert model.template_ == TEMPLATE
    users = np.arange(6)
    own = render_profiles(shop, split.train, users, TEMPLATE)
    # Reading the users' own profiles reproduces the stored user vectors exactly.
    import torch

    with torch.no_grad():
        stored = model._user_matrix(users).cpu().numpy()
    read = model.profile_user_vectors(users, own).cpu().numpy()
    np.testing.assert_allclose(read, stored, atol=1e-5)
    # The profile weight learned something, so a changed profile moves the vector.
    assert float(model.module_.profile.weight.detach().abs().sum()) > 0
    swapped = render_profiles(shop, split.train, users, TEMPLATE,
                              overrides={"gender": "M"})
    moved = model.profile_user_vectors(users, swapped).cpu().numpy()
    female = shop.users["gender"].to_numpy()[users] == "F"
    assert np.abs(moved[female] - stored[female]).max() > 1e-4
    np.testing.assert_allclose(moved[~female], stored[~female], atol=1e-5)


def test_rank_profiles_matches_recommend_for_own_profiles(fitted, shop):
    model, split = fitted
    users = np.arange(20)
    own = render_profiles(shop, split.train, users, TEMPLATE)
    top = model.rank_profiles(users, own, 5)
    np.testing.assert_array_equal(top, model.recommend(users, 5)[0])
    np.testing.assert_array_equal(model.rank_profiles(users, own, 5, share=False), top)


def test_aware_probe_moves_lists_and_unaware_does_not(fitted, shop):
    model, split = fitted
    res = run_probe(model, shop, attributes=["gender"], k=5, n_users=40, n_boot=200,
                    truth=split.test_matrix())
    g = res.attributes["gender"]
    assert g.changed_any > 0
    assert set(g.accuracy["ndcg"]) == {"neutral", "F", "M"}
    unaware = run_probe(model, shop, attributes=["gender"], k=5, n_users=40, n_boot=50,
                        template=TEMPLATE.as_unaware())
    assert unaware.attributes["gender"].snsr["jaccard"] == 0.0
    assert unaware.attributes["gender"].changed_any == 0.0


def test_checkpoint_records_the_template(fitted, shop, tmp_path, monkeypatch):
    import json

    from fairrec_core.models import registry
    from fairrec_core.models.checkpoint import load_checkpoint, save_checkpoint

    model, split = fitted
    save_checkpoint(model, tmp_path / "ckpt")
    config = json.loads((tmp_path / "ckpt" / "config.json").read_text())
    assert config["fitted"]["profile_template"] == TEMPLATE.to_dict()
    # The lead registers the model for the dashboard and CLI; until then the test does.
    monkeypatch.setitem(registry.MODELS, "profile-two-tower",
                        ("fairrec_core.llm.profile_tower", "ProfileTwoTower", "profile"))
    back = load_checkpoint(tmp_path / "ckpt", shop)
    assert back.template_ == TEMPLATE
    users = np.arange(10)
    np.testing.assert_array_equal(back.recommend(users, 5)[0], model.recommend(users, 5)[0])
    own = render_profiles(shop, split.train, users, TEMPLATE)
    np.testing.assert_array_equal(back.rank_profiles(users, own, 5),
                                  model.rank_profiles(users, own, 5))


def test_leakage_of_profile_user_vectors(fitted, shop):
    from fairrec_core.llm.leakage import leakage_auc, user_vectors

    model, _ = fitted
    res = leakage_auc(user_vectors(model), shop.users["gender"].to_numpy(), attribute="gender",
                      n_boot=100)
    # Gender decides what these users buy; their vectors must reveal it.
    assert res.auc > 0.9


def test_fine_tuned_profile_tower_rereads_profiles_with_the_tuned_encoder(shop):
    from fairrec_core.data import split_dataset
    from fairrec_core.models.encoders import encode_texts

    split = split_dataset(shop, test_n=1, valid_n=1)
    model = ProfileTwoTower(template=TEMPLATE, mode="top", top_layers=1, dim=8, epochs=1,
                            batch_size=128, patience=0, seed=0, max_length=32).fit(shop, split)
    users = np.arange(8)
    own = render_profiles(shop, split.train, users, TEMPLATE)
    frozen = encode_texts(own.attributes, encoder=model.encoder_ref_, max_length=32, cache=None)
    stored = model.module_.profile_attr[:8].numpy()
    # After the epoch the profile sentences were re-read by the tuned encoder ...
    assert not np.allclose(stored, frozen, atol=1e-4)
    # ... and reading them again now gives the same vectors the model stores.
    import torch

    with torch.no_grad():
        expect = model._user_matrix(users).cpu().numpy()
    np.testing.assert_allclose(model.profile_user_vectors(users, own).cpu().numpy(), expect,
                               atol=1e-5)
