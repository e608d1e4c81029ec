"""Calibrated re-ranking (Steck 2018), greedy over list positions.

Steck, "Calibrated Recommendations", RecSys 2018: a list is calibrated when
the category mix it shows, q(c|u), matches the mix of the user's history,
p(c|u). The re-ranked list maximises

    (1 − λ) · Σ_{i∈I} s(i)  −  λ · KL(p ‖ q̃(I)),   q̃ = (1 − α) q + α p,

with q(c|I) = Σ_{i∈I} w_r(i) 1[c(i) = c] / Σ_{i∈I} w_r(i) weighted by the rank
r(i) of each item, built greedily: in step n the item that maximises the
objective of the first n − 1 items plus itself is appended (Steck's
Section 4). s(i) is the per-user min-max normalised score; the weights w_r
and α follow the metrics engine's miscalibration (DESIGN.md §4), so the
re-ranker optimises exactly what the audit measures.
"""

from __future__ import annotations

import numpy as np

from fairrec_core.i18n import phrase
from fairrec_core.i18n.labels import grouping_words
from fairrec_core.metrics.exposure import position_weights

from ._queues import GroupQueues, choose, history_shares
from .base import Reranker, RerankError, State, as_grouping, item_codes


class Calibrated(Reranker):
    """Steck's calibrated re-ranking over item categories.

    Parameters
    ----------
    item_groups : Grouping or array-like of labels, shape (n_items,)
        The item categories (one per item; missing labels form "unknown").
    user_groups : ignored
        Accepted for the shared interface; recorded as unused.
    history : scipy.sparse matrix, shape (n_users, n_items), optional
        Training interactions; p(c|u) is the share of category c among the
        user's history items (each item once). Needed unless ``target``.
    target : array of shape (n_users, n_categories), optional
        p(c|u) given directly (rows normalised).
    alpha : float, default 0.01
        Steck's α, which keeps the divergence finite.
    exposure : {"log", "geometric", "uniform"}, default "log"
        Rank weights w_r for q (DESIGN.md §4 position-bias models).
    p : float, default 0.8
        Patience of the geometric model.

    Notes
    -----
    Users without a history have no p(c|u); their divergence term is taken
    as 0, so they keep the base order. Ties go to the item earlier in the
    base order; λ = 0 reproduces the base top-K exactly.

    The divergence after adding an item of category c' is updated in
    O(n_categories) per user: with b_c = (1 − α) Q_c / W' + α p_c for the
    weighted counts Q of the list so far and the new total weight W',
    KL = Σ p log p − Σ_c p_c log b_c − p_{c'} [log(b_{c'} + (1 − α) w / W') − log b_{c'}].
    """

    name = "calibrated"
    title = "calibrated re-ranking (greedy, KL to the history's category mix)"
    reference = "Steck, Calibrated Recommendations, RecSys 2018"

    def __init__(self, *, item_groups, user_groups=None, history=None, target=None,
                 alpha: float = 0.01, exposure: str = "log", p: float = 0.8):
        if item_groups is None:
            raise RerankError("The calibrated method needs item_groups (the item categories).")
        if history is None and target is None:
            raise RerankError("The calibrated method needs the users' history (training matrix) "
                              "or a target category distribution per user.")
        if not 0.0 < float(alpha) < 1.0:
            raise RerankError(f"alpha must lie strictly between 0 and 1, got {alpha}.")
        self.item_groups = as_grouping(item_groups, name="category", what="item category")
        self.history = history
        self.target = target
        self.alpha = float(alpha)
        self.exposure = exposure
        self.p = p

    def get_params(self) -> dict:
        return {"item_grouping": self.item_groups.name, "alpha": self.alpha,
                "exposure": self.exposure, "target": "history" if self.target is None else "array"}

    def _target(self, n_users: int) -> tuple[np.ndarray, np.ndarray, dict]:
        # Depends on the configuration only: computed once per re-ranker.
        cache = self.__dict__.setdefault("_target_cache", {})
        if n_users not in cache:
            cache[n_users] = self._compute_target(n_users)
        return cache[n_users]

    def _compute_target(self, n_users: int) -> tuple[np.ndarray, np.ndarray, dict]:
        g = self.item_groups
        if self.target is None:
            out, has = history_shares(self.history, g.codes, g.n_groups, n_users,
                                      what="calibrated re-ranking")
        else:
            arr = np.asarray(self.target, dtype=np.float64)
            if arr.shape != (n_users, g.n_groups):
                raise RerankError(f"target must have shape (n_users, n_categories) = "
                                  f"({n_users}, {g.n_groups}), got {arr.shape}.")
            if not np.isfinite(arr).all() or (arr < 0).any():
                raise RerankError("target values must be finite and non-negative.")
            tot = arr.sum(axis=1)
            has = tot > 0
            out = np.zeros_like(arr)
            out[has] = arr[has] / tot[has, None]
        pos = out > 0
        # Σ p log p (0 log 0 = 0), Σ p and the "category absent" mask, reused
        # by every step of every run.
        aux = {"neg_entropy": np.where(pos, out * np.log(np.where(pos, out, 1.0)), 0.0).sum(axis=1),
               "target_sum": out.sum(axis=1), "absent": (~pos).astype(np.float64)}
        return out, has, aux

    def _prepare(self, state: State) -> None:
        prep = state.candidates.prepared
        g = self.item_groups
        codes = item_codes(g, prep)
        target, has, aux = self._target(state.candidates.n_users)
        try:
            weights = position_weights(state.k, self.exposure, p=self.p)
        except Exception as exc:  # the metrics engine's message names the problem
            raise RerankError(str(exc)) from exc
        state.data.update(queues=GroupQueues(codes, g.n_groups), target=target,
                          weights=weights, **aux)
        n_without = int((~has).sum())
        if n_without:
            state.notes.append(phrase("rerank.calibrated.no_history", n=n_without))
        state.params.update({"item_grouping": g.name, "categories": list(g.labels),
                             "alpha": self.alpha, "exposure": self.exposure,
                             "target": "history" if self.target is None else "array",
                             "users_without_history": n_without, "user_groups": "not used"})
        state.params["summary"] = phrase("rerank.calibrated.summary",
                                         grouping=grouping_words(g.name), alpha=f"{self.alpha:g}",
                                         exposure=self.exposure)

    def _run(self, state: State, lam: float):
        prep = state.candidates.prepared
        q: GroupQueues = state.data["queues"]
        p = state.data["target"]
        h = state.data["neg_entropy"]
        p_sum = state.data["target_sum"]
        absent = state.data["absent"]
        w = state.data["weights"]
        al = self.alpha
        n, c = prep.ids.shape
        k = state.k
        cur = q.cursor(prep.rel)
        acc = np.zeros(p.shape)
        w_acc = 0.0
        out_cols = np.full((n, k), -1, dtype=np.int64)
        out_val = np.full((n, k), np.nan)
        for t in range(k):
            w_new = w_acc + w[t]
            # q̃_c = num_c / W' with num_c = (1 − α) Q_c + α p_c W'. Adding 1
            # where p_c = 0 keeps the log finite; those terms are multiplied
            # by p_c = 0 and vanish, as categories outside the history must.
            num = (1 - al) * acc + (al * w_new) * p
            log_num = np.log(num + absent)
            s_base = (p * log_num).sum(axis=1) - p_sum * np.log(w_new)
            # Only the added item's category c' changes: num_c' grows by
            # (1 − α) w_t; W' cancels in the difference of logs.
            gain = p * (np.log(num + ((1 - al) * w[t]) + absent) - log_num)
            kl = (h - s_base)[:, None] - gain
            obj = (1 - lam) * cur.rel_head - lam * kl
            grp, col, val, ok = choose(obj, cur.cols, cur.have, c)
            if not ok.any():
                break
            out_cols[:, t] = col
            out_val[:, t] = np.where(ok, val, np.nan)
            r, gg = q.rows[ok], grp[ok]
            cur.advance(r, gg)
            acc[r, gg] += w[t]
            w_acc = w_new
        return out_cols, out_val, {}
