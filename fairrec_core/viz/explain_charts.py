"""Plotly figures of explanations, shared by the dashboard and the HTML report.

* :func:`attribution_bar_figure` -- signed bars (history attribution, and any
  explanation's strongest features);
* :func:`text_figure` -- the item's text with each word highlighted by its
  attribution (word attribution);
* :func:`drivers_summary_figure` -- SHAP summary plot of the disparity-drivers
  model (one dot per user and feature);
* :func:`drivers_contrast_figure` -- each feature's share of the gap between
  the two groups;
* :func:`message_figure` -- a figure that states why there is nothing to draw,
  so a page never shows an empty chart.

Every builder takes an :class:`~fairrec_core.explain.Explanation`. Text from
user data (titles, words, group names) is HTML-escaped before it reaches
Plotly, which renders a subset of HTML tags in text.
"""

from __future__ import annotations

import textwrap

import numpy as np
import plotly.graph_objects as go

from fairrec_core.i18n import t
from fairrec_core.viz.data_charts import safe as _safe

#: Okabe & Ito: blue raises the output, vermillion lowers it (colour-blind safe).
RAISE_COLOR = "#0072B2"
LOWER_COLOR = "#D55E00"
NEUTRAL_COLOR = "#9AA5B1"
TEMPLATE = "plotly_white"
FONT_SIZE = 14

__all__ = ["attribution_bar_figure", "drivers_contrast_figure", "drivers_summary_figure",
           "explanation_figure", "message_figure", "text_figure"]


def _wrap(text: str, width: int = 90) -> str:
    return "<br>".join(textwrap.wrap(_safe(text), width)) or ""


def _layout(fig: go.Figure, title: str, *, height: int, caveat: str | None = None,
            bottom: int = 50) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15}},
                      template=TEMPLATE, height=height,
                      margin={"l": 20, "r": 20, "t": 70, "b": bottom},
                      hoverlabel={"bgcolor": "white"}, showlegend=False)
    return fig


def _check(expl, kind: str | None = None) -> None:
    if kind is not None and getattr(expl, "kind", None) != kind:
        raise ValueError(f"expected a {kind} explanation, got {getattr(expl, 'kind', None)!r}")


