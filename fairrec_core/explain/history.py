"""History attribution: which of a user's past items made the model recommend an item.

The players of the game are the user's ``H`` most recent history items (the
older ones stay in place throughout); a coalition keeps some of them; its
value is the model's score of the explained item for the user with only
that history. Shapley values of this game are computed with shap's exact
explainer for small ``H`` and its permutation explainer otherwise. Both are
*efficient*: the values add up to f(full history) - f(no recent history)
exactly, whatever the number of permutations.

How "the score with this history" is defined depends on the model:

* **text two-tower** -- the user tower pools (averages) the projected text
  vectors of the history items, so leaving items out of that average is the
  model's own answer. :class:`HistoryValue` recomputes the user tower from
  the network's public layers for every coalition in one batched forward.
* **BPR-MF** -- the user vector is a free parameter learned during training
  and does not take the history as input. fairrec uses an *amortised
  fold-in*: a ridge-regression map, fitted across all users, from the
  average of a user's history item factors to their learned vector; the part
  of the user's vector the map does not explain is kept fixed. With the full
  history the score equals the model's score exactly; with items removed it
  is this approximation's estimate (its fit on held-out users is reported).
* **popularity, imported lists** -- the score does not depend on the user's
  history (popularity) or there is no model at all (imported lists): there
  is nothing to attribute, and the explainer says so.
"""

from __future__ import annotations

import time
import weakref

import numpy as np

from fairrec_core.explain._common import (check_fitted, check_model_matches, item_label,
                                          model_kind, ordered_history, resolve_id)
from fairrec_core.explain.result import Explanation, ExplanationError

#: Histories up to this length are explained exactly (2^H coalitions).
EXACT_UP_TO = 10
#: Antithetic permutations (each evaluated forwards and backwards) beyond EXACT_UP_TO.
DEFAULT_PERMUTATIONS = 100

_FOLDIN_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

CAVEAT_TWO_TOWER = (
    "Each value is the item's Shapley value in a game whose players are {players}: how "
    "much, averaged over every order of adding them, keeping that item raised (+) or "
    "lowered (-) the model's score for the recommended item. The two-tower model's user "
    "tower averages your history items, so the scores with items removed are the model's "
    "own.{older} The values add up exactly to the score with your history minus the score "
    "without these items{approx}. They describe this score, not the whole ranking: other "
    "items' scores change too when your history changes.")
CAVEAT_BPR = (
    "Each value is the item's Shapley value in a game whose players are {players}, added "
    "in every order. BPR matrix factorisation stores each user as a learned vector and "
    "cannot itself say what it would score without an item, so fairrec estimates it by an "
    "amortised fold-in: a linear map, fitted across all users, from the average of a "
    "user's history item factors to their learned vector (for users it was not fitted on, "
    "the scores it implies explain R\u00b2 = {r2:.2f} of the variance of the model's "
    "own); the part of your vector the map does not explain stays fixed. With your full "
    "history the score is exactly the model's; with items removed it is this estimate, "
    "not the model's own answer.{older} The values add up exactly to the score with your "
    "history minus the score without these items{approx}.")


