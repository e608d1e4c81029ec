"""Fairness-aware re-ranking sharing one interface (DESIGN.md §5).

Every method takes a :class:`Candidates` set (users × C item ids and scores,
from a model's ``candidates(users, c)`` or imported lists with scores or
ranks), item and/or user groupings, a weight λ ∈ [0, 1] and K, and returns a
:class:`RerankResult` (users × K ids and scores, plus the method, λ and every
parameter for the report). λ = 0 reproduces the base top-K exactly.

Methods (registry names):

* ``two_sided`` — CPFair's linear objective (Naghiaei et al., SIGIR 2022),
  solved exactly per user;
* ``provider`` — smooth xQuAD over provider groups (Abdollahpouri et al.,
  FLAIRS 2019), greedy;
* ``calibrated`` — Steck (RecSys 2018), greedy on relevance vs. KL;
* ``fair_topk`` — FA*IR (Zehlike et al., CIKM 2017), binomial minimum
  protected share in every prefix.

Typical use::

    from fairrec_core.rerank import Candidates, rerank, make_reranker, sweep, TradeoffMetrics
    cands = Candidates(ids, scores)
    res = rerank(cands, method="provider", lam=0.3, k=10,
                 item_groups=dataset.items["seller_size"], history=split.train_matrix())
    metrics = TradeoffMetrics.from_split(dataset, split, protected="small")
    table = sweep(cands, make_reranker("two_sided", item_groups=..., protected="small"),
                  metrics).table
"""

from __future__ import annotations

from .base import (
    Candidates,
    Reranker,
    RerankError,
    RerankResult,
    RerankWarning,
    check_k,
    check_lam,
)
from .calibrated import Calibrated
from .fair_topk import FairTopK, adjusted_mtable, fail_probability, mtable
from .provider_greedy import ProviderExposure
from .sweep import (
    DEFAULT_LAMBDAS,
    LambdaSearch,
    SweepResult,
    Target,
    TradeoffMetrics,
    fairness_objective,
    pareto_mask,
    smallest_lambda,
    sweep,
)
from .two_sided import TwoSided

#: Registry: name -> re-ranker class.
RERANKERS: dict[str, type[Reranker]] = {
    TwoSided.name: TwoSided,
    ProviderExposure.name: ProviderExposure,
    Calibrated.name: Calibrated,
    FairTopK.name: FairTopK,
}


def make_reranker(method: str, **options) -> Reranker:
    """A configured re-ranker by registry name.

    Parameters
    ----------
    method : {"two_sided", "provider", "calibrated", "fair_topk"}
    **options
        The method's keyword options (``item_groups``, ``user_groups`` and
        the method's own; see each class).

    Returns
    -------
    Reranker
    """
    if method not in RERANKERS:
        raise RerankError(f"Unknown re-ranking method {method!r}; choose one of "
                          f"{', '.join(RERANKERS)}.")
    return RERANKERS[method](**options)


def rerank(candidates: Candidates, *, method: str, lam: float, k: int = 10,
           **options) -> RerankResult:
    """Re-rank ``candidates`` with one method at one λ.

    Parameters
    ----------
    candidates : Candidates
    method : str
        Registry name (see :data:`RERANKERS`).
    lam : float
        Fairness weight in [0, 1]; 0 returns the base top-K exactly.
    k : int, default 10
    **options
        Passed to the method (``item_groups=...``, ``user_groups=...``, ...).

    Returns
    -------
    RerankResult
    """
    return make_reranker(method, **options).rerank(candidates, lam=lam, k=k)


__all__ = [
    "DEFAULT_LAMBDAS", "RERANKERS",
    "Calibrated", "Candidates", "FairTopK", "LambdaSearch", "ProviderExposure", "RerankError",
    "RerankResult", "RerankWarning", "Reranker", "SweepResult", "Target", "TradeoffMetrics",
    "TwoSided",
    "adjusted_mtable", "check_k", "check_lam", "fail_probability", "fairness_objective",
    "make_reranker", "mtable", "pareto_mask", "rerank", "smallest_lambda", "sweep",
]
