"""Two-sided linear re-ranking: CPFair's objective, solved exactly per user.

Naghiaei, Rahmani & Deldjoo, "CPFair: Personalized Consumer and Producer
Fairness Re-ranking for Recommender Systems", SIGIR 2022, choose for every
user K of its candidates (x_ui ∈ {0, 1}, Σ_i x_ui = K) to maximise relevance
minus a weighted user-group gap (consumer side) and item-group exposure gap
(provider side). With both gaps written with a *fixed sign* — advantaged
group minus disadvantaged group, as CPFair's released implementation does —
the objective is linear in x and, because the only constraints are per user,
it separates into one independent problem per user: take the K candidates
with the largest adjusted score. That is exact (the linear programme's
constraint matrix is totally unimodular, so its optimum is integral and
equals this top-K); the tests check it against scipy's HiGHS.
"""

from __future__ import annotations

import warnings

import numpy as np

from fairrec_core.i18n import Phrase, phrase
from fairrec_core.i18n.labels import group_words, grouping_words

from .base import (
    Candidates,
    Reranker,
    RerankError,
    RerankWarning,
    State,
    as_grouping,
    infer_disadvantaged,
    item_codes,
    label_names,
    resolve_labels,
    user_codes,
)


def topk_by_argmax(adj: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-K columns of every row, best first, ties to the lower column.

    ``adj`` is modified in place (chosen entries become -inf). K passes of a
    row-wise argmax are cheaper than a sort for K ≪ C, and ``argmax``
    returning the *first* maximum is exactly the base-order tie-break when
    columns are in base order.

    Returns
    -------
    cols : numpy.ndarray of int64, shape (n, k)
        Chosen columns; -1 once a row has no finite entry left.
    values : numpy.ndarray of float64, shape (n, k)
    """
    n = adj.shape[0]
    rows = np.arange(n)
    cols = np.full((n, k), -1, dtype=np.int64)
    values = np.full((n, k), np.nan)
    for t in range(min(k, adj.shape[1])):
        j = adj.argmax(axis=1)
        v = adj[rows, j]
        ok = v > -np.inf
        cols[:, t] = np.where(ok, j, -1)
        values[:, t] = np.where(ok, v, np.nan)
        adj[rows, j] = -np.inf
    return cols, values


class TwoSided(Reranker):
    r"""Consumer- and provider-fair re-ranking with CPFair's linear objective.

    For each user u with candidates i and per-user min-max normalised scores
    W_ui ∈ [0, 1], choose x_ui ∈ [0, 1] with Σ_i x_ui = K_u = min(K, #candidates
    of u) to maximise

    .. math::

        J(x) = R(x) - λ\,[\,β_U\,G_U(x) + β_I\,G_I(x)\,]

    * relevance R = (1/|U|) Σ_u q_u, with the user's list quality
      q_u = (1/K) Σ_i W_ui x_ui;
    * user-group gap G_U = mean_{u∈U_a} q_u − mean_{u∈U_d} q_u (advantaged
      minus disadvantaged users; CPFair's UGF with the list's mean
      normalised score as the user metric);
    * item-group exposure gap G_I = (E_a − E_d) / E, where
      E_g = Σ_u Σ_{i∈g} x_ui is the exposure of item group g (one unit per
      list slot, position-independent as in CPFair) and E = Σ_u K_u: the
      difference of the two groups' exposure shares, CPFair's IGF exactly
      as the metrics engine reports it (:func:`fairrec_core.metrics.igf`).

    Linearisation. CPFair writes both gaps as differences with a fixed
    orientation (advantaged minus disadvantaged), not as absolute values;
    so does this method. With the orientation fixed, J is linear and
    decomposes per user:

    .. math::

        |U| K · J = Σ_u Σ_i x_ui [\,W_ui (1 − λ β_U |U| σ_u) − λ β_I τ_i |U| K / E\,]

    with σ_u = 1/|U_a| (advantaged user) or −1/|U_d| (disadvantaged) and
    τ_i = +1 (advantaged item) or −1 (disadvantaged). Each user keeps the K_u
    candidates with the largest bracket (the *adjusted score*): the exact
    optimum of J over 0 ≤ x ≤ 1 (the constraints are one equality per user,
    so the linear programme's optimum is this integral top-K).

    Orientation. ``protected`` / ``protected_users`` name the
    disadvantaged group(s). Omitted, a binary item grouping is oriented by
    the base top-K (the group with the lower exposure share per catalogue
    share is disadvantaged), and the activity grouping by CPFair's
    convention ("inactive" is disadvantaged); other user groupings must be
    named. The orientation is recorded in the result's params. Because the
    sign is fixed, the objective keeps favouring the disadvantaged side
    after a gap has closed, so a large λ over-corrects (the gap changes
    sign); the sweep shows where, and the λ search stops at the smallest λ
    that meets a target.

    Scale. With full lists (E = |U|K), |U|K · J is CPFair's
    Σ W x − ε_U ΔU − ε_I ΔI, with ΔU the difference of the groups' mean
    Σ_i W_ui x_ui, ΔI = E_a − E_d the difference of exposure counts (the form
    of CPFair's released code), ε_U = λ β_U |U| and ε_I = λ β_I; normalising
    makes λ ∈ [0, 1] mean the same on any data set. The defaults make λ = 1 the end of the
    useful range on both sides: with β_I = 0.5 the item term moves a
    disadvantaged item up by λ relative to an advantaged one (the whole
    relevance range at λ = 1); with β_U = |U_a| / |U| the advantaged users'
    relevance weight 1 − λ β_U |U| / |U_a| falls from 1 to 0 at λ = 1.
    Larger β_U turns that weight negative for λ > |U_a| / (β_U |U|): the
    linear objective then lowers those users' list quality on purpose (what
    "minimise the group gap" literally asks for). On its own the user term
    only rescales each user's relevance, so it changes a list only together
    with the item term or once the weight reaches 0 or below.

    Parameters
    ----------
    item_groups : Grouping or array-like of labels, shape (n_items,), optional
        Provider-side grouping of the whole catalogue (e.g. seller size,
        popularity head/tail). More than two labels are allowed when
        ``protected`` names the disadvantaged group(s); all other
        items (including "unknown") form the advantaged side.
    user_groups : Grouping or array-like of labels, shape (n_users,), optional
        Consumer-side grouping (e.g. activity "active"/"inactive").
    protected, protected_users : str or list of str, optional
        The disadvantaged group(s); see Orientation.
    item_weight : float, default 0.5
        β_I ≥ 0 (0 switches the item side off).
    user_weight : float, optional
        β_U ≥ 0; default |U_a| / |U| (see Scale).

    Notes
    -----
    λ = 0 gives adjusted score = W exactly, hence the base top-K. Ties in the
    adjusted score go to the candidate earlier in base order.
    """

    name = "two_sided"
    title = "two-sided linear re-ranking (CPFair objective, exact per-user solution)"
    reference = ("Naghiaei, Rahmani & Deldjoo, CPFair: Personalized Consumer and Producer "
                 "Fairness Re-ranking for Recommender Systems, SIGIR 2022")

    def __init__(self, *, item_groups=None, user_groups=None, protected=None,
                 protected_users=None, item_weight: float = 0.5, user_weight: float | None = None):
        if item_groups is None and user_groups is None:
            raise RerankError("The two-sided method needs item_groups, user_groups or both; "
                              "without either λ would have nothing to act on.")
        for nm, w in (("item_weight", item_weight), ("user_weight", user_weight)):
            if w is None and nm == "user_weight":
                continue
            if isinstance(w, bool) or not isinstance(w, (int, float, np.integer, np.floating)) \
                    or not np.isfinite(w) or w < 0:
                raise RerankError(f"{nm} must be a finite number ≥ 0, got {w!r}.")
        self.item_groups = None if item_groups is None else as_grouping(
            item_groups, name="item_group", what="item")
        self.user_groups = None if user_groups is None else as_grouping(
            user_groups, name="user_group", what="user")
        self.protected = protected
        self.protected_users = protected_users
        self.item_weight = float(item_weight)
        self.user_weight = None if user_weight is None else float(user_weight)
        if protected is not None and self.item_groups is None:
            raise RerankError("protected was given without item_groups.")
        if protected_users is not None and self.user_groups is None:
            raise RerankError("protected_users was given without user_groups.")
        if self.item_groups is not None and protected is not None:
            resolve_labels(self.item_groups, protected, what="protected item")
        if self.user_groups is not None:
            if self.user_groups.n_groups < 2:
                raise RerankError(
                    f"The user grouping '{self.user_groups.name}' has a single group "
                    f"({', '.join(self.user_groups.labels)}); the user gap needs two.")
            if protected_users is None and set(self.user_groups.labels) != {"active", "inactive"}:
                raise RerankError(
                    f"Name the disadvantaged group of the user grouping '{self.user_groups.name}' "
                    f"with protected_users (its labels: {', '.join(self.user_groups.labels)}).")
            if protected_users is not None:
                resolve_labels(self.user_groups, protected_users, what="protected user")

    def get_params(self) -> dict:
        return {"item_grouping": None if self.item_groups is None else self.item_groups.name,
                "user_grouping": None if self.user_groups is None else self.user_groups.name,
                "protected": self.protected, "protected_users": self.protected_users,
                "item_weight": self.item_weight, "user_weight": self.user_weight}

    # ------------------------------------------------------------------ prepare

    def _prepare(self, state: State) -> None:
        cand: Candidates = state.candidates
        prep = cand.prepared
        k = state.k
        n = cand.n_users
        k_u = np.minimum(prep.n_valid, k)
        total = int(k_u.sum())
        params = {"objective": "R − λ·(β_U·G_U + β_I·G_I), gaps = advantaged − disadvantaged",
                  "item_weight": self.item_weight,
                  "exposure_model": "one unit per list slot (position-independent)"}
        tau = np.zeros(prep.ids.shape)
        if self.item_groups is not None:
            g = self.item_groups
            codes = item_codes(g, prep)
            sizes = g.sizes.astype(np.float64)
            prot: tuple[int, ...]
            if self.protected is None:
                prot = (infer_disadvantaged(g, codes, prep, k),)
                inferred = True
            else:
                prot = resolve_labels(g, self.protected, what="protected item")
                inferred = False
            is_prot_group = np.zeros(g.n_groups, dtype=bool)
            is_prot_group[list(prot)] = True
            cs_d = sizes[list(prot)].sum() / sizes.sum()
            if cs_d >= 1.0:
                raise RerankError(f"Every item of '{g.name}' is in the protected group; the "
                                  "item gap needs items on both sides.")
            # τ_i · |U|K/E per candidate: +1 advantaged, −1 disadvantaged, 0 at
            # padding, rescaled when some users have fewer than K candidates
            # (E < |U|K). One gather from a per-group table.
            scale = (n * k) / total if total > 0 else 0.0
            sign = np.append(np.where(is_prot_group, -scale, scale), 0.0)
            tau = sign[codes]
            n_users_with = int((tau < 0).any(axis=1).sum())
            if n_users_with == 0:
                state.notes.append(phrase("rerank.two_sided.no_candidates",
                                          groups=group_words(label_names(g, prot))))
                warnings.warn(state.notes[-1], RerankWarning, stacklevel=4)
            params.update({"item_grouping": g.name,
                           "protected": label_names(g, prot),
                           "protected_inferred": inferred,
                           "catalog_share_protected": float(cs_d),
                           "users_with_protected_candidates": n_users_with})
        sigma = np.zeros(n)
        if self.user_groups is not None:
            g = self.user_groups
            ucodes = user_codes(g, n)
            if self.protected_users is None:
                # CPFair's convention for the activity grouping.
                uprot = resolve_labels(g, "inactive", what="protected user")
                inferred = True
            else:
                uprot = resolve_labels(g, self.protected_users, what="protected user")
                inferred = False
            is_prot_user = np.isin(ucodes, uprot)
            n_d = int(is_prot_user.sum())
            n_a = n - n_d
            if n_d == 0 or n_a == 0:
                raise RerankError(f"The user grouping '{g.name}' puts every user on one side; "
                                  "the user gap needs users in both groups.")
            sigma = np.where(is_prot_user, -n / n_d, n / n_a)
            beta_u = n_a / n if self.user_weight is None else self.user_weight
            params.update({"user_grouping": g.name, "user_weight": beta_u,
                           "user_weight_default": self.user_weight is None,
                           "protected_users": label_names(g, uprot),
                           "protected_users_inferred": inferred,
                           "n_protected_users": n_d, "n_advantaged_users": n_a,
                           "lam_where_advantaged_relevance_turns_negative":
                               (float(n_a / (beta_u * n)) if beta_u > 0 else None)})
        else:
            beta_u = 0.0
        state.data.update(tau=tau, sigma=sigma, beta_u=beta_u)
        state.params.update(params)
        state.params["summary"] = self._summary(params)

    @staticmethod
    def _summary(p: dict) -> Phrase:
        sides = {}
        if "protected" in p:
            how = phrase("rerank.how.inferred" if p["protected_inferred"] else "rerank.how.given")
            sides["item"] = phrase("rerank.two_sided.item_side",
                                   grouping=grouping_words(p["item_grouping"]),
                                   groups=group_words(p["protected"]), how=how,
                                   weight=f"{p['item_weight']:g}")
        if "protected_users" in p:
            how = phrase("rerank.how.cpfair" if p["protected_users_inferred"]
                         else "rerank.how.given")
            sides["user"] = phrase("rerank.two_sided.user_side",
                                   grouping=grouping_words(p["user_grouping"]),
                                   groups=group_words(p["protected_users"]), how=how,
                                   weight=f"{p['user_weight']:g}")
        if len(sides) == 2:
            return phrase("rerank.two_sided.summary_both", **sides)
        return phrase("rerank.two_sided.summary_one", side=next(iter(sides.values())))

    # ------------------------------------------------------------------ run

    def adjusted_scores(self, state: State, lam: float) -> np.ndarray:
        """The per-candidate adjusted scores at λ (base order; -inf at padding)."""
        prep = state.candidates.prepared
        a = 1.0 - (lam * state.data["beta_u"]) * state.data["sigma"]
        adj = a[:, None] * prep.rel - (lam * self.item_weight) * state.data["tau"]
        adj += prep.blocked
        return adj

    def _run(self, state: State, lam: float):
        adj = self.adjusted_scores(state, lam)
        cols, values = topk_by_argmax(adj, state.k)
        return cols, values, {}
