"""Charts of the counterfactual probe: SNSR per attribute and attacker AUC per attribute.

One definition per figure: the frames (:func:`snsr_frame`, :func:`leakage_frame`)
feed the interactive Plotly figure (dashboard, HTML report) and the static PNG
(PDF report) alike. Both read the JSON form of the outcome
(``CounterfactualOutcome.to_dict()``), so the report and the page cannot differ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairrec_core.viz.colors import AFTER_COLOR, BEFORE_COLOR

#: Similarity names as charts and tables show them.
SIMILARITY_LABELS = {"jaccard": "Jaccard", "serp": "SERP*", "serp_norm": "SERP*-norm",
                     "prag": "PRAG*"}
REFERENCE = "#5B6770"


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


def snsr_figure(frame: pd.DataFrame, *, title: str):
    """Bars of SNSR per attribute with their intervals; a line at 0 (no effect)."""
    import plotly.graph_objects as go

    up, down = _errors(frame, "snsr")
    fig = go.Figure(go.Bar(x=frame["attribute"].astype(str), y=frame["snsr"],
                           marker_color=AFTER_COLOR, width=0.5,
                           error_y={"type": "data", "array": up, "arrayminus": down,
                                    "color": REFERENCE},
                           hovertemplate="%{x}: SNSR %{y:.3f}<extra></extra>"))
    fig.add_hline(y=0, line_color=REFERENCE, line_width=1)
    fig.update_layout(title=title, template="plotly_white", height=320,
                      margin={"l": 50, "r": 20, "t": 50, "b": 40}, yaxis_title="SNSR")
    return fig


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
    """The static form of :func:`snsr_figure` (PDF report)."""
    if frame.empty:
        return None
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 2.8), dpi=150)
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    x = np.arange(len(frame))
    up, down = _errors(frame, "snsr")
    ax.bar(x, frame["snsr"].to_numpy(float), color=AFTER_COLOR, width=0.5)
    ax.errorbar(x, frame["snsr"].to_numpy(float), yerr=np.vstack([down, up]), fmt="none",
                ecolor=REFERENCE, capsize=3, linewidth=1)
    ax.axhline(0, color=REFERENCE, linewidth=0.8)
    ax.set_xticks(x)
    # "$" would switch matplotlib into math mode.
    ax.set_xticklabels([str(a).replace("$", r"\$") for a in frame["attribute"]], fontsize=8)
    ax.set_ylabel("SNSR", fontsize=9)
    ax.set_title(title.replace("$", r"\$"), fontsize=9)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=150, metadata={"Software": None})
    return buf.getvalue()


__all__ = ["SIMILARITY_LABELS", "leakage_figure", "leakage_frame", "snsr_figure", "snsr_frame",
           "snsr_png"]
