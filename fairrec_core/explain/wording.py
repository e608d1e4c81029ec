"""What the explanations say, in the reader's language: summaries, caveats, notes, refusals.

The explainers compute numbers; this module turns them into sentences from
the checked catalogue (``fairrec_core.i18n``, entries ``explain.*``), so one
explanation reads the same on the Explain page and in the report, in English
or Chinese. Notes that are computed once per item and cached (a text cut to
what the encoder reads) are kept as ``(key, values)`` and worded when shown,
so a cached item serves either language.
"""

from __future__ import annotations

import numpy as np

from fairrec_core.i18n import has, normalise_lang, t
from fairrec_core.models.registry import model_label

#: Text-attribution SHAP contexts (``fixed_context``) -> catalogue key of how halves are judged.
_CONTEXT_KEYS = {1: "explain.text.context_1", 0: "explain.text.context_0",
                 None: "explain.text.context_none"}


def note(key: str, **values) -> tuple[str, dict]:
    """A note to word later with :func:`notes_text` (cached attributions hold these)."""
    return key, values


def notes_text(notes, lang: str = "en") -> list[str]:
    """Notes as sentences; plain strings pass through unchanged."""
    return [n if isinstance(n, str) else t(n[0], lang, **n[1]) for n in notes]


# ---------------------------------------------------------------------- history
def history_model_name(kind: str, lang: str = "en") -> str:
    """How the folded-history caveat names a model (the registry names are terse)."""
    key = f"explain.hist.model.{kind}"
    if has(key):
        return t(key, lang)
    # English keeps the registry id as it always read; other languages get the display name.
    name = kind if normalise_lang(lang) == "en" else model_label(kind, lang)
    return t("explain.hist.model.other", lang, name=name)


def history_caveat(*, dependence: str, kind: str, h: int, fixed: int, exact: bool,
                   permutations: int, foldin_r2, by_time: bool, lang: str = "en") -> str:
    """The history attribution's limits in plain words.

    Parameters
    ----------
    dependence : {"pooled", "folded"}
        The model's ``history_dependence``.
    kind : str
        The model's registry name.
    h, fixed : int
        Attributed (recent) history items and older items kept throughout.
    exact : bool
        Whether every coalition was evaluated (else sampled permutations).
    permutations : int
    foldin_r2 : float or None
        Held-out R² of the fold-in estimate (``"folded"``).
    by_time : bool
        Whether "most recent" came from timestamps.
    lang : {"en", "zh"}
    """
    older = t("explain.hist.older", lang, n=fixed) if fixed else ""
    if h == 1:
        players = t("explain.hist.players_one", lang)
    else:
        players = t("explain.hist.players_recent" if fixed else "explain.hist.players_all",
                    lang, h=h)
    approx = "" if exact else t("explain.hist.approx", lang, n=int(permutations))
    if dependence == "pooled":
        caveat = t("explain.hist.caveat_pooled", lang, players=players, older=older,
                   approx=approx)
    else:
        caveat = t("explain.hist.caveat_folded", lang, players=players,
                   model=history_model_name(kind, lang), r2=foldin_r2, older=older,
                   approx=approx)
    if not by_time:
        caveat += t("explain.hist.no_timestamps", lang)
    return caveat


def history_summary(labels, values, *, output: float, base: float, n: int = 2,
                    lang: str = "en") -> str:
    """The history explanation in one sentence, net effect first.

    A reader takes the first clause as the verdict, so it must agree with the
    chart's total: ``output − base`` (the score with the attributed history
    minus the score without it). Only then come the items that raise the score
    most (and, when the net effect is negative, the one that lowers it most).

    Parameters
    ----------
    labels : sequence of str
        History item labels.
    values : array-like of float
        Their attributions (score units).
    output, base : float
        Score with the full history and without the attributed items.
    n : int, default 2
        How many raising items to name.
    lang : {"en", "zh"}
    """
    values = np.asarray(values, dtype=np.float64)
    net = float(output) - float(base)
    order = np.argsort(-values, kind="stable")
    up = [i for i in order if values[i] > 0][:n]
    scale = max(abs(float(output)), abs(float(base)), 1e-12)
    if abs(net) <= 1e-6 * scale:
        head = t("explain.sum.unchanged", lang)
    else:
        head = t("explain.sum.raises" if net > 0 else "explain.sum.lowers", lang,
                 net=f"{net:+.3f}", output=f"{float(output):.3f}", base=f"{float(base):.3f}")
    if up:
        names = t("explain.sum.and", lang).join(f"{labels[i]} ({values[i]:+.3f})" for i in up)
        tail = t("explain.sum.up_many" if len(up) > 1 else "explain.sum.up_one", lang,
                 names=names)
    else:
        tail = t("explain.sum.none_up", lang)
    down = [i for i in order[::-1] if values[i] < 0][:1]
    if net < 0 and down:
        tail += t("explain.sum.down", lang, label=labels[down[0]],
                  value=f"{values[down[0]]:+.3f}")
    return t("explain.sum.sentence", lang, head=head, tail=tail)


