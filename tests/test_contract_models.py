"""One contract for every model: fitting, scoring, parameters, checkpoints, explanations.

Each test runs over every registered model on a tiny synthetic shop (the text
two-tower reads it with the bundled MiniLM, frozen). The explanation
interface is checked against the model's own ``score`` (a different code
path: batched torch scoring, not the interface's numpy assembly) and, where a
model answers for another history or text, against independent references.
"""

from __future__ import annotations

import numpy as np
import pytest

from fairrec_core.data import split_dataset
from fairrec_core.errors import CapabilityError, ConfigError, NotFittedError
from fairrec_core.models import (
    available_models,
    load_checkpoint,
    make_model,
    save_checkpoint,
)
from fairrec_core.models.interface import HISTORY_DEPENDENCE
from tests.test_models_base import tiny_data

#: Small, fast settings per registered model (every registry name must appear here).
SETTINGS = {
    "popularity": {},
    "bpr": {"dim": 8, "epochs": 2, "batch_size": 256, "device": "cpu", "seed": 3},
    "two-tower": {"dim": 8, "epochs": 1, "batch_size": 256, "max_length": 32,
                  "device": "cpu", "seed": 3},
    "imported": {},
    # The two-tower whose user tower also reads a profile text (issue 14).
    "profile-two-tower": {"dim": 8, "epochs": 1, "batch_size": 256, "max_length": 32,
                          "device": "cpu", "seed": 3},
}
NAMES = list(SETTINGS)
K = 5


@pytest.fixture(scope="module")
def tiny():
    ds, g = tiny_data(n_users=50, n_items=40, n_inter=700, seed=7)
    return ds, split_dataset(ds, method="temporal"), g


_FITTED: dict = {}


def fitted(name, tiny):
    """One fitted model per name for the whole module (fitting is the slow part)."""
    if name not in _FITTED:
        ds, split, _ = tiny
        _FITTED[name] = make_model(name, **SETTINGS[name]).fit(ds, split)
    return _FITTED[name]


def test_every_registered_model_is_under_contract():
    assert set(available_models()) == set(SETTINGS)


# ---------------------------------------------------------------------- fit / score / recommend
@pytest.mark.parametrize("name", NAMES)
def test_score_and_recommend_shapes_and_seen_masking(name, tiny):
    ds, split, _ = tiny
    model = fitted(name, tiny)
    scores = model.score()
    assert scores.shape == (ds.n_users, ds.n_items) and scores.dtype == np.float32
    assert model.score([3, 1], [0, 5, 7]).shape == (2, 3)
    # Another batch shape may round the last float32 bit differently.
    np.testing.assert_allclose(model.score([3, 1], [0, 5, 7]), scores[[3, 1]][:, [0, 5, 7]],
                               rtol=1e-6, atol=1e-8)
    for exclude in (True, False):
        ids, vals = model.recommend(None, K, exclude_seen=exclude)
        assert ids.shape == vals.shape == (ds.n_users, K)
        assert ids.dtype == np.int64
        ok = ids >= 0
        # Listed scores are the model's own, best first, with no item twice.
        rows = np.nonzero(ok)[0]
        np.testing.assert_allclose(vals[ok], scores[rows, ids[ok]], rtol=1e-6)
        for u in range(ds.n_users):
            listed = ids[u][ids[u] >= 0]
            assert np.all(ids[u][listed.size:] == -1)  # padding only at the end
            assert np.all(np.diff(vals[u][:listed.size]) <= 1e-6)
            assert len(set(listed.tolist())) == listed.size
            if exclude:
                assert not set(listed.tolist()) & set(model.seen_[u].indices.tolist())
    known = split.train.groupby("user")["item"].apply(set)
    u = int(known.index[0])
    assert known[u] <= set(model.seen_[u].indices.tolist())


@pytest.mark.parametrize("name", NAMES)
def test_unfitted_model_says_so(name):
    model = make_model(name, **SETTINGS[name])
    with pytest.raises(NotFittedError, match="not been trained"):
        model.score()
    if model.has_vectors:
        with pytest.raises(NotFittedError):
            model.user_vectors()


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_model(name, tiny):
    ds, split, _ = tiny
    again = make_model(name, **SETTINGS[name]).fit(ds, split)
    np.testing.assert_array_equal(again.score(), fitted(name, tiny).score())


# ---------------------------------------------------------------------- parameters
@pytest.mark.parametrize("name", NAMES)
def test_get_params_set_params_round_trip(name):
    model = make_model(name, **SETTINGS[name])
    params = model.get_params()
    for key, value in SETTINGS[name].items():
        assert params[key] == value
    rebuilt = make_model(name, **params)
    assert rebuilt.get_params() == params
    blank = make_model(name)
    assert blank.set_params(**params) is blank
    assert blank.get_params() == params
    with pytest.raises(ConfigError, match="Unknown option.*no_such_option"):
        blank.set_params(no_such_option=1)
    if "dim" in params:
        assert blank.set_params(dim=4).get_params()["dim"] == 4


