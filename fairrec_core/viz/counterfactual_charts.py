"""Charts of the counterfactual probe: SNSR per attribute and attacker AUC per attribute.

One definition per figure: the frames (:func:`snsr_frame`, :func:`leakage_frame`)
feed the interactive Plotly figure (dashboard, HTML report) and the static PNG
(PDF report) alike. Both read the JSON form of the outcome
(``CounterfactualOutcome.to_dict()``), so the report and the page cannot differ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairrec_core.viz.colors import AFTER_COLOR, BEFORE_COLOR, REFERENCE_COLOR
from fairrec_core.viz.figure_spec import Bars, FigureSpec, RefLine

#: Similarity names as charts and tables show them.
SIMILARITY_LABELS = {"jaccard": "Jaccard", "serp": "SERP*", "serp_norm": "SERP*-norm",
                     "prag": "PRAG*"}
REFERENCE = REFERENCE_COLOR


def snsr_frame(outcome: dict, metric: str = "jaccard") -> pd.DataFrame:
    """``attribute, snsr, ci_low, ci_high`` of one similarity, one row per attribute."""
    rows = []
    for name, a in outcome["probe"]["attributes"].items():
        lo, hi = a["snsr_ci"][metric]
        rows.append({"attribute": name, "snsr": a["snsr"][metric], "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows, columns=["attribute", "snsr", "ci_low", "ci_high"])


def leakage_frame(outcome: dict) -> pd.DataFrame:
    """``model, attribute, auc, ci_low, ci_high, n_users`` of every leakage result."""
    rows = [{"model": m, "attribute": a, "auc": r["auc"], "ci_low": r["ci"][0],
             "ci_high": r["ci"][1], "n_users": r["n_users"]}
            for m, by in outcome.get("leakage", {}).items() for a, r in by.items()]
    return pd.DataFrame(rows, columns=["model", "attribute", "auc", "ci_low", "ci_high",
                                       "n_users"])


def _errors(frame: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    v = frame[col].to_numpy(float)
    return (np.nan_to_num(frame["ci_high"].to_numpy(float) - v),
            np.nan_to_num(v - frame["ci_low"].to_numpy(float)))


def snsr_spec(frame: pd.DataFrame, *, title: str) -> FigureSpec | None:
    """Bars of SNSR per attribute with their intervals; a line at 0 (no effect).

    The one definition the Counterfactual page, the HTML and the PDF report draw.
    """
    if frame.empty:
        return None
    bars = Bars("SNSR", frame["snsr"].to_numpy(float), AFTER_COLOR,
                ci_low=frame["ci_low"].to_numpy(float), ci_high=frame["ci_high"].to_numpy(float),
                legend=False, hover="%{x}: SNSR %{y:.3f}<extra></extra>")
    return FigureSpec(title=title, y_title="SNSR",
                      categories=frame["attribute"].astype(str).tolist(), bars=[bars],
                      refs=[RefLine(0.0, REFERENCE_COLOR, dash="solid")], height=320,
                      legend=None)


def snsr_figure(frame: pd.DataFrame, *, title: str):
    """:func:`snsr_spec` drawn with Plotly (an empty figure for an empty frame)."""
    from fairrec_core.viz.render_plotly import light_figure, to_plotly

    spec = snsr_spec(frame, title=title)
    return to_plotly(spec) if spec is not None else light_figure([], {}, title, 320)


def leakage_figure(frame: pd.DataFrame, *, title: str):
    """Attacker AUC per attribute (and model) with intervals; a line at 0.5 (no leakage)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for j, (model, part) in enumerate(frame.groupby("model", sort=False)):
        up, down = _errors(part, "auc")
        fig.add_bar(x=part["attribute"].astype(str), y=part["auc"], name=str(model),
                    marker_color=AFTER_COLOR if j == 0 else BEFORE_COLOR,
                    error_y={"type": "data", "array": up, "arrayminus": down,
                             "color": REFERENCE},
                    hovertemplate="%{x}: AUC %{y:.3f}<extra>" + str(model) + "</extra>")
    fig.add_hline(y=0.5, line_color=REFERENCE, line_dash="dot", line_width=1)
    fig.update_layout(title=title, template="plotly_white", height=320, barmode="group",
                      yaxis={"range": [0, 1], "title": "AUC"},
                      margin={"l": 50, "r": 20, "t": 50, "b": 40})
    return fig


def snsr_png(frame: pd.DataFrame, *, title: str) -> bytes | None:
    """:func:`snsr_spec` as a PNG (PDF report); None for an empty frame."""
    from fairrec_core.viz.render_png import to_png

    return to_png(snsr_spec(frame, title=title))


__all__ = ["SIMILARITY_LABELS", "leakage_figure", "leakage_frame", "snsr_figure", "snsr_frame",
           "snsr_png", "snsr_spec"]
