"""The sections of an :class:`~fairrec_core.config.AuditConfig`, one dataclass each.

Every section checks its own values in ``_check(where)`` and names the key in
its error (``[metrics].k must be positive``); :mod:`fairrec_core.config`
reads and writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fairrec_core.errors import ConfigError
from fairrec_core.fairtrain.spec import FairnessConfig
from fairrec_core.metrics import EXPOSURE_MODELS, USER_METRICS
from fairrec_core.models.registry import MODEL_NAMES, canonical_name

#: Version of the config layout; written into every TOML file and report.
CONFIG_VERSION = 1
FILE_KINDS = ("interactions", "users", "items", "recommendations")
RERANK_METHODS = ("none", "provider", "two_sided", "calibrated", "fair_topk")
#: Report sections, in the order the report shows them.
SECTIONS = ("scorecard", "data", "model", "accuracy", "user_fairness", "provider_exposure",
            "tradeoff", "explanations", "counterfactual", "methodology", "reproducibility")
FORMATS = ("html", "pdf", "json", "csv")
REPORT_LANGS = ("en", "zh")


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
        check_range(self.max_mb, 0, LIMITS["max_mb"], f"{where}.max_mb", low_open=True)
        check_range(self.min_user_interactions, 0, LIMITS["min_user_interactions"],
                f"{where}.min_user_interactions")


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
        check_range(self.test_n, 1, LIMITS["test_n"], f"{where}.test_n")
        check_range(self.valid_n, 0, LIMITS["test_n"], f"{where}.valid_n")
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
    #: A fairness term in the training objective (``[model.fairness]``); None = none.
    fairness: FairnessConfig | None = None

    def _check(self, where: str) -> None:
        self.name = canonical_name(self.name)
        _choice(self.name, MODEL_NAMES, f"{where}.name")
        check_range(self.candidates, 1, LIMITS["candidates"], f"{where}.candidates")
        for key in MODEL_PARAM_LIMITS:
            if self.params.get(key) is not None:
                check_range(self.params[key], *MODEL_PARAM_LIMITS[key], f"{where}.params.{key}")
        if any(k in self.params for k in ("augment", "augment_p", "augment_attributes")):
            from fairrec_core.llm.augment import check_augment_params

            # Counterfactual augmentation (profile two-tower) fails here, before any training.
            check_augment_params(self.name, self.params, f"{where}.params")
        if self.fairness is not None:
            from fairrec_core.fairtrain.spec import as_fairness_config

            # TOML hands the sub-table over as a dict; keep the dataclass from now on.
            self.fairness = as_fairness_config(self.fairness, where=f"{where[:-1]}.fairness]")


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
        check_range(self.k, 1, LIMITS["k"], f"{where}.k")
        _choice(self.exposure, EXPOSURE_MODELS, f"{where}.exposure")
        for m in self.metrics:
            _choice(m, USER_METRICS, f"{where}.metrics")
        check_range(self.n_boot, 1, LIMITS["n_boot"], f"{where}.n_boot")
        check_range(self.min_group_size, 1, LIMITS["min_group_size"], f"{where}.min_group_size")
        for name in ("ci_level", "head_share", "active_share"):
            if not 0 < getattr(self, name) < 1:
                raise ConfigError(f"{where}.{name} must lie strictly between 0 and 1.")


@dataclass
class RerankConfig:
    """The fairness re-ranker, its λ, and the trade-off sweep."""

    #: CPFair's two-sided linear re-ranker by default: exact, and it moves the
    #: protected group's exposure monotonically with λ, so the curve reads well.
    method: str = "two_sided"
    #: Fairness weight of the operating point; 0 = the base lists, unchanged. For
    #: ``fair_topk`` it is FA*IR's target proportion p of protected items.
    lam: float = 0.0
    #: When set (e.g. ``"es_cs_ratio[small] >= 0.8"``), λ is the smallest meeting it.
    target: str | None = None
    #: Item grouping re-ranked for; None = the one whose check is worst.
    item_grouping: str | None = None
    #: Protected item group(s); None = the group the provider check judges most
    #: under-exposed (:func:`fairrec_core.pipeline.rerank_stage.rerank_target`). ``two_sided``
    #: and ``fair_topk`` act for it; ``provider`` spreads exposure over every group
    #: and only measures it; ``calibrated`` ignores it. ``two_sided`` also closes
    #: the NDCG gap of inactive users (the activity grouping, as in CPFair).
    protected: list[str] | None = None
    sweep: bool = True
    n_lambdas: int = 21
    #: Further options of the method (see :mod:`fairrec_core.rerank`).
    options: dict = field(default_factory=dict)

    def _check(self, where: str) -> None:
        _choice(self.method, RERANK_METHODS, f"{where}.method")
        if not 0 <= self.lam <= 1:
            raise ConfigError(f"{where}.lam must lie between 0 and 1, got {self.lam}.")
        check_range(self.n_lambdas, 2, LIMITS["n_lambdas"], f"{where}.n_lambdas")


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
        check_range(self.users_per_group, 0, LIMITS["users_per_group"], f"{where}.users_per_group")
        check_range(self.items_per_user, 1, LIMITS["items_per_user"], f"{where}.items_per_user")
        check_range(self.explained_items, 0, LIMITS["explained_items"], f"{where}.explained_items")


@dataclass
class EngineConfig:
    """Where the metrics stage runs: this process, or Ray (DESIGN.md §10.5).

    ``local`` evaluates every user in this process (multinomial bootstrap);
    ``ray`` folds users in blocks as Ray Data batches and takes intervals from
    a Poisson bootstrap keyed by user id (see :mod:`fairrec_core.engine`).
    Point values are the same; intervals agree within Monte Carlo error.
    """

    name: str = "local"
    #: A Ray cluster (``ray://head:10001`` or ``auto``); unset = a local Ray per run.
    ray_address: str | None = None
    #: CPUs of the local Ray.
    num_cpus: int = 2
    #: Retries of a batch whose worker was lost.
    max_retries: int = 3
    #: Users per Ray Data batch.
    block_users: int = 50_000
    #: The users, interactions and recommendations inputs are folders of part files
    #: partitioned by user (part P of each holds the same users, as
    #: ``python -m fairrec_core.data.scale`` writes them): the Ray engine reads them as
    #: they are; otherwise it first buckets every input by a hash of the user id.
    partitioned: bool = False

    def _check(self, where: str) -> None:
        _choice(self.name, ("local", "ray"), f"{where}.name")
        _positive(self.num_cpus, f"{where}.num_cpus")
        _positive(self.block_users, f"{where}.block_users")
        if self.max_retries < 0:
            raise ConfigError(f"{where}.max_retries must be 0 or more.")


@dataclass
class ReportConfig:
    """Title, sections (HTML and PDF) and output formats."""

    title: str = "Recommender fairness audit"
    sections: list[str] = field(default_factory=lambda: list(SECTIONS))
    formats: list[str] = field(default_factory=lambda: list(FORMATS))
    #: Language of the report's text ("en" or "zh"); names in JSON and CSV stay English.
    lang: str = "en"

    def _check(self, where: str) -> None:
        _choice(self.lang, REPORT_LANGS, f"{where}.lang")
        for s in self.sections:
            _choice(s, SECTIONS, f"{where}.sections")
        for f in self.formats:
            _choice(f, FORMATS, f"{where}.formats")


@dataclass
class CounterfactualConfig:
    """The counterfactual attribute probe and representation leakage (issue 14).

    Probes the audited model when it reads user profiles (``profile-two-tower``);
    otherwise a profile two-tower is trained for the probe with ``params``.
    See :mod:`fairrec_core.pipeline.counterfactual_stage`.
    """

    enabled: bool = False
    #: Users-file columns probed; empty = the template's sensitive columns the data has.
    attributes: list[str] = field(default_factory=list)
    #: List length compared; None = ``[metrics].k``.
    k: int | None = None
    #: Users sampled, stratified by the probed attributes' joint values.
    n_users: int = 300
    #: Profile template (:class:`~fairrec_core.llm.profile.ProfileTemplate` fields);
    #: empty = the default template over the columns the users file has.
    template: dict = field(default_factory=dict)
    #: Leave the sensitive attributes out of the profiles the probe model trains on.
    unaware: bool = False
    #: Options of the profile two-tower trained for the probe (``epochs``, ``dim``, ...).
    params: dict = field(default_factory=dict)
    #: Measure the attacker AUC of the user vectors too.
    leakage: bool = True

    def _check(self, where: str) -> None:
        if self.k is not None:
            check_range(self.k, 1, LIMITS["k"], f"{where}.k")
        check_range(self.n_users, 1, LIMITS["cf_users"], f"{where}.n_users")
        for a in self.attributes:
            if not isinstance(a, str) or not a.strip():
                raise ConfigError(f"{where}.attributes must be users-file column names.")
        if self.template:
            from fairrec_core.llm.profile import ProfileTemplate

            try:
                ProfileTemplate.from_dict(self.template)
            except TypeError as exc:
                raise ConfigError(f"{where}.template: {exc}") from None
        for key in MODEL_PARAM_LIMITS:
            if self.params.get(key) is not None:
                check_range(self.params[key], *MODEL_PARAM_LIMITS[key], f"{where}.params.{key}")


#: Upper bounds of the options that set how much work or memory an audit takes; they are
#: listed in README's CLI section. Beyond them a run would take hours or exhaust memory.
LIMITS = {"max_mb": 20_000, "min_user_interactions": 10_000, "test_n": 1_000,
          "candidates": 5_000, "k": 1_000, "n_boot": 20_000, "min_group_size": 1_000_000,
          "n_lambdas": 201, "users_per_group": 50, "items_per_user": 100,
          "explained_items": 20, "cf_users": 100_000}
#: ``[model].params`` bounds (low, high) shared by the trained models.
MODEL_PARAM_LIMITS = {"epochs": (1, 1_000), "patience": (0, 1_000), "dim": (1, 4_096),
                      "batch_size": (1, 1_000_000)}


def check_range(value, low, high, where: str, *, low_open: bool = False) -> None:
    """Raise a ConfigError naming ``where`` unless ``value`` is a number in [low, high]."""
    import math

    ok = (not isinstance(value, bool) and isinstance(value, (int, float))
          and math.isfinite(value) and (value > low if low_open else value >= low)
          and value <= high)
    if not ok:
        if low_open or low == 1:
            span = f"positive and at most {high:,}"
        elif low == 0:
            span = f"0 or more and at most {high:,}"
        else:
            span = f"from {low:,} to {high:,}"
        raise ConfigError(f"{where} must be {span}, got {value!r}.")


def _choice(value, choices, where: str) -> None:
    if value not in choices:
        raise ConfigError(f"{where} = {value!r} is not one of {', '.join(map(str, choices))}.")


def _positive(value, where: str) -> None:
    if not value > 0:
        raise ConfigError(f"{where} must be positive, got {value!r}.")
