"""Fine-tune only an encoder's top layers without re-running its frozen lower layers.

When only the last ``top`` transformer layers train, everything below them
(embeddings and the frozen layers) gives the same output for an item at every
step. It is run once per item and its output kept (the *prefix states*);
each training step then runs only the trainable layers on those states. On a
6-layer MiniLM with ``top = 2`` that removes two thirds of the forward work
and every backward pass through frozen layers, which is what made
``--finetune top`` unusable on a CPU.

That still left the top layers' forward and backward over ~480 distinct
items at every one of 173 steps (about 9 minutes an epoch on 2 idle cores).
:class:`BlockGradCache` pools the encoder's gradient over blocks of steps
(GradCache): within a block the encoder does not change, so each item's
vector is computed once without a graph, the steps' gradients with respect
to the vectors are summed, and one forward and backward pass per item at the
block's end gives the encoder its update. Items are processed in
length-sorted buckets (:func:`top_vectors`), so padding costs little.

Works for encoders whose layers sit in one ``ModuleList`` and are called as
``layer(hidden_states, attention_mask)`` (BERT, MiniLM, RoBERTa, XLM-R, ...);
:func:`supports_split` says whether an encoder qualifies, and the caller
falls back to the full forward pass otherwise.
"""

from __future__ import annotations

from typing import Any

import torch

#: Largest prefix-state cache kept in memory (bytes); larger catalogues fall back.
MAX_PREFIX_BYTES = 2 << 30


def transformer_layers(model):
    """The ModuleList holding the model's ``num_hidden_layers`` blocks."""
    from torch import nn

    n = getattr(model.config, "num_hidden_layers", None)
    for _, mod in model.named_modules():
        if isinstance(mod, nn.ModuleList) and n is not None and len(mod) == n:
            return mod
    return None


def _layers(encoder):
    return transformer_layers(encoder)


def supports_split(encoder, n_items: int, width: int) -> bool:
    """Whether the prefix states of ``n_items`` items of ``width`` tokens can be cached."""
    layers = _layers(encoder)
    hidden = getattr(encoder.config, "hidden_size", None)
    if layers is None or hidden is None or getattr(encoder.config, "is_decoder", False):
        return False
    return n_items * width * hidden * 4 <= MAX_PREFIX_BYTES


def _mask(encoder, hidden, attention_mask):
    """The attention mask in the form the encoder's layers take."""
    from transformers.masking_utils import create_bidirectional_mask

    return create_bidirectional_mask(config=encoder.config, inputs_embeds=hidden,
                                     attention_mask=attention_mask)


@torch.no_grad()
def prefix_states(encoder, ids, mask, start: int, *, batch_size: int = 64, progress=None):
    """Hidden states entering layer ``start`` for every row of ``ids`` (run once, no grad).

    Rows are batched by token length (little padding), and only the layers
    below ``start`` run when the encoder exposes its embedding module.

    Returns
    -------
    torch.Tensor, shape (n, width, hidden), float32
    """
    was = encoder.training
    encoder.eval()
    out = torch.zeros(ids.shape[0], ids.shape[1], encoder.config.hidden_size,
                      device=ids.device)
    order = torch.argsort(mask.sum(1), stable=True)
    for a in range(0, ids.shape[0], batch_size):
        rows = order[a:a + batch_size]
        i, m = ids[rows], mask[rows]
        width = max(1, int(m.sum(1).max()))
        out[rows, :width] = _states_at(encoder, i[:, :width], m[:, :width], start).float()
        if progress is not None:
            progress(min(a + batch_size, ids.shape[0]), ids.shape[0])
    encoder.train(was)
    return out


