"""Representation leakage: can an attacker read a sensitive attribute from user vectors?

UP5 (Hua et al., 2023) and PFCN (Li et al., SIGIR 2021) measure it as the
ROC-AUC of a classifier that predicts the attribute from the model's user
representation: 0.5 means nothing leaks, 1 means the attribute can be read
off exactly. The attacker here is a standardised logistic regression,
evaluated out of fold (stratified k-fold), so the AUC is that of unseen
users. More than two values use the macro one-vs-one AUC (Hand & Till 2001,
as scikit-learn's ``multi_class="ovo"``).

The interval is a percentile bootstrap over users of the out-of-fold
predictions (the attacker is not refitted per resample); the spread of the
per-fold AUCs is reported beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fairrec_core._json import jsonable
from fairrec_core.errors import ConfigError, NotFittedError
from fairrec_core.llm.profile import MISSING


@dataclass
class LeakageResult:
    """Out-of-fold attacker AUC for one attribute.

    Attributes
    ----------
    attribute : str
    auc : float
        Out-of-fold ROC-AUC (macro one-vs-one for more than two classes).
    ci : list of float
        Bootstrap percentile interval over users.
    fold_aucs : list of float
    classes : list of str
    n_users : int
        Users used (known value, class with at least two members).
    left_out : int
        Users without a known value, or of a class too small to cross-validate.
    folds : int
    """

    attribute: str
    auc: float
    ci: list
    fold_aucs: list
    classes: list
    n_users: int
    left_out: int
    folds: int
    level: float = 0.95

    def to_dict(self) -> dict:
        return jsonable(self.__dict__)


def binary_auc(y_true, score) -> float:
    """ROC-AUC of a binary problem by the Mann-Whitney rank statistic (ties count half)."""
    from scipy.stats import rankdata

    y = np.asarray(y_true).astype(bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(np.asarray(score, dtype=np.float64))
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def ovo_auc(y_codes, proba) -> float:
    """Macro one-vs-one ROC-AUC (Hand & Till): mean over class pairs of the two-way AUCs.

    Parameters
    ----------
    y_codes : array-like of int, shape (n,)
        Class index per row (0..m-1).
    proba : array-like, shape (n, m)
        Predicted class probabilities.
    """
    y = np.asarray(y_codes)
    p = np.asarray(proba, dtype=np.float64)
    m = p.shape[1]
    if m == 2:
        return binary_auc(y == 1, p[:, 1])
    pairs = []
    for a in range(m):
        for b in range(a + 1, m):
            sel = (y == a) | (y == b)
            if not ((y == a).any() and (y == b).any()):
                continue
            ab = binary_auc(y[sel] == a, p[sel, a])
            ba = binary_auc(y[sel] == b, p[sel, b])
            pairs.append((ab + ba) / 2.0)
    return float(np.mean(pairs)) if pairs else float("nan")


def leakage_auc(vectors, labels, *, attribute: str = "attribute", folds: int = 5,
                n_boot: int = 500, level: float = 0.95, seed: int = 0,
                C: float = 1.0) -> LeakageResult:
    """Cross-validated logistic-regression attacker AUC for one attribute.

    Parameters
    ----------
    vectors : array-like, shape (n_users, d)
        User representations (one row per user).
    labels : array-like, shape (n_users,)
        Attribute value per user; missing / "unknown" values are left out and counted.
    attribute : str
        Name used in messages and the result.
    folds : int, default 5
        Stratified folds (reduced to the smallest class size when needed).
    n_boot : int, default 500
    level : float, default 0.95
    seed : int, default 0
    C : float, default 1.0
        Inverse regularisation strength of the attacker.

    Returns
    -------
    LeakageResult
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = np.asarray(vectors, dtype=np.float64)
    lab = np.asarray(labels, dtype=object)
    if x.ndim != 2 or len(x) != len(lab):
        raise ConfigError(f"User vectors ({x.shape}) and {attribute} labels ({len(lab)}) must "
                          "have one row per user.")
    y, classes, keep = _codes(lab, attribute)
    x, y = x[keep], y[keep]
    folds = int(min(folds, np.bincount(y).min()))
    if folds < 2:
        raise ConfigError(f"Every value of '{attribute}' needs at least two users to "
                          "cross-validate the attacker.")
    proba = np.zeros((len(y), len(classes)))
    fold_aucs = []
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for tr, te in cv.split(x, y):
        clf = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))
        clf.fit(x[tr], y[tr])
        proba[te] = clf.predict_proba(x[te])
        fold_aucs.append(ovo_auc(y[te], proba[te]))
    auc = ovo_auc(y, proba)
    rng = np.random.default_rng(seed)
    boot = np.array([ovo_auc(y[idx], proba[idx])
                     for idx in (rng.integers(0, len(y), len(y)) for _ in range(n_boot))])
    from fairrec_core.metrics.bootstrap import percentile_interval

    lo, hi = percentile_interval(boot, level=level)
    return LeakageResult(attribute, float(auc), [lo, hi], [float(a) for a in fold_aucs],
                         [str(c) for c in classes], int(len(y)), int((~keep).sum()), folds,
                         float(level))


def _codes(lab: np.ndarray, attribute: str):
    text = np.array(["" if v is None else str(v) for v in lab], dtype=object)
    known = np.array([t.strip().lower() not in MISSING for t in text])
    classes, counts = np.unique(text[known], return_counts=True)
    big = set(classes[counts >= 2].tolist())
    keep = known & np.array([t in big for t in text])
    classes = np.array(sorted(big), dtype=object)
    if len(classes) < 2:
        raise ConfigError(f"The attribute '{attribute}' has fewer than two values with at "
                          "least two users each; leakage cannot be measured.")
    lookup = {c: i for i, c in enumerate(classes)}
    y = np.array([lookup.get(t, -1) for t in text], dtype=np.int64)
    return y, classes, keep


def user_vectors(model, users=None) -> np.ndarray:
    """The user representations of a fitted model (BPR, two-tower, profile two-tower).

    Uses the model's public ``user_vectors`` when it has one, else the torch
    models' user tower.
    """
    if not getattr(model, "is_fitted", True):
        raise NotFittedError("Train the model before measuring leakage from its user vectors.")
    users = np.arange(model.n_users_) if users is None else np.asarray(users, dtype=np.int64)
    own = getattr(model, "user_vectors", None)
    if callable(own):
        return np.asarray(own(users), dtype=np.float64)
    if hasattr(model, "_user_matrix"):
        import torch

        with torch.no_grad():
            return model._user_matrix(users).cpu().numpy().astype(np.float64)
    raise ConfigError(f"The {getattr(model, 'name', type(model).__name__)} model has no user "
                      "vectors, so representation leakage cannot be measured for it.")


def model_leakage(model, dataset, attributes, **kw) -> dict[str, LeakageResult]:
    """:func:`leakage_auc` of every attribute in ``attributes`` for ``model``'s user vectors."""
    vecs = user_vectors(model)
    out = {}
    for a in attributes:
        if a not in dataset.users.columns:
            raise ConfigError(f"'{a}' is not a column of the users file.")
        out[a] = leakage_auc(vecs, dataset.users[a].to_numpy(), attribute=a, **kw)
    return out


__all__ = ["LeakageResult", "binary_auc", "leakage_auc", "model_leakage", "ovo_auc",
           "user_vectors"]
