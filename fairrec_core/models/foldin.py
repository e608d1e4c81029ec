"""Amortised fold-in: a matrix-factorisation user vector estimated from a history.

BPR-MF learns each user's vector as a free parameter; it cannot itself say
what it would score for a user with another history. The fold-in answers
that by a ridge-regression map, fitted across all users, from the mean of a
user's history item factors to their learned vector:

    p_u ≈ c + mean_{j in hist(u)} q_j @ M

For a known user the part of the vector the map does not explain (the
residual) is kept, so the user's own history gives the model's own vector
exactly and other histories move it by what the map says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class FoldIn:
    """A fitted fold-in map.

    Attributes
    ----------
    M : numpy.ndarray, shape (d, d)
        Row form: ``mean_history_factors @ M``.
    c : numpy.ndarray, shape (d,)
        Intercept.
    r2 : float
        On held-out users (20%), R² of the scores ``p_u . q_i`` the map implies
        against the model's own (item biases left out: the same on both sides,
        they would flatter it). NaN when there are too few users to hold out.
    r2_vectors : float
        Held-out R² of the user vectors themselves.
    n_users : int
        Users the map was fitted on.
    """

    M: np.ndarray
    c: np.ndarray
    r2: float
    r2_vectors: float
    n_users: int


def fit_foldin(user_factors: np.ndarray, item_factors: np.ndarray, seen: sp.csr_matrix, *,
               alpha: float = 1e-3, max_users: int = 50_000, seed: int = 0) -> FoldIn:
    """Fit the fold-in map of a matrix-factorisation model.

    Parameters
    ----------
    user_factors : numpy.ndarray, shape (n_users, d)
    item_factors : numpy.ndarray, shape (n_items, d)
    seen : scipy.sparse.csr_matrix, shape (n_users, n_items)
        The histories the user vectors were learned from.
    alpha : float, default 1e-3
        Ridge penalty relative to the mean variance of the inputs.
    max_users : int, default 50,000
        A seeded sample of users beyond this.
    seed : int, default 0

    Returns
    -------
    FoldIn
        Fitted first on 80% of the users to measure R² on the other 20%, then
        on all of them.
    """
    P = np.asarray(user_factors, dtype=np.float64)
    Q = np.asarray(item_factors, dtype=np.float64)
    counts = np.diff(seen.indptr)
    users = np.flatnonzero(counts > 0)
    rng = np.random.default_rng(seed)
    if users.size > max_users:
        users = np.sort(rng.choice(users, max_users, replace=False))
    X = np.asarray(seen[users].astype(np.float64) @ Q) / counts[users][:, None]
    Y = P[users]
    perm = rng.permutation(users.size)
    cut = int(0.8 * users.size)
    r2 = r2_vec = float("nan")
    if cut >= 2 and users.size - cut >= 1:
        M, c = _ridge(X[perm[:cut]], Y[perm[:cut]], alpha)
        held = perm[cut:]
        pred = X[held] @ M + c
        yt = Y[held]
        r2_vec = _r2(yt, pred)
        cols = np.arange(Q.shape[0])
        if cols.size > 2000:
            cols = np.sort(rng.choice(cols, 2000, replace=False))
        r2 = _r2(yt @ Q[cols].T, pred @ Q[cols].T)
    M, c = _ridge(X, Y, alpha)
    return FoldIn(M=M, c=c, r2=r2, r2_vectors=r2_vec, n_users=int(users.size))


def _r2(y, pred) -> float:
    den = ((y - y.mean()) ** 2).sum()
    return float(1 - ((y - pred) ** 2).sum() / den) if den > 0 else float("nan")


def _ridge(X, Y, alpha):
    """Ridge regression with an unpenalised intercept; alpha scales with the data's variance."""
    xm, ym = X.mean(0), Y.mean(0)
    Xc, Yc = X - xm, Y - ym
    g = Xc.T @ Xc
    lam = alpha * max(np.trace(g) / g.shape[0], 1e-12)
    M = np.linalg.solve(g + lam * np.eye(g.shape[0]), Xc.T @ Yc)
    return M, ym - xm @ M
