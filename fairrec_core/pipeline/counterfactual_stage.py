"""The counterfactual stage: FaiRLLM / CFaiRLLM probe and representation leakage (issue 14).

Built once from the ``[counterfactual]`` config section
(:class:`~fairrec_core.config_sections.CounterfactualConfig`) by
:func:`run_counterfactual`; the CLI audit (through
:func:`fairrec_core.audit.run_audit`) and the dashboard's Counterfactual page
both call it.

What is probed: the audited model when it reads user profiles (it has a
``template_``, as :class:`~fairrec_core.llm.profile_tower.ProfileTwoTower`
does); otherwise a profile two-tower is trained here with
``[counterfactual].params`` on the same split, so an audit of BPR still says
what a profile-reading model would do with the same data. Leakage (the
attacker AUC of :func:`~fairrec_core.llm.leakage.leakage_auc`) is measured
for the probed model and, when it is a different model with user vectors,
for the audited one too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from fairrec_core._json import jsonable
from fairrec_core.errors import ConfigError

if TYPE_CHECKING:  # the probe module is imported lazily at run time
    from fairrec_core.llm.probe import ProbeResult

#: Probe-model options used when ``[counterfactual].params`` leaves them out: small, so
#: the stage stays a few minutes on a laptop CPU.
DEFAULT_PROBE_PARAMS = {"epochs": 5, "dim": 32, "patience": 0, "max_length": 64}
#: Where the probed model came from.
SOURCES = ("audited", "trained")


@dataclass
class CounterfactualOutcome:
    """What the stage measured, ready for the report, the gate and the page.

    Attributes
    ----------
    probe : ProbeResult
        The probe (SNSR / SNSV with intervals, changed shares, accuracy check).
    leakage : dict
        ``{model label: {attribute: LeakageResult}}``.
    model : dict
        The probed model: ``name``, ``source`` (:data:`SOURCES`), ``template``, ``params``.
    lists : pandas.DataFrame
        Every sampled user's neutral and counterfactual lists, original ids
        (``user, attribute, value, rank, item``; attribute "" = neutral).
    """

    probe: ProbeResult
    leakage: dict
    model: dict
    lists: pd.DataFrame | None = field(repr=False, default=None)
    #: Aware / unaware / augmented side by side, when compared: a ``MitigationComparison``
    #: of :func:`~fairrec_core.pipeline.mitigation_stage.compare_mitigations` (that module
    #: builds on this one, so the type is not imported here).
    mitigation: Any = field(repr=False, default=None)

    @property
    def k(self) -> int:
        return int(self.probe.k)

    @property
    def attributes(self) -> list[str]:
        return list(self.probe.attributes)

    def to_dict(self) -> dict:
        """JSON-safe form (report.json's ``counterfactual`` section)."""
        doc = {"model": self.model, "probe": self.probe.to_dict(),
               "leakage": {m: {a: r.to_dict() for a, r in by.items()}
                           for m, by in self.leakage.items()}}
        if self.mitigation is not None:
            doc["mitigation"] = self.mitigation.to_dict()
        return jsonable(doc)


def probe_attributes(cfg, dataset, template) -> list[str]:
    """The attributes to probe: the configured ones, else the template's sensitive ones."""
    if cfg.attributes:
        return list(dict.fromkeys(a.strip() for a in cfg.attributes))
    found = [c for c in template.sensitive if c in template.columns
             and c in dataset.users.columns]
    if not found:
        raise ConfigError("[counterfactual].attributes is empty and the profile template has "
                          "no sensitive attribute the users file holds; name the attributes "
                          "to probe, e.g. attributes = [\"gender\"].")
    return found


def resolve_template(cfg, dataset):
    """The profile template ``cfg`` describes, checked against the users table."""
    from fairrec_core.llm.profile import ProfileTemplate

    if dataset.users is None or dataset.users.shape[1] == 0:
        raise ConfigError("The counterfactual probe needs a users file with attributes.")
    t = (ProfileTemplate.from_dict(cfg.template) if cfg.template
         else ProfileTemplate.default_for(dataset.users))
    t.check(dataset.users)
    return t.as_unaware() if cfg.unaware else t


def probe_model(cfg, dataset, split, model=None, *, seed: int = 0, callbacks=()):
    """The model to probe and where it came from (``"audited"`` or ``"trained"``)."""
    if model is not None and getattr(model, "template_", None) is not None:
        return model, "audited"
    from fairrec_core.llm.profile_tower import ProfileTwoTower

    params = {**DEFAULT_PROBE_PARAMS, "seed": int(seed), **cfg.params}
    try:
        built = ProfileTwoTower(template=resolve_template(cfg, dataset).to_dict(), **params)
    except TypeError as exc:
        raise ConfigError(f"[counterfactual].params: {exc}") from None
    return built.fit(dataset, split, callbacks=list(callbacks)), "trained"


def run_counterfactual(cfg, dataset, split, model=None, *, k: int = 10, n_boot: int = 1000,
                       level: float = 0.95, seed: int = 0, info=None,
                       callbacks=()) -> CounterfactualOutcome:
    """Probe and measure leakage as ``cfg`` (a ``CounterfactualConfig``) says.

    Parameters
    ----------
    cfg : CounterfactualConfig
    dataset : Dataset
    split : Split
        The split the audited model was trained on (profiles read its train part;
        the accuracy check reads its test part).
    model : Recommender, optional
        The audited model; probed when it reads profiles.
    k : int
        List length when ``cfg.k`` is unset (the audit's K).
    n_boot, level, seed
        Bootstrap resamples, interval level and seed (the audit's).
    info : callable, optional
        Receives progress sentences.
    callbacks : sequence, optional
        Training callbacks when a probe model is trained here.

    Returns
    -------
    CounterfactualOutcome

    Raises
    ------
    ConfigError
        A template naming a missing column, an attribute with one value, no users file.
    """
    from fairrec_core.llm.leakage import model_leakage
    from fairrec_core.llm.probe import probe_values, run_probe

    say = info or (lambda _msg: None)
    template = resolve_template(cfg, dataset)
    attributes = probe_attributes(cfg, dataset, template)
    for a in attributes:  # a missing column or a single value stops before any training
        probe_values(dataset.users, a)
    k = int(cfg.k or k)
    if model is None or getattr(model, "template_", None) is None:
        say("training a profile two-tower for the probe")
    probed, source = probe_model(cfg, dataset, split, model, seed=seed, callbacks=callbacks)
    say(f"probing {', '.join(attributes)} on up to {cfg.n_users:,} users")
    result = run_probe(probed, dataset, attributes=attributes, k=k, n_users=cfg.n_users,
                       truth=split.test_matrix(), n_boot=n_boot, level=level, seed=seed,
                       train=split.train)
    leakage = {}
    if cfg.leakage:
        say("measuring representation leakage")
        targets = [("probed", probed)]
        if source == "trained" and model is not None and getattr(model, "has_vectors", False):
            targets.append(("audited", model))
        for label, m in targets:
            leakage[label] = model_leakage(m, dataset, attributes, n_boot=min(n_boot, 500),
                                           level=level, seed=seed)
    card = {"name": getattr(probed, "name", type(probed).__name__), "source": source,
            "template": result.template,
            "params": {k_: v for k_, v in probed.get_params().items() if k_ != "template"}}
    return CounterfactualOutcome(probe=result, leakage=leakage, model=card,
                                 lists=result.lists_frame(dataset))


def run_stage(config, dataset, split, model, info=None):
    """The audit's stage: ``None`` when ``[counterfactual].enabled`` is false."""
    cf = config.counterfactual
    if not cf.enabled:
        return None
    m = config.metrics
    return run_counterfactual(cf, dataset, split, model, k=m.k, n_boot=m.n_boot,
                              level=m.ci_level, seed=config.seed, info=info)


__all__ = ["CounterfactualOutcome", "DEFAULT_PROBE_PARAMS", "probe_attributes", "probe_model",
           "resolve_template", "run_counterfactual", "run_stage"]
