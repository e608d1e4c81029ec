"""GradCache blocks for top-layer fine-tuning (issue 14 item 8).

The encoder's gradient pooled over a block of steps must equal the sum of the
per-step gradients back-propagated through the whole encoder from the token
ids (an independent path: no prefix states, no cached vectors).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from fairrec_core.data import split_dataset
from fairrec_core.models import TextTwoTower
from fairrec_core.models._split_encoder import (
    BlockGradCache,
    StepMarks,
    _replay_rng,
    prefix_states,
    top_vectors,
)
from fairrec_core.models.encoders import embed
from tests.test_models_base import tiny_data

START = 2  # layers 2 and 3 of 4 train


# Tiny tensors: OpenMP threads only add contention on a shared 2-core machine.
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _tiny_encoder(dropout: float):
    from transformers import BertConfig, BertModel

    cfg = BertConfig(vocab_size=60, hidden_size=32, num_hidden_layers=4, num_attention_heads=4,
                     intermediate_size=64, max_position_embeddings=40,
                     hidden_dropout_prob=dropout, attention_probs_dropout_prob=dropout)
    torch.manual_seed(0)
    enc = BertModel(cfg)
    for p in enc.parameters():
        p.requires_grad_(False)
    for layer in enc.encoder.layer[START:]:
        for p in layer.parameters():
            p.requires_grad_(True)
    return enc


def _tokens(n: int = 24, width: int = 12):
    """Token ids of ``n`` texts of varied length (padding to ``width``)."""
    g = torch.Generator().manual_seed(1)
    lengths = torch.randint(3, width + 1, (n,), generator=g)
    ids = torch.randint(5, 60, (n, width), generator=g)
    mask = (torch.arange(width)[None, :] < lengths[:, None]).long()
    return ids * mask, mask


def _step_loss(vec, step: int):
    # Non-linear in the vectors and different at every step, like a ranking loss whose
    # id embeddings move between steps: wrong cached vectors would give wrong gradients.
    w = torch.randn(vec.shape[1], generator=torch.Generator().manual_seed(100 + step))
    return torch.tanh(vec @ w).pow(2).sum()


STEPS = [torch.tensor([0, 3, 5, 7, 3]), torch.tensor([1, 3, 8, 20, 23]),
         torch.tensor([5, 6, 7, 8, 9, 0]), torch.tensor([2, 4, 23, 11])]


def _grads(enc):
    return [p.grad.clone() if p.grad is not None else torch.zeros_like(p)
            for p in enc.parameters() if p.requires_grad]


def _reference_grads(enc, ids, mask, steps):
    """Sum over steps of the gradient through the whole encoder, from token ids."""
    enc.zero_grad(set_to_none=True)
    for s, items in enumerate(steps, start=1):
        vec = embed(enc, ids[items], mask[items])
        _step_loss(vec, s).backward()
    return _grads(enc)


@pytest.mark.parametrize("fold", [False, True])
@pytest.mark.parametrize("block", [1, 2, 4])
def test_pooled_gradient_equals_the_sum_of_step_gradients(block, fold):
    enc = _tiny_encoder(dropout=0.0)
    ids, mask = _tokens()
    ref = _reference_grads(enc, ids, mask, STEPS)
    states = prefix_states(enc, ids, mask, START)
    # fold: the block's last step is served from the cache too, and its gradients go
    # through the top layers after its backward pass (where the optimiser's hook calls).
    cache = BlockGradCache(enc, states, mask, START, block, fold=fold)
    enc.zero_grad(set_to_none=True)
    n = len(STEPS)
    for s, items in enumerate(STEPS, start=1):
        cache.begin_step(s, n)
        vec = cache.vectors(items)
        with torch.no_grad():  # the vectors a step sees are those of the current weights
            torch.testing.assert_close(vec, embed(enc, ids[items], mask[items]), atol=1e-5,
                                       rtol=0)
        before = _grads(enc)
        _step_loss(vec, s).backward()
        if (s % block and s != n) or fold:  # the encoder's gradient waits for the block end
            assert all(torch.equal(x, y) for x, y in zip(before, _grads(enc)))
        cache.flush_pending()
    got = _grads(enc)
    assert len(got) == len(ref) > 0 and any(bool(g.abs().sum() > 0) for g in ref)
    for a, b in zip(got, ref):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_block_boundaries_follow_the_sampler_steps():
    class Batches:
        def __len__(self):
            return 5

        def epoch(self, epoch):
            yield from range(5)

    cache = BlockGradCache(_tiny_encoder(0.0), torch.zeros(3, 4, 32),
                           torch.ones(3, 4, dtype=torch.long), START, block=2)
    finals = [cache.final for _ in StepMarks(Batches(), cache).epoch(1)]
    # blocks of 2 steps; the epoch's last step closes the last, shorter block
    assert finals == [False, True, False, True, True]


def test_flush_replays_the_dropout_noise_of_the_cached_vectors():
    enc = _tiny_encoder(dropout=0.3)
    enc.train()
    ids, mask = _tokens()
    states = prefix_states(enc, ids, mask, START)
    cache = BlockGradCache(enc, states, mask, START, block=3)
    cache.begin_step(1, 3)
    cache.vectors(STEPS[0])
    (items, rng), = cache.chunks
    with _replay_rng(rng, states.device), torch.enable_grad():
        again = top_vectors(enc, states[items], mask[items], START)
    fresh = top_vectors(enc, states[items], mask[items], START)
    assert torch.equal(again.detach(), cache.values[items])
    assert not torch.allclose(fresh.detach(), cache.values[items])  # dropout is really on


@pytest.fixture(scope="module")
def tiny():
    ds, _ = tiny_data(n_users=50, n_items=30, n_inter=500, seed=5)
    return ds, split_dataset(ds, method="temporal")


def test_fine_tuning_in_blocks_changes_only_the_top_layers(tiny):
    from fairrec_core.models.encoders import get_encoder, resolve_encoder

    ds, split = tiny
    # 353 training rows, batch 64: 6 steps in blocks of 4 and 2 -> two encoder updates
    model = TextTwoTower(mode="top", top_layers=2, dim=8, epochs=1, batch_size=64,
                         max_length=32, device="cpu", seed=0, patience=0, encoder_every=4)
    flushes = []
    from fairrec_core.models import _split_encoder

    real = _split_encoder.BlockGradCache._flush

    def counting(self):
        flushes.append(self.step)
        real(self)

    _split_encoder.BlockGradCache._flush = counting
    try:
        model.fit(ds, split)
    finally:
        _split_encoder.BlockGradCache._flush = real
    # The folded flushes ran at each block's last step, after its backward (the hook).
    assert len(model.training_.history) == 1 and flushes == [4, 6]
    assert model.module_.grad_cache is None  # training-only buffers are released
    from torch.optim import optimizer as optim_mod

    hooks = optim_mod._global_optimizer_pre_hooks
    assert not hooks  # and the optimiser hook is removed
    base = dict(get_encoder(resolve_encoder(None))[1].named_parameters())
    tuned = dict(model.module_.encoder.named_parameters())
    moved = {k for k, p in tuned.items() if not torch.equal(p.detach(), base[k].detach())}
    top = {k for k in tuned if k.startswith(("encoder.layer.4.", "encoder.layer.5."))}
    assert moved and moved <= top
    assert len(moved) > len(top) // 2


def test_encoder_every_is_a_checked_parameter(tiny):
    from fairrec_core.errors import ConfigError

    ds, split = tiny
    assert TextTwoTower(encoder_every=5).get_params()["encoder_every"] == 5
    for bad in (0, 2.5, True):
        with pytest.raises(ConfigError, match="encoder_every must be a positive whole"):
            TextTwoTower(mode="top", encoder_every=bad).fit(ds, split)


def test_frozen_model_never_builds_the_block_cache(tiny):
    ds, split = tiny
    model = TextTwoTower(mode="frozen", dim=8, epochs=1, device="cpu", seed=0).fit(ds, split)
    assert getattr(model.module_, "grad_cache", None) is None
    mod = model.module_.train()
    items = torch.arange(5)
    assert torch.equal(mod.item_text(items), mod.text[items])
    assert np.isfinite(model.training_.history[-1]["loss"])


def test_top_mode_starts_from_the_encoders_own_item_vectors(tiny):
    """The first item vectors come from the frozen-layer cache: equal to encoding the texts."""
    from fairrec_core.models.encoders import encode_texts

    ds, split = tiny
    model = TextTwoTower(mode="top", top_layers=2, dim=8, epochs=1, batch_size=64,
                         max_length=32, device="cpu", seed=0, patience=0)
    seen = {}

    def on_event(ev):
        if ev.kind == "start":
            seen["text"] = model.module_.text.clone().numpy()

    model.fit(ds, split, callbacks=[on_event])
    texts = ds.item_text.fillna("").astype(str).str.strip()
    has = texts.str.len().to_numpy() > 0
    assert has.sum() > 10
    ref = encode_texts(texts[has].tolist(), encoder=model.encoder_ref_, max_length=32,
                       cache=None)
    np.testing.assert_allclose(seen["text"][has], ref, atol=2e-5)
    assert not seen["text"][~has].any()