class HistoryValue:
    """The model's score of one item for one user as a function of which history items are kept.

    Parameters
    ----------
    model : BPR or TextTwoTower
        A fitted model.
    dataset : Dataset
        The data the model was fitted on (ids, timestamps, titles).
    user, item : int or str
        Dense ids (integers) or original ids (text).
    max_history : int, default 20
        At most this many of the most recent history items are players; the
        older ones are always kept.

    Attributes
    ----------
    user, item : int
        Dense ids.
    players : numpy.ndarray of int64
        The recent history items, most recent first.
    fixed : numpy.ndarray of int64
        Older history items, always kept.
    kind : {"bpr", "two-tower"}
    by_time : bool
        Whether the history order came from timestamps.
    full, empty : float
        The value with every player kept / with none.
    foldin_r2 : float or None
        BPR only: R² of the fold-in map on held-out users.
    """

    def __init__(self, model, dataset, user, item, *, max_history: int = 20):
        kind = _check_model(model)
        check_model_matches(model, dataset)
        if int(max_history) != max_history or max_history < 1:
            raise ExplanationError("max_history must be a positive whole number.")
        self.user = resolve_id(user, dataset.user_ids, "user", model.n_users_)
        self.item = resolve_id(item, dataset.item_ids, "item", model.n_items_)
        self.kind = kind
        hist, self.by_time = ordered_history(model, dataset, self.user)
        if hist.size == 0:
            raise ExplanationError(_no_history_message(kind, dataset, self.user))
        h = min(int(max_history), hist.size)
        self.players = hist[:h]
        self.fixed = hist[h:]
        self.foldin_r2 = None
        if kind == "two-tower":
            self._eval = self._two_tower(model)
        else:
            self._eval = self._bpr(model)
        both = self(np.array([[True] * h, [False] * h]))
        self.full, self.empty = float(both[0]), float(both[1])

    def __len__(self) -> int:
        return int(self.players.size)

    def __call__(self, masks) -> np.ndarray:
        """Scores for a batch of coalitions.

        Parameters
        ----------
        masks : array-like of bool or 0/1, shape (n, H)
            Row ``r`` keeps player ``j`` when ``masks[r, j]`` is true.

        Returns
        -------
        numpy.ndarray of float64, shape (n,)
        """
        z = np.asarray(masks, dtype=np.float32)
        if z.ndim == 1:
            z = z[None, :]
        if z.shape[1] != self.players.size:
            raise ValueError(f"expected {self.players.size} columns, got {z.shape[1]}")
        return self._eval(np.ascontiguousarray(z))

    # ---------------------------------------------------------------- two-tower
    def _two_tower(self, model):
        """Batched user tower over coalitions, built from the network's public layers.

        Mirrors ``TwoTowerModule``: p_u = a_u + H(W mean_{j in hist} t_j), the
        mean over history items that have text; s = <p_u, v_i> + b_i.
        """
        import torch

        mod = model.module_
        linear = all(isinstance(layer, torch.nn.Linear) and layer.bias is None
                     for layer in (mod.proj, mod.hist))
        if linear:
            return self._two_tower_linear(mod)
        was_training = mod.training
        mod.eval()
        dev = mod.user_id.weight.device
        with torch.no_grad():
            w_all = mod.has_text.float()
            players = torch.from_numpy(self.players).to(dev)
            fixed = torch.from_numpy(self.fixed).to(dev)
            t_players = mod.text[players] * w_all[players].unsqueeze(1)
            w_players = w_all[players]
            fixed_sum = (mod.text[fixed] * w_all[fixed].unsqueeze(1)).sum(0)
            fixed_n = w_all[fixed].sum()
            a = mod.user_id.weight[self.user]
            item = torch.tensor([self.item], device=dev)
            pt = mod.proj(mod.text[item])
            dim = mod.dim
            v = (mod.item_id(item) + pt[:, :dim])[0]
            b = (mod.item_bias(item).squeeze(-1) + pt[:, dim])[0]
        mod.train(was_training)

        def evaluate(z: np.ndarray) -> np.ndarray:
            with torch.no_grad():
                zt = torch.from_numpy(z).to(dev)
                s = fixed_sum + zt @ t_players
                n = fixed_n + zt @ w_players
                mean = s / n.clamp_min(1.0).unsqueeze(1)
                p = a + mod.hist(mod.proj(mean)[:, :dim])
                return (p @ v + b).double().cpu().numpy()

        return evaluate

    def _two_tower_linear(self, mod):
        """The same score when the history path is linear (no bias, no activation).

        Then each history item's share of the score is one number,
        c_j = <H W_d t_j, v_i>, and a coalition scores const + (F + z.c) / max(1, n).
        Computed in float64 numpy from the layers' weights: tiny torch calls
        stall for milliseconds each when the CPU cores are shared.
        """
        import torch

        def arr(t):
            return t.detach().double().cpu().numpy()

        dim = mod.dim
        w_proj, w_hist = arr(mod.proj.weight), arr(mod.hist.weight)
        has = arr(mod.has_text.float())
        # Index with tensors: a numpy index array takes torch's slow path (milliseconds).
        text_p = arr(mod.text[torch.from_numpy(self.players)]) * has[self.players][:, None]
        text_f = arr(mod.text[torch.from_numpy(self.fixed)]) * has[self.fixed][:, None]
        t_item = arr(mod.text[self.item])
        pt = w_proj @ t_item
        v = arr(mod.item_id.weight[self.item]) + pt[:dim]
        b = float(arr(mod.item_bias.weight[self.item])[0]) + pt[dim]
        a = arr(mod.user_id.weight[self.user])
        # Rows of t @ W_proj^T, first dim columns, then @ W_hist^T, dotted with v.
        to_score = w_proj[:dim].T @ (w_hist.T @ v)
        c = text_p @ to_score
        fixed_c = float(text_f.sum(0) @ to_score)
        w = has[self.players]
        fixed_n = float(has[self.fixed].sum())
        const = float(a @ v + b)

        def evaluate(z: np.ndarray) -> np.ndarray:
            z = z.astype(np.float64)
            return const + (fixed_c + z @ c) / np.maximum(fixed_n + z @ w, 1.0)

        return evaluate

    # ---------------------------------------------------------------- BPR
    def _bpr(self, model):
        fold = bpr_foldin(model)
        self.foldin_r2 = fold["r2"]
        q, bias = fold["Q"], fold["b"]
        qi = q[self.item]
        # Everything the score needs collapses to scalars per history item:
        # s(S) = (r_u + c + M mean_{j in S} q_j) . q_i + b_i.
        m_qi = fold["M"] @ qi  # mean @ M . q_i == mean . (M q_i)
        contrib = q[self.players] @ m_qi
        fixed_sum = float(q[self.fixed].sum(0) @ m_qi) if self.fixed.size else 0.0
        fixed_n = float(self.fixed.size)
        hist = np.concatenate([self.players, self.fixed])
        full_mean = q[hist].mean(0)
        resid = fold["P"][self.user] - (fold["c"] + full_mean @ fold["M"])
        const = float((resid + fold["c"]) @ qi + bias[self.item])

        def evaluate(z: np.ndarray) -> np.ndarray:
            z = z.astype(np.float64)
            n = fixed_n + z.sum(1)
            pooled = (fixed_sum + z @ contrib) / np.maximum(n, 1.0)
            return const + pooled

        return evaluate


