"""The sections of an :class:`~fairrec_core.config.AuditConfig`, one dataclass each.

Every section checks its own values in ``_check(where)`` and names the key in
its error (``[metrics].k must be positive``); :mod:`fairrec_core.config`
reads and writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fairrec_core.errors import ConfigError
from fairrec_core.metrics import EXPOSURE_MODELS, USER_METRICS

#: Version of the config layout; written into every TOML file and report.
CONFIG_VERSION = 1
FILE_KINDS = ("interactions", "users", "items", "recommendations")
MODEL_NAMES = ("popularity", "bpr", "two-tower", "imported")
RERANK_METHODS = ("none", "provider", "two_sided", "calibrated", "fair_topk")
#: Report sections, in the order the report shows them.
SECTIONS = ("scorecard", "data", "model", "accuracy", "user_fairness", "provider_exposure",
            "tradeoff", "explanations", "methodology", "reproducibility")
FORMATS = ("html", "pdf", "json", "csv")


@dataclass
class DataConfig:
    """Input files and how to read them (see ``fairrec validate``)."""

    interactions: str = ""
    users: str | None = None
    items: str | None = None
    recommendations: str | None = None
    #: ``{kind: {role: column}}``; the kind ``"*"`` applies to any file.
    mapping: dict = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    rating_threshold: float | None = None
    drop_unknown_ids: bool = False
    min_user_interactions: int = 3
    max_mb: float = 200.0

    def _check(self, where: str) -> None:
        if not self.interactions:
            raise ConfigError(f"{where}.interactions is required: the path of the "
                              "interactions CSV.")
        for kind, roles in self.mapping.items():
            if kind not in FILE_KINDS + ("*",) or not isinstance(roles, dict):
                raise ConfigError(f"{where}.mapping.{kind} must be a table of role = column, "
                                  f"under one of {', '.join(FILE_KINDS)} or \"*\".")
        _positive(self.max_mb, f"{where}.max_mb")
        if self.min_user_interactions < 0:
            raise ConfigError(f"{where}.min_user_interactions must be 0 or more.")


@dataclass
class SplitConfig:
    """How interactions are divided (see :func:`fairrec_core.data.split_dataset`)."""

    method: str = "auto"
    test_n: int = 2
    valid_n: int = 1
    ratios: list[float] = field(default_factory=lambda: [0.8, 0.1, 0.1])
    by_user: bool = True
    min_user: int = 0
    min_item: int = 0

    def _check(self, where: str) -> None:
        _choice(self.method, ("auto", "temporal", "random"), f"{where}.method")
        if self.test_n < 1 or self.valid_n < 0:
            raise ConfigError(f"{where}.test_n must be at least 1 and {where}.valid_n at "
                              "least 0.")
        if len(self.ratios) != 3 or any(r < 0 for r in self.ratios):
            raise ConfigError(f"{where}.ratios must be three non-negative numbers "
                              "(train, validation, test), e.g. [0.8, 0.1, 0.1].")


@dataclass
class ModelConfig:
    """The recommender audited: trained here, loaded, or the imported lists."""

    name: str = "bpr"
    #: A checkpoint folder written by ``fairrec train``; loaded instead of training.
    checkpoint: str | None = None
    #: Constructor options of the model (``epochs``, ``dim``, ``device``, ...).
    params: dict = field(default_factory=dict)
    #: Candidates per user handed to the re-ranker (C).
    candidates: int = 100

    def _check(self, where: str) -> None:
        key = self.name.strip().lower().replace("_", "-")
        self.name = {"two-tower-text": "two-tower", "twotower": "two-tower", "bpr-mf": "bpr",
                     "pop": "popularity"}.get(key, key)
        _choice(self.name, MODEL_NAMES, f"{where}.name")
        _positive(self.candidates, f"{where}.candidates")


@dataclass
class MetricsConfig:
    """What is measured (DESIGN.md §4) and over which groups."""

    k: int = 10
    #: User attributes compared; None = the likely sensitive ones.
    user_groupings: list[str] | None = None
    #: Item groupings compared; None = every usable item attribute.
    item_groupings: list[str] | None = None
    intersections: list[list[str]] = field(default_factory=list)
    #: Per-user metrics shown in the accuracy and user-fairness sections.
    metrics: list[str] = field(default_factory=lambda: list(USER_METRICS))
    exposure: str = "log"
    n_boot: int = 1000
    min_group_size: int = 30
    ci_level: float = 0.95
    head_share: float = 0.2
    active_share: float = 0.05
    new_item_days: int = 60

    def _check(self, where: str) -> None:
        _positive(self.k, f"{where}.k")
        _choice(self.exposure, EXPOSURE_MODELS, f"{where}.exposure")
        for m in self.metrics:
            _choice(m, USER_METRICS, f"{where}.metrics")
        _positive(self.n_boot, f"{where}.n_boot")
        _positive(self.min_group_size, f"{where}.min_group_size")
        for name in ("ci_level", "head_share", "active_share"):
            if not 0 < getattr(self, name) < 1:
                raise ConfigError(f"{where}.{name} must lie strictly between 0 and 1.")


@dataclass
class RerankConfig:
    """The fairness re-ranker, its λ, and the trade-off sweep."""

    #: CPFair's two-sided linear re-ranker by default: exact, and it moves the
    #: protected group's exposure monotonically with λ, so the curve reads well.
    method: str = "two_sided"
    #: Fairness weight of the operating point; 0 = the base lists, unchanged.
    lam: float = 0.0
    #: When set (e.g. ``"es_cs_ratio[small] >= 0.8"``), λ is the smallest meeting it.
    target: str | None = None
    #: Item grouping re-ranked for; None = the one whose check is worst.
    item_grouping: str | None = None
    #: Protected item group(s); None = the most under-exposed group.
    protected: list[str] | None = None
    sweep: bool = True
    n_lambdas: int = 21
    #: Further options of the method (see :mod:`fairrec_core.rerank`).
    options: dict = field(default_factory=dict)

    def _check(self, where: str) -> None:
        _choice(self.method, RERANK_METHODS, f"{where}.method")
        if not 0 <= self.lam <= 1:
            raise ConfigError(f"{where}.lam must lie between 0 and 1, got {self.lam}.")
        if self.n_lambdas < 2:
            raise ConfigError(f"{where}.n_lambdas must be at least 2.")


@dataclass
class ExplainConfig:
    """Which users the report's sample explanations are drawn from."""

    users_per_group: int = 2
    #: User groupings sampled; None = the audited user groupings.
    groupings: list[str] | None = None
    #: Top items listed per sampled user.
    items_per_user: int = 5
    #: Of those, how many (from the top) get an explanation: each costs a SHAP run.
    explained_items: int = 1

    def _check(self, where: str) -> None:
        if self.users_per_group < 0 or self.items_per_user < 1 or self.explained_items < 0:
            raise ConfigError(f"{where}.users_per_group and {where}.explained_items must be 0 "
                              f"or more and {where}.items_per_user at least 1.")


@dataclass
class ReportConfig:
    """Title, sections (HTML and PDF) and output formats."""

    title: str = "Recommender fairness audit"
    sections: list[str] = field(default_factory=lambda: list(SECTIONS))
    formats: list[str] = field(default_factory=lambda: list(FORMATS))

    def _check(self, where: str) -> None:
        for s in self.sections:
            _choice(s, SECTIONS, f"{where}.sections")
        for f in self.formats:
            _choice(f, FORMATS, f"{where}.formats")


def _choice(value, choices, where: str) -> None:
    if value not in choices:
        raise ConfigError(f"{where} = {value!r} is not one of {', '.join(map(str, choices))}.")


def _positive(value, where: str) -> None:
    if not value > 0:
        raise ConfigError(f"{where} must be positive, got {value!r}.")
