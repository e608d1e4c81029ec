"""The smallest λ at which a metric meets a target, found by bisection.

:func:`smallest_lambda` answers "how much fairness weight does it take?" for
a target such as ``"es_cs_ratio[small] >= 0.8"`` (a :class:`Target`).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from fairrec_core.i18n import Phrase, phrase

from .base import Candidates, Reranker, RerankError, RerankResult
from .tradeoff import TradeoffMetrics, _same_k

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
_TARGET = re.compile(r"^\s*(?P<metric>[^<>=\s]+)\s*(?P<op>>=|<=|>|<)\s*(?P<value>[-+0-9.eE]+)\s*$")


@dataclass(frozen=True)
class Target:
    """A condition on one metric column, e.g. ``es_cs_ratio[small] >= 0.8``."""

    metric: str
    op: str
    value: float

    @classmethod
    def parse(cls, target) -> Target:
        """From a string ``"metric >= value"``, a (metric, op, value) tuple or a Target."""
        if isinstance(target, Target):
            return target
        if isinstance(target, str):
            m = _TARGET.match(target)
            if not m:
                raise RerankError(f"Cannot read the target {target!r}; write it like "
                                  "'es_cs_ratio[small] >= 0.8'.")
            return cls(m["metric"], m["op"], float(m["value"]))
        metric, op, value = target
        if op not in _OPS:
            raise RerankError(f"Unknown comparison {op!r}; use one of {', '.join(_OPS)}.")
        return cls(str(metric), op, float(value))

    def met(self, row: Mapping) -> bool:
        """Whether the metrics row meets the condition (NaN never does)."""
        if self.metric not in row:
            raise RerankError(f"The target names '{self.metric}', which is not measured; "
                              f"available: {', '.join(k for k in row if k != 'lam')}.")
        v = row[self.metric]
        return bool(np.isfinite(v) and _OPS[self.op](v, self.value))

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


@dataclass
class LambdaSearch:
    """Outcome of :func:`smallest_lambda`.

    Attributes
    ----------
    target : Target
    lam : float or None
        Smallest λ found that meets the target (within ``tol``); None if even
        λ = 1 does not.
    row : dict or None
        Metrics at ``lam``.
    result : RerankResult or None
        The lists at ``lam`` (with provenance).
    evaluations : list of (λ, value, met)
        Every λ tried, in order.
    """

    target: Target
    lam: float | None
    row: dict | None
    result: RerankResult | None
    evaluations: list

    @property
    def found(self) -> bool:
        """Whether some λ in [0, 1] meets the target."""
        return self.lam is not None

    def describe(self) -> Phrase:
        """One sentence with the answer, for the report and the CLI (any language later)."""
        if self.lam is None:
            return phrase("rerank.search.none", target=str(self.target),
                          value=f"{self.evaluations[-1][1]:.4g}")
        assert self.row is not None  # a λ was found, so its row was kept
        return phrase("rerank.search.found", target=str(self.target), lam=f"{self.lam:.4g}",
                      metric=self.target.metric, value=f"{self.row[self.target.metric]:.4g}",
                      n=len(self.evaluations))


def smallest_lambda(candidates: Candidates, reranker: Reranker, metrics: TradeoffMetrics, *,
                    target, k: int | None = None, tol: float = 1e-3,
                    max_iter: int = 40) -> LambdaSearch:
    """The smallest λ whose re-ranked lists meet ``target``, by bisection.

    λ = 0 is tried first (if the base lists already meet the target the
    answer is 0), then λ = 1 (if it fails, there is no answer); in between
    the interval [last failing λ, first meeting λ] is halved until it is
    shorter than ``tol``, and the meeting end is returned.

    Parameters
    ----------
    candidates : Candidates
    reranker : Reranker
    metrics : TradeoffMetrics
    target : str, tuple or Target
        E.g. ``"es_cs_ratio[small] >= 0.8"``.
    k : int, optional
    tol : float, default 1e-3
    max_iter : int, default 40

    Returns
    -------
    LambdaSearch

    Notes
    -----
    Bisection assumes the metric is monotone in λ (the tests check this for
    the provider method's small-seller exposure on the sample data). If it
    is not, the returned λ still meets the target and a λ less than ``tol``
    below it did not, but a smaller meeting λ may exist elsewhere; run a
    :func:`sweep` to see the whole curve.
    """
    tgt = Target.parse(target)
    if not 0 < tol < 1:
        raise RerankError(f"tol must lie in (0, 1), got {tol}.")
    k = _same_k(metrics, k)
    state = reranker.prepare(candidates, k=k)
    evaluations = []

    def try_lam(lam):
        res = reranker.run(state, lam)
        row = {"lam": lam, **metrics.evaluate(res.ids)}
        ok = tgt.met(row)
        evaluations.append((lam, float(row[tgt.metric]), ok))
        return ok, row, res

    ok, row, res = try_lam(0.0)
    if ok:
        return LambdaSearch(tgt, 0.0, row, res, evaluations)
    ok, row, res = try_lam(1.0)
    if not ok:
        return LambdaSearch(tgt, None, None, None, evaluations)
    lo, hi, best = 0.0, 1.0, (row, res)
    for _ in range(max_iter):
        if hi - lo <= tol:
            break
        mid = 0.5 * (lo + hi)
        ok, row, res = try_lam(mid)
        if ok:
            hi, best = mid, (row, res)
        else:
            lo = mid
    return LambdaSearch(tgt, hi, best[0], best[1], evaluations)