def bpr_foldin(model, *, alpha: float = 1e-3, max_users: int = 50_000, seed: int = 0) -> dict:
    """The amortised fold-in map of a fitted BPR-MF model (cached per fitted network).

    Fits ``p_u ≈ c + M mean_{j in hist(u)} q_j`` by ridge regression over
    users with a history (a seeded sample of ``max_users`` at most), first on
    80% of them to measure R² on the other 20%, then on all.

    Returns
    -------
    dict
        ``M`` (d x d, row form: ``mean @ M``), ``c`` (d,), ``r2`` (held-out
        users: R² of the scores ``p_u . q_i`` over items, biases left out),
        ``r2_vectors`` (held-out R² of the user vectors themselves), ``P``,
        ``Q``, ``b`` (the model's factors and item biases, float64 numpy).
    """
    mod = model.module_
    hit = _FOLDIN_CACHE.get(mod)
    if hit is not None:
        return hit
    P = mod.user.weight.detach().double().cpu().numpy()
    Q = mod.item.weight.detach().double().cpu().numpy()
    bias = getattr(mod, "bias", None)
    b = (np.zeros(Q.shape[0]) if bias is None
         else bias.weight.detach().double().cpu().numpy().reshape(-1))
    seen = model.seen_
    counts = np.diff(seen.indptr)
    users = np.flatnonzero(counts > 0)
    rng = np.random.default_rng(seed)
    if users.size > max_users:
        users = np.sort(rng.choice(users, max_users, replace=False))
    sub = seen[users]
    X = np.asarray(sub.astype(np.float64) @ Q) / counts[users][:, None]
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
        # What the explanation relies on is the scores, so judge the map by them too
        # (item biases left out: they are the same on both sides and would flatter it).
        cols = np.arange(Q.shape[0])
        if cols.size > 2000:
            cols = np.sort(rng.choice(cols, 2000, replace=False))
        r2 = _r2(yt @ Q[cols].T, pred @ Q[cols].T)
    M, c = _ridge(X, Y, alpha)
    out = {"M": M, "c": c, "r2": r2, "r2_vectors": r2_vec, "P": P, "Q": Q, "b": b}
    _FOLDIN_CACHE[mod] = out
    return out


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


