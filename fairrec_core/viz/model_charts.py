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
#: The combined training + re-ranking curves: a lighter shade of the training curve's.
COMBINED_COLOR = "#8FD1A9"


def fairtrain_points(grid, column: str, rerank=None, combined=None) -> dict:
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
    combined : pandas.DataFrame, optional
        Each λ_train > 0 model re-ranked over λ
        (:func:`fairrec_core.pipeline.combined_stage.combined_tradeoff`):
        ``lam_train``, ``lam``, ``ndcg`` and ``column``; left out without ``column``.

    Returns
    -------
    dict
        ``train`` and ``rerank``: ``{"x", "y", "lam"}`` lists (``rerank`` None
        when absent); ``combined``: one such dict per λ_train (with
        ``lam_train``), empty when absent; ``front``: ``{"x", "y", "source",
        "lam"}`` of the Pareto front over all curves together (NDCG and the
        fairness objective of ``column``, as the re-ranking sweep's front), in
        order of the fairness value.
    """
    from fairrec_core.pipeline.combined_stage import union_front

    def curve(table):
        t = table.sort_values("lam")
        return {"x": t[column].astype(float).tolist(), "y": t["ndcg"].astype(float).tolist(),
                "lam": t["lam"].astype(float).tolist()}

    out: dict = {"train": curve(grid), "rerank": None, "combined": []}
    tables = [grid]
    pts = [(x, y, "train", lam) for x, y, lam in zip(*out["train"].values())]
    if rerank is not None and column in getattr(rerank, "columns", ()):
        out["rerank"] = curve(rerank)
        tables.append(rerank.sort_values("lam"))
        pts += [(x, y, "rerank", lam) for x, y, lam in zip(*out["rerank"].values())]
    if combined is not None and len(combined) and column in getattr(combined, "columns", ()):
        for lam_train, part in combined.groupby("lam_train", sort=True):
            c = curve(part)
            out["combined"].append({**c, "lam_train": float(lam_train)})
            tables.append(part.sort_values("lam"))
            pts += [(x, y, "combined", (float(lam_train), lam))
                    for x, y, lam in zip(c["x"], c["y"], c["lam"])]
    mask = union_front(column, *[t.sort_values("lam") for t in tables])
    front = sorted((p for p, m in zip(pts, mask) if m), key=lambda p: p[0])
    out["front"] = {"x": [p[0] for p in front], "y": [p[1] for p in front],
                    "source": [p[2] for p in front], "lam": [p[3] for p in front]}
    return out


def fairtrain_spec(grid, column: str, *, rerank=None, fairness_label: str | None = None,
                   accuracy_label: str = "NDCG@10", labels: dict | None = None,
                   combined=None, lang: str = "en") -> FigureSpec:
    """Accuracy against the targeted fairness measure: λ_train grid, re-ranking, Pareto front.

    One definition for the Train page, the HTML and the PDF report. ``labels``
    overrides the legend texts (``train``, ``rerank``, ``combined``, ``front``,
    ``title``), e.g. translated ones; ``lang`` the hover texts' language.
    ``combined`` (see :func:`fairtrain_points`) adds one thin line per λ_train > 0
    model re-ranked over λ, one legend entry for all, and the front then runs over
    all three sets.
    """
    from fairrec_core.i18n import t

    names = {"train": "fairness in training (λ_train grid)",
             "rerank": "re-ranking (λ sweep)", "front": "Pareto front (both)",
             "combined": "training + re-ranking",
             "title": "Trade-off: accuracy vs. fairness, training and re-ranking"}
    names.update(labels or {})
    hover = {k: t(f"fairtrain.hover.{k}", lang) + "<extra></extra>"
             for k in ("train", "rerank", "combined")}
    pts = fairtrain_points(grid, column, rerank, combined)
    tr = pts["train"]
    lines = [Line(names["combined"], c["x"], c["y"], COMBINED_COLOR, width=1,
                  legend=n == 0, customdata=[[c["lam_train"], lam] for lam in c["lam"]],
                  hover=hover["combined"])
             for n, c in enumerate(pts["combined"])]
    lines.append(Line(names["train"], tr["x"], tr["y"], TRAIN_COLOR, width=2.5, markers=True,
                      marker_size=9, text=[f"λ={lam:g}" for lam in tr["lam"]],
                      customdata=tr["lam"],
                      hover=hover["train"]))
    if pts["rerank"] is not None:
        rr = pts["rerank"]
        lines.append(Line(names["rerank"], rr["x"], rr["y"], RERANK_COLOR, dash="dot",
                          markers=True, marker_size=5, customdata=rr["lam"],
                          hover=hover["rerank"]))
    fr = pts["front"]
    lines.append(Line(names["front"], fr["x"], fr["y"], FRONT_COLOR, width=1, markers=True,
                      marker_size=13, hollow=True, step=True))
    return FigureSpec(title=names["title"], x_title=fairness_label or column,
                      y_title=accuracy_label, lines=lines, y_format=".3f", height=380)


def fairtrain_figure(grid, column: str, *, rerank=None, fairness_label: str | None = None,
                     accuracy_label: str = "NDCG@10", labels: dict | None = None,
                     combined=None, lang: str = "en") -> go.Figure:
    """The figure of :func:`fairtrain_spec` drawn with Plotly."""
    return to_plotly(fairtrain_spec(grid, column, rerank=rerank, fairness_label=fairness_label,
                                    accuracy_label=accuracy_label, labels=labels,
                                    combined=combined, lang=lang))
