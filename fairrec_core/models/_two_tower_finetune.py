"""Fine-tuning steps of the text two-tower: frozen-layer cache and GradCache blocks.

A mixin of :class:`~fairrec_core.models.two_tower.TextTwoTower`, kept apart
from the adapter's fitting code; the machinery is in
:mod:`fairrec_core.models._split_encoder`.
"""

from __future__ import annotations

import time
from typing import Any

from fairrec_core.errors import ConfigError


class FineTuneSteps:
    """``mode="top"``: run the frozen layers once per item, pool the encoder's gradient."""

    # Set by TextTwoTower.
    module_: Any
    top_layers: int
    encoder_every: int | None
    encoder_ref_: Any
    max_length: int
    encode_seconds_: float

    #: Cache the frozen layers' output in "top" mode (False: the old full-forward path,
    #: kept for benchmarks and as the fallback for encoders that cannot be split).
    _split_prefix = True

    def _cache_prefix(self, encoder, tokens, device, progress=None) -> None:
        """Run the frozen lower layers once per item; training then runs only the top."""
        from fairrec_core.models._split_encoder import prefix_states, supports_split

        if not supports_split(encoder, tokens[0].shape[0], tokens[0].shape[1]):
            return
        from fairrec_core.models._split_encoder import transformer_layers

        n_layers = len(transformer_layers(encoder))
        start = n_layers - min(int(self.top_layers), n_layers)
        t0 = time.perf_counter()
        # Reported as a second pass of the encoding stage (the frozen layers, once per item).
        states = prefix_states(encoder.to(device), tokens[0].to(device), tokens[1].to(device),
                               start, progress=progress)
        self.module_.set_prefix(states, start)
        self.prefix_seconds_ = time.perf_counter() - t0

    #: In "top" mode take the first item vectors from the frozen-layer cache (False: encode
    #: the texts first as well, the previous path, kept for the benchmark's baseline).
    _late_item_texts = True

    def _first_item_texts(self, texts, device, progress=None) -> None:
        """Item vectors before training, when ``_encode_items`` left them for later.

        With the frozen layers cached, the top layers over their output give
        the encoder's vectors (the same as encoding the texts, to float
        rounding) at a third of the cost of a second full pass. An encoder
        that cannot be split encodes the texts as usual.
        """
        t0 = time.perf_counter()
        mod = self.module_
        if getattr(mod, "prefix_start", None) is not None:
            mod.refresh_text()
        else:
            import numpy as np
            import torch

            from fairrec_core.models.encoders import encode_texts

            idx = np.flatnonzero(mod.has_text.cpu().numpy())
            vecs = encode_texts(texts.iloc[idx].tolist(), encoder=self.encoder_ref_,
                                max_length=self.max_length, device=str(device), cache=None,
                                progress=progress)
            if idx.size:
                mod.text[torch.from_numpy(idx).to(mod.text.device)] = torch.from_numpy(
                    vecs).to(mod.text.device)
        self.encode_seconds_ += time.perf_counter() - t0

    #: Encoder updates per epoch when ``encoder_every`` is None.
    BLOCKS_PER_EPOCH = 2
    #: Serve each block's last step from the cache and flush after its backward (CPU/MPS;
    #: with CUDA's fp16 gradient scaling the flush would add unscaled gradients late).
    _fold_last_step = True

    def _grad_blocks(self, sampler):
        """Pool the encoder's gradient over blocks of steps when its frozen layers are cached."""
        mod = self.module_
        if getattr(mod, "prefix_start", None) is None:
            return sampler
        from fairrec_core.models._split_encoder import BlockGradCache, StepMarks

        block = self.encoder_every or -(-len(sampler) // self.BLOCKS_PER_EPOCH)
        if block <= 1:
            return sampler  # every step updates the encoder: nothing to pool
        fold = self._fold_last_step and mod.prefix.device.type != "cuda"
        mod.grad_cache = BlockGradCache(mod.encoder, mod.prefix, mod.token_mask,
                                        mod.prefix_start, block, fold=fold)
        if fold:
            mod.grad_cache.attach([p for p in mod.encoder.parameters() if p.requires_grad])
        return StepMarks(sampler, mod.grad_cache)

    def _release_grad_blocks(self) -> None:
        """Drop the training-only block cache and its optimiser hook."""
        cache = getattr(self.module_, "grad_cache", None)
        if cache is not None:
            cache.detach()
        self.module_.grad_cache = None


def _trainable_copy(base, mode: str, top_layers: int):
    """A private copy of the encoder with the requested layers trainable."""
    import copy

    enc = copy.deepcopy(base)
    enc.train()
    if mode == "all":
        for p in enc.parameters():
            p.requires_grad_(True)
        return enc
    for p in enc.parameters():
        p.requires_grad_(False)
    from fairrec_core.models._split_encoder import transformer_layers

    layers = transformer_layers(enc)
    if layers is None:
        raise ConfigError("Could not find the transformer layers of this encoder to fine-tune "
                          "its top layers; use mode='all' or mode='frozen'.")
    for layer in list(layers)[-top_layers:]:
        for p in layer.parameters():
            p.requires_grad_(True)
    return enc


def _tokens(tokenizer, texts, max_length):
    enc = tokenizer(list(texts), padding="max_length", truncation=True, max_length=max_length,
                    return_tensors="pt")
    return enc["input_ids"], enc["attention_mask"]
