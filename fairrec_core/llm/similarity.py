"""List similarities of the counterfactual probe (FaiRLLM, Zhang et al., RecSys 2023).

Every function compares row ``u`` of ``x`` with row ``u`` of ``y`` (two top-K
lists of dense item ids, ``-1`` = padding, which matches nothing) and returns
one value per row, vectorised over rows.

Definitions, as FaiRLLM's released code computes them (K = list length):

* Jaccard@K(x, y) = |x ∩ y| / |x ∪ y| (1 when both lists are empty).
* SERP*@K(x, y) = 0.5 / ((K + 1) K) · Σ_{i: x_i ∈ y} (K − i + 1), with i the
  0-based position in x. The order inside y is ignored, and identical lists
  do not score 1: for K = 20 they score 230 · 0.5 / 420 = 0.2738 (FaiRLLM's
  normalisation, kept as published so figures compare with the paper).
  DESIGN.md §10.1 writes the weight as K − i; the code (and the 0.2738 the
  paper's tables imply) uses K − i + 1, which is what is implemented here.
* SERP*-norm@K: the same sum divided by its value for identical lists,
  K (K + 3) / 2, so identical lists score 1.
* PRAG*@K(x, y): over pairs i < j of positions in x, the share where
  x_i ∈ y and (x_j ∉ y or rank_y(x_i) < rank_y(x_j)); denominator C(K, 2)
  (FaiRLLM's code; LangFair divides by K (K + 1) instead, so its identical
  lists give 0.452). For K = 1 it is 1 when the lists are equal, else 0.
"""

from __future__ import annotations

import numpy as np

from fairrec_core.errors import ConfigError

#: Similarity names in report order.
SIMILARITIES = ("jaccard", "serp", "serp_norm", "prag")
#: Rows compared at once: bounds the (rows, K, K) comparison cube in memory.
_CHUNK = 4096


def _as_lists(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim == 1:
        x, y = x[None], y[None]
    if x.ndim != 2 or x.shape != y.shape:
        raise ConfigError(f"Lists to compare must be two arrays of the same shape "
                          f"(users × K); got {x.shape} and {y.shape}.")
    return x.astype(np.int64, copy=False), y.astype(np.int64, copy=False)


def _rank_in_y(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Position of each x_i in y; K (past the end) where it is absent or padding."""
    k = x.shape[1]
    eq = (x[:, :, None] == y[:, None, :]) & (x[:, :, None] >= 0)
    found = eq.any(axis=2)
    return np.where(found, eq.argmax(axis=2), k)


def list_similarities(x, y, *, which=SIMILARITIES) -> dict[str, np.ndarray]:
    """Similarities of paired top-K lists, one value per row.

    Parameters
    ----------
    x, y : array-like of int, shape (n, K)
        ``x`` is the list being judged (the counterfactual one in the probe),
        ``y`` the reference (the neutral list or the held-out items, padded).
    which : sequence of str
        Any of ``jaccard``, ``serp``, ``serp_norm``, ``prag``.

    Returns
    -------
    dict of str to numpy.ndarray of float64, shape (n,)
    """
    unknown = [w for w in which if w not in SIMILARITIES]
    if unknown:
        raise ConfigError(f"Unknown similarity {unknown[0]!r}; choose from "
                          f"{', '.join(SIMILARITIES)}.")
    x, y = _as_lists(x, y)
    out = {w: np.empty(x.shape[0]) for w in which}
    for a in range(0, x.shape[0], _CHUNK):
        part = _chunk_similarities(x[a:a + _CHUNK], y[a:a + _CHUNK])
        for w in which:
            out[w][a:a + _CHUNK] = part[w]
    return out


def _chunk_similarities(x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    k = x.shape[1]
    pos = _rank_in_y(x, y)
    hit = pos < k
    inter = hit.sum(1)
    size_x = (x >= 0).sum(1)
    size_y = (y >= 0).sum(1)
    union = size_x + size_y - inter
    jac = np.where(union > 0, inter / np.maximum(union, 1), 1.0)
    weights = (k - np.arange(k) + 1).astype(np.float64)
    serp_sum = (hit * weights).sum(1)
    serp = serp_sum * 0.5 / ((k + 1) * k)
    serp_norm = serp_sum / (k * (k + 3) / 2.0)
    if k == 1:
        prag = (hit[:, 0]).astype(np.float64)
    else:
        upper = np.triu(np.ones((k, k), dtype=bool), 1)
        good = hit[:, :, None] & (pos[:, :, None] < pos[:, None, :]) & upper
        prag = good.sum((1, 2)) / (k * (k - 1) / 2.0)
    return {"jaccard": jac, "serp": serp, "serp_norm": serp_norm, "prag": prag}


def jaccard(x, y) -> np.ndarray:
    """Jaccard@K per row (see module docstring)."""
    return list_similarities(x, y, which=("jaccard",))["jaccard"]


def serp_star(x, y, *, normalised: bool = False) -> np.ndarray:
    """SERP*@K per row as FaiRLLM defines it, or its normalised variant."""
    key = "serp_norm" if normalised else "serp"
    return list_similarities(x, y, which=(key,))[key]


def prag_star(x, y) -> np.ndarray:
    """PRAG*@K per row as FaiRLLM defines it (denominator C(K, 2))."""
    return list_similarities(x, y, which=("prag",))["prag"]


def snsr_snsv(means) -> tuple[np.ndarray, np.ndarray]:
    """SNSR (max − min) and SNSV (population std, ddof 0) over attribute values.

    Parameters
    ----------
    means : array-like, shape (..., m)
        Mean similarity to the neutral list per attribute value (last axis).

    Returns
    -------
    snsr, snsv : numpy.ndarray, shape (...)
    """
    m = np.asarray(means, dtype=np.float64)
    return m.max(axis=-1) - m.min(axis=-1), m.std(axis=-1, ddof=0)


__all__ = ["SIMILARITIES", "jaccard", "list_similarities", "prag_star", "serp_star",
           "snsr_snsv"]
