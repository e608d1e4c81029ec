"""The whole audit as one call: load → validate → split → model → recommend → re-rank
→ metrics → explanations, driven by an :class:`~fairrec_core.config.AuditConfig`.

The CLI (``fairrec audit``) and the dashboard's Report page both call
:func:`run_audit`; the report formats are then rendered from the returned
:class:`~fairrec_core.report.result.AuditResult` by :mod:`fairrec_core.report`.

Progress is reported to an optional callback as :class:`AuditProgress`
events, one ``start`` and one ``done`` per stage plus ``info`` events
(training epochs) in between.
"""

from __future__ import annotations

import platform
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

from fairrec_core.config import AuditConfig
from fairrec_core.data.validation import Issue

#: Pipeline stages, in order (the report is written by the caller).
STAGES = ("load", "validate", "split", "model", "recommend", "rerank", "metrics", "explain",
          "counterfactual")
STAGE_LABELS = {"load": "Reading the CSV files", "validate": "Validating and indexing the data",
                "split": "Splitting train / test", "model": "Preparing the model",
                "recommend": "Computing top-K lists", "rerank": "Re-ranking and λ sweep",
                "metrics": "Accuracy, fairness and intervals",
                "explain": "Sampling users for explanations",
                "counterfactual": "Counterfactual probe and leakage"}
#: Packages whose versions the reproducibility section lists.
PACKAGES = ("numpy", "pandas", "scipy", "scikit-learn", "fairlearn", "torch", "transformers",
            "plotly", "matplotlib", "fpdf2", "jsonschema")


@dataclass(frozen=True)
class AuditProgress:
    """One progress report.

    Attributes
    ----------
    stage : str
        One of :data:`STAGES`.
    index, total : int
        1-based position of the stage and the number of stages.
    kind : {"start", "done", "info"}
    message : str
        Plain words for a progress line.
    seconds : float
        Stage duration (``done``) or time into the stage (``info``).
    """

    stage: str
    index: int
    total: int
    kind: str
    message: str
    seconds: float = 0.0


Progress = Callable[[AuditProgress], object]


