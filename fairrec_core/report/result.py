"""AuditResult: everything a report shows, and its JSON form.

The audit pipeline (:func:`fairrec_core.audit.run_audit`) fills one
:class:`AuditResult`; every output format (HTML, PDF, JSON, CSV) is rendered
from it and nothing is recomputed on the way, so all formats show the same
numbers as the metrics engine's :class:`~fairrec_core.metrics.FairnessResult`.

The JSON form is versioned (:data:`SCHEMA_VERSION`, validated against
``schema/report.schema.json``) and holds every number of the report. Its
only field that changes between two runs of the same config on the same data
is ``generated_at``; durations are kept out of it on purpose.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from fairrec_core import __version__
from fairrec_core._json import jsonable
from fairrec_core.config import AuditConfig
from fairrec_core.i18n import say, say_all
from fairrec_core.metrics import FairnessResult, Thresholds, run_checks

#: Version of the report.json layout (semantic: a major bump breaks readers).
SCHEMA_VERSION = "2.1.0"  # 2.1: optional counterfactual section (issue 14)
SCHEMA_PATH = Path(__file__).with_name("schema") / "report.schema.json"
#: Order of severity when several checks decide the overall verdict.
VERDICT_ORDER = ("fail", "warn", "inconclusive", "pass", "insufficient_data")


@dataclass
class AuditResult:
    """One audit, ready to render.

    Attributes
    ----------
    config : AuditConfig
        The config the audit ran with (the full config goes into the report).
    fairness : FairnessResult
        The metrics engine's result for the audited lists.
    data : dict
        ``summary`` (counts), ``user_groups`` and ``item_groups`` (sizes),
        ``split`` (how the data was divided).
    sources : dict
        Per input file: name, SHA-256, encoding, delimiter, rows, mapping.
    warnings : list of dict
        Validation warnings and warnings raised later in the pipeline
        (``severity, file, column, code, message, count, rows``).
    model : dict
        The model card.
    rerank : dict
        Whether and how the lists were re-ranked (with the re-ranker's provenance).
    tradeoff : dict
        The λ sweep: ``available``, ``table`` (DataFrame), ``operating_point``, ...
    explanations : dict
        Sample users per group with their lists; ``available`` says whether
        explanations could be computed.
    environment : dict
        Python and package versions.
    generated_at : str
        ISO-8601 UTC time the result was made.
    timings : dict
        Seconds per stage (shown on the console, kept out of report.json so
        that re-runs compare equal).
    counterfactual : CounterfactualOutcome or None
        The counterfactual probe and leakage, when ``[counterfactual]`` is enabled.
    """

    config: AuditConfig
    fairness: FairnessResult
    data: dict
    sources: dict
    warnings: list
    model: dict
    rerank: dict
    tradeoff: dict
    explanations: dict
    environment: dict
    generated_at: str = field(default_factory=lambda: now_iso())
    timings: dict = field(default_factory=dict, compare=False)
    counterfactual: Any = field(default=None, compare=False)

    @property
    def k(self) -> int:
        return int(self.fairness.params["k"])

    @property
    def lang(self) -> str:
        """Language of the report's text: ``"en"`` or ``"zh"`` (``[report].lang``)."""
        return self.config.report.lang

    @property
    def verdict(self) -> dict:
        """Overall status (worst judged check) and the count of each status."""
        return verdict(self.fairness.checks)

    def with_thresholds(self, thresholds: Thresholds) -> AuditResult:
        """The same audit judged with other thresholds (no metric is recomputed)."""
        f = self.fairness
        checks = run_checks(f.user_gaps, f.item_groups, thresholds=thresholds, k=self.k,
                            min_group_size=int(f.params["min_group_size"]),
                            level=float(f.params["ci_level"]))
        params = {**f.params, "thresholds": thresholds.to_dict()}
        config = dataclasses.replace(self.config, thresholds=thresholds)
        return dataclasses.replace(self, config=config,
                                   fairness=dataclasses.replace(f, checks=checks, params=params))

    def to_json_dict(self) -> dict:
        """The report as plain JSON data (see the JSON Schema)."""
        f = self.fairness
        from fairrec_core.report.check_text import localised_checks
        from fairrec_core.report.text import methodology, report_title

        tradeoff = {k: v for k, v in self.tradeoff.items() if k != "table"}
        table = self.tradeoff.get("table")
        tradeoff["table"] = records(table) if isinstance(table, pd.DataFrame) else []
        doc = {
            "schema_version": SCHEMA_VERSION,
            "generated_at": self.generated_at,
            "title": report_title(self),
            "fairrec_version": __version__,
            "verdict": self.verdict,
            # Sentences in the report language; names, ids and statuses stay English.
            "checks": records(localised_checks(self)),
            "data": {**self.data, "warnings": list(self.warnings)},
            "model": self.model,
            "metrics": {
                "k": self.k,
                "counts": f.counts,
                "overall": records(f.overall),
                "user_groups": records(f.user_groups),
                "user_gaps": records(f.user_gaps),
                "item_groups": records(f.item_groups),
                "lorenz": records(f.lorenz),
                "notes": [say(n, self.lang) for n in f.notes],
                "params": f.params,
            },
            "rerank": self.rerank,
            "tradeoff": tradeoff,
            "explanations": self.explanations,
            "counterfactual": (None if self.counterfactual is None
                               else self.counterfactual.to_dict()),
            "methodology": methodology(self),
            "reproducibility": {
                "seed": self.config.seed,
                "fairrec_version": __version__,
                "environment": self.environment,
                "inputs": [{"kind": kind, **src} for kind, src in self.sources.items()],
                "config": self.config.to_dict(),
            },
        }
        # Notes and descriptions made deep in the library are Phrases: said here.
        return jsonable(say_all(doc, self.lang))

    def to_json(self) -> str:
        """:meth:`to_json_dict` as text (UTF-8, NaN written as null)."""
        return json.dumps(self.to_json_dict(), indent=2, ensure_ascii=False, allow_nan=False)


# ---------------------------------------------------------------------- helpers
def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def verdict(checks: pd.DataFrame) -> dict:
    """Worst judged status among ``checks`` and how many checks have each status."""
    counts = {s: int((checks["status"] == s).sum()) for s in VERDICT_ORDER}
    status = next((s for s in VERDICT_ORDER[:-1] if counts[s]), "insufficient_data")
    return {"status": status, "counts": counts, "n_checks": int(len(checks))}


def records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as JSON-ready dicts (NaN -> None, numpy scalars -> Python)."""
    return jsonable(frame.to_dict(orient="records"))


def load_schema() -> dict:
    """The report's JSON Schema (draft 2020-12)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_json(doc: dict) -> None:
    """Raise ``jsonschema.ValidationError`` when ``doc`` does not follow the schema."""
    import jsonschema

    jsonschema.validate(doc, load_schema(), cls=jsonschema.Draft202012Validator)
