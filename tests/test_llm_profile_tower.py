"""Profile-reading two-tower: real MiniLM, profile texts in the user tower, checkpoints."""

from __future__ import annotations

import numpy as np
import pytest

from fairrec_core.llm.probe import run_probe
from fairrec_core.llm.profile import ProfileTemplate, render_profiles
from fairrec_core.llm.profile_tower import ProfileTwoTower
from tests.helpers import shop_dataset

TEMPLATE = ProfileTemplate(parts=("{gender}", "{region} region"), n_history=2,
                           sensitive=("gender",))


@pytest.fixture(scope="module")
def shop():
    """Women buy serums and handbags, men headphones and tents: gender is in the data."""
    return shop_dataset(women_per_man=1)


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


# ---------------------------------------------------------------------- history explanations
def test_removing_a_history_item_rerenders_the_profile_sentence(fitted, shop):
    """The score without an item reads a sentence rendered without it (an independent path)."""
    import torch

    from fairrec_core.models.two_tower import TextTwoTower

    model, split = fitted
    u = 3
    hist = model.seen_[u].indices.astype(np.int64)
    rows = split.train[split.train["user"] == u].sort_values("timestamp", ascending=False)
    newest = int(rows["item"].iloc[0])
    assert newest in hist  # the newest item is in the history and in the sentence
    keep = (hist != newest).astype(float)
    scorer = model.history_scorer(hist, user=u)
    np.testing.assert_allclose(scorer(np.ones(hist.size))[0], model.score([u])[0],
                               rtol=1e-5, atol=1e-5)
    got = scorer(keep)[0]
    # Reference: the profile renderer on the training rows without that item, then the
    # network's own user tower with that history pooled.
    train_wo = split.train[~((split.train["user"] == u) & (split.train["item"] == newest))]
    prof = render_profiles(shop, train_wo, [u], TEMPLATE)
    assert prof.history != render_profiles(shop, split.train, [u], TEMPLATE).history
    attr, sent = model._encode_profiles(prof, share=True)
    mod = model.module_
    rest = torch.from_numpy(hist[keep > 0])
    w = mod.has_text[rest].float()
    with torch.no_grad():
        p = mod._users(torch.tensor([u]), (mod.text[rest] * w[:, None]).sum(0, keepdim=True),
                       w.sum().reshape(1), torch.from_numpy(attr + sent))[0]
        v, b = mod.item_matrix()
        expect = (v @ p + b).double().numpy()
    np.testing.assert_allclose(got, expect, rtol=1e-5, atol=1e-5)
    # The plain two-tower's answer holds the sentence fixed: it misses that path.
    fixed = TextTwoTower.history_scorer(model, hist, user=u)(keep)[0]
    assert np.abs(fixed - got).max() > 1e-3


def test_history_shapley_values_stay_efficient_with_the_sentence(fitted, shop):
    from fairrec_core.explain.history import explain_history

    model, _ = fitted
    u = 5
    item = int(model.recommend([u], 1)[0][0, 0])
    exp = explain_history(model, shop, u, item)
    vals = np.asarray(exp.values, dtype=np.float64)
    assert abs(vals.sum() - (exp.output_value - exp.base_value)) < 1e-8
    hist = model.seen_[u].indices
    scorer = model.history_scorer(hist, [item], user=u)
    assert abs(exp.output_value - scorer(np.ones(hist.size))[0, 0]) < 1e-6
    assert abs(exp.output_value - float(model.score([u], [item])[0, 0])) < 1e-4
    # The game's empty coalition reads an empty history sentence, not the stored one.
    from fairrec_core.models.two_tower import TextTwoTower

    empty = np.zeros(hist.size)
    assert abs(exp.base_value - scorer(empty)[0, 0]) < 1e-6
    fixed = TextTwoTower.history_scorer(model, hist, [item], user=u)(empty)[0, 0]
    assert abs(exp.base_value - fixed) > 1e-3