def explain_history(model, dataset, user, item, *, max_history: int = 20,
                    permutations: int = DEFAULT_PERMUTATIONS, exact_up_to: int = EXACT_UP_TO,
                    seed: int = 0) -> Explanation:
    """Shapley values of a user's recent history items for the score of one item.

    Parameters
    ----------
    model : BPR or TextTwoTower
        A fitted model. Popularity and imported lists are refused with a
        message: their scores do not depend on the history.
    dataset : Dataset
        The data the model was fitted on.
    user, item : int or str
        Dense ids (integers) or original ids (text).
    max_history : int, default 20
        Players: at most this many most recent history items; older items
        stay in every coalition.
    permutations : int, default 100
        Antithetic permutations of shap's permutation explainer (used when
        the history has more than ``exact_up_to`` players). Every permutation
        is exactly efficient; more permutations lower the sampling noise (on
        the sample data, 100 give values within about 6% of the largest
        exact value, in about 10 ms; see benchmarks/RESULTS.md).
    exact_up_to : int, default 10
        Up to this many players, shap's exact explainer evaluates all 2^H
        coalitions.
    seed : int, default 0

    Returns
    -------
    Explanation
        ``kind="history"``; ``features`` are item titles with ids, ``values``
        the Shapley values (score units), ``base_value`` the score without the
        players, ``output_value`` the score with the full history.
        ``details`` holds ``item_ids`` (original ids of the players),
        ``dense_items``, ``fixed_items`` (count) and ``efficiency_gap``.

    Raises
    ------
    ExplanationError
        Model it does not apply to, unknown ids, a user without history.
    """
    import shap

    t0 = time.perf_counter()
    value = HistoryValue(model, dataset, user, item, max_history=max_history)
    h = len(value)
    x = np.ones((1, h))
    masker = shap.maskers.Independent(np.zeros((1, h)), max_samples=1)
    # shap's permutation explainer shuffles with numpy's global RNG and reseeds it in its
    # constructor (from the OS when seed is None): give it the seed, then restore the
    # caller's RNG state.
    state = np.random.get_state()
    try:
        if h <= exact_up_to:
            method = "SHAP (exact)"
            explainer = shap.explainers.Exact(value, masker)
            res = explainer(x)
            evals = 2 ** h
        else:
            method = "SHAP (permutation)"
            max_evals = int(permutations) * (2 * h + 1)
            explainer = shap.explainers.Permutation(value, masker, seed=int(seed))
            res = explainer(x, max_evals=max_evals, silent=True)
            evals = max_evals
    finally:
        np.random.set_state(state)
    values = np.asarray(res.values, dtype=np.float64).reshape(-1)
    base = float(np.asarray(res.base_values).reshape(-1)[0])
    gap = float(values.sum() - (value.full - value.empty))
    runtime = time.perf_counter() - t0

    labels = [item_label(dataset, int(j)) for j in value.players]
    older = (f" Your {value.fixed.size} older history items stay in place throughout."
             if value.fixed.size else "")
    if h == 1:
        players = "your one history item (a game of one: it gets the whole difference)"
    elif value.fixed.size:
        players = f"your {h} most recent history items"
    else:
        players = f"your {h} history items"
    approx = "" if method == "SHAP (exact)" else (
        f"; the split between items is estimated from {int(permutations)} random orders "
        "(each evaluated forwards and backwards), so small values can change sign between seeds")
    if value.kind == "two-tower":
        caveat = CAVEAT_TWO_TOWER.format(players=players, older=older, approx=approx)
    else:
        caveat = CAVEAT_BPR.format(players=players, r2=value.foldin_r2, older=older,
                                   approx=approx)
    if not value.by_time:
        caveat += (" The data has no timestamps, so 'most recent' means last in the "
                   "interactions file.")
    params = {"max_history": int(max_history), "players": h, "fixed_items": int(value.fixed.size),
              "explainer": method, "coalitions_evaluated": int(evals), "seed": int(seed),
              "model": value.kind}
    if method == "SHAP (permutation)":
        params["permutations"] = int(permutations)
    if value.kind == "bpr":
        params["history_score"] = "amortised fold-in"
        params["foldin_r2_heldout_scores"] = value.foldin_r2
    else:
        params["history_score"] = "user tower with the kept items pooled"
    subject = {"user": str(dataset.user_ids[value.user]), "user_index": value.user,
               "item": str(dataset.item_ids[value.item]), "item_index": value.item,
               "item_label": item_label(dataset, value.item)}
    details = {"item_ids": [str(dataset.item_ids[j]) for j in value.players],
               "dense_items": value.players, "fixed_items": int(value.fixed.size),
               "efficiency_gap": gap, "empty_score": value.empty}
    notes = []
    if value.fixed.size:
        notes.append(f"Only the {h} most recent of {h + value.fixed.size} history items are "
                     "attributed; the older ones are kept in every comparison.")
    return Explanation(kind="history", method=method, features=labels, values=values,
                       base_value=base, output_value=value.full,
                       target=f"model score of {subject['item_label']} for user "
                              f"{subject['user']}",
                       parameters=params, runtime_s=runtime, caveat=caveat,
                       summary=_summary(labels, values), subject=subject, details=details,
                       notes=notes)


