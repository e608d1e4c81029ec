"""Fairness terms of the training objective (PyTorch; DESIGN.md §10.3, issue 15).

Training minimises ``ranking loss + term`` where the term is one of:

``user-loss`` -- loss parity across user groups (Yao & Huang 2017's "value
    unfairness" carried over to a pairwise ranking loss)::

        λ · (max_g L̄_g − min_g L̄_g),   L̄_g = mean BPR loss of the batch's pairs of group g

    over the groups present in the batch. The spread is the *range* of group
    means (DESIGN.md's "difference"), in loss units, so λ = 1 weighs one unit
    of gap like one unit of ranking loss.

``item-exposure`` -- soft exposure parity of a protected item group P. The
    batch's negative items are a uniform sample C of the catalogue; each user
    u of the batch spreads one unit of soft exposure over C by
    ``softmax(s_uc / τ)``. With ES = mean_u Σ_{c∈C∩P} softmax and
    CS = |C∩P| / |C| (the group's share of the sample), the term is::

        λ · max(0, ρ* − ES / CS)²

    ρ* = 1 asks for catalogue parity, ρ* = merit share / catalogue share for
    merit parity. It is one-sided: a protected group exposed *more* than its
    share is not pushed down.

``adversary`` -- attribute removal by gradient reversal (Ganin & Lempitsky
    2015; PFCN, Li et al. SIGIR 2021). An adversary predicts the user's group
    from the user vector; its loss on the batch's users' vectors passes
    through a gradient reversal layer, so the user vectors receive the
    gradient multiplied by −λ, i.e. are trained to *raise* the adversary's
    loss. The objective value is ``ranking loss + adversary loss``; λ only
    scales the reversal. Two adversaries (``hidden``):

    * ``hidden = 0`` (default): a linear least-squares adversary, refitted in
      closed form on every batch (ridge regression of the one-hot group on
      ``[v, 1]``, one (d + 1)² solve; :mod:`.ridge_adversary`). It is always the
      best linear response to the current vectors, so it never lags behind
      them, and costs a few small matrix products. Its loss is the mean
      squared residual ``mean_u ‖y_u − ŷ_u‖²``; the reversal drives the
      groups' mean user vectors together, which is what a linear attacker
      (the leakage AUC's logistic regression) reads.
    * ``hidden > 0``: an MLP taking :data:`ADVERSARY_STEPS` Adam steps of its
      own on every :data:`ADVERSARY_EVERY`-th batch, reversed through its
      cross-entropy (can read non-linear traces, costs about 2× an epoch on CPU).

Every term reads only the batch the ranking loss already drew, so it consumes
no randomness; with λ = 0 its gradient contribution is exactly zero and the
model's weights equal those of plain training bit for bit.

A model's module takes part through two methods: ``pair_losses(users, pos,
neg, reg)`` returning ``(per-pair losses, penalty or None)`` and
``item_vectors(items)`` returning ``(V, b)``; ``user_vectors(users)`` gives
user vectors. BPR-MF has them; any two-tower module with the same three can
use the same objective. The adversary and exposure terms read the vectors the
fitted model serves (:func:`served_user_vectors`): for the profile-reading
tower, those read each user's own profile.
"""

from __future__ import annotations

import torch
from torch import nn

from fairrec_core.fairtrain.ridge_adversary import (
    group_targets,
    reversed_ridge_term,
    ridge_fit,
)

#: Pairs of a batch whose users are scored against the candidates of the
#: exposure term: the batch is shuffled, so its first pairs are a random sample
#: (users weighted by activity, as in the ranking loss), and capping them keeps
#: the term's cost a small fraction of a step.
EXPOSURE_USERS = 512
#: Adam steps of the adversary on each batch's user vectors, and its learning rate.
#: Measured on the sample data (BPR 32-d, λ = 0.3): one step per batch at the
#: model's rate left the gender AUC of a fresh attacker at 0.93 (the attribute
#: re-encoded, flipped); 10 steps at 0.1 brought it to 0.50.
ADVERSARY_STEPS, ADVERSARY_LR = 10, 0.1
#: The adversary sees the users of a batch's first pairs (a random sample, the
#: batch being shuffled): its steps cost per user, the ranking loss per pair.
ADVERSARY_PAIRS = 512
#: The adversary's own steps run on every ADVERSARY_EVERY-th batch only (the reversed
#: gradient still acts on every batch): its steps are small and dispatch-bound on a
#: CPU, so they, not the reversal, made the epoch cost 2.4-3.9x the plain one.
#: Every third batch left gender in the vectors (benchmarks/RESULTS.md); every second
#: passes the leakage test.
ADVERSARY_EVERY = 2
#: The closed-form adversary is refitted on every RIDGE_EVERY-th batch and reversed on
#: every batch. Measured: refitting every second batch halves the solve's cost but left
#: the aware profile tower's gender in its vectors (AUC 0.75-0.81, against 0.59 when
#: refitted on every batch; benchmarks/RESULTS.md), so it refits every batch.
RIDGE_EVERY = 1