# ---------------------------------------------------------------------- words
def text_caveat(method: str, *, n: int = 0, r2: float = float("nan"), evals: int = 0,
                needed: int = 0, budget: int = 0, fixed_context=1, lang: str = "en") -> str:
    """LIME's (``n`` perturbations, local ``r2``) or SHAP's (``evals`` scored texts) limits."""
    if method == "lime":
        return t("explain.text.caveat_lime", lang, n=n, r2=r2)
    depth = (t("explain.text.depth_full", lang) if needed < budget else
             t("explain.text.depth_partial", lang, needed=needed, budget=budget))
    return t("explain.text.caveat_shap", lang, evals=evals, depth=depth,
             context=t(_CONTEXT_KEYS[fixed_context], lang))


def text_summary(features, values, label: str, lang: str = "en") -> str:
    """Which words raised (up to three) and lowered (up to two) the item's score."""
    order = np.argsort(-values)
    up = [features[j] for j in order if values[j] > 0][:3]
    down = [features[j] for j in order[::-1] if values[j] < 0][:2]
    parts = []
    if up:
        parts.append(t("explain.text.sum_up", lang, words=", ".join(f"'{w}'" for w in up)))
    if down:
        parts.append(t("explain.text.sum_down", lang, words=", ".join(f"'{w}'" for w in down)))
    if not parts:
        return t("explain.text.sum_none", lang, label=label)
    return t("explain.text.sum", lang, label=label,
             parts=t("explain.text.sum_sep", lang).join(parts))


# ---------------------------------------------------------------------- drivers
def feature_label(column: str, lang: str = "en", *, tenure_from_first: bool = False) -> str:
    """Display name of a drivers feature; attribute columns keep the user's own name."""
    if column == "tenure_days" and tenure_from_first:
        return t("explain.drv.feature.tenure_first", lang)
    key = f"explain.drv.feature.{column}"
    return t(key, lang) if has(key) else str(column)


def drivers_summary(subject: str, other: str, *, actual_gap: float, predicted_gap: float,
                    r2: float, top_feature: str, top_contribution: float, r2_floor: float,
                    share_floor: float, lang: str = "en"):
    """The drivers' sentence: the actual and predicted gap, and a driver only if earned.

    Returns
    -------
    summary : str
    named : bool
        Whether a driver is named (R² ≥ ``r2_floor`` and the predicted gap is
        at least ``share_floor`` of the actual one, same sign).
    share : float
        Predicted gap / actual gap (1.0 when there is no actual gap).
    """
    share = predicted_gap / actual_gap if abs(actual_gap) > 1e-12 else 1.0
    head = t("explain.drv.head_lower" if actual_gap < 0 else "explain.drv.head_higher", lang,
             subject=subject, gap=f"{abs(actual_gap):.3f}", other=other,
             actual=f"{actual_gap:+.3f}", predicted=f"{predicted_gap:+.3f}")
    if not r2 >= r2_floor:  # also catches NaN
        return (t("explain.drv.low_r2", lang, head=head, r2=f"{r2:.3f}", floor=f"{r2_floor:g}"),
                False, share)
    if share < share_floor:
        return (t("explain.drv.low_share", lang, head=head, share=f"{max(share, 0.0):.0%}"),
                False, share)
    return (t("explain.drv.named", lang, head=head, feature=top_feature,
              contribution=f"{top_contribution:+.3f}", predicted=f"{predicted_gap:+.3f}"),
            True, share)