class _Stages:
    """Emits start/done events and collects each stage's duration and warnings."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.issues: list[Issue] = []
        self.current = ""
        self.t0 = 0.0

    def emit(self, kind: str, message: str, seconds: float = 0.0) -> None:
        if self.progress is not None:
            self.progress(AuditProgress(self.current, STAGES.index(self.current) + 1,
                                        len(STAGES), kind, message, seconds))

    def run(self, stage: str, fn, *args, **kwargs):
        self.current, self.t0 = stage, time.perf_counter()
        self.emit("start", STAGE_LABELS[stage])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = fn(*args, **kwargs)
        # Warnings raised inside the core travel into the report, once each.
        for w in caught:
            if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning,
                                       FutureWarning)):
                continue
            msg = str(w.message)
            if not any(i.message == msg for i in self.issues):
                self.issues.append(Issue.warning(stage, None, w.category.__name__, msg))
        self.timings[stage] = time.perf_counter() - self.t0
        self.emit("done", STAGE_LABELS[stage], self.timings[stage])
        return out

    def info(self, message: str) -> None:
        self.emit("info", message, time.perf_counter() - self.t0)


def run_audit(config: AuditConfig, *, progress: Progress | None = None, dataset=None,
              split=None, model=None, lists=None, lists_provenance: dict | None = None,
              counterfactual=None):
    """Run the audit ``config`` describes.

    Parameters
    ----------
    config : AuditConfig
    progress : callable, optional
        Receives :class:`AuditProgress` events.
    dataset : Dataset, optional
        Already loaded data (the dashboard's session); the files named in
        ``config.data`` are then not read, and the dataset's own sources
        (names, SHA-256) are reported.
    split : Split, optional
        The split ``model`` was trained with (the dashboard's); made from
        ``config.split`` when omitted.
    model : Recommender, optional
        An already fitted model (the dashboard's trained model); used
        instead of ``config.model``.
    lists : ndarray of int, optional
        The top-K lists to audit (e.g. re-ranked on the dashboard's What-if
        page), instead of the model's lists re-ranked per ``config.rerank``.
    lists_provenance : dict, optional
        How ``lists`` were made (a re-ranker's provenance); goes into the report.
    counterfactual : CounterfactualOutcome, optional
        A probe already run with ``config.counterfactual`` (the dashboard's
        Counterfactual page), reported instead of probing again.

    Returns
    -------
    AuditResult

    Raises
    ------
    DataValidationError
        The data has errors (``.report`` lists them all).
    ConfigError, FairrecError
        An option does not fit the data (a grouping that does not exist, ...).
    """
    from fairrec_core.pipeline import rerank_stage as rr
    from fairrec_core.pipeline import stages as steps
    from fairrec_core.report.result import AuditResult

    config.validate()
    st = _Stages(progress)
    from fairrec_core.pipeline import ray_parts

    if dataset is None and model is None and lists is None and ray_parts.applies(config):
        # Imported lists on Ray: read, validated and split in Ray tasks, part by part;
        # the full Dataset is never built here (DESIGN.md §10.5).
        return AuditResult(**ray_parts.run(config, st), environment=environment(),
                           timings=st.timings)
    dataset, split = _data_and_split(st, config, dataset, split)
    kept: dict = {}  # λ_train -> candidates of a [model.fairness].grid (not in the report)
    fitted, card = st.run("model", steps.prepare_model, config, dataset, split, model, st.info,
                          kept)
    base = st.run("recommend", steps.recommend, config, fitted)
    audited, rerank, tradeoff = st.run("rerank", rr.rerank_and_sweep, config, dataset,
                                       split, fitted, base)
    if kept and card.get("fairtrain"):
        from fairrec_core.pipeline.combined_stage import audit_combined

        # Each fairness-trained model re-ranked by the same re-ranker (issue 15.2).
        audit_combined(config, dataset, split, base, tradeoff, card["fairtrain"], kept)
    if lists is not None:
        audited, rerank = rr.given_lists(config, lists, lists_provenance or {}, rerank)
    lists = audited
    # Lets a reader check that two reports (say the dashboard's and the CLI's) audited
    # exactly the same lists.
    rerank["lists_sha256"] = rr.lists_digest(lists)
    fairness = st.run("metrics", steps.evaluate, config, dataset, split, lists)
    explanations = st.run("explain", steps.sample_explanations, config, dataset, split,
                          fitted, card, lists, fairness)
    from fairrec_core.pipeline.counterfactual_stage import run_stage as counterfactual_stage

    if counterfactual is None:
        counterfactual = st.run("counterfactual", counterfactual_stage, config, dataset, split,
                                fitted, st.info)
    else:
        st.run("counterfactual", lambda: None)

    data, issues = _data_section(dataset, split, fitted, card, st)
    return AuditResult(config=config, fairness=fairness, data=data,
                       sources=dict(dataset.sources), warnings=issues, model=card,
                       rerank=rerank, tradeoff=tradeoff, explanations=explanations,
                       environment=environment(), timings=st.timings,
                       counterfactual=counterfactual)


def _data_and_split(st: _Stages, config: AuditConfig, dataset, split):
    """The load, validate and split stages; given data or a given split skip their work.

    A skipped stage still emits its events, so progress always counts every stage.
    """
    from fairrec_core.pipeline import stages as steps

    if dataset is None:
        tables = st.run("load", steps.read_inputs, config)
        dataset = st.run("validate", steps.build, config, tables)
    else:
        st.run("load", lambda: None)
        st.run("validate", steps.check_fit, config, dataset)
    if split is None:
        split = st.run("split", steps.make_split, config, dataset)
    else:
        st.run("split", lambda: None)
    return dataset, split


def _data_section(dataset, split, fitted, card: dict, st: _Stages) -> tuple[dict, list[dict]]:
    """The report's data summary, and every warning not already on the model card.

    Puts the fitted model's own warnings on ``card["warnings"]``.
    """
    from fairrec_core.data import summarize

    summary = summarize(dataset)
    card["warnings"] = [w.to_dict() for w in getattr(fitted, "warnings_", [])]
    issues = ([i.to_dict() for i in dataset.report.warnings]
              + [i.to_dict() for i in st.issues
                 if not any(i.message == w["message"] for w in card["warnings"])])
    data = {"summary": summary.counts,
            "user_groups": summary.user_groups.to_dict(orient="records"),
            "item_groups": summary.item_groups.to_dict(orient="records"),
            "split": split.summary()}
    return data, issues


def environment() -> dict:
    """Python, platform and the versions of the packages the numbers depend on."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"python": platform.python_version(), "platform": platform.platform(),
            "packages": versions}
