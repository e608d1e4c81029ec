"""Counterfactual page controller: settings, running the stage, reading its outcome.

The page collects the choices; this module turns them into the
``[counterfactual]`` config section (kept in the session's AuditConfig, so the
exported audit.toml carries it), runs the one stage builder
(:func:`fairrec_core.pipeline.counterfactual_stage.run_counterfactual`) and
shapes its outcome into rows for tables. Nothing here imports streamlit.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairrec_core.config_sections import CounterfactualConfig
from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.errors import ConfigError
from fairrec_core.i18n import t

RESULT = "counterfactual_result"
MITIGATION = "counterfactual_mitigation"
ERROR = "counterfactual_error"
#: Model choices: the session's profile model, or one trained here (aware / unaware).
SOURCES = ("session", "aware", "unaware")
#: Small probe model trained on the page: a few epochs keep it under a minute on a CPU.
PAGE_EPOCHS = 3
MARK = "★ "


@dataclass
class ProbeRun:
    """A finished probe and what it belongs to (dropped when the data changes)."""

    outcome: object
    data_version: int
    source: str


def session_model_reads_profiles(state: MutableMapping) -> bool:
    """Whether the session's trained model reads profile texts (so it can be probed)."""
    return getattr(state.get(ps.MODEL), "template_", None) is not None


def source_choices(state: MutableMapping) -> list[str]:
    return (["session"] if session_model_reads_profiles(state) else []) + ["aware", "unaware"]


def source_label(source: str, state: MutableMapping, lang: str = "en") -> str:
    if source == "session":
        info = state.get(ps.MODEL_INFO)
        return t("cf.model_session", lang, name=getattr(info, "label", "?"))
    return t(f"cf.model_{source}", lang)


def attribute_choices(dataset) -> list[str]:
    """Users-file columns with at least two known values."""
    if dataset is None or dataset.users is None:
        return []
    return [c for c in dataset.users.columns
            if dataset.users[c].dropna().astype(str).nunique() >= 2]


def default_attributes(dataset) -> list[str]:
    from fairrec_core.llm.profile import DEFAULT_SENSITIVE

    have = attribute_choices(dataset)
    return [c for c in DEFAULT_SENSITIVE if c in have] or have[:1]


def page_config(*, source: str, attributes, k: int, n_users: int,
                epochs: int = PAGE_EPOCHS) -> CounterfactualConfig:
    """The ``[counterfactual]`` section the page's choices describe (checked)."""
    if source not in SOURCES:
        raise ConfigError(f"Unknown model choice '{source}'.")
    if not list(attributes):
        raise ConfigError("Choose at least one attribute to probe.")
    params = {} if source == "session" else {"epochs": int(epochs)}
    cfg = CounterfactualConfig(enabled=True, attributes=list(attributes), k=int(k),
                               n_users=int(n_users), unaware=source == "unaware", params=params)
    cfg._check("[counterfactual]")
    return cfg


def run(state: MutableMapping, *, source: str, attributes, k: int, n_users: int,
        epochs: int = PAGE_EPOCHS) -> ProbeRun:
    """Run the stage on the session's data; store and return the :class:`ProbeRun`."""
    from fairrec_core.dashboard.training_session import make_split
    from fairrec_core.pipeline.counterfactual_stage import run_counterfactual

    dataset = state.get(ds.DATASET)
    if dataset is None:
        raise ConfigError("Load data on the Data page first.")
    cfg = page_config(source=source, attributes=attributes, k=k, n_users=n_users,
                      epochs=epochs)
    settings = ps.update_settings(state, counterfactual=cfg)
    model = state.get(ps.MODEL) if source == "session" else None
    split = state.get(ps.SPLIT) if model is not None else None
    if split is None:
        split = make_split(dataset, settings)
    m = settings.metrics
    outcome = run_counterfactual(cfg, dataset, split, model, k=m.k, n_boot=m.n_boot,
                                 level=m.ci_level, seed=settings.seed)
    state.pop(ERROR, None)
    result = ProbeRun(outcome, int(state.get(ds.VERSION) or 0), source)
    state[RESULT] = result
    return result


