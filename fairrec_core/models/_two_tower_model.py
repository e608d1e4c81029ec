"""The text two-tower network (PyTorch), separate from its adapter.

Item tower:  v_i = e_i + W t_i            b_i = c_i + w . t_i
User tower:  p_u = a_u + H (W mean_{j in hist(u)} t_j)
Score:       s_ui = <p_u, v_i> + b_i

``t_i`` is the encoder's sentence vector of the item's title and description
(zero for items without text, which then rely on their id embedding ``e_i``
alone). ``W`` is one projection shared by the item tower and the history
pooling, so a user's history lives in the same space as the items. In
training the positive item is left out of its user's history pooling
(leave-one-out), otherwise the model would learn to find the item inside the
user vector, which it cannot at recommendation time.

In fine-tuning mode ``t_i`` of the items in a batch comes from the live
encoder, while the history pooling reads cached vectors refreshed after each
epoch: re-encoding every user's whole history at every step is what makes
fine-tuning unaffordable, and the cache lags the encoder by at most an epoch.
When only the top layers train, the frozen layers' output per item is kept
(``set_prefix``) and each step runs only the top layers.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class TwoTowerModule(nn.Module):
    """Parameters and forward pass of the text two-tower model.

    Parameters
    ----------
    n_users, n_items, dim : int
    text : torch.Tensor, shape (n_items, text_dim)
        Cached sentence vectors (zero rows for items without text).
    has_text : torch.Tensor of bool, shape (n_items,)
    encoder : transformers model, optional
        Present only when fine-tuning; ``tokens`` then holds the padded
        token ids and masks of every item.
    """

    # Buffers (register_buffer) and attributes set after construction (set_prefix, the
    # fine-tuning gradient cache), declared so type checkers see tensors, not Module | Tensor.
    text: torch.Tensor
    has_text: torch.Tensor
    token_ids: torch.Tensor
    token_mask: torch.Tensor
    hist_sum: torch.Tensor
    hist_n: torch.Tensor
    prefix: torch.Tensor
    prefix_start: int
    grad_cache: Any
    encoder: Any

    def __init__(self, n_users: int, n_items: int, dim: int, text: torch.Tensor,
                 has_text: torch.Tensor, *, encoder=None, tokens=None, init_std: float = 0.05):
        super().__init__()
        text_dim = int(text.shape[1])
        self.dim = int(dim)
        self.register_buffer("text", text.float().clone())
        self.register_buffer("has_text", has_text.bool().clone())
        self.user_id = nn.Embedding(n_users, dim)
        self.item_id = nn.Embedding(n_items, dim)
        self.item_bias = nn.Embedding(n_items, 1)
        # One projection for vector and bias: column ``dim`` is the text bias.
        self.proj = nn.Linear(text_dim, dim + 1, bias=False)
        self.hist = nn.Linear(dim, dim, bias=False)
        nn.init.normal_(self.user_id.weight, std=init_std)
        nn.init.normal_(self.item_id.weight, std=init_std)
        nn.init.zeros_(self.item_bias.weight)
        nn.init.eye_(self.hist.weight)
        self.encoder = encoder
        if tokens is not None:
            self.register_buffer("token_ids", tokens[0], persistent=False)
            self.register_buffer("token_mask", tokens[1], persistent=False)
        self.register_buffer("hist_sum", torch.zeros(n_users, text_dim), persistent=False)
        self.register_buffer("hist_n", torch.zeros(n_users), persistent=False)

    # ---------------------------------------------------------------- history
    def set_history(self, indptr, indices) -> None:
        """Sum and count of history text vectors per user, from the training CSR."""
        n_users = self.hist_sum.shape[0]
        counts = indptr[1:] - indptr[:-1]
        rows = torch.repeat_interleave(torch.arange(n_users, device=indptr.device), counts)
        w = self.has_text[indices].float()
        s = torch.zeros_like(self.hist_sum)
        s.index_add_(0, rows, self.text[indices] * w.unsqueeze(1))
        self.hist_sum.copy_(s)
        self.hist_n.copy_(torch.zeros_like(self.hist_n).index_add_(0, rows, w))

    # ---------------------------------------------------------------- towers
    def item_text(self, items):
        """Sentence vectors of ``items``: live encoder when fine-tuning, else cached."""
        # Without gradients (the end-of-epoch scoring cache) the refreshed cache is the same
        # encoder's output, without dropout noise and without another catalogue pass.
        if self.encoder is None or not self.training or not torch.is_grad_enabled():
            return self.text[items]
        from fairrec_core.models.encoders import embed

        if getattr(self, "grad_cache", None) is not None:
            return self.grad_cache.vectors(items) * self.has_text[items].unsqueeze(1)
        if getattr(self, "prefix_start", None) is not None:
            from fairrec_core.models._split_encoder import top_embed

            vec = top_embed(self.encoder, self.prefix[items], self.token_mask[items],
                            self.prefix_start).float()
            return vec * self.has_text[items].unsqueeze(1)
        ids, mask = self.token_ids[items], self.token_mask[items]
        width = int(mask.sum(1).max())
        vec = embed(self.encoder, ids[:, :width], mask[:, :width]).float()
        return vec * self.has_text[items].unsqueeze(1)

    def set_prefix(self, states, start: int) -> None:
        """Keep the frozen lower layers' output per item; training then runs only the top.

        See :mod:`fairrec_core.models._split_encoder`.
        """
        self.register_buffer("prefix", states.to(self.text.device), persistent=False)
        self.prefix_start = int(start)

    def _items(self, items):
        pt = self.proj(self.item_text(items))
        v = self.item_id(items) + pt[:, :self.dim]
        b = self.item_bias(items).squeeze(-1) + pt[:, self.dim]
        return v, b

    def _users(self, users, hist_text_sum, n):
        mean = hist_text_sum / n.clamp_min(1.0).unsqueeze(1)
        pooled = self.proj(mean)[:, :self.dim]
        return self.user_id(users) + self.hist(pooled)

    def user_vectors(self, users):
        return self._users(users, self.hist_sum[users], self.hist_n[users])

    def item_matrix(self):
        items = torch.arange(self.item_id.num_embeddings, device=self.item_id.weight.device)
        return self._items(items)

    # ---------------------------------------------------------------- training
    def forward(self, users, pos, neg, reg: float = 0.0):
        """BPR loss of (user, positive, negative) triples with leave-one-out history."""
        losses, penalty = self.pair_losses(users, pos, neg, reg)
        loss = losses.mean()
        return loss if penalty is None else loss + penalty

    def pair_losses(self, users, pos, neg, reg: float = 0.0):
        """Per-pair BPR losses and the batch's L2 penalty (None if ``reg`` is 0).

        :meth:`forward` is their mean plus the penalty, the same operations in
        the same order, so training through a fairness objective with weight 0
        gives the plain model's weights exactly (:mod:`fairrec_core.fairtrain.terms`).
        """
        both = torch.cat([pos, neg])
        uniq, inv = torch.unique(both, return_inverse=True)
        v, b = self._items(uniq)
        vi, vj = v[inv[:len(pos)]], v[inv[len(pos):]]
        bi, bj = b[inv[:len(pos)]], b[inv[len(pos):]]
        # Projection is linear, so leave-one-out works on the raw text sums.
        own = self.text[pos] * self.has_text[pos].unsqueeze(1)
        hs = self.hist_sum[users] - own
        n = self.hist_n[users] - self.has_text[pos].float()
        p = self._users(users, hs, n)
        diff = (p * (vi - vj)).sum(-1) + bi - bj
        losses = -nn.functional.logsigmoid(diff)
        penalty = None
        if reg:
            penalty = reg * (p.pow(2).sum() + vi.pow(2).sum() + vj.pow(2).sum()) / len(users)
        return losses, penalty

    def item_vectors(self, items):
        """Item vectors and biases ``(V, b)`` of ``items`` (with gradients, for training terms)."""
        return self._items(items)

    # ---------------------------------------------------------------- fine-tuning
    @torch.no_grad()
    def refresh_text(self, batch_size: int = 256) -> None:
        """Re-encode every item with the current encoder into the cache."""
        if self.encoder is None:
            return
        from fairrec_core.models.encoders import embed

        was = self.encoder.training
        self.encoder.eval()
        n = self.text.shape[0]
        split = getattr(self, "prefix_start", None) is not None
        for a in range(0, n, batch_size):
            ids, mask = self.token_ids[a:a + batch_size], self.token_mask[a:a + batch_size]
            width = int(mask.sum(1).max())
            if split:  # length-sorted buckets within the batch: less padding
                from fairrec_core.models._split_encoder import top_vectors

                vec = top_vectors(self.encoder, self.prefix[a:a + batch_size], mask,
                                  self.prefix_start)
            else:
                vec = embed(self.encoder, ids[:, :width], mask[:, :width]).float()
            self.text[a:a + batch_size] = vec * self.has_text[a:a + batch_size].unsqueeze(1)
        self.encoder.train(was)
