"""Fine-tune only an encoder's top layers without re-running its frozen lower layers.

When only the last ``top`` transformer layers train, everything below them
(embeddings and the frozen layers) gives the same output for an item at every
step. It is run once per item and its output kept (the *prefix states*);
each training step then runs only the trainable layers on those states. On a
6-layer MiniLM with ``top = 2`` that removes two thirds of the forward work
and every backward pass through frozen layers, which is what made
``--finetune top`` unusable on a CPU.

Works for encoders whose layers sit in one ``ModuleList`` and are called as
``layer(hidden_states, attention_mask)`` (BERT, MiniLM, RoBERTa, XLM-R, ...);
:func:`supports_split` says whether an encoder qualifies, and the caller
falls back to the full forward pass otherwise.
"""

from __future__ import annotations

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

    Returns
    -------
    torch.Tensor, shape (n, width, hidden), float32
    """
    was = encoder.training
    encoder.eval()
    out = torch.zeros(ids.shape[0], ids.shape[1], encoder.config.hidden_size)
    for a in range(0, ids.shape[0], batch_size):
        i, m = ids[a:a + batch_size], mask[a:a + batch_size]
        width = max(1, int(m.sum(1).max()))
        res = encoder(input_ids=i[:, :width], attention_mask=m[:, :width],
                      output_hidden_states=True)
        out[a:a + batch_size, :width] = res.hidden_states[start].float()
        if progress is not None:
            progress(min(a + batch_size, ids.shape[0]), ids.shape[0])
    encoder.train(was)
    return out


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
