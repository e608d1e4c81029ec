"""The one result type every explanation returns, and the error for questions it cannot answer."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fairrec_core.errors import FairrecError
from fairrec_core.explain.wording import history_summary

__all__ = ["KINDS", "Explanation", "ExplanationError", "history_summary"]

#: Kinds of explanation (DESIGN.md §6).
KINDS = ("history", "text", "drivers")
#: Details that hold one row per user (left out of compact dictionaries).
PER_USER_KEYS = ("shap_values", "feature_values", "users", "group")
#: Details kept for callers but never serialised (fitted objects).
NOT_SERIALISED = ("regressor",)


class ExplanationError(FairrecError, ValueError):
    """An explanation cannot be computed for this input.

    The message says why in plain words (no history, no text, a model it
    does not apply to, an unknown id); pages show it instead of a chart.
    """


@dataclass
class Explanation:
    """Attributions of one explained number, with how they were made and their limits.

    Attributes
    ----------
    kind : {"history", "text", "drivers"}
    method : str
        Short name of the method, e.g. ``"SHAP (permutation)"`` or ``"LIME"``.
    features : list of str
        What the values are attributed to: history items, words, user features.
    values : numpy.ndarray of float, shape (len(features),)
        One attribution per feature, in the unit of the explained output
        (model score; NDCG@K for drivers, where it is the mean absolute SHAP
        value over users).
    base_value : float
        The output with every feature "absent" (SHAP: the empty history, the
        fully masked text, the mean prediction; LIME: the local model's
        intercept).
    output_value : float
        The explained output itself (the model's score for the full input;
        for drivers the mean predicted NDCG).
    target : str
        The explained number in words.
    parameters : dict
        Every setting that shaped the result (JSON-safe values).
    runtime_s : float
        Wall-clock seconds the explanation took.
    caveat : str
        Faithfulness limits in plain language; shown next to every chart.
    summary : str
        One plain sentence that states the net effect first, e.g. "Your recent
        history raises this item's score overall (+0.21: 1.52 with it, 1.31
        without); the items that raise it most are X (+0.31) and Y (+0.12)."
    subject : dict
        What was explained: user and item ids (original and dense), titles.
    details : dict
        Kind-specific extras (arrays, tables) used by the figures.
    notes : list of str
        Things the reader should know about this particular input
        (e.g. a truncated description).
    """

    kind: str
    method: str
    features: list
    values: np.ndarray
    base_value: float
    output_value: float
    target: str
    parameters: dict
    runtime_s: float
    caveat: str
    summary: str = ""
    subject: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        self.features = [str(f) for f in self.features]
        self.values = np.asarray(self.values, dtype=np.float64).reshape(-1)
        if self.values.size != len(self.features):
            raise ValueError("features and values must have the same length")

    def to_frame(self) -> pd.DataFrame:
        """``feature, value`` rows, largest absolute value first."""
        df = pd.DataFrame({"feature": self.features, "value": self.values})
        order = np.argsort(-np.abs(self.values), kind="stable")
        return df.iloc[order].reset_index(drop=True)

    def top(self, n: int = 5, *, sign: str | None = None) -> pd.DataFrame:
        """The ``n`` strongest attributions; ``sign`` ``"+"``/``"-"`` keeps one direction."""
        df = self.to_frame()
        if sign == "+":
            df = df[df["value"] > 0]
        elif sign == "-":
            df = df[df["value"] < 0]
        return df.head(n).reset_index(drop=True)

    def to_dict(self, *, per_user: bool = True) -> dict:
        """Everything as plain JSON types (NaN and infinities become None).

        Parameters
        ----------
        per_user : bool, default True
            Keep per-user arrays (the drivers' SHAP matrix, feature values,
            user ids and groups); False keeps only summaries, for compact
            reports.
        """
        skip = NOT_SERIALISED if per_user else NOT_SERIALISED + PER_USER_KEYS
        details = {k: v for k, v in self.details.items() if k not in skip}
        return {
            "kind": self.kind, "method": self.method,
            "features": list(self.features), "values": _json(self.values),
            "base_value": _json(self.base_value), "output_value": _json(self.output_value),
            "target": self.target, "parameters": _json(self.parameters),
            "runtime_s": _json(self.runtime_s), "caveat": self.caveat,
            "summary": self.summary, "subject": _json(self.subject),
            "details": _json(details), "notes": list(self.notes),
        }

    def to_report(self, n: int = 10) -> dict:
        """The short form the report's sample-explanations section stores.

        Keys ``method``, ``summary``, ``attributions`` (``feature``, ``weight``;
        the ``n`` strongest) and ``limits`` (the caveat).
        """
        top = self.top(n)
        return {"method": self.method, "summary": self.summary,
                "attributions": [{"feature": str(f), "weight": float(w)}
                                 for f, w in zip(top["feature"], top["value"])],
                "limits": self.caveat}


def _json(x):
    """Recursively turn numpy/pandas objects into JSON-safe Python values."""
    if isinstance(x, dict):
        return {str(k): _json(v) for k, v in x.items()}
    if isinstance(x, pd.DataFrame):
        return [_json(r) for r in x.to_dict(orient="records")]
    if isinstance(x, pd.Series):
        return _json(x.to_dict())
    if isinstance(x, np.ndarray):
        return [_json(v) for v in x.tolist()]
    if isinstance(x, (list, tuple)):
        return [_json(v) for v in x]
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        return v if math.isfinite(v) else None
    if x is None or isinstance(x, (int, str)):
        return x
    if pd.isna(x) if np.ndim(x) == 0 else False:
        return None
    return str(x)
