"""Errors and argument checks shared by every re-ranker (λ in [0, 1], K ≥ 1)."""

from __future__ import annotations

import math

import numpy as np

from fairrec_core.errors import FairrecError


class RerankError(FairrecError, ValueError):
    """Candidates, groupings or options cannot be used for re-ranking."""


class RerankWarning(UserWarning):
    """A re-ranking ran, but could not do all that was asked (see the message)."""



# --------------------------------------------------------------------------- checks


def check_lam(lam) -> float:
    """Return λ as a float in [0, 1] or raise :class:`RerankError`."""
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.integer, np.floating)):
        raise RerankError(f"The fairness weight λ must be a number between 0 and 1, got {lam!r}.")
    lam = float(lam)
    if math.isnan(lam) or not 0.0 <= lam <= 1.0:
        raise RerankError(f"The fairness weight λ must lie between 0 and 1 (inclusive), got {lam}.")
    return lam


def check_k(k) -> int:
    """Return K as a positive int or raise :class:`RerankError`."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise RerankError(f"K (the list length) must be a positive whole number, got {k!r}.")
    return int(k)


def _first_user(mask_rows: np.ndarray) -> int:
    """Index of the first True entry (the first user a problem concerns)."""
    return int(np.flatnonzero(mask_rows)[0])

