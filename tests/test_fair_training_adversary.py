"""The closed-form (least-squares) adversary of the ``adversary`` fairness term.

References are independent of the code under test: ordinary least squares by
``numpy.linalg.lstsq`` on the kept rows, and the gradient of the same loss
written with plain autograd.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from fairrec_core.data import split_dataset
from fairrec_core.fairtrain import parse_fairness
from fairrec_core.fairtrain.ridge_adversary import (
    group_targets,
    reversed_ridge_term,
    ridge_adversary_loss,
    ridge_fit,
)
from fairrec_core.models import BPR
from tests.test_models_base import tiny_data

pytestmark = pytest.mark.usefixtures("one_torch_thread")

CODES = torch.tensor([0, 1, 2, 0, -1, 2, 1, 0, 2, 1, -1, 0, 2, 1])


def _vectors(seed: int, n: int = 14, d: int = 4) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=gen, dtype=torch.float64)


def test_ridge_fit_without_ridge_is_ordinary_least_squares_on_the_kept_rows():
    x = _vectors(0)
    y = group_targets(CODES, 3).double()
    w = ridge_fit(x, y, ridge=0.0).numpy()
    keep = CODES.numpy() >= 0
    design = np.hstack([x.numpy()[keep], np.ones((keep.sum(), 1))])
    onehot = np.eye(3)[CODES.numpy()[keep]]
    ref, *_ = np.linalg.lstsq(design, onehot, rcond=None)
    np.testing.assert_allclose(w, ref, atol=1e-10)
    # Its loss is the mean squared residual over the kept users only.
    loss = ridge_adversary_loss(x, y, torch.from_numpy(ref)).item()
    assert loss == pytest.approx(((onehot - design @ ref) ** 2).sum() / keep.sum(), rel=1e-12)


def test_left_out_users_neither_fit_nor_score():
    x, y = _vectors(1), group_targets(CODES, 3).double()
    moved = x.clone()
    moved[CODES < 0] += 100.0  # users without a known group
    torch.testing.assert_close(ridge_fit(moved, y), ridge_fit(x, y))
    w = ridge_fit(x, y)
    assert reversed_ridge_term(moved, y, 0.5, w).item() == pytest.approx(
        reversed_ridge_term(x, y, 0.5, w).item(), rel=1e-12)


def test_reversed_term_gradcheck_and_reversal():
    y = group_targets(CODES, 3).double()
    x = _vectors(2).requires_grad_(True)
    w = ridge_fit(x, y)
    # λ = −1 undoes the reversal: the plain gradient of the loss with W held fixed.
    assert torch.autograd.gradcheck(lambda z: reversed_ridge_term(z, y, -1.0, w), (x,))
    assert torch.autograd.gradcheck(lambda z: ridge_adversary_loss(z, y, w), (x,))
    # With λ it is −λ times the autograd gradient of the loss, value unchanged.
    value = reversed_ridge_term(x, y, 0.3, w)
    value.backward()
    reversed_grad = x.grad.clone()
    x.grad = None
    plain = ridge_adversary_loss(x, y, w)
    plain.backward()
    assert value.item() == pytest.approx(plain.item(), rel=1e-12)
    torch.testing.assert_close(reversed_grad, -0.3 * x.grad)
    # Left-out users receive no gradient.
    assert torch.all(reversed_grad[CODES < 0] == 0)


def test_descending_the_reversed_term_hides_the_groups():
    """Descending the reversed term moves group means together: a refitted OLS explains less."""
    gen = torch.Generator().manual_seed(3)
    codes = torch.randint(0, 2, (200,), generator=gen)
    x = torch.randn(200, 6, generator=gen, dtype=torch.float64)
    x[:, 0] += 2.0 * codes  # group 1 sits apart on one axis
    y = group_targets(codes, 2).double()

    def explained(z):  # R² of an independent OLS fit of the group on z
        design = np.hstack([z, np.ones((len(z), 1))])
        target = codes.numpy().astype(float)
        coef, *_ = np.linalg.lstsq(design, target, rcond=None)
        return 1 - ((target - design @ coef) ** 2).sum() / ((target - target.mean()) ** 2).sum()

    z = x.clone().requires_grad_(True)
    for _ in range(20):
        z.grad = None
        reversed_ridge_term(z, y, 1.0).backward()  # the adversary refitted at every step
        with torch.no_grad():
            z -= 50.0 * z.grad  # the loss is a mean over 200 users: small per-user gradients
    # Measured: R² 0.55 -> 0.012.
    assert explained(x.numpy()) > 0.5
    assert explained(z.detach().numpy()) < 0.05 * explained(x.numpy())


@pytest.mark.parametrize("hidden", [0, 32])
def test_weight_zero_is_the_plain_model_for_both_adversaries(hidden):
    ds, _ = tiny_data()
    split = split_dataset(ds, method="temporal")
    kw = dict(dim=8, epochs=3, batch_size=128, patience=0, device="cpu", seed=3)
    plain = BPR(**kw).fit(ds, split)
    fair = BPR(**kw, fairness=parse_fairness("adversary:gender", 0.0, hidden=hidden)
               ).fit(ds, split)
    a, b = plain.module_.state_dict(), fair.module_.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    moved = BPR(**kw, fairness=parse_fairness("adversary:gender", 1.0, hidden=hidden)
                ).fit(ds, split)
    assert not torch.equal(a["user.weight"], moved.module_.state_dict()["user.weight"])