def compare(state: MutableMapping, *, attributes, k: int, n_users: int,
            epochs: int = PAGE_EPOCHS, augment: str = "swap", augment_p: float = 1.0,
            progress=None) -> ProbeRun:
    """Train aware / unaware / augmented profile models and compare them; store the run.

    The comparison is also attached to the stored probe (when one ran on the
    same data), so the report's counterfactual section shows it.
    """
    from fairrec_core.dashboard.training_session import make_split
    from fairrec_core.pipeline.mitigation_stage import compare_mitigations

    dataset = state.get(ds.DATASET)
    if dataset is None:
        raise ConfigError("Load data on the Data page first.")
    cfg = page_config(source="aware", attributes=attributes, k=k, n_users=n_users,
                      epochs=epochs)
    settings = ps.settings(state)
    m = settings.metrics
    comparison = compare_mitigations(cfg, dataset, make_split(dataset, settings), k=m.k,
                                     n_boot=min(int(m.n_boot), 500), level=m.ci_level,
                                     seed=settings.seed, augment=augment,
                                     augment_p=float(augment_p), progress=progress)
    state.pop(ERROR, None)
    version = int(state.get(ds.VERSION) or 0)
    result = ProbeRun(comparison, version, "compare")
    state[MITIGATION] = result
    probe = state.get(RESULT)
    if probe is not None and probe.data_version == version:
        probe.outcome.mitigation = comparison
    return result


def current_comparison(state: MutableMapping) -> tuple[ProbeRun | None, bool]:
    """The stored mitigation comparison and whether it is stale."""
    r = state.get(MITIGATION)
    if r is None:
        return None, False
    return r, r.data_version != int(state.get(ds.VERSION) or 0)


def mitigation_frame(comparison, lang: str = "en") -> pd.DataFrame:
    """The comparison as the report's table (same headers, same cells)."""
    from fairrec_core.report.counterfactual_section import mitigation_table

    headers, rows = mitigation_table(comparison.to_dict(), lang)
    return pd.DataFrame(rows, columns=_unique(headers))


def current(state: MutableMapping) -> tuple[ProbeRun | None, bool]:
    """The stored run and whether it is stale (the data changed since)."""
    r = state.get(RESULT)
    if r is None:
        return None, False
    return r, r.data_version != int(state.get(ds.VERSION) or 0)


# ---------------------------------------------------------------------- tables
def summary_frame(outcome, lang: str = "en") -> pd.DataFrame:
    """SNSR / SNSV with intervals per attribute and similarity (the page's table)."""
    from fairrec_core.report.counterfactual_section import summary_table

    headers, rows = summary_table(outcome.to_dict()["probe"], lang)
    return pd.DataFrame(rows, columns=_unique(headers))


def value_frame(outcome, lang: str = "en") -> pd.DataFrame:
    from fairrec_core.report.counterfactual_section import value_table

    headers, rows = value_table(outcome.to_dict()["probe"], lang)
    return pd.DataFrame(rows, columns=_unique(headers))


def leakage_rows(outcome, lang: str = "en") -> pd.DataFrame:
    from fairrec_core.report.counterfactual_section import leakage_table
    from fairrec_core.viz.counterfactual_charts import leakage_frame

    frame = leakage_frame(outcome.to_dict())
    headers, rows = leakage_table(frame, lang)
    return pd.DataFrame(rows, columns=_unique(headers))


def _unique(headers: list) -> list:
    # Two "Interval" columns (SNSR's and SNSV's): a table needs distinct names.
    seen: dict = {}
    out = []
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out


def sampled_users(outcome, dataset) -> list[str]:
    """Original ids of the sampled users, in sample order."""
    return [str(u) for u in np.asarray(dataset.user_ids)[outcome.probe.users]]


def side_by_side(outcome, dataset, row: int, attribute: str, value,
                 lang: str = "en") -> pd.DataFrame:
    """One user's neutral and counterfactual lists, titles, changed items marked ★.

    Parameters
    ----------
    row : int
        Position of the user in the sample (see :func:`sampled_users`).
    """
    p = outcome.probe
    neutral = p.neutral[row]
    other = p.lists[attribute][value][row]

    def shown(items, against):
        titles = ps.item_titles(dataset, items)
        return [(MARK if i not in against else "") + title for i, title in zip(items, titles)]

    col_cf = t("cf.col_counterfactual", lang, value=value)
    return pd.DataFrame({t("cf.col_rank", lang): np.arange(1, len(neutral) + 1),
                         t("cf.col_neutral", lang): shown(neutral, set(other.tolist())),
                         col_cf: shown(other, set(neutral.tolist()))})


def first_changed_row(outcome, attribute: str) -> int:
    """The first sampled user whose top-K moves for some value of ``attribute`` (else 0)."""
    p = outcome.probe
    moved = np.zeros(len(p.users), dtype=bool)
    for arr in p.lists[attribute].values():
        moved |= (arr != p.neutral).any(axis=1)
    return int(np.argmax(moved)) if moved.any() else 0


__all__ = ["ERROR", "MITIGATION", "RESULT", "SOURCES", "ProbeRun", "attribute_choices",
           "compare", "current", "current_comparison", "mitigation_frame",
           "default_attributes", "first_changed_row", "leakage_rows", "page_config", "run",
           "sampled_users", "session_model_reads_profiles", "side_by_side", "source_choices",
           "source_label", "summary_frame", "value_frame"]
