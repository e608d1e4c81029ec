"""Counterfactual data augmentation of the profile two-tower (issue 14, Deliver 5)."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import pytest
import torch

from fairrec_core.config_sections import ModelConfig
from fairrec_core.errors import ConfigError
from fairrec_core.llm.augment import build_bank, check_augment
from fairrec_core.llm.profile import ProfileTemplate

TEMPLATE = ProfileTemplate(parts=("{gender}", "{region} region"), n_history=2,
                           sensitive=("gender",))
USERS = pd.DataFrame({"gender": ["F", "M", "X", "unknown"],
                      "region": ["North", "South", "North", "East"]})


def _variants(bank, u):
    return sorted(bank.sentences[j] for j in bank.index[u, :bank.n_valid[u]])


def test_swap_draws_among_every_value_of_the_attribute():
    bank = build_bank(USERS, np.arange(4), TEMPLATE, "swap", ["gender"])
    # Written out by hand. The user's own value stays among the draws, so that with p = 1
    # the stated gender is uniform whoever the user is (drawing only the other values
    # would still tell a two-valued attribute exactly).
    assert _variants(bank, 0) == ["female, North region", "male, North region",
                                  "non-binary, North region"]
    assert _variants(bank, 1) == ["female, South region", "male, South region",
                                  "non-binary, South region"]
    # Unknown gender (own sentence "East region"): every known value is drawn.
    assert _variants(bank, 3) == ["female, East region", "male, East region",
                                  "non-binary, East region"]
    assert len(bank.sentences) == len(set(bank.sentences))  # each sentence encoded once


def test_swap_of_two_attributes_draws_their_combinations():
    users = USERS.assign(age=["18-24", "25-34", "18-24", "25-34"])
    t = ProfileTemplate(parts=("Age {age}", "{gender}"), n_history=0,
                        sensitive=("age", "gender"))
    bank = build_bank(users, np.arange(4), t, "swap", ["age", "gender"])
    assert bank.n_valid.tolist() == [6, 6, 6, 6]  # 2 ages x 3 genders
    assert "Age 25-34, non-binary" in _variants(bank, 0)


def test_remove_leaves_the_attribute_out():
    bank = build_bank(USERS, np.arange(4), TEMPLATE, "remove", ["gender"])
    assert _variants(bank, 0) == ["North region"]
    assert _variants(bank, 1) == ["South region"]
    assert bank.n_valid[3] == 0  # nothing to remove: the user's sentence already lacks it
    assert (bank.index[3] == -1).all()


def test_unaware_template_has_nothing_to_augment():
    with pytest.raises(ConfigError, match="would change no profile"):
        build_bank(USERS, np.arange(4), TEMPLATE.as_unaware(), "swap", ["gender"])


@pytest.mark.parametrize("args, match", [
    (("flip", 0.5, None), "augment must be one of swap, remove"),
    (("swap", 1.5, None), "augment_p must be a number between 0 and 1"),
    (("swap", "half", None), "augment_p must be a number between 0 and 1"),
    (("swap", 0.5, "gender"), "augment_attributes must be a list"),
])
def test_bad_options_get_plain_messages(args, match):
    with pytest.raises(ConfigError, match=match):
        check_augment(*args)


def test_model_section_and_cli_check_the_options():
    with pytest.raises(ConfigError, match=r"\[model\].params: augment_p must be"):
        ModelConfig(name="profile-two-tower", params={"augment": "swap",
                                                      "augment_p": -1})._check("[model]")
    with pytest.raises(ConfigError, match="only the profile-two-tower model reads"):
        ModelConfig(name="bpr", params={"augment": "swap"})._check("[model]")
    ModelConfig(name="profile-two-tower", params={"augment": "remove"})._check("[model]")
    from fairrec_core.cli.train import _augment

    args = argparse.Namespace(model="profile-two-tower", augment="swap", augment_p=0.3,
                              augment_attributes="gender, age")
    assert _augment(args) == {"augment": "swap", "augment_p": 0.3,
                              "augment_attributes": ["gender", "age"]}
    with pytest.raises(ConfigError, match="only the profile-two-tower"):
        _augment(argparse.Namespace(model="two-tower", augment="swap", augment_p=None,
                                    augment_attributes=None))


def _module(p: float):
    from fairrec_core.llm._profile_tower_model import ProfileTwoTowerModule

    torch.manual_seed(0)
    n_users, d = 400, 6
    own = torch.zeros(n_users, d)
    mod = ProfileTwoTowerModule(n_users, 3, 4, torch.zeros(3, d), torch.ones(3, dtype=bool),
                                own, torch.zeros(n_users, d))
    alt = torch.eye(d)[:2] + 1.0  # two counterfactual sentences, both far from zero
    index = torch.tensor([[0, 1]] * (n_users - 1) + [[-1, -1]])
    n_valid = torch.tensor([2] * (n_users - 1) + [0])
    mod.set_augment(alt, index, n_valid, p, seed=0)
    return mod, alt


def test_training_reads_counterfactual_sentences_with_probability_p():
    users = torch.arange(400)
    mod, alt = _module(0.5)
    mod.train()
    got = mod._attr(users)
    swapped = got.abs().sum(1) > 0
    assert not swapped[-1]  # a user without a valid variant keeps their own sentence
    # Binomial(399, 0.5): within 5 standard deviations of 199.5.
    assert abs(int(swapped.sum()) - 199.5) < 5 * np.sqrt(399 * 0.25)
    rows = got[swapped]
    assert all(any(torch.equal(r, a) for a in alt) for r in rows)
    assert {tuple(r.tolist()) for r in rows} == {tuple(a.tolist()) for a in alt}
    with torch.no_grad():  # scoring (no gradients) never augments
        assert float(mod._attr(users).abs().sum()) == 0.0
    mod.eval()
    assert float(mod._attr(users).abs().sum()) == 0.0
    always, _ = _module(1.0)
    always.train()
    assert bool((always._attr(users)[:-1].abs().sum(1) > 0).all())


def test_augmented_model_records_its_options_in_checkpoints(tmp_path):
    from fairrec_core.data import split_dataset
    from fairrec_core.llm.profile_tower import ProfileTwoTower
    from fairrec_core.models.checkpoint import load_checkpoint, save_checkpoint
    from tests.test_llm_profile_tower import shop

    ds = shop.__wrapped__()
    split = split_dataset(ds, test_n=1, valid_n=1)
    model = ProfileTwoTower(template=TEMPLATE, dim=8, epochs=2, patience=0, seed=0,
                            max_length=32, augment="remove", augment_p=0.25,
                            augment_attributes=["gender"], device="cpu").fit(ds, split)
    assert getattr(model, "_augment_bank", None) is None  # training-only
    back = load_checkpoint(save_checkpoint(model, tmp_path / "ckpt"), ds)
    params = back.get_params()
    assert (params["augment"], params["augment_p"], params["augment_attributes"]) == \
        ("remove", 0.25, ["gender"])
    assert params == model.get_params()
    np.testing.assert_array_equal(back.recommend(np.arange(10), 5)[0],
                                  model.recommend(np.arange(10), 5)[0])
    with pytest.raises(ConfigError, match="augment_attributes names age"):
        ProfileTwoTower(template=TEMPLATE, dim=8, epochs=1, augment="swap",
                        augment_attributes=["age"], device="cpu").fit(ds, split)