# ---------------------------------------------------------------------- the terms
def group_loss_spread(losses: torch.Tensor, codes: torch.Tensor, n_groups: int) -> torch.Tensor:
    """Range of per-group mean losses: ``max_g mean_g − min_g mean_g``.

    Parameters
    ----------
    losses : torch.Tensor, shape (n,)
        Per-pair losses.
    codes : torch.Tensor of int64, shape (n,)
        Group of each pair's user; ``-1`` = left out.
    n_groups : int

    Returns
    -------
    torch.Tensor
        Scalar; 0 when fewer than two groups are present.
    """
    # Left-out pairs go to an extra slot that is then dropped: no boolean
    # indexing, which would cost a device sync and a copy on every step.
    c = torch.where(codes >= 0, codes, n_groups)
    sums = losses.new_zeros(n_groups + 1).index_add(0, c, losses)[:n_groups]
    counts = losses.new_zeros(n_groups + 1).index_add(0, c, torch.ones_like(losses))[:n_groups]
    present = counts > 0
    means = sums / counts.clamp_min(1.0)
    top = means.masked_fill(~present, float("-inf")).max()
    low = means.masked_fill(~present, float("inf")).min()
    # No group present: both sides are infinite; the term is then 0, with a zero gradient.
    return torch.where(present.any(), top - low, losses.new_zeros(()))


def soft_exposure_ratio(scores: torch.Tensor, protected: torch.Tensor,
                        temperature: float = 1.0) -> torch.Tensor:
    """Soft exposure share of the protected candidates over their share of the candidates.

    Parameters
    ----------
    scores : torch.Tensor, shape (n_users, n_candidates)
    protected : torch.Tensor of bool, shape (n_candidates,)
    temperature : float

    Returns
    -------
    torch.Tensor
        Scalar ES / CS (1 = parity); 0 when no candidate is protected.
    """
    probs = torch.softmax(scores / temperature, dim=1)
    weights = protected.to(scores.dtype)
    exposure = (probs * weights).sum(1).mean()
    # Clamped so that a sample without protected items gives 0, not NaN (a NaN would
    # poison the gradient even where the caller discards the value).
    return exposure / weights.mean().clamp_min(1e-12)


def exposure_shortfall(scores: torch.Tensor, protected: torch.Tensor, target_ratio: float,
                       temperature: float = 1.0) -> torch.Tensor:
    """``max(0, target_ratio − ES/CS)²`` (see :func:`soft_exposure_ratio`); 0 if none protected."""
    ratio = soft_exposure_ratio(scores, protected, temperature)
    gap = torch.relu(target_ratio - ratio).pow(2)
    return torch.where(protected.any(), gap, scores.new_zeros(()))


class _Reverse(torch.autograd.Function):
    """Identity forward; gradient multiplied by ``-lam`` backward."""

    @staticmethod
    def forward(ctx, x, lam):
        ctx.lam = float(lam)
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.lam * grad, None


def grad_reverse(x: torch.Tensor, lam: float) -> torch.Tensor:
    """Gradient reversal layer: ``x`` unchanged, its gradient times ``-lam``."""
    return _Reverse.apply(x, lam)


class Adversary(nn.Module):
    """Predicts a user group from a user vector: logistic regression or a one-hidden-layer MLP.

    Parameters
    ----------
    dim : int
        User vector size.
    n_classes : int
    hidden : int, default 32
        Hidden units; 0 = logistic (linear) adversary.
    """

    def __init__(self, dim: int, n_classes: int, hidden: int = 32):
        super().__init__()
        self.net: nn.Module
        if hidden:
            self.net = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(),
                                     nn.Linear(hidden, n_classes))
        else:
            self.net = nn.Linear(dim, n_classes)

    def forward(self, vectors: torch.Tensor) -> torch.Tensor:
        return self.net(vectors)


def adversary_loss(adversary: Adversary, vectors: torch.Tensor, codes: torch.Tensor
                   ) -> torch.Tensor:
    """Mean cross-entropy of ``adversary`` on the users with a known group (``codes >= 0``)."""
    keep = codes >= 0
    if not bool(keep.any()):
        return vectors.sum() * 0.0
    logits = adversary(vectors[keep])
    return nn.functional.cross_entropy(logits, codes[keep])


def served_user_vectors(module, users: torch.Tensor) -> torch.Tensor:
    """The user vectors the fitted model serves, with gradients, for the adversary.

    A profile-reading tower (``user_vectors_with``) may read a *counterfactual*
    profile while training (augmentation, drawing random numbers); the vector it
    serves, and so the one that can leak the attribute, reads the user's own
    profile, and reading it draws nothing (λ = 0 stays the plain model).
    """
    own = getattr(module, "user_vectors_with", None)
    if own is not None and hasattr(module, "profile_attr"):
        return own(users, module.profile_attr[users], module.profile_hist[users])
    return module.user_vectors(users)