# ---------------------------------------------------------------------- checkpoints
@pytest.mark.parametrize("name", NAMES)
def test_checkpoint_round_trip_gives_identical_scores(name, tiny, tmp_path):
    ds, _, _ = tiny
    model = fitted(name, tiny)
    loaded = load_checkpoint(save_checkpoint(model, tmp_path / name), ds)
    assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.score(), model.score())
    np.testing.assert_array_equal(loaded.recommend(None, K)[0], model.recommend(None, K)[0])
    if model.has_vectors:
        np.testing.assert_allclose(loaded.user_vectors(), model.user_vectors(), rtol=1e-6)
    if model.history_dependence in ("pooled", "folded"):
        hist = model.seen_[2].indices
        np.testing.assert_allclose(loaded.score_history(hist, user=2),
                                   model.score_history(hist, user=2), rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------------- explanation interface
@pytest.mark.parametrize("name", NAMES)
def test_capability_flags_are_declared(name):
    model = make_model(name)
    assert model.history_dependence in HISTORY_DEPENDENCE
    assert isinstance(model.has_vectors, bool) and isinstance(model.reads_text, bool)
    # Reading text implies vectors; pooling or folding a history implies vectors.
    assert not model.reads_text or model.has_vectors
    assert model.has_vectors == (model.history_dependence in ("pooled", "folded"))


@pytest.mark.parametrize("name", NAMES)
def test_vectors_reproduce_the_scores(name, tiny):
    model = fitted(name, tiny)
    if not model.has_vectors:
        with pytest.raises(CapabilityError, match=f"The {name} model cannot give user vectors"):
            model.user_vectors()
        with pytest.raises(CapabilityError):
            model.item_vectors()
        return
    p = model.user_vectors()
    v, b = model.item_vectors()
    assert p.shape[1] == v.shape[1] and b.shape == (v.shape[0],)
    np.testing.assert_allclose(p @ v.T + b, model.score(), rtol=1e-5, atol=1e-5)
    v3, b3 = model.item_vectors([4, 0])
    np.testing.assert_array_equal(v3, v[[4, 0]])
    np.testing.assert_array_equal(b3, b[[4, 0]])


@pytest.mark.parametrize("name", NAMES)
def test_score_history_of_the_users_own_history_is_the_score_row(name, tiny):
    ds, split, _ = tiny
    model = fitted(name, tiny)
    users = [0, 7, 23, 41]
    if model.history_dependence is None:
        with pytest.raises(CapabilityError, match="only holds lists"):
            model.score_history(model.seen_[0].indices, user=0)
        return
    for u in users:
        own = model.seen_[u].indices
        np.testing.assert_allclose(model.score_history(own, user=u), model.score([u])[0],
                                   rtol=1e-5, atol=1e-4)
        np.testing.assert_allclose(model.score_history(own, [3, 9], user=u),
                                   model.score([u], [3, 9])[0], rtol=1e-5, atol=1e-4)
        if model.has_vectors:
            np.testing.assert_allclose(model.user_vector(own, user=u),
                                       model.user_vectors([u])[0], rtol=1e-5, atol=1e-5)
    if model.history_dependence == "none":
        # Popularity: any history gives the training counts (counted here from the split).
        counts = np.bincount(split.train["item"], minlength=ds.n_items)
        np.testing.assert_array_equal(model.score_history([1, 2, 3], user=5), counts)


@pytest.mark.parametrize("name", ["bpr", "two-tower"])
def test_history_scorer_subsets_agree_with_score_history(name, tiny):
    model = fitted(name, tiny)
    u = 11
    hist = model.seen_[u].indices
    rng = np.random.default_rng(0)
    keep = rng.random((6, hist.size)) < 0.5
    keep[0] = True
    keep[1] = False
    items = [2, 5, 30]
    got = model.history_scorer(hist, items, user=u)(keep)
    assert got.shape == (6, 3)
    for row, k in zip(got, keep):
        # The per-item parts come from float32 layers, batched differently per call.
        np.testing.assert_allclose(row, model.score_history(hist[k], items, user=u),
                                   rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(got[0], model.score([u], items)[0], rtol=1e-5, atol=1e-4)


def test_two_tower_history_answers_are_the_models_own(tiny):
    """Another history, scored by the network itself with that history installed (deep copy)."""
    from tests.explain_setup import TwoTowerReference

    model = fitted("two-tower", tiny)
    ref = TwoTowerReference(model)
    u = 9
    hist = model.seen_[u].indices
    for kept in (hist[::2], hist[:1], [0, 1, 2, 3], []):
        got = model.score_history(np.asarray(kept, dtype=np.int64), [6], user=u)[0]
        assert got == pytest.approx(ref.score_with_history(u, 6, kept), abs=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_text_interface(name, tiny):
    ds, _, _ = tiny
    model = fitted(name, tiny)
    if not model.reads_text:
        with pytest.raises(CapabilityError):
            model.text_encoder()
        with pytest.raises(CapabilityError):
            model.score_item_texts(0, 0, ["a red dress"])
        return
    tokenizer, encoder = model.text_encoder()
    assert model.tokenizer is tokenizer
    assert tokenizer("red shoes")["input_ids"] and sum(p.numel() for p in encoder.parameters())
    assert model.text_tower_size == model.dim + 1
    texts = ds.item_text.fillna("").astype(str).str.strip()
    for u, i in ((0, 3), (17, 22)):
        own = model.score_item_texts(u, i, [texts.iloc[i]])[0]
        assert own == pytest.approx(float(model.score([u], [i])[0, 0]), abs=1e-4)
    two = model.score_item_texts(0, 3, ["red leather shoes", "stainless steel kettle"])
    assert two.shape == (2,) and two[0] != two[1]
