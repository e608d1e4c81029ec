"""Provider-exposure re-ranking: smooth xQuAD, greedy over list positions.

Abdollahpouri, Burke & Mobasher, "Managing Popularity Bias in Recommender
Systems with Personalized Re-ranking", FLAIRS 2019, adapt xQuAD (Santos et
al. 2010) from query aspects to item groups. The list S is built one item at
a time; the next item v maximises

    (1 − λ) · P(v|u) + λ · Σ_c P(c|u) · P(v|c) · (1 − |S ∩ c| / |S|)

where c runs over the item groups (their head / long tail; here any provider
grouping: seller size, seller, brand), P(v|c) = 1[v ∈ c], P(c|u) is the
user's interest in group c, and the last factor is the *smooth* coverage
term (the binary variant would zero a group as soon as one of its items is
in S). P(v|u) is the per-user min-max normalised score.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from fairrec_core.i18n import phrase
from fairrec_core.i18n.labels import group_words, grouping_words

from ._queues import GroupQueues, choose, history_shares
from .base import (
    Reranker,
    RerankError,
    RerankWarning,
    State,
    as_grouping,
    item_codes,
    resolve_labels,
)

#: Ways to set P(c|u), the user's interest in each item group.
PREFERENCES = ("history", "catalog", "uniform")


class ProviderExposure(Reranker):
    """Smooth-xQuAD re-ranking towards a fair spread over item (provider) groups.

    Parameters
    ----------
    item_groups : Grouping or array-like of labels, shape (n_items,)
        The provider grouping of the whole catalogue. Missing labels form the
        group ``"unknown"``, which takes part like any other group.
    user_groups : ignored
        Accepted so that every method shares one interface; recorded as unused.
    preference : {"history", "catalog", "uniform"} or array of shape (n_users, n_groups)
        P(c|u). ``history`` (the paper's choice): the share of group c among
        the user's history items (users without history fall back to
        ``catalog``); ``catalog``: the group's share of the catalogue, the
        same for every user (aims at equal exposure, ES/CS = 1);
        ``uniform``: 1 / n_groups. An array gives it per user directly
        (rows are normalised; a zero row falls back to ``catalog``).
    history : scipy.sparse matrix, shape (n_users, n_items), optional
        Training interactions; needed for ``preference="history"``.
    protected : str or list of str, optional
        Not used by the objective (every group takes part); when given it is
        checked against the labels and recorded, so a report can name the
        group the re-ranking was meant to help, and a warning is raised if no
        user has a candidate from it.

    Notes
    -----
    Deterministic: among equal objective values the item earlier in the
    base order wins. At λ = 0 the objective is the normalised score, so the
    base order is reproduced exactly. Within a group the objective only
    depends on relevance, so each step compares each group's best remaining
    item (see :mod:`fairrec_core.rerank._queues`).
    """

    name = "provider"
    title = "provider-exposure greedy re-ranking (smooth xQuAD)"
    reference = ("Abdollahpouri, Burke & Mobasher, Managing Popularity Bias in Recommender "
                 "Systems with Personalized Re-ranking, FLAIRS 2019")

    def __init__(self, *, item_groups, user_groups=None, preference="history", history=None,
                 protected=None):
        if item_groups is None:
            raise RerankError("The provider method needs item_groups (e.g. seller size).")
        self.item_groups = as_grouping(item_groups, name="item_group", what="item")
        if isinstance(preference, str):
            if preference not in PREFERENCES:
                raise RerankError(f"preference must be one of {PREFERENCES} or an array, "
                                  f"got {preference!r}.")
            if preference == "history" and history is None:
                raise RerankError("preference='history' needs the users' history (the training "
                                  "matrix); pass history=..., or choose preference='catalog'.")
        self.preference = preference
        self.history = history
        self.protected = protected
        if protected is not None:
            resolve_labels(self.item_groups, protected, what="protected item")

    def get_params(self) -> dict:
        pref = self.preference if isinstance(self.preference, str) else "array"
        return {"item_grouping": self.item_groups.name, "preference": pref,
                "protected": self.protected}

    def _preference(self, n_users: int) -> tuple[np.ndarray, int]:
        # Depends on the configuration only, not on the candidates: computed
        # once per re-ranker (a sweep or a slider re-uses it).
        cache = self.__dict__.setdefault("_pref_cache", {})
        if n_users not in cache:
            cache[n_users] = self._compute_preference(n_users)
        return cache[n_users]

    def _compute_preference(self, n_users: int) -> tuple[np.ndarray, int]:
        g = self.item_groups
        sizes = g.sizes.astype(np.float64)
        catalog = sizes / sizes.sum()
        pref = self.preference
        if isinstance(pref, str):
            if pref == "catalog":
                return np.broadcast_to(catalog, (n_users, g.n_groups)).copy(), 0
            if pref == "uniform":
                return np.full((n_users, g.n_groups), 1.0 / g.n_groups), 0
            shares, has = history_shares(self.history, g.codes, g.n_groups, n_users,
                                         what="provider re-ranking")
            shares[~has] = catalog
            return shares, int((~has).sum())
        arr = np.asarray(pref, dtype=np.float64)
        if arr.shape != (n_users, g.n_groups):
            raise RerankError(f"preference array must have shape (n_users, n_groups) = "
                              f"({n_users}, {g.n_groups}), got {arr.shape}.")
        if not np.isfinite(arr).all() or (arr < 0).any():
            raise RerankError("preference values must be finite and non-negative.")
        tot = arr.sum(axis=1)
        out = np.where(tot[:, None] > 0, arr / np.where(tot > 0, tot, 1.0)[:, None], catalog)
        return out, int((tot <= 0).sum())

    def _prepare(self, state: State) -> None:
        prep = state.candidates.prepared
        g = self.item_groups
        codes = item_codes(g, prep)
        pref, n_fallback = self._preference(state.candidates.n_users)
        state.data.update(queues=GroupQueues(codes, g.n_groups), pref=pref)
        pmode = self.preference if isinstance(self.preference, str) else "array"
        params: dict[str, Any] = {
            "item_grouping": g.name, "groups": list(g.labels), "preference": pmode,
            "users_on_catalog_fallback": n_fallback, "user_groups": "not used"}
        if self.protected is not None:
            prot = resolve_labels(g, self.protected, what="protected item")
            lookup = np.zeros(g.n_groups + 1, dtype=bool)
            lookup[list(prot)] = True
            has = lookup[codes].any(axis=1)
            params["protected"] = [g.labels[c] for c in prot]
            params["users_with_protected_candidates"] = int(has.sum())
            if not has.any():
                note = phrase("rerank.provider.no_candidates",
                              groups=group_words(params["protected"]))
                state.notes.append(note)
                warnings.warn(note, RerankWarning, stacklevel=4)
        if n_fallback:
            state.notes.append(phrase("rerank.provider.fallback", n=n_fallback))
        state.params.update(params)
        state.params["summary"] = phrase("rerank.provider.summary",
                                         grouping=grouping_words(g.name),
                                         groups=group_words(g.labels), pmode=pmode)

    def _run(self, state: State, lam: float):
        prep = state.candidates.prepared
        q: GroupQueues = state.data["queues"]
        pref = state.data["pref"]
        n, c = prep.ids.shape
        k = state.k
        cur = q.cursor(prep.rel)
        cnt = np.zeros(pref.shape)
        out_cols = np.full((n, k), -1, dtype=np.int64)
        out_val = np.full((n, k), np.nan)
        a = 1 - lam
        for t in range(k):
            # Smooth coverage |S ∩ c| / |S|, taken as 0 for the empty list.
            cov = cnt / t if t > 0 else np.zeros(cnt.shape)
            obj = a * cur.rel_head + lam * (pref * (1 - cov))
            grp, col, val, ok = choose(obj, cur.cols, cur.have, c)
            if not ok.any():
                break
            out_cols[:, t] = col
            out_val[:, t] = np.where(ok, val, np.nan)
            r, gg = q.rows[ok], grp[ok]
            cur.advance(r, gg)
            cnt[r, gg] += 1
        return out_cols, out_val, {}
