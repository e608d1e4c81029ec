"""One colour per group, the same in every chart of a session.

A group's colour depends only on its grouping's set of labels: the labels are
put in the metrics engine's order (sorted, ``unknown`` last) and take the
palette's colours in that order. So "gender = F" is the same colour in the
Fairness page's bars, the What-if deltas and the report, whichever subset of
groups a chart shows. ``unknown`` is always grey.
"""

from __future__ import annotations

from collections.abc import Iterable

# Okabe & Ito's colour-blind-safe palette first, then Tableau's muted tones.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#4E79A7", "#F28E2B", "#59A14F", "#B07AA1", "#9C755F", "#76B7B2", "#EDC948")
UNKNOWN_COLOR = "#9AA5B1"
UNKNOWN = "unknown"

#: Before / after in every comparison chart (What-if), and the model's own lists.
BEFORE_COLOR = "#9AA5B1"
AFTER_COLOR = "#3A6EA5"
#: Status colours of checks (pass / warn / fail / insufficient data).
STATUS_COLORS = {"pass": "#2E7D32", "warn": "#B26A00", "fail": "#C62828",
                 "inconclusive": "#5E35B1", "insufficient_data": "#6B7785"}

#: Reference lines, error bars and the "no effect" / "fair share" marks.
REFERENCE_COLOR = "#5B6770"
#: Provider figure: catalogue share (light, drawn faded) and merit share (dark).
CATALOG_COLOR = "#5B6770"
MERIT_COLOR = "#2B2F33"
#: The audited lists' exposure curve (Lorenz) and the Pareto front of a sweep.
LORENZ_COLOR = "#D9822B"
FRONT_COLOR = "#D9822B"
#: A sweep's curve and its operating / current point.
CURVE_COLOR = "#3A6EA5"
POINT_COLOR = "#C62828"
#: The λ_train curve of fairness during training.
TRAIN_COLOR = "#2E8B57"
#: Grid lines of every figure (plotly_white's look, also in the PDF).
GRID_COLOR = "#EBF0F8"

__all__ = ["AFTER_COLOR", "BEFORE_COLOR", "CATALOG_COLOR", "CURVE_COLOR", "FRONT_COLOR",
           "GRID_COLOR", "LORENZ_COLOR", "MERIT_COLOR", "PALETTE", "POINT_COLOR",
           "REFERENCE_COLOR", "STATUS_COLORS", "TRAIN_COLOR", "UNKNOWN_COLOR", "group_colors"]


def _order(labels: Iterable) -> list[str]:
    labs = sorted({str(x) for x in labels} - {UNKNOWN})
    return labs + ([UNKNOWN] if UNKNOWN in {str(x) for x in labels} else [])


def group_colors(labels: Iterable) -> dict[str, str]:
    """``{label: colour}`` for every label of one grouping.

    Parameters
    ----------
    labels : iterable
        All labels of the grouping (duplicates and order do not matter).
        Pass the full set, not the subset a chart shows, so the colours do
        not shift between charts.

    Returns
    -------
    dict
        Colours cycle through :data:`PALETTE` when there are more groups
        than colours; ``unknown`` is :data:`UNKNOWN_COLOR`.
    """
    out, i = {}, 0
    for lab in _order(labels):
        if lab == UNKNOWN:
            out[lab] = UNKNOWN_COLOR
        else:
            out[lab] = PALETTE[i % len(PALETTE)]
            i += 1
    return out
