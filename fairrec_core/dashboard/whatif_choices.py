"""The What-if page's choices: methods, groupings and the slider's wording.

Split out of :mod:`fairrec_core.dashboard.whatif_session` (which re-exports
them); nothing here depends on a built sweep. No streamlit here.
"""

from __future__ import annotations

from fairrec_core.config_sections import RerankConfig
from fairrec_core.dashboard import fairness_session as fs
from fairrec_core.i18n import t
from fairrec_core.pipeline import rerank_stage as rr
from fairrec_core.pipeline.evaluation import POPULARITY

#: Re-ranking methods the page offers, the config's default first: (label, what it does),
#: in English; :func:`method_label` and :func:`method_help` give them in either language.
METHODS = {m: (t(f"whatif.method.{m}", "en"), t(f"whatif.method.{m}.help", "en"))
           for m in ("two_sided", "provider", "fair_topk", "calibrated")}
#: Methods whose objective acts for a chosen protected group (the page offers the
#: picker for these only; the provider method spreads exposure over every group).
USES_PROTECTED = rr.USES_PROTECTED

__all__ = ["METHODS", "USES_PROTECTED", "default_rerank", "default_user_grouping",
           "group_labels", "item_grouping_choices", "lam_label", "method_choices",
           "method_help", "method_label", "weight_symbol"]


def item_grouping_choices(dataset) -> list[str]:
    """Item groupings a re-ranker can work for: attributes with 2+ groups, and popularity."""
    return fs.item_grouping_options(dataset) + [POPULARITY]


def method_choices(dataset) -> list[str]:
    """Methods available for this data (calibration needs item categories)."""
    return [m for m in METHODS if m != "calibrated" or "category" in dataset.items]


def default_rerank(dataset) -> RerankConfig:
    """The config's default method, for seller size when the data has it, else popularity."""
    items = item_grouping_choices(dataset)
    return RerankConfig(item_grouping="seller_size" if "seller_size" in items else POPULARITY)


def default_user_grouping(dataset) -> str:
    """The user grouping whose NDCG the page shows first: the first likely sensitive one."""
    from fairrec_core.pipeline.evaluation import default_user_groupings

    users = default_user_groupings(dataset)
    return users[0] if users else "activity"


def method_label(method: str, lang: str = "en") -> str:
    """The method's display name, e.g. "Provider exposure (smooth xQuAD)"."""
    return t(f"whatif.method.{method}", lang)


def method_help(method: str, lang: str = "en") -> str:
    """What the method does, in one or two sentences."""
    return t(f"whatif.method.{method}.help", lang)


def weight_symbol(method: str) -> str:
    """The slider's symbol: FA*IR's target proportion ``p``, else the weight ``λ``."""
    return "p" if method == "fair_topk" else "λ"


def lam_label(method: str, lang: str = "en") -> str:
    """What the slider sets: FA*IR's target proportion p, or the fairness weight λ."""
    return t("whatif.p_label" if method == "fair_topk" else "whatif.lam_label", lang)


def group_labels(dataset, split, name: str, *, head_share: float = 0.2) -> list[str]:
    """The groups of an item grouping, in the metrics engine's order."""
    from fairrec_core.metrics import make_grouping
    from fairrec_core.pipeline.evaluation import item_labels

    labels = item_labels(dataset, split.train_matrix(), name, head_share=head_share)
    return list(make_grouping(labels, name=name).labels)