def message_figure(message: str, *, title: str = "", height: int = 220) -> go.Figure:
    """A figure holding only a message, e.g. why an explanation is not available.

    Parameters
    ----------
    message : str
        Shown escaped and wrapped in the middle of the figure.
    title : str
    height : int
    """
    fig = go.Figure()
    fig.add_annotation(text=_wrap(message, 80), x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, align="center", font={"size": 14, "color": "#37474F"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, _safe(title), height=height)


def attribution_bar_figure(expl, *, top: int = 12, title: str | None = None,
                           lang: str = "en") -> go.Figure:
    """Signed horizontal bars of the strongest attributions (history attribution's chart).

    Features beyond ``top`` are summed into one "other" bar, so the bars
    still add up to output minus base for additive methods.

    Parameters
    ----------
    expl : Explanation
    top : int, default 12
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    values = np.asarray(expl.values, dtype=float)
    if values.size == 0:
        return message_figure(t("chart.expl.nothing", lang), title=title or "")
    order = np.argsort(-np.abs(values), kind="stable")
    keep = order[:top]
    rest = order[top:]
    labels = [expl.features[j] for j in keep]
    vals = [float(values[j]) for j in keep]
    if rest.size:
        labels.append(t("chart.expl.other_items" if expl.kind == "history"
                        else "chart.expl.other_features", lang, n=rest.size))
        vals.append(float(values[rest].sum()))
    # Largest on top: Plotly draws the first category at the bottom.
    pairs = sorted(zip(labels, vals), key=lambda p: p[1])
    labels = [_safe(_shorten(p[0], 55)) for p in pairs]
    full = [_safe(p[0]) for p in pairs]
    vals = [p[1] for p in pairs]
    colors = [RAISE_COLOR if v > 0 else LOWER_COLOR if v < 0 else NEUTRAL_COLOR for v in vals]
    fig = go.Figure(go.Bar(
        x=vals, y=labels, orientation="h", marker_color=colors, customdata=full,
        text=[f"{v:+.3f}" for v in vals], textposition="outside", cliponaxis=False,
        hovertemplate="%{customdata}<br>%{x:+.4f}<extra></extra>"))
    unit = "NDCG" if expl.kind == "drivers" else t("chart.expl.score", lang)
    fig.update_xaxes(title_text=t("chart.expl.contribution", lang, unit=unit),
                     zeroline=True, zerolinecolor="#5B6770")
    fig.update_yaxes(automargin=True)
    if title is None:
        if expl.kind == "history":
            title = t("chart.expl.why", lang,
                      item=_safe(_shorten(expl.subject.get("item_label", ""), 60)),
                      user=_safe(expl.subject.get("user", "")))
        else:
            title = _safe(expl.target)
    sub = (_safe(expl.method) + " \u00b7 " + t("chart.expl.score_without", lang,
                                               score=f"{expl.output_value:.3f}",
                                               base=f"{expl.base_value:.3f}")
           if expl.kind == "history" else _safe(expl.method))
    fig.add_annotation(text=sub, x=0, y=1.02, xref="paper", yref="paper", showarrow=False,
                       xanchor="left", yanchor="bottom", font={"size": 11, "color": "#5B6770"})
    return _layout(fig, title, height=max(260, 70 + 28 * len(labels)))


def text_figure(expl, *, width: int = 72, title: str | None = None,
                lang: str = "en") -> go.Figure:
    """The explained text with every word highlighted by its attribution.

    Blue words raised the score, vermillion ones lowered it; the stronger
    the colour, the larger the effect. Hovering a word shows its value.

    Parameters
    ----------
    expl : Explanation
        ``kind="text"`` (uses ``details["tokens"]`` and ``details["token_values"]``).
    width : int, default 72
        Characters per line; the figure's width follows from it (fixed, so
        that words stay aligned with their highlights).
    title : str, optional
    """
    _check(expl, "text")
    tokens = list(expl.details.get("tokens", []))
    tvals = np.asarray(expl.details.get("token_values", []), dtype=float)
    if not tokens:
        return message_figure(t("chart.expl.no_text", lang), title=title or "")
    scale = float(np.max(np.abs(tvals))) if tvals.size and np.any(tvals) else 1.0
    fig = go.Figure()
    x = line = 0
    for tok, v in zip(tokens, tvals):
        piece = tok.replace("\n", " ")
        if x + len(piece.rstrip()) > width and x > 0:
            line += 1
            x = 0
            piece = piece.lstrip()
            if not piece:
                continue
        if piece.strip() and v != 0:
            alpha = 0.15 + 0.75 * min(abs(v) / scale, 1.0)
            rgb = _rgb(RAISE_COLOR if v > 0 else LOWER_COLOR)
            fig.add_annotation(
                x=x, y=-line, text=_safe(piece.rstrip()), showarrow=False, xanchor="left",
                yanchor="middle", bgcolor=f"rgba({rgb[0]},{rgb[1]},{rgb[2]},{alpha:.2f})",
                hovertext=f"{_safe(piece.strip())}: {v:+.4f}",
                font={"family": "Menlo, Consolas, 'DejaVu Sans Mono', monospace", "size": FONT_SIZE,
                      "color": "white" if alpha > 0.6 else "#1F2933"}, borderpad=1)
        elif piece.strip():
            fig.add_annotation(
                x=x, y=-line, text=_safe(piece.rstrip()), showarrow=False, xanchor="left",
                yanchor="middle", font={"family": "Menlo, Consolas, 'DejaVu Sans Mono', "
                                        "monospace", "size": FONT_SIZE, "color": "#1F2933"})
        x += len(piece)
    # An invisible trace carries the colour scale, so the reader can read the values.
    fig.add_trace(go.Scatter(
        x=[None], y=[None], mode="markers", hoverinfo="skip",
        marker={"colorscale": [[0, LOWER_COLOR], [0.5, "#FFFFFF"], [1, RAISE_COLOR]],
                "cmin": -scale, "cmax": scale, "color": [0], "showscale": True,
                "colorbar": {"title": {"text": t("chart.expl.effect", lang)}, "thickness": 12,
                             "len": 0.9}}))
    # Monospace glyphs are about 0.6 em wide; a fixed width makes one x unit one
    # character, so the highlighted words sit where the text puts them.
    char_px = 0.61 * FONT_SIZE
    fig.update_xaxes(visible=False, range=[-0.5, width + 0.5], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-line - 0.8, 0.8], fixedrange=True)
    fig.update_layout(autosize=False, width=int(20 + 120 + (width + 1) * char_px))
    if title is None:
        title = t("chart.expl.words", lang,
                  item=_safe(_shorten(expl.subject.get("item_label", ""), 60)),
                  user=_safe(expl.subject.get("user", "")))
    sub = _safe(expl.method) + " \u00b7 " + t("chart.expl.score_is", lang,
                                              score=f"{expl.output_value:.3f}")
    if expl.notes:
        sub += " \u00b7 " + _safe(expl.notes[0][:120])
    fig.add_annotation(text=sub, x=0, y=1.0, xref="paper", yref="paper", showarrow=False,
                       xanchor="left", yanchor="bottom", font={"size": 11, "color": "#5B6770"})
    fig = _layout(fig, title, height=140 + 34 * (line + 1))
    fig.update_layout(margin={"l": 20, "r": 120})
    return fig


def drivers_summary_figure(expl, *, max_features: int = 12, max_points: int = 2000,
                           seed: int = 0, title: str | None = None,
                           lang: str = "en") -> go.Figure:
    """SHAP summary plot: one dot per user and feature, coloured by the feature's value.

    Features are ordered by mean absolute SHAP value (global importance),
    the most important on top. Dots are spread vertically by a small seeded
    jitter; colour runs from the feature's low values (blue) to high (red),
    by rank within the feature.

    Parameters
    ----------
    expl : Explanation
        ``kind="drivers"``.
    max_features : int, default 12
    max_points : int, default 2000
        Users drawn at most (a seeded sample beyond it; the order is kept).
    seed : int, default 0
    title : str, optional
    """
    _check(expl, "drivers")
    d = expl.details
    sv = np.asarray(d["shap_values"], dtype=float)
    fv = np.asarray(d["feature_values"], dtype=float)
    cols = list(d["feature_columns"])
    imp = d["global_importance"]
    rng = np.random.default_rng(seed)
    rows = np.arange(sv.shape[0])
    if rows.size > max_points:
        rows = np.sort(rng.choice(rows, max_points, replace=False))
    order = [cols.index(c) for c in imp["column"]][:max_features]
    names = list(imp["feature"])[:max_features]
    fig = go.Figure()
    n = len(order)
    for pos, (j, name) in enumerate(zip(order, names)):
        y0 = n - 1 - pos
        v = sv[rows, j]
        f = fv[rows, j]
        ok = np.isfinite(f)
        color = np.full(f.shape, np.nan)
        if ok.any():
            ranks = f[ok].argsort().argsort()
            color[ok] = ranks / max(ok.sum() - 1, 1)
        hover = [_feature_text(d, cols[j], val) for val in f]
        fig.add_trace(go.Scatter(
            x=v, y=y0 + rng.uniform(-0.32, 0.32, v.size), mode="markers",
            marker={"size": 4, "opacity": 0.75, "color": np.where(ok, color, 0.5),
                    "colorscale": [[0, "#1E88E5"], [1, "#D81B60"]], "cmin": 0, "cmax": 1,
                    "showscale": pos == 0,
                    "colorbar": {"title": {"text": t("chart.expl.feature_value", lang)},
                                 "tickvals": [0, 1], "thickness": 12,
                                 "ticktext": [t("chart.expl.low", lang),
                                              t("chart.expl.high", lang)]}},
            customdata=hover, name=_safe(name),
            hovertemplate=f"{_safe(name)}: %{{customdata}}<br>SHAP %{{x:+.4f}}<extra></extra>"))
    fig.update_yaxes(tickvals=list(range(n - 1, -1, -1)), ticktext=[_safe(x) for x in names],
                     range=[-0.6, n - 0.4], automargin=True, showgrid=False)
    fig.update_xaxes(title_text=t("chart.expl.shap_axis", lang), zeroline=True,
                     zerolinecolor="#5B6770")
    if title is None:
        title = t("chart.expl.drivers_title", lang)
    sub = t("chart.expl.drivers_sub", lang, r2=f"{d['r2_heldout']:.3f}",
            const=f"{d['r2_constant']:.3f}", n=len(rows))
    fig.add_annotation(text=sub, x=0, y=1.0, xref="paper", yref="paper", showarrow=False,
                       xanchor="left", yanchor="bottom", font={"size": 11, "color": "#5B6770"})
    return _layout(fig, title, height=max(300, 90 + 42 * n))


def drivers_contrast_figure(expl, *, title: str | None = None,
                            lang: str = "en") -> go.Figure:
    """Each feature's share of the predicted gap between the two groups (signed bars).

    The bars add up to the gap in the model's mean prediction; hovering a bar
    shows the feature's mean value and mean SHAP value in each group.
    """
    _check(expl, "drivers")
    d = expl.details
    c = d["contrast"].iloc[::-1]
    a, b = _safe(d["group_a"]), _safe(d["group_b"])
    b_name = t("chart.expl.the_rest", lang) if d["group_b"] == "rest" else b
    vals = c["contribution"].to_numpy(float)
    colors = [RAISE_COLOR if v > 0 else LOWER_COLOR if v < 0 else NEUTRAL_COLOR for v in vals]
    custom = np.stack([c["mean_value_a"].to_numpy(float), c["mean_value_b"].to_numpy(float),
                       c["mean_shap_a"].to_numpy(float), c["mean_shap_b"].to_numpy(float)], 1)
    fig = go.Figure(go.Bar(
        x=vals, y=[_safe(x) for x in c["feature"]], orientation="h", marker_color=colors,
        customdata=custom, text=[f"{v:+.3f}" for v in vals], textposition="outside",
        cliponaxis=False,
        hovertemplate=t("chart.expl.contrast_hover", lang, a=a, b=b_name,
                        va="%{customdata[0]:.3g}", vb="%{customdata[1]:.3g}",
                        sa="%{customdata[2]:+.4f}", sb="%{customdata[3]:+.4f}")
        + "<extra></extra>"))
    fig.update_xaxes(title_text=t("chart.expl.gap_axis", lang, a=a, b=b_name), zeroline=True,
                     zerolinecolor="#5B6770")
    fig.update_yaxes(automargin=True)
    if title is None:
        title = t("chart.expl.contrast_title", lang, grouping=_safe(d["grouping"]), a=a,
                  b=b_name)
    sub = t("chart.expl.contrast_sub", lang, actual=f"{d['actual_gap']:+.3f}",
            predicted=f"{d['predicted_gap']:+.3f}", na=d["n_a"], nb=d["n_b"])
    fig.add_annotation(text=sub, x=0, y=1.0, xref="paper", yref="paper", showarrow=False,
                       xanchor="left", yanchor="bottom", font={"size": 11, "color": "#5B6770"})
    return _layout(fig, title, height=max(280, 90 + 30 * len(c)))


def explanation_figure(expl) -> go.Figure:
    """The default figure of any explanation (history: bars; text: highlighted text;
    drivers: the group contrast)."""
    if expl.kind == "text":
        return text_figure(expl)
    if expl.kind == "drivers":
        return drivers_contrast_figure(expl)
    return attribution_bar_figure(expl)


def _feature_text(d, column, value) -> str:
    if not np.isfinite(value):
        return "unknown"
    cats = d.get("categories", {}).get(column)
    if cats is not None:
        k = int(round(value))
        return _safe(cats[k]) if 0 <= k < len(cats) else f"{value:g}"
    return f"{value:.4g}"


def _shorten(text: str, n: int) -> str:
    text = str(text)
    return text if len(text) <= n else text[:n - 1].rstrip() + "\u2026"


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
