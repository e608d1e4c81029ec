"""Which fairness term to train with, checked and resolved against the data (no torch here).

A :class:`~fairrec_core.config_sections.FairnessConfig` names a term, the user
attribute or item grouping it acts on and its weight λ_train. This module

* parses the CLI form (``user-loss:gender``, ``item-exposure:seller_size=small``,
  ``adversary:gender``) into that config;
* checks its values (weight a finite number ≥ 0, known term, ...);
* resolves it against a dataset and its training rows into plain arrays
  (:class:`ResolvedFairness`): group codes per user, or the protected item mask
  and its target share. Every data problem -- an attribute with one group, a
  protected group no item belongs to -- is a :class:`ConfigError` raised here,
  before any training starts.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from fairrec_core.errors import ConfigError


@dataclass
class FairnessConfig:
    """A fairness term added to the training loss, weighted by λ_train (DESIGN.md §10.3).

    See :mod:`fairrec_core.fairtrain` for the exact terms; ``fairrec train
    --fairness user-loss:gender --fairness-weight 0.5`` builds the same object.
    """

    #: ``user-loss`` (spread of per-group mean BPR loss), ``item-exposure`` (soft
    #: exposure shortfall of a protected item group) or ``adversary`` (gradient reversal).
    term: str = "user-loss"
    #: User attribute (user-loss, adversary; ``activity`` too) or item grouping
    #: (item-exposure; ``popularity`` too).
    attribute: str = ""
    #: item-exposure: the protected group; None = fewest training interactions per item.
    protected: str | None = None
    #: λ_train, 0 or more; 0 trains exactly the plain model.
    weight: float = 1.0
    #: item-exposure: parity against the ``catalog`` share or the training ``merit`` share.
    target: str = "catalog"
    #: item-exposure: softmax temperature of the soft exposure.
    temperature: float = 1.0
    #: item-exposure: sampled candidate items per batch.
    candidates: int = 128
    #: adversary: 0 = a linear least-squares adversary refitted in closed form on
    #: every batch (fast); more = hidden units of an MLP adversary with its own Adam steps.
    hidden: int = 0
    #: λ_train values the audit also trains, for the report's trade-off comparison
    #: with re-ranking (``[model.fairness] grid = [0, 0.1, 0.3, 1]``); None = no grid.
    grid: list | None = None

    def _check(self, where: str) -> None:
        check_fairness_config(self, where)

TERMS = ("user-loss", "item-exposure", "adversary")
#: Models whose training loss can carry a fairness term (BPR-MF, the text
#: two-tower and the profile-reading two-tower: they share the objective's hooks).
FAIR_TRAINABLE = ("bpr", "two-tower", "profile-two-tower")
TARGETS = ("catalog", "merit")
_ALIASES = {"user-loss": "user-loss", "userloss": "user-loss", "loss-parity": "user-loss",
            "item-exposure": "item-exposure", "exposure": "item-exposure",
            "adversary": "adversary", "adversarial": "adversary", "adv": "adversary"}
#: Derived groupings computed from the training rows (DESIGN.md §4 defaults).
ACTIVITY, POPULARITY = "activity", "popularity"
UNKNOWN = "unknown"


# ---------------------------------------------------------------------- parsing
def parse_fairness(text: str, weight=1.0, **options) -> FairnessConfig:
    """Build a checked :class:`FairnessConfig` from the CLI form.

    Parameters
    ----------
    text : str
        ``user-loss:ATTR``, ``item-exposure:GROUPING[=PROTECTED]`` or ``adversary:ATTR``.
    weight : float or str, default 1.0
        λ_train; text is accepted (it comes from a command line) and checked.
    **options
        Further :class:`FairnessConfig` fields (``target``, ``temperature``, ...).

    Returns
    -------
    FairnessConfig

    Raises
    ------
    ConfigError
        Malformed text, unknown term, or a bad weight or option.
    """
    raw = str(text or "").strip()
    if ":" not in raw:
        raise ConfigError(f"--fairness '{raw}' must look like TERM:ATTRIBUTE, e.g. "
                          "user-loss:gender, item-exposure:seller_size=small or "
                          "adversary:gender.")
    weight = _weight(weight, "--fairness-weight (λ_train)")
    term, _, rest = raw.partition(":")
    attribute, _, protected = rest.partition("=")
    cfg = FairnessConfig(term=term, attribute=attribute.strip(),
                         protected=protected.strip() or None, weight=weight, **options)
    check_fairness_config(cfg, "--fairness")
    return cfg


def as_fairness_config(value, *, where: str = "fairness") -> FairnessConfig | None:
    """A checked :class:`FairnessConfig` from a config object, a dict or None.

    Dicts are what TOML and checkpoints hold; unknown keys are an error that
    names them.
    """
    if value is None:
        return None
    if isinstance(value, FairnessConfig):
        cfg = dataclasses.replace(value)
    elif isinstance(value, dict):
        names = [f.name for f in dataclasses.fields(FairnessConfig)]
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ConfigError(f"Unknown setting(s) in {where}: {', '.join(unknown)}. Known: "
                              f"{', '.join(names)}.")
        cfg = FairnessConfig(**value)
    else:
        raise ConfigError(f"{where} must be a table of settings (term, attribute, weight, "
                          f"...), got {value!r}.")
    check_fairness_config(cfg, where)
    return cfg


def check_fairness_config(cfg: FairnessConfig, where: str) -> None:
    """Check and normalise ``cfg`` in place; errors name ``where`` and the setting."""
    term = str(cfg.term).strip().lower().replace("_", "-")
    if term not in _ALIASES:
        raise ConfigError(f"{where}: unknown fairness term '{cfg.term}'; use one of "
                          f"{', '.join(TERMS)}.")
    cfg.term = _ALIASES[term]
    if not isinstance(cfg.attribute, str) or not cfg.attribute.strip():
        what = "item grouping" if cfg.term == "item-exposure" else "user attribute"
        raise ConfigError(f"{where}: name the {what} the {cfg.term} term acts on, e.g. "
                          + ("item-exposure:seller_size=small." if cfg.term == "item-exposure"
                             else f"{cfg.term}:gender."))
    cfg.attribute = cfg.attribute.strip()
    if cfg.protected is not None and cfg.term != "item-exposure":
        raise ConfigError(f"{where}: a protected group (={cfg.protected}) only applies to "
                          "the item-exposure term.")
    cfg.weight = _weight(cfg.weight, f"{where}.weight (λ_train)")
    if cfg.target not in TARGETS:
        raise ConfigError(f"{where}.target must be one of {', '.join(TARGETS)}, got "
                          f"{cfg.target!r}.")
    cfg.temperature = _number(cfg.temperature, f"{where}.temperature", positive=True)
    if cfg.grid is not None:
        if not isinstance(cfg.grid, (list, tuple)) or not 2 <= len(cfg.grid) <= 12:
            raise ConfigError(f"{where}.grid must be a list of 2 to 12 λ_train values, got "
                              f"{cfg.grid!r}.")
        cfg.grid = sorted({_weight(x, f"{where}.grid") for x in cfg.grid})
    for name, low in (("candidates", 2), ("hidden", 0)):
        value = getattr(cfg, name)
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ConfigError(f"{where}.{name} must be a whole number, at least {low}, got "
                              f"{value!r}.")


def _weight(value, what: str) -> float:
    """λ_train: a finite number, 0 or more (text from a command line accepted)."""
    w = _number(value, what)
    if w < 0:
        raise ConfigError(f"{what} must be 0 or more, got {value!r}: a negative weight "
                          "would reward unfairness.")
    return w


def _number(value, what: str, *, positive: bool = False) -> float:
    if isinstance(value, bool):
        raise ConfigError(f"{what} must be a number, got {value!r}.")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{what} must be a number, got {value!r}.") from None
    if not math.isfinite(x) or (positive and x <= 0):
        need = "a positive number" if positive else "a finite number"
        raise ConfigError(f"{what} must be {need}, got {value!r}.")
    return x


# ---------------------------------------------------------------------- resolving
@dataclass
class ResolvedFairness:
    """A fairness config bound to one dataset, as arrays the training terms read.

    Attributes
    ----------
    config : FairnessConfig
    labels : tuple of str
        Group labels (user groups, or the item grouping's groups).
    user_codes : numpy.ndarray of int64 or None
        user-loss, adversary: group index per user, ``-1`` for users left out
        (label missing).
    item_protected : numpy.ndarray of bool or None
        item-exposure: membership of the protected group per item.
    protected : str or None
    catalog_share, merit_share : float or None
        item-exposure: |h| / |I| and the group's share of training interactions.
    target_ratio : float or None
        item-exposure: the soft ES/CS ratio aimed at (1 for catalogue parity,
        merit share / catalogue share for merit parity).
    group_sizes : dict
        Users (or items) per group label, for the record.
    """

    config: FairnessConfig
    labels: tuple[str, ...]
    user_codes: np.ndarray | None = None
    item_protected: np.ndarray | None = None
    protected: str | None = None
    catalog_share: float | None = None
    merit_share: float | None = None
    target_ratio: float | None = None
    group_sizes: dict = field(default_factory=dict)

    @property
    def weight(self) -> float:
        return float(self.config.weight)

    def to_dict(self) -> dict:
        """JSON-safe record (checkpoints, reports)."""
        out = {"config": dataclasses.asdict(self.config), "labels": list(self.labels),
               "group_sizes": {str(k): int(v) for k, v in self.group_sizes.items()}}
        for name in ("protected", "catalog_share", "merit_share", "target_ratio"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


def resolve_fairness(cfg, dataset, train) -> ResolvedFairness:
    """Bind ``cfg`` to ``dataset`` and its training rows ``train``.

    Parameters
    ----------
    cfg : FairnessConfig or dict
    dataset : Dataset
    train : pandas.DataFrame
        Training interactions (``user``, ``item`` dense ids).

    Returns
    -------
    ResolvedFairness

    Raises
    ------
    ConfigError
        Unknown attribute or grouping, fewer than two groups among training
        users (or items), or a protected group no item belongs to.
    """
    cfg = as_fairness_config(cfg)
    users = train["user"].to_numpy()
    items = train["item"].to_numpy()
    if cfg.term == "item-exposure":
        return _resolve_items(cfg, dataset, users, items)
    return _resolve_users(cfg, dataset, users, items)


def _resolve_users(cfg, dataset, users, items) -> ResolvedFairness:
    name = cfg.attribute
    if name == ACTIVITY and ACTIVITY not in dataset.users:
        from fairrec_core.metrics import activity_grouping

        counts = _distinct_counts(users, items, dataset.n_users, dataset.n_items, axis=0)
        labels = activity_grouping(counts).values.astype(str)
    elif name in dataset.users:
        labels = dataset.users[name].astype(object).where(dataset.users[name].notna(),
                                                          UNKNOWN).astype(str).to_numpy()
    else:
        known = ", ".join(list(dataset.users.columns) + [ACTIVITY])
        raise ConfigError(f"The {cfg.term} fairness term names the user attribute '{name}', "
                          f"which the users file does not have. Known: {known}.")
    active = np.zeros(dataset.n_users, dtype=bool)
    active[users] = True
    usable = active & (labels != UNKNOWN)
    groups = sorted(set(labels[usable].tolist()))
    if len(groups) < 2:
        found = f"only '{groups[0]}'" if groups else "no known value"
        raise ConfigError(f"The user attribute '{name}' has {found} among the users with "
                          f"training interactions: the {cfg.term} fairness term compares "
                          "groups, so it needs at least two.")
    codes = np.full(dataset.n_users, -1, dtype=np.int64)
    index = {g: i for i, g in enumerate(groups)}
    codes[usable] = [index[x] for x in labels[usable]]
    sizes = {g: int((codes == i).sum()) for g, i in index.items()}
    return ResolvedFairness(cfg, tuple(groups), user_codes=codes, group_sizes=sizes)


def _resolve_items(cfg, dataset, users, items) -> ResolvedFairness:
    name = cfg.attribute
    n_items = dataset.n_items
    if name == POPULARITY and POPULARITY not in dataset.items:
        from fairrec_core.metrics import head_items

        pop = _distinct_counts(users, items, dataset.n_users, n_items, axis=1)
        labels = np.where(head_items(pop), "head", "tail").astype(object)
    elif name in dataset.items:
        col = dataset.items[name]
        labels = col.astype(object).where(col.notna(), UNKNOWN).astype(str).to_numpy()
    else:
        known = ", ".join(list(dataset.items.columns) + [POPULARITY])
        raise ConfigError(f"The item-exposure fairness term names the item grouping '{name}', "
                          f"which the items file does not have. Known: {known}.")
    groups = sorted(set(labels[labels != UNKNOWN].tolist()))
    if len(groups) < 2:
        found = f"only '{groups[0]}'" if groups else "no known value"
        raise ConfigError(f"The item grouping '{name}' has {found} in the catalogue: exposure "
                          "parity compares a protected group with the rest, so it needs at "
                          "least two groups.")
    share_items = np.bincount(items, minlength=n_items).astype(np.float64)
    per_group = {g: (int((labels == g).sum()), float(share_items[labels == g].sum()))
                 for g in groups}
    protected = cfg.protected
    if protected is None:
        # The group with the fewest training interactions per item is the one a
        # popularity-following model under-exposes: the natural default.
        protected = min(groups, key=lambda g: (per_group[g][1] / per_group[g][0], g))
    elif protected not in per_group:
        raise ConfigError(f"No item of the catalogue has {name} = '{protected}', so it cannot "
                          f"be the protected group. The groups are: {', '.join(groups)}.")
    mask = labels == protected
    catalog = float(mask.mean())
    merit = float(share_items[mask].sum() / max(share_items.sum(), 1.0))
    target = 1.0 if cfg.target == "catalog" else merit / catalog
    return ResolvedFairness(cfg, tuple(groups), item_protected=mask, protected=protected,
                            catalog_share=catalog, merit_share=merit, target_ratio=target,
                            group_sizes={g: n for g, (n, _) in per_group.items()})


def _distinct_counts(users, items, n_users, n_items, *, axis: int) -> np.ndarray:
    """Distinct training items per user (axis 0) or users per item (axis 1)."""
    keys = np.unique(users.astype(np.int64) * n_items + items.astype(np.int64))
    if axis == 0:
        return np.bincount(keys // n_items, minlength=n_users)
    return np.bincount(keys % n_items, minlength=n_items)
