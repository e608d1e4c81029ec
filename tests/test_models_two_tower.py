"""Text two-tower: real MiniLM weights, frozen and fine-tuning modes, encoder errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from fairrec_core.data import load_dataset, split_dataset
from fairrec_core.errors import ConfigError
from fairrec_core.models import TextTwoTower
from fairrec_core.models.encoders import (
    EmbeddingCache,
    encode_texts,
    get_encoder,
    resolve_encoder,
)
from tests.helpers import small_text_shop
from tests.test_models_base import _csv


@pytest.fixture(scope="module")
def tiny():
    return small_text_shop()


def test_encodings_match_sentence_transformers():
    # sentence-transformers is a dev dependency: this reference always runs.
    import sentence_transformers as st

    ref = resolve_encoder(None)
    texts = ["Wireless noise-cancelling headphones, black.", "Cast iron frying pan",
             "A much longer description of a hydrating face serum for dry skin " * 3, ""]
    ours = encode_texts(texts, encoder=ref, cache=None)
    theirs = st.SentenceTransformer(ref.location, device="cpu").encode(
        texts, normalize_embeddings=True, convert_to_numpy=True)
    assert ours.shape == (4, 384)
    np.testing.assert_allclose(ours, theirs, atol=2e-5)


def test_cache_is_keyed_by_text_and_encoder(tmp_path):
    ref = resolve_encoder(None)
    cache = EmbeddingCache(tmp_path)
    a = encode_texts(["red shoes", "blue shoes"], encoder=ref, cache=cache)
    assert len(cache) == 2
    key = EmbeddingCache.key(ref.fingerprint, 128, "red shoes")
    np.testing.assert_array_equal(cache.get(key), a[0])
    assert cache.get(EmbeddingCache.key("another-encoder", 128, "red shoes")) is None
    reread = EmbeddingCache(tmp_path)  # from disk, no pickle involved
    np.testing.assert_array_equal(reread.get(key), a[0])
    # Served from the cache: equal to the first result bit for bit.
    np.testing.assert_array_equal(encode_texts(["blue shoes"], encoder=ref, cache=reread), a[1:])


def test_encoder_errors_are_clear(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_encoder(str(tmp_path / "no-such-model"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="no config.json"):
        resolve_encoder(str(tmp_path / "empty"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    ref = resolve_encoder("some-org/some-model-that-is-not-cached")
    assert ref.kind == "hub"
    from fairrec_core.models.encoders import load_encoder

    with pytest.raises(ConfigError) as info:
        load_encoder(ref)
    msg = str(info.value)
    assert "without network access" in msg
    assert "local" in msg and "--encoder" in msg
    # without any offline switch, fairrec still refuses to download on its own
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.delenv("FAIRREC_ALLOW_DOWNLOADS", raising=False)
    with pytest.raises(ConfigError, match="FAIRREC_ALLOW_DOWNLOADS=1"):
        load_encoder(ref)


def test_local_folder_is_accepted(tmp_path):
    ref = resolve_encoder(None)
    tokenizer, model = get_encoder(ref)
    model.save_pretrained(tmp_path / "copy")
    tokenizer.save_pretrained(tmp_path / "copy")
    local = resolve_encoder(str(tmp_path / "copy"))
    assert local.kind == "local"
    texts = ["Portable speaker with deep bass"]
    np.testing.assert_allclose(encode_texts(texts, encoder=local, cache=None),
                               encode_texts(texts, encoder=ref, cache=None), atol=1e-6)


def test_frozen_two_tower_trains_and_masks_seen(tiny):
    ds, split, _ = tiny
    model = TextTwoTower(dim=16, epochs=3, batch_size=128, device="cpu", seed=1)
    model.fit(ds, split)
    assert model.module_.encoder is None and model.has_text_.all()
    losses = [h["loss"] for h in model.training_.history]
    assert losses[-1] < losses[0]
    ids, scores = model.recommend(None, 5)
    seen = split.train.groupby("user")["item"].apply(set)
    for u in range(ds.n_users):
        assert not set(ids[u].tolist()) & seen.get(u, set())
    full = model.score()
    np.testing.assert_allclose(scores, np.take_along_axis(full, ids, axis=1), rtol=1e-5)


def test_same_seed_same_two_tower(tiny):
    ds, split, _ = tiny
    a, b = (TextTwoTower(dim=8, epochs=2, batch_size=128, device="cpu", seed=4).fit(ds, split)
            for _ in range(2))
    np.testing.assert_array_equal(a.score(), b.score())


def test_items_without_text_fall_back_to_ids_with_a_warning(tiny):
    _, _, g = tiny
    items = g.items.copy()
    blank = items.index[:5]
    items.loc[blank, ["title", "description"]] = ""
    ds = load_dataset(_csv(g.interactions), items=_csv(items))
    split = split_dataset(ds, method="temporal")
    with pytest.warns(UserWarning, match="5 item"):
        model = TextTwoTower(dim=8, epochs=1, device="cpu").fit(ds, split)
    assert [w.code for w in model.warnings_] == ["items_without_text"]
    no_text = ~model.has_text_
    assert no_text.sum() == 5
    assert torch.count_nonzero(model.module_.text[torch.from_numpy(no_text)]) == 0
    assert np.isfinite(model.score()[:, no_text]).all()

    bare = load_dataset(_csv(g.interactions))
    with pytest.warns(UserWarning, match="No item has a title"):
        m2 = TextTwoTower(dim=8, epochs=1, device="cpu").fit(
            bare, split_dataset(bare, method="temporal"))
    assert m2.warnings_[0].code == "no_item_text"


def test_fine_tuning_top_layers_runs_on_cpu(tiny):
    ds, split, _ = tiny
    model = TextTwoTower(mode="top", top_layers=1, dim=8, epochs=1, batch_size=128,
                         max_length=32, device="cpu", seed=0).fit(ds, split)
    base = get_encoder(model.encoder_ref_)[1]
    tuned = model.module_.encoder
    layers_base, layers_tuned = base.encoder.layer, tuned.encoder.layer
    same = [torch.equal(p, q) for p, q in zip(layers_base[0].parameters(),
                                              layers_tuned[0].parameters())]
    changed = [not torch.equal(p, q) for p, q in zip(layers_base[-1].parameters(),
                                                     layers_tuned[-1].parameters())]
    assert all(same) and any(changed)
    assert torch.equal(base.embeddings.word_embeddings.weight,
                       tuned.embeddings.word_embeddings.weight)
    # The cached text vectors were refreshed from the tuned encoder.
    frozen = encode_texts(ds.item_text.tolist(), encoder=model.encoder_ref_, max_length=32)
    assert not np.allclose(model.module_.text.numpy(), frozen, atol=1e-4)


def test_bad_mode_is_rejected(tiny):
    ds, split, _ = tiny
    with pytest.raises(ConfigError, match="mode must be"):
        TextTwoTower(mode="half").fit(ds, split)
