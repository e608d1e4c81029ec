"""The BPR matrix-factorisation network (PyTorch), separate from its adapter."""

from __future__ import annotations

import torch
from torch import nn


class BPRModule(nn.Module):
    """Score ``x_ui = <p_u, q_i> + b_i``, trained with the BPR pairwise loss.

    Parameters
    ----------
    n_users, n_items, dim : int
    item_bias : bool
        A per-item bias lets the factors model taste rather than popularity.
    init_std : float
        Standard deviation of the normal initialisation of the factors.
    """

    def __init__(self, n_users: int, n_items: int, dim: int = 64, *, item_bias: bool = True,
                 init_std: float = 0.1):
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.bias = nn.Embedding(n_items, 1) if item_bias else None
        nn.init.normal_(self.user.weight, std=init_std)
        nn.init.normal_(self.item.weight, std=init_std)
        if self.bias is not None:
            nn.init.zeros_(self.bias.weight)

    def forward(self, users, pos, neg, reg: float = 0.0):
        """BPR loss of a batch of (user, positive, negative) triples."""
        losses, penalty = self.pair_losses(users, pos, neg, reg)
        loss = losses.mean()
        return loss if penalty is None else loss + penalty

    def pair_losses(self, users, pos, neg, reg: float = 0.0):
        """Per-pair BPR losses ``-log σ(x_ui − x_uj)`` and the batch's L2 penalty (None if 0).

        :meth:`forward` is their mean plus the penalty; fairness terms read the
        per-pair values (:mod:`fairrec_core.fairtrain.terms`).
        """
        p = self.user(users)
        qi = self.item(pos)
        qj = self.item(neg)
        diff = (p * (qi - qj)).sum(-1)
        if self.bias is not None:
            diff = diff + (self.bias(pos) - self.bias(neg)).squeeze(-1)
        losses = -nn.functional.logsigmoid(diff)
        penalty = None
        if reg:
            # Penalise only the rows in the batch (Rendle et al. 2009), so a
            # rarely seen item is not shrunk on every step.
            penalty = reg * (p.pow(2).sum() + qi.pow(2).sum() + qj.pow(2).sum()) / len(users)
        return losses, penalty

    def item_vectors(self, items):
        """Factors and biases ``(V, b)`` of ``items`` (with gradients, for training terms)."""
        b = (self.bias(items).squeeze(-1) if self.bias is not None
             else torch.zeros(len(items), device=self.item.weight.device))
        return self.item(items), b

    def user_vectors(self, users):
        return self.user(users)

    def item_matrix(self):
        """All item factors and biases: ``(V, b)`` with ``scores = U @ V.T + b``."""
        b = (self.bias.weight.squeeze(-1) if self.bias is not None
             else torch.zeros(self.item.num_embeddings, device=self.item.weight.device))
        return self.item.weight, b
