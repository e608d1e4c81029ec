"""FA*IR: a minimum share of protected items in every prefix of the list.

Zehlike, Bonchi, Castillo, Hajian, Megahed & Baeza-Yates, "FA*IR: A Fair
Top-k Ranking Algorithm", CIKM 2017. A ranking satisfies *ranked group
fairness* with minimal proportion p and significance α when no prefix of
length k holds fewer protected items than a binomial test allows:

    m_{α,p}(k) = min { m : F(m; k, p) > α },

F the binomial cumulative distribution function (the paper's Definition 3.1
and Table 2). The table is computed once per (K, p, α). Because the test is
repeated at every prefix, a fair ranking fails *some* prefix with
probability above α; the paper therefore searches a corrected α_c whose
table fails a truly fair (Bernoulli(p)) ranking with probability α at most
(its Algorithm 1, "adjust significance"). The failure probability of a table
is computed exactly here by dynamic programming over the number of
protected items.

The algorithm (the paper's Algorithm 2) keeps two queues in score order,
protected and non-protected items; at position k it takes the best
protected item if the prefix would otherwise fall below m(k), and the better
of the two queue heads otherwise.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
from scipy.stats import binom

from fairrec_core.i18n import phrase
from fairrec_core.i18n.labels import group_words, grouping_words

from ._queues import GroupQueues
from .base import (
    Reranker,
    RerankError,
    RerankWarning,
    State,
    as_grouping,
    infer_disadvantaged,
    item_codes,
    label_names,
    resolve_labels,
)


def _check_table_args(k, p, alpha):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise RerankError(f"k must be a positive whole number, got {k!r}.")
    if not 0.0 <= float(p) <= 1.0:
        raise RerankError(f"The minimal proportion p must lie in [0, 1], got {p}.")
    if not 0.0 < float(alpha) < 1.0:
        raise RerankError(f"The significance α must lie strictly between 0 and 1, got {alpha}.")


def _cdf_matrix(k: int, p: float) -> np.ndarray:
    """F(j; i, p) for i = 1..k (rows) and j = 0..k (columns)."""
    i = np.arange(1, k + 1)[:, None]
    j = np.arange(0, k + 1)[None, :]
    return binom.cdf(j, i, p)


def _table_at(cdf: np.ndarray, alpha: float) -> np.ndarray:
    # m(i) = min{m : F(m; i, p) > α} = #{m ≥ 0 : F(m; i, p) ≤ α}, since F
    # increases in m and F(i; i, p) = 1 > α.
    return (cdf <= alpha).sum(axis=1).astype(np.int64)


def mtable(k: int, p: float, alpha: float = 0.1) -> np.ndarray:
    """Minimum number of protected items in each prefix, m_{α,p}(1..k).

    Parameters
    ----------
    k : int
        Longest prefix (the list length).
    p : float
        Minimal proportion of protected items, in [0, 1].
    alpha : float, default 0.1
        Significance of the binomial test (unadjusted).

    Returns
    -------
    numpy.ndarray of int64, shape (k,)
        Entry k − 1 is m_{α,p}(k).

    Examples
    --------
    The row p = 0.5 of Table 2 in Zehlike et al. (2017), α = 0.1:

    >>> mtable(12, 0.5, 0.1).tolist()
    [0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 4]
    """
    _check_table_args(k, p, alpha)
    return _table_at(_cdf_matrix(int(k), float(p)), float(alpha))


def fail_probability(table, p: float) -> float:
    """Probability that a random fair ranking violates ``table`` at some prefix.

    A fair ranking is modelled as in the paper: each position is protected
    independently with probability p. The distribution of the protected
    count is propagated position by position; mass below m(k) at prefix k is
    a failure and is removed.

    Parameters
    ----------
    table : array-like of int, shape (k,)
    p : float

    Returns
    -------
    float
    """
    m = np.asarray(table, dtype=np.int64)
    dist = np.zeros(m.size + 1)
    dist[0] = 1.0
    failed = 0.0
    for i in range(m.size):
        nxt = dist * (1.0 - p)
        nxt[1:] += dist[:-1] * p
        failed += nxt[:m[i]].sum()
        nxt[:m[i]] = 0.0
        dist = nxt
    return float(failed)


@lru_cache(maxsize=1024)
def _adjusted(k: int, p: float, alpha: float) -> tuple[float, tuple[int, ...], float]:
    cdf = _cdf_matrix(k, p)
    # The table only changes where α crosses a value of F; among those (and
    # α itself) the failure probability grows with α, so a bisection finds
    # the largest threshold whose table fails a fair ranking with
    # probability at most α.
    cuts = np.unique(cdf[cdf <= alpha])
    cands = np.concatenate([[0.0], cuts, [alpha]]) if cuts.size else np.array([0.0, alpha])
    cands = np.unique(cands)
    lo, hi = 0, cands.size - 1
    if fail_probability(_table_at(cdf, cands[hi]), p) <= alpha:
        lo = hi
    else:
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if fail_probability(_table_at(cdf, cands[mid]), p) <= alpha:
                lo = mid
            else:
                hi = mid
    table = _table_at(cdf, cands[lo])
    return float(cands[lo]), tuple(int(x) for x in table), fail_probability(table, p)


def adjusted_mtable(k: int, p: float, alpha: float = 0.1) -> tuple[np.ndarray, float, float]:
    """The table for the multiple-testing-corrected significance α_c.

    Among the finitely many distinct tables m_{α',p} with α' ≤ α, returns the
    one built from the largest α' whose failure probability on a fair
    ranking (:func:`fail_probability`) does not exceed α.

    Returns
    -------
    table : numpy.ndarray of int64, shape (k,)
    alpha_c : float
        A significance that yields this table.
    fail : float
        Its exact failure probability (≤ α).

    Notes
    -----
    The paper's procedure aims at a failure probability *close to* α; the
    published reference library can land slightly above α. Here the
    corrected test never rejects fair rankings more often than α.
    """
    _check_table_args(k, p, alpha)
    a_c, table, fail = _adjusted(int(k), float(p), float(alpha))
    return np.array(table, dtype=np.int64), a_c, fail


class FairTopK(Reranker):
    """FA*IR re-ranking with λ as the minimal protected proportion p.

    λ maps to FA*IR's p directly (p = λ): λ = 0 asks for nothing (the base
    top-K), λ = 1 asks that every prefix be protected as far as candidates
    allow, and in between the binomial table sets the minimum per prefix.

    Parameters
    ----------
    item_groups : Grouping or array-like of labels, shape (n_items,)
    user_groups : ignored
        Accepted for the shared interface; recorded as unused.
    protected : str or list of str, optional
        The protected item group(s); inferred for a binary grouping as the
        group the base top-K under-exposes (lower ES/CS).
    alpha : float, default 0.1
        Significance of the ranked group fairness test.
    adjust_alpha : bool, default True
        Use the multiple-testing-corrected table (:func:`adjusted_mtable`),
        as the paper's FA*IR does; False uses :func:`mtable` at α.

    Notes
    -----
    A user without enough protected candidates gets as many as there are;
    their list then fails the table, which is counted in the result's
    notes. Ties (equal scores) go to the earlier candidate in base order.
    """

    name = "fair_topk"
    title = "FA*IR fair top-k (binomial minimum protected share in every prefix)"
    reference = ("Zehlike, Bonchi, Castillo, Hajian, Megahed & Baeza-Yates, FA*IR: A Fair Top-k "
                 "Ranking Algorithm, CIKM 2017")

    def __init__(self, *, item_groups, user_groups=None, protected=None, alpha: float = 0.1,
                 adjust_alpha: bool = True):
        if item_groups is None:
            raise RerankError("FA*IR needs item_groups and a protected group.")
        if not 0.0 < float(alpha) < 1.0:
            raise RerankError(f"α must lie strictly between 0 and 1, got {alpha}.")
        self.item_groups = as_grouping(item_groups, name="item_group", what="item")
        self.protected = protected
        if protected is not None:
            resolve_labels(self.item_groups, protected, what="protected item")
        self.alpha = float(alpha)
        self.adjust_alpha = bool(adjust_alpha)

    def get_params(self) -> dict:
        return {"item_grouping": self.item_groups.name, "protected": self.protected,
                "alpha": self.alpha, "adjust_alpha": self.adjust_alpha}

    def table(self, k: int, lam: float) -> tuple[np.ndarray, float]:
        """The minimum-count table used at λ, and the significance it came from."""
        if self.adjust_alpha:
            t, a_c, _ = adjusted_mtable(k, lam, self.alpha)
            return t, a_c
        return mtable(k, lam, self.alpha), self.alpha

    def _prepare(self, state: State) -> None:
        prep = state.candidates.prepared
        g = self.item_groups
        codes = item_codes(g, prep)
        prot: tuple[int, ...]
        if self.protected is None:
            prot = (infer_disadvantaged(g, codes, prep, state.k),)
            inferred = True
        else:
            prot = resolve_labels(g, self.protected, what="protected item")
            inferred = False
        # Two queues: 0 = not protected, 1 = protected, 2 = padding (code
        # n_groups maps to the last entry of the lookup).
        lookup = np.zeros(g.n_groups + 1, dtype=np.int64)
        lookup[list(prot)] = 1
        lookup[-1] = 2
        binary = lookup[codes]
        has = (binary == 1).any(axis=1)
        state.data.update(queues=GroupQueues(binary, 2))
        names = label_names(g, prot)
        state.params.update({"item_grouping": g.name, "protected": names,
                             "protected_inferred": inferred, "alpha": self.alpha,
                             "adjust_alpha": self.adjust_alpha, "p": "λ",
                             "users_with_protected_candidates": int(has.sum()),
                             "user_groups": "not used"})
        if not has.any():
            note = phrase("rerank.fair_topk.no_candidates", groups=group_words(names))
            state.notes.append(note)
            warnings.warn(note, RerankWarning, stacklevel=4)
        how = phrase("rerank.how.inferred" if inferred else "rerank.how.given")
        key = "rerank.fair_topk." + ("summary_corrected" if self.adjust_alpha else "summary")
        state.params["summary"] = phrase(key, groups=group_words(names),
                                         grouping=grouping_words(g.name), how=how,
                                         alpha=f"{self.alpha:g}")

    def _run(self, state: State, lam: float):
        prep = state.candidates.prepared
        q: GroupQueues = state.data["queues"]
        k = state.k
        n = prep.ids.shape[0]
        table, a_c = self.table(k, lam)
        rows = q.rows
        cur = q.cursor(prep.rel)
        n_prot = np.zeros(n, dtype=np.int64)
        short = np.zeros(n, dtype=bool)
        out_cols = np.full((n, k), -1, dtype=np.int64)
        for t in range(k):
            cols, have = cur.cols, cur.have
            need = n_prot < table[t]
            hp, hn = have[:, 1], have[:, 0]
            # Protected when the prefix needs one, when it is the only queue
            # left, or when its head is the better (earlier in base order).
            take_p = hp & (need | ~hn | (cols[:, 1] < cols[:, 0]))
            take_n = ~take_p & hn
            short |= need & ~hp & hn
            out_cols[:, t] = np.where(take_p, cols[:, 1], np.where(take_n, cols[:, 0], -1))
            moved = take_p | take_n
            if not moved.any():
                break
            cur.advance(rows[moved], take_p[moved].astype(np.int64))
            n_prot += take_p
        ok = out_cols >= 0
        val = np.where(ok, prep.rel[rows[:, None], np.where(ok, out_cols, 0)], np.nan)
        notes = []
        if short.any():
            notes.append(phrase("rerank.fair_topk.short", n=int(short.sum())))
        extra = {"params": {"mtable": table.tolist(), "alpha_used": a_c, "p_value": lam,
                            "users_below_table": int(short.sum())},
                 "notes": notes}
        return out_cols, val, extra