def _summary(labels, values, n: int = 2) -> str:
    order = np.argsort(-values)
    pos = [i for i in order if values[i] > 0][:n]
    if not pos:
        return ("None of your recent history items raised this item's score; it is "
                "recommended for other reasons (the item itself or your older history).")
    parts = " and ".join(f"{labels[i]} ({values[i]:+.3f})" for i in pos)
    return f"Recommended mainly because of {parts} in your history."


def _check_model(model) -> str:
    kind = model_kind(model)
    if kind == "imported":
        raise ExplanationError(
            "History attribution does not apply to imported recommendation lists: fairrec "
            "only has the lists the production system served, not the model that made them, "
            "so there is no score to take apart. Train a model in fairrec to ask why.")
    if kind == "popularity":
        raise ExplanationError(
            "History attribution does not apply to the popularity model: it recommends the "
            "same most-popular items to everyone, so no history item changes its scores.")
    if kind not in ("bpr", "two-tower"):
        raise ExplanationError(
            f"History attribution knows how to ask BPR-MF and the text two-tower model what "
            f"they would score with a different history, not the "
            f"{getattr(model, 'name', '') or type(model).__name__} model.")
    check_fitted(model)
    return kind


def _no_history_message(kind: str, dataset, user: int) -> str:
    why = ("its score comes from the user's id embedding and the item alone"
           if kind == "two-tower" else
           "BPR-MF then knows nothing about the user beyond what training gave their vector")
    return (f"User {dataset.user_ids[user]} has no history in the model's training data, so "
            f"no history item can explain the recommendation ({why}).")
