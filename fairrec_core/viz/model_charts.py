"""Plotly figure of a model's training: loss and validation NDCG per epoch.

:class:`TrainingLog` collects :class:`~fairrec_core.training.ProgressEvent`
objects as a callback (live) and :func:`training_figure` draws them, so the
Train page shows the same chart while training and afterwards (from
``TrainResult.history``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import plotly.graph_objects as go

from fairrec_core.viz.colors import CURVE_COLOR, POINT_COLOR, TRAIN_COLOR
from fairrec_core.viz.figure_spec import FigureSpec, Line
from fairrec_core.viz.render_plotly import to_plotly

LOSS_COLOR = "#3A6EA5"
METRIC_COLOR = "#D9822B"

__all__ = ["TrainingLog", "fairtrain_figure", "fairtrain_points", "fairtrain_spec",
           "training_figure"]


@dataclass
class TrainingLog:
    """Loss and validation points gathered from training events.

    Attributes
    ----------
    steps : list of (fractional epoch, loss)
        Windowed training loss as the loop reports it.
    epochs : list of (epoch, mean loss, validation metric or None)
    metric_name : str
    total, done : int
        Planned and completed steps (for a progress bar).
    device : str
    """

    steps: list = field(default_factory=list)
    epochs: list = field(default_factory=list)
    metric_name: str = "ndcg@10"
    total: int = 0
    done: int = 0
    device: str = ""
    started: float = field(default_factory=time.perf_counter)
    #: Texts encoded and to encode (the two-tower's first stage); 0 / 0 when none.
    encoded: int = 0
    to_encode: int = 0

    def __call__(self, ev) -> None:
        self.metric_name = ev.metric_name
        self.device = ev.device
        if ev.kind == "encode":
            self.encoded, self.to_encode = ev.step, ev.steps
            return
        if ev.steps and ev.epochs:
            self.total = ev.epochs * ev.steps
        if ev.kind == "step" and ev.loss is not None:
            self.steps.append(((ev.epoch - 1) + ev.step / max(ev.steps, 1), float(ev.loss)))
            self.done = (ev.epoch - 1) * ev.steps + ev.step
        elif ev.kind == "epoch":
            self.epochs.append((ev.epoch, ev.loss, ev.metric))
            self.done = ev.epoch * ev.steps
        elif ev.kind == "end":
            self.done = self.total

    @property
    def encode_fraction(self) -> float:
        """Share of the item texts encoded (1 when there was nothing to encode)."""
        return 1.0 if not self.to_encode else min(1.0, self.encoded / self.to_encode)

    @property
    def fraction(self) -> float:
        """Share of the planned steps done (early stopping ends below 1)."""
        return 0.0 if not self.total else min(1.0, self.done / self.total)

    @classmethod
    def from_history(cls, history: list[dict], metric_name: str) -> TrainingLog:
        """A log rebuilt from ``TrainResult.history`` (per-epoch rows)."""
        log = cls(metric_name=metric_name)
        for row in history:
            log.epochs.append((row["epoch"], row.get("loss"), row.get(metric_name)))
        return log


def training_figure(log: TrainingLog, *, best_epoch: int | None = None,
                    title: str = "Training progress", lang: str = "en") -> go.Figure:
    """Loss (left axis) and validation metric (right axis) against epochs (words in ``lang``)."""
    from fairrec_core.i18n import t

    metric = log.metric_name.upper()
    fig = go.Figure()
    if log.steps:
        fig.add_trace(go.Scatter(
            x=[s[0] for s in log.steps], y=[s[1] for s in log.steps], mode="lines",
            name=t("chart.train.loss_steps", lang), line={"color": LOSS_COLOR, "width": 1},
            opacity=0.45, hovertemplate="epoch %{x:.2f}: loss %{y:.4f}<extra></extra>"))
    if log.epochs:
        fig.add_trace(go.Scatter(
            x=[e[0] for e in log.epochs], y=[e[1] for e in log.epochs], mode="lines+markers",
            name=t("chart.train.loss_epochs", lang), line={"color": LOSS_COLOR, "width": 2.5},
            hovertemplate="epoch %{x}: mean loss %{y:.4f}<extra></extra>"))
        pts = [(e[0], e[2]) for e in log.epochs if e[2] is not None]
        if pts:
            fig.add_trace(go.Scatter(
                x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines+markers",
                name=t("chart.train.validation", lang, metric=metric), yaxis="y2",
                line={"color": METRIC_COLOR, "width": 2.5},
                hovertemplate=f"epoch %{{x}}: validation {log.metric_name.upper()} "
                              "%{y:.4f}<extra></extra>"))
    if best_epoch:
        fig.add_vline(x=best_epoch, line={"color": METRIC_COLOR, "dash": "dot", "width": 1},
                      annotation_text=t("chart.train.best_epoch", lang, epoch=best_epoch),
                      annotation_font_size=11)
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15}},
        template="plotly_white", height=340, margin={"l": 60, "r": 70, "t": 70, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right",
                "x": 1.0},
        xaxis={"title": {"text": t("chart.train.epoch", lang)}, "rangemode": "tozero"},
        yaxis={"title": {"text": t("chart.train.loss_axis", lang),
                         "font": {"color": LOSS_COLOR}}},
        yaxis2={"title": {"text": t("chart.train.metric_axis", lang, metric=metric),
                          "font": {"color": METRIC_COLOR}},
                "overlaying": "y", "side": "right", "rangemode": "tozero", "tickformat": ".3f",
                "showgrid": False})
    return fig


# ---------------------------------------------------------------------- fairness in training
RERANK_COLOR = CURVE_COLOR
FRONT_COLOR = POINT_COLOR


def fairtrain_points(grid, column: str, rerank=None) -> dict:
    """The curves of :func:`fairtrain_figure` as plain lists (the report's PNG draws these too).

    Parameters
    ----------
    grid : pandas.DataFrame
        A λ_train grid (:func:`fairrec_core.fairtrain.train_grid`).
    column : str
        The fairness axis, a column of ``grid``.
    rerank : pandas.DataFrame, optional
        A re-ranking sweep with ``lam``, ``ndcg`` and ``column``; left out
        when it lacks ``column`` (different axes cannot be overlaid).

    Returns
    -------
    dict
        ``train`` and ``rerank``: ``{"x", "y", "lam"}`` lists (``rerank`` None
        when absent); ``front``: ``{"x", "y", "source", "lam"}`` of the Pareto
        front over both curves together, in order of the fairness value.
    """
    import numpy as np

    from fairrec_core.rerank.sweep import pareto_mask

    def curve(table):
        t = table.sort_values("lam")
        return {"x": t[column].astype(float).tolist(), "y": t["ndcg"].astype(float).tolist(),
                "lam": t["lam"].astype(float).tolist()}

    out = {"train": curve(grid), "rerank": None}
    pts = [(x, y, "train", lam) for x, y, lam in zip(*out["train"].values())]
    if rerank is not None and column in getattr(rerank, "columns", ()):
        out["rerank"] = curve(rerank)
        pts += [(x, y, "rerank", lam) for x, y, lam in zip(*out["rerank"].values())]
    mask = pareto_mask(np.array([[p[0], p[1]] for p in pts], dtype=float))
    front = sorted((p for p, m in zip(pts, mask) if m), key=lambda p: p[0])
    out["front"] = {"x": [p[0] for p in front], "y": [p[1] for p in front],
                    "source": [p[2] for p in front], "lam": [p[3] for p in front]}
    return out


def fairtrain_spec(grid, column: str, *, rerank=None, fairness_label: str | None = None,
                   accuracy_label: str = "NDCG@10", labels: dict | None = None) -> FigureSpec:
    """Accuracy against the targeted fairness measure: λ_train grid, re-ranking, Pareto front.

    One definition for the Train page, the What-if overlay, the HTML and the PDF
    report. ``labels`` overrides the legend texts (``train``, ``rerank``,
    ``front``, ``title``), e.g. translated ones.
    """
    names = {"train": "fairness in training (λ_train grid)",
             "rerank": "re-ranking (λ sweep)", "front": "Pareto front (both)",
             "title": "Trade-off: accuracy vs. fairness, training and re-ranking"}
    names.update(labels or {})
    pts = fairtrain_points(grid, column, rerank)
    tr = pts["train"]
    lines = [Line(names["train"], tr["x"], tr["y"], TRAIN_COLOR, width=2.5, markers=True,
                  marker_size=9, text=[f"λ={lam:g}" for lam in tr["lam"]],
                  customdata=tr["lam"],
                  hover="λ_train %{customdata:g}: NDCG %{y:.4f}, fairness %{x:.3f}"
                        "<extra></extra>")]
    if pts["rerank"] is not None:
        rr = pts["rerank"]
        lines.append(Line(names["rerank"], rr["x"], rr["y"], RERANK_COLOR, dash="dot",
                          markers=True, marker_size=5, customdata=rr["lam"],
                          hover="re-ranking λ %{customdata:g}: NDCG %{y:.4f}, fairness "
                                "%{x:.3f}<extra></extra>"))
    fr = pts["front"]
    lines.append(Line(names["front"], fr["x"], fr["y"], FRONT_COLOR, width=1, markers=True,
                      marker_size=13, hollow=True, step=True))
    return FigureSpec(title=names["title"], x_title=fairness_label or column,
                      y_title=accuracy_label, lines=lines, y_format=".3f", height=380)


def fairtrain_figure(grid, column: str, *, rerank=None, fairness_label: str | None = None,
                     accuracy_label: str = "NDCG@10", labels: dict | None = None) -> go.Figure:
    """The figure of :func:`fairtrain_spec` drawn with Plotly."""
    return to_plotly(fairtrain_spec(grid, column, rerank=rerank, fairness_label=fairness_label,
                                    accuracy_label=accuracy_label, labels=labels))
