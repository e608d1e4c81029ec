"""The closed-form linear adversary of the ``adversary`` fairness term (PyTorch).

A least-squares (ridge) regression of the one-hot user group on the user
vectors, refitted in closed form on each batch (one (d + 1)² solve), so it is
always the best linear response to the current vectors; its mean squared
residual, reversed into the vectors by :func:`reversed_ridge_term`, drives the
groups' mean vectors together -- what a linear attacker (the leakage AUC's
logistic regression) reads. :mod:`fairrec_core.fairtrain.terms` applies it.
"""

from __future__ import annotations

import torch
from torch import nn

#: Ridge, relative to the mean diagonal of the Gram matrix (keeps the solve well
#: conditioned without weakening the fit).
RIDGE = 1e-3


def group_targets(codes: torch.Tensor, n_classes: int) -> torch.Tensor:
    """One-hot rows of the groups, all-zero rows for left-out users (``codes < 0``).

    The closed-form adversary reads these; the objective builds them once per
    user so that a batch only indexes them.
    """
    keep = (codes >= 0).unsqueeze(1)
    return nn.functional.one_hot(codes.clamp_min(0), n_classes).float() * keep


def ridge_fit(vectors: torch.Tensor, targets: torch.Tensor, ridge: float = RIDGE
              ) -> torch.Tensor:
    """Closed-form linear least-squares adversary: one-hot group on user vectors.

    Parameters
    ----------
    vectors : torch.Tensor, shape (n, d)
        User vectors (the fit reads them detached).
    targets : torch.Tensor, shape (n, n_classes)
        :func:`group_targets` of the users (zero rows are left out).
    ridge : float
        Ridge, relative to the mean diagonal of the Gram matrix.

    Returns
    -------
    torch.Tensor, shape (d + 1, n_classes)
        Weights, the intercept last: the prediction is ``[v, 1] @ W``
        (:func:`ridge_adversary_loss`). Zeros when no user has a group.
    """
    x, y = _float(vectors.detach()), targets
    y = y.to(x.dtype)
    return _solve(_design(x, y), y, ridge)


def _solve(design: torch.Tensor, y: torch.Tensor, ridge: float = RIDGE) -> torch.Tensor:
    gram = design.T @ design
    # Left-out users are all-zero rows of both matrices (no boolean indexing, which
    # would cost a device sync and a copy per batch); the ridge keeps the solve
    # well posed and is too small to weaken the fit.
    gram.diagonal().add_(gram.diagonal().mean().clamp_min(1e-12) * ridge)
    return torch.linalg.solve(gram, design.T @ y)


def _float(x: torch.Tensor) -> torch.Tensor:
    """Half-precision vectors (mixed-precision training) as float32 for the solve."""
    return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x


def ridge_adversary_loss(vectors: torch.Tensor, targets: torch.Tensor,
                         w: torch.Tensor) -> torch.Tensor:
    """Mean squared residual ``mean_u ‖y_u − [v_u, 1] W‖²`` over users with a group.

    Plain autograd; training uses :func:`reversed_ridge_term`, the same value
    with its gradient written out in one step.
    """
    y = targets.to(w.dtype)
    residual = y - _design(vectors.to(w.dtype), y) @ w
    return residual.pow(2).sum() / y.sum().clamp_min(1.0)


def reversed_ridge_term(vectors: torch.Tensor, targets: torch.Tensor, lam: float,
                        w: torch.Tensor | None = None) -> torch.Tensor:
    """The closed-form adversary's loss on ``vectors``, its gradient reversed and scaled by λ.

    Value: :func:`ridge_adversary_loss` with ``w`` (default: :func:`ridge_fit`
    on these vectors, the adversary's best response). Gradient: ``−lam`` times
    the loss's gradient in ``vectors`` with ``w`` held fixed -- the gradient
    reversal of a fitted adversary, computed in one fused step rather than
    through a dozen small autograd nodes (which dominated its cost on a CPU).
    ``lam = −1`` gives the plain gradient (what ``gradcheck`` checks).
    """
    return _ReversedRidge.apply(vectors, targets, float(lam), w)


class _ReversedRidge(torch.autograd.Function):
    """Forward: fit (unless given) and score the ridge adversary; backward: −λ · ∂loss/∂v."""

    @staticmethod
    def forward(ctx, vectors, targets, lam, w):
        x = _float(vectors.detach())
        y = targets.to(x.dtype)
        design = _design(x, y)  # built once, for the fit and the residual
        w = _solve(design, y) if w is None else w.to(x.dtype)
        residual = y - design @ w
        n = y.sum().clamp_min(1.0)
        ctx.save_for_backward(residual, w, n)
        ctx.lam, ctx.in_dtype = lam, vectors.dtype
        return residual.pow(2).sum() / n

    @staticmethod
    def backward(ctx, grad):
        residual, w, n = ctx.saved_tensors
        # d loss / d v_u = −(2/n) r_u W_xᵀ (zero for left-out users: their residual
        # row is zero); the reversal multiplies it by −λ.
        g = (residual @ w[:-1].T) * (grad * 2.0 * ctx.lam / n)
        return g.to(ctx.in_dtype), None, None, None


def _design(x: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """``[x, 1]``, zeroed on the rows of left-out users (all-zero ``targets`` rows)."""
    keep = targets.sum(1, keepdim=True)
    return torch.cat([x * keep, keep], dim=1)


__all__ = ["RIDGE", "group_targets", "reversed_ridge_term", "ridge_adversary_loss",
           "ridge_fit"]
