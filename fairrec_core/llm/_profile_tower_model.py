"""The profile-reading two-tower network: the plain two-tower plus a profile term.

User tower:  p_u = a_u + H (W mean_{j in hist(u)} t_j) + Q (s_u + h_u)

``s_u`` is the encoder's sentence vector of the user's attribute sentence
("Age 25-34, female, East region") and ``h_u`` that of the history sentence
("Recently bought: ..."); either is zero when the sentence is empty. The two
are read apart so that a counterfactual profile, which changes only the
attribute sentence, re-encodes only that. ``Q`` starts at zero, so training
begins from the plain two-tower and learns how much the profile matters.
"""

from __future__ import annotations

import torch
from torch import nn

from fairrec_core.models._two_tower_model import TwoTowerModule


class ProfileTwoTowerModule(TwoTowerModule):
    """:class:`TwoTowerModule` whose user tower also reads profile sentence vectors.

    Parameters
    ----------
    profile_attr, profile_hist : torch.Tensor, shape (n_users, text_dim)
        Sentence vectors of each user's own attribute and history sentences.
    Other parameters as for :class:`TwoTowerModule`.
    """

    # Buffers, registered in __init__.
    profile_attr: torch.Tensor
    profile_hist: torch.Tensor
    # Counterfactual augmentation (set_augment); none by default.
    aug_vecs: torch.Tensor
    aug_rng: torch.Generator | None = None

    def __init__(self, n_users: int, n_items: int, dim: int, text: torch.Tensor,
                 has_text: torch.Tensor, profile_attr: torch.Tensor,
                 profile_hist: torch.Tensor, **kw):
        super().__init__(n_users, n_items, dim, text, has_text, **kw)
        self.register_buffer("profile_attr", profile_attr.float().clone())
        self.register_buffer("profile_hist", profile_hist.float().clone())
        self.profile = nn.Linear(int(text.shape[1]), self.dim, bias=False)
        nn.init.zeros_(self.profile.weight)

    def _users(self, users, hist_text_sum, n, profile=None):
        base = super()._users(users, hist_text_sum, n)
        if profile is None:
            profile = self._attr(users) + self.profile_hist[users]
        return base + self.profile(profile)

    def set_augment(self, vecs, index, n_valid, p: float, seed: int) -> None:
        """Read counterfactual attribute sentences in training (``llm.augment``).

        Parameters
        ----------
        vecs : torch.Tensor, shape (n_sentences, text_dim)
            Vectors of the distinct counterfactual sentences.
        index : torch.Tensor of int64, shape (n_users, n_variants)
            Row of ``vecs`` per user and variant, valid ones first.
        n_valid : torch.Tensor of int64, shape (n_users,)
        p : float
            Probability, per user in a batch, of reading a counterfactual.
        seed : int
        """
        self.register_buffer("aug_vecs", vecs.float().to(self.profile_attr.device),
                             persistent=False)
        self.aug_index = index.cpu()
        self.aug_n_valid = n_valid.cpu()
        self.aug_p = float(p)
        # Its own generator: the draws must not shift the sampler's or dropout's streams.
        self.aug_rng = torch.Generator().manual_seed(int(seed))

    def _attr(self, users):
        """Attribute sentence vectors of ``users``; counterfactual ones while training."""
        own = self.profile_attr[users]
        if getattr(self, "aug_rng", None) is None or not self.training \
                or not torch.is_grad_enabled():
            return own
        u = users.cpu()
        n_valid = self.aug_n_valid[u]
        flip = (torch.rand(len(u), generator=self.aug_rng) < self.aug_p) & (n_valid > 0)
        pick = (torch.rand(len(u), generator=self.aug_rng) * n_valid).long()
        rows = self.aug_index[u, pick.clamp_max(self.aug_index.shape[1] - 1)]
        flip = flip.to(own.device)
        alt = self.aug_vecs[rows.clamp_min(0).to(own.device)]
        return torch.where(flip.unsqueeze(1), alt, own)

    def user_vectors_with(self, users, attr_vecs, hist_vecs):
        """User vectors of ``users`` reading the given profile sentence vectors instead."""
        return self._users(users, self.hist_sum[users], self.hist_n[users],
                           attr_vecs + hist_vecs)
