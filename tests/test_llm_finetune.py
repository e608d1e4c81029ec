"""Top-layer fine-tuning from cached frozen-layer states equals the full forward pass."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from fairrec_core.data import split_dataset
from fairrec_core.models import TextTwoTower
from fairrec_core.models._split_encoder import prefix_states, top_embed
from fairrec_core.models.encoders import embed, get_encoder, resolve_encoder, tokenize
from tests.test_models_base import tiny_data


@pytest.fixture(scope="module")
def tiny():
    ds, _ = tiny_data(n_users=50, n_items=30, n_inter=500, seed=5)
    return ds, split_dataset(ds, method="temporal")


def test_top_layers_on_prefix_states_equal_the_whole_encoder():
    tok, enc = get_encoder(resolve_encoder(None))
    texts = ["Rosewater face serum, 30 ml", "a book", "Trail running shoes for wet rocky paths"]
    t = tokenize(tok, texts, 64)
    with torch.no_grad():
        full = embed(enc, t["input_ids"], t["attention_mask"])
    for start in (0, 3, 5):
        states = prefix_states(enc, t["input_ids"], t["attention_mask"], start)
        with torch.no_grad():
            top = top_embed(enc, states, t["attention_mask"], start)
        torch.testing.assert_close(top, full, atol=1e-5, rtol=0)


def test_same_weights_same_gradients(tiny):
    """Same top-layer gradients as back-propagating through the whole encoder.

    Dropout is off (eval mode) for the comparison: the cached path computes the frozen
    layers without dropout by design; the old path drew dropout noise in them too.
    """
    ds, split = tiny
    model = TextTwoTower(mode="top", top_layers=2, dim=8, epochs=1, batch_size=64,
                         max_length=32, device="cpu", seed=0).fit(ds, split)
    mod = model.module_
    mod.train()
    mod.encoder.eval()
    items = torch.arange(12)
    target = torch.randn(12, mod.text.shape[1], generator=torch.Generator().manual_seed(0))

    def grads_of():
        mod.zero_grad()
        (mod.item_text(items) * target).sum().backward()
        return [p.grad.clone() for p in mod.encoder.parameters() if p.grad is not None]

    cached = grads_of()
    start = mod.prefix_start
    mod.prefix_start = None  # the old path: the whole encoder, on the same weights
    full = grads_of()
    mod.prefix_start = start
    assert len(cached) == len(full) > 0
    for a, b in zip(cached, full):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_fine_tuned_model_ranks_like_the_refreshed_cache(tiny):
    ds, split = tiny
    model = TextTwoTower(mode="top", top_layers=1, dim=8, epochs=2, batch_size=64,
                         max_length=32, device="cpu", seed=0).fit(ds, split)
    mod = model.module_
    with torch.no_grad():
        mod.encoder.eval()
        ids, mask = mod.token_ids, mod.token_mask
        width = int(mask.sum(1).max())
        fresh = embed(mod.encoder, ids[:, :width], mask[:, :width]).numpy()
    fresh = fresh * model.has_text_[:, None]
    # The cached item texts after training are the tuned encoder's, computed via the top layers.
    np.testing.assert_allclose(mod.text.numpy(), fresh, atol=1e-5)