# ---------------------------------------------------------------------- objective
class FairnessObjective(nn.Module):
    """One resolved fairness term, applied batch by batch during training.

    Parameters
    ----------
    resolved : ResolvedFairness
        From :func:`fairrec_core.fairtrain.spec.resolve_fairness`.
    dim : int
        User vector size (the adversary's input).
    seed : int
        Seeds the adversary's initial weights from a private generator, so the
        global torch random stream -- and so the model -- is untouched.

    Notes
    -----
    ``forward`` returns ``(addend, raw)``: the tensor added to the ranking
    loss, and the unweighted term value for the training history.
    """

    # Buffers, registered in __init__ when the term needs them.
    codes: torch.Tensor
    protected: torch.Tensor
    targets: torch.Tensor

    def __init__(self, resolved, *, dim: int, seed: int = 0):
        super().__init__()
        cfg = resolved.config
        self.term = cfg.term
        self.weight = float(cfg.weight)
        self.temperature = float(cfg.temperature)
        self.n_candidates = int(cfg.candidates)
        self.n_groups = len(resolved.labels)
        self.target_ratio = resolved.target_ratio
        if resolved.user_codes is not None:
            self.register_buffer("codes", torch.as_tensor(resolved.user_codes, dtype=torch.long))
        if resolved.item_protected is not None:
            self.register_buffer("protected", torch.as_tensor(resolved.item_protected,
                                                              dtype=torch.bool))
        self.adversary: Adversary | None = None
        self._adv_opt: torch.optim.Optimizer | None = None
        self._adv_calls = 0
        self._ridge_w: torch.Tensor | None = None
        if self.term == "adversary" and int(cfg.hidden) == 0:
            self.register_buffer("targets", group_targets(self.codes, self.n_groups),
                                 persistent=False)
        elif self.term == "adversary":
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(seed) + 7919)
                self.adversary = Adversary(int(dim), self.n_groups, int(cfg.hidden))

    def forward(self, module, users, pos, neg, losses):
        if self.term == "user-loss":
            raw = group_loss_spread(losses, self.codes[users], self.n_groups)
            return self.weight * raw, raw
        if self.term == "item-exposure":
            cand = neg[:self.n_candidates]
            who = users[:EXPOSURE_USERS]
            v, b = module.item_vectors(cand)
            scores = torch.addmm(b.unsqueeze(0), served_user_vectors(module, who), v.T)
            raw = exposure_shortfall(scores, self.protected[cand], self.target_ratio,
                                     self.temperature)
            return self.weight * raw, raw
        # The batch is shuffled: its first pairs' users are a random sample, weighted
        # by activity as in the ranking loss (repeats are kept: no sort per batch).
        who = users[:ADVERSARY_PAIRS]
        vectors = served_user_vectors(module, who)
        if self.adversary is None:
            return self._ridge_term(vectors, self.targets[who])
        return self._mlp_term(vectors, self.codes[who])

    def _ridge_term(self, vectors, targets):
        """The closed-form adversary, refitted on every RIDGE_EVERY-th batch, reversed on all."""
        if self._ridge_w is None or self._adv_calls % RIDGE_EVERY == 0:
            self._ridge_w = ridge_fit(vectors, targets)
        self._adv_calls += 1
        raw = reversed_ridge_term(vectors, targets, self.weight, self._ridge_w)
        return raw, raw

    def _mlp_term(self, vectors, codes):
        """The MLP adversary's reversed cross-entropy, after its own steps on every few batches."""
        adversary = self.adversary
        assert adversary is not None  # built in __init__ for hidden > 0
        if self._adv_calls % ADVERSARY_EVERY == 0:
            self._fit_adversary(vectors.detach(), codes)
        self._adv_calls += 1
        for p in adversary.parameters():
            p.requires_grad_(False)
        try:
            raw = adversary_loss(adversary, grad_reverse(vectors, self.weight), codes)
        finally:
            for p in adversary.parameters():
                p.requires_grad_(True)
        return raw, raw

    def _fit_adversary(self, vectors, codes) -> None:
        """A few steps of the adversary on this batch's (detached) user vectors.

        The reversed gradient only removes information if the adversary keeps
        up with the user vectors; free embeddings move fast, and an adversary
        trained one step per batch lags behind and ends up with the attribute
        re-encoded "flipped" rather than removed.
        """
        adversary = self.adversary
        assert adversary is not None  # built in __init__ for the adversary term
        if self._adv_opt is None:
            self._adv_opt = _adam(adversary.parameters(), ADVERSARY_LR)
        opt = self._adv_opt
        with torch.enable_grad():
            for _ in range(ADVERSARY_STEPS):
                opt.zero_grad(set_to_none=True)
                adversary_loss(adversary, vectors, codes).backward()
                opt.step()


def _adam(params, lr: float):
    """Adam for the adversary, fused where this torch build supports it (fewer kernel calls)."""
    params = list(params)
    try:
        return torch.optim.Adam(params, lr=lr, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(params, lr=lr)