def _states_at(encoder, ids, mask, start: int):
    """Hidden states entering layer ``start``: embeddings and the layers below only."""
    emb = getattr(encoder, "embeddings", None)
    if emb is None:  # no separate embedding module: the whole forward pass
        res = encoder(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        return res.hidden_states[start]
    h = emb(input_ids=ids)
    ext = _mask(encoder, h, mask)
    for layer in list(_layers(encoder))[:start]:
        out = layer(h, ext)
        h = out[0] if isinstance(out, tuple) else out
    return h


def top_embed(encoder, states, mask, start: int, *, normalize: bool = True):
    """Sentence vectors from prefix states: the layers from ``start`` up, then mean pooling.

    The same vectors as :func:`~fairrec_core.models.encoders.embed` on the
    token ids (to float rounding), with gradients through the top layers.
    """
    from fairrec_core.models.encoders import mean_pool

    width = max(1, int(mask.sum(1).max()))
    h, m = states[:, :width], mask[:, :width]
    ext = _mask(encoder, h, m)
    for layer in list(_layers(encoder))[start:]:
        out = layer(h, ext)
        h = out[0] if isinstance(out, tuple) else out
    vec = mean_pool(h, m)
    return torch.nn.functional.normalize(vec, dim=-1) if normalize else vec


def top_vectors(encoder, states, mask, start: int, *, bucket: int = 128):
    """:func:`top_embed` over length-sorted buckets of rows, returned in the given order.

    Sorting by text length before batching keeps padding (and the attention's
    quadratic cost on it) small: item texts vary in length, a random batch is
    padded to its longest text.
    """
    n = states.shape[0]
    if n == 0:
        return states.new_zeros((0, states.shape[-1]))
    order = torch.argsort(mask.sum(1), stable=True)
    parts = [top_embed(encoder, states[order[a:a + bucket]], mask[order[a:a + bucket]], start)
             for a in range(0, n, bucket)]
    out = torch.cat(parts).float()
    return out[torch.argsort(order)]


class BlockGradCache:
    """Top-layer fine-tuning that updates the encoder once every ``block`` steps (GradCache).

    GradCache (Gao et al., 2021) splits a step's back-propagation at the item
    vectors. Here, within a block of ``block`` training steps the encoder's
    weights do not change, so every item vector a step needs is computed once
    per block without a graph (the first time a step asks for it) and reused;
    the gradient of each step's loss with respect to those vectors is summed
    per item. At the block's last step the summed gradients are pushed through
    the top layers in one forward and backward pass per recorded chunk of
    items (replaying the chunk's dropout noise), and that step's own vectors
    are computed with a graph as usual, so the optimiser's step takes the
    encoder's gradient summed over the block's steps.

    With ``block = 1`` this is exactly the step-by-step path. With ``block > 1``
    the vectors a step sees are exact for the current weights (the encoder has
    not moved since the block began); what changes is that the encoder takes
    one Adam step per block with the gradient summed over the block, instead of
    one per step: fewer, larger encoder updates (gradient accumulation for the
    encoder only, while the id embeddings and projections still step every
    batch). Each item then passes the top layers about twice per block instead
    of once per step that samples it.

    Parameters
    ----------
    encoder : transformers model
    states, mask : torch.Tensor
        Prefix states (:func:`prefix_states`) and attention masks of every item.
    start : int
        First trainable layer.
    block : int
        Training steps per encoder update.
    fold : bool, default False
        Serve the block's last step from the cache too and push the block's
        gradients through the top layers after that step's backward pass,
        just before the optimiser steps (:meth:`flush_pending`, called by the
        hook :meth:`attach` installs). That saves the last step's own forward
        and backward over its items with a graph (about a third of a block's
        work on a CPU); the gradients are the same.
    """

    def __init__(self, encoder, states, mask, start: int, block: int, *, fold: bool = False):
        self.encoder, self.states, self.mask = encoder, states, mask
        self.start, self.block = int(start), max(1, int(block))
        self.fold = bool(fold)
        self._hook: Any = None
        n, hidden = states.shape[0], states.shape[-1]
        self.values = torch.zeros(n, hidden, device=states.device)
        self.grads = torch.zeros(n, hidden, device=states.device)
        self.have = torch.zeros(n, dtype=torch.bool, device=states.device)
        self.chunks: list[tuple] = []
        self.step, self.final, self._flushed = 0, True, False

    # ------------------------------------------------------------ step marks
    def begin_step(self, step: int, n_steps: int) -> None:
        """Mark the start of step ``step`` (1-based) of an epoch of ``n_steps``."""
        if step == 1:
            self._reset()  # a block never spans epochs: the cache refresh happens between
        self.step = int(step)
        self.final = self.step % self.block == 0 or self.step == int(n_steps)
        self._flushed = False

    def _reset(self) -> None:
        self.have.zero_()
        self.grads.zero_()
        self.chunks = []

    # ------------------------------------------------------------ vectors
    def flush_pending(self) -> None:
        """With ``fold``: after the block's last backward pass, push its gradients through."""
        if self.fold and self.final and not self._flushed:
            self._flush()
            self._flushed = True

    def attach(self, params) -> None:
        """Call :meth:`flush_pending` before every step of the optimiser holding ``params``.

        The training loop steps the optimiser right after the backward pass,
        so an optimiser pre-step hook is the one point where the block's last
        step's gradients are all in and the encoder has not moved yet.
        """
        from torch.optim.optimizer import register_optimizer_step_pre_hook

        ids = {id(p) for p in params}

        def hook(opt, args, kwargs):
            if any(id(p) in ids for g in opt.param_groups for p in g["params"]):
                self.flush_pending()

        self.detach()
        self._hook = register_optimizer_step_pre_hook(hook)

    def detach(self) -> None:
        """Remove the hook :meth:`attach` installed (training is over)."""
        if self._hook is not None:
            self._hook.remove()
            self._hook = None

    def vectors(self, items):
        """Vectors of ``items`` whose gradients reach the encoder (now or at the block's end)."""
        if self.final and not self.fold:
            if not self._flushed:
                self._flush()
                self._flushed = True
            return top_vectors(self.encoder, self.states[items], self.mask[items], self.start)
        new = torch.unique(items[~self.have[items]])
        if new.numel():
            rng = _rng_state(self.states.device)
            with torch.no_grad():
                vec = top_vectors(self.encoder, self.states[new], self.mask[new], self.start)
            self.values[new] = vec
            self.have[new] = True
            self.chunks.append((new, rng))
        out = self.values[items].detach().requires_grad_(True)
        out.register_hook(lambda g: self._collect(items, g))
        return out

    def _collect(self, items, grad) -> None:
        # Returns None: the hook only records, it must not replace the gradient.
        self.grads.index_add_(0, items, grad.to(self.grads.dtype))

    def _flush(self) -> None:
        """Push the block's summed item-vector gradients through the top layers."""
        for items, rng in self.chunks:
            g = self.grads[items]
            if not bool(g.any()):
                continue
            with _replay_rng(rng, self.states.device), torch.enable_grad():
                vec = top_vectors(self.encoder, self.states[items], self.mask[items],
                                  self.start)
            torch.autograd.backward(vec, g)
        self._reset()


class StepMarks:
    """A pair sampler that tells a :class:`BlockGradCache` where each step begins.

    The training loop draws a batch, computes its loss and steps the
    optimiser before drawing the next, so marking steps as batches are drawn
    tells the cache which step is the last of its block.
    """

    def __init__(self, sampler, cache: BlockGradCache):
        self.sampler, self.cache = sampler, cache

    def __len__(self) -> int:
        return len(self.sampler)

    def epoch(self, epoch: int):
        n = len(self.sampler)
        for step, batch in enumerate(self.sampler.epoch(epoch), start=1):
            self.cache.begin_step(step, n)
            yield batch


def _rng_state(device):
    """The random state dropout will draw from next on ``device``."""
    cuda = device.type == "cuda"
    return torch.get_rng_state(), (torch.cuda.get_rng_state(device) if cuda else None)


class _replay_rng:
    """Run a block with a recorded random state, then restore the current one."""

    def __init__(self, state, device):
        self.state, self.device = state, device

    def __enter__(self):
        self.saved = _rng_state(self.device)
        torch.set_rng_state(self.state[0])
        if self.state[1] is not None:
            torch.cuda.set_rng_state(self.state[1], self.device)

    def __exit__(self, *exc):
        torch.set_rng_state(self.saved[0])
        if self.saved[1] is not None:
            torch.cuda.set_rng_state(self.saved[1], self.device)
        return False
