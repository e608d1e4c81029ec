"""Fairness during training: fairness terms in the loss, weighted by λ_train (issue 15).

:mod:`~fairrec_core.fairtrain.spec` (no torch) parses, checks and resolves a
:class:`~fairrec_core.config_sections.FairnessConfig` against the data;
:mod:`~fairrec_core.fairtrain.terms` (PyTorch, imported lazily) holds the
differentiable terms and the :class:`FairnessObjective` a trainer applies;
:func:`train_grid` trains a λ_train grid and tabulates the trade-off.
"""

from fairrec_core.fairtrain.grid import DEFAULT_LAMBDAS, train_grid
from fairrec_core.fairtrain.spec import (
    TERMS,
    FairnessConfig,
    ResolvedFairness,
    as_fairness_config,
    parse_fairness,
    resolve_fairness,
)


def __getattr__(name):
    # torch loads only when a term is actually built.
    if name in ("FairnessObjective", "group_loss_spread", "exposure_shortfall",
                "soft_exposure_ratio", "grad_reverse", "Adversary", "adversary_loss"):
        from fairrec_core.fairtrain import terms
        return getattr(terms, name)
    raise AttributeError(name)


__all__ = ["DEFAULT_LAMBDAS", "TERMS", "Adversary", "FairnessConfig", "FairnessObjective",
           "ResolvedFairness", "adversary_loss", "as_fairness_config", "exposure_shortfall",
           "grad_reverse", "group_loss_spread", "parse_fairness", "resolve_fairness",
           "soft_exposure_ratio", "train_grid"]
