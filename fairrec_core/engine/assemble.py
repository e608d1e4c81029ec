"""From merged totals to the metrics engine's :class:`FairnessResult`.

Point values are ratios of the merged sums (group means = Σnum / Σden;
exposure shares from per-item exposure totals; coverage and Gini from
per-item counts and exposure), so they equal the single-process engine's up
to floating-point summation order. Intervals come from the Poisson-resampled
totals and go through the very same row builders as the local engine
(:mod:`fairrec_core.metrics.result`), so the tables have the same columns,
statuses and reasons.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairrec_core.i18n import phrase
from fairrec_core.metrics.beyond import gini
from fairrec_core.metrics.bootstrap import percentile_interval
from fairrec_core.metrics.checks import run_checks
from fairrec_core.metrics.groups import (
    GroupComparison,
    Grouping,
    group_comparison,
    item_group_shares,
)
from fairrec_core.metrics.result import (
    _CATALOGUE_NOTE,
    ACTIVITY,
    ITEM_GROUP_COLUMNS,
    OVERALL_COLUMNS,
    POPULARITY,
    USER_GAP_COLUMNS,
    USER_GROUP_COLUMNS,
    USER_METRICS,
    FairnessResult,
    _gap_rows,
    _group_rows,
    _igf_row,
    _item_rows,
    _lorenz,
)

from .partials import Partial

CI_METHOD = ("Poisson bootstrap over users: each user's weight in each resample is a "
             "Poisson(1) count drawn from a seeded hash of the user id, so partial totals "
             "from any partitioning of the users merge to the same intervals; percentile "
             "intervals")


def _ratio(num, den):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def comparison(grouping: Grouping, num, den, count, min_group_size: int) -> GroupComparison:
    """Group values, difference and ratio from per-group sums (as ``compare_groups``)."""
    return group_comparison(grouping, list(USER_METRICS), _ratio(num, den), count,
                            min_group_size)


def _overall_rows(p: Partial, has_categories: bool, level: float, n_items: int):
    m = len(USER_METRICS)
    boot = _ratio(p.boot_overall[:, :m], p.boot_overall[:, m:])
    lo, hi = percentile_interval(boot, level=level)
    rows = []
    for j, metric in enumerate(USER_METRICS):
        if p.count[j] == 0:
            note = ("no item categories given" if metric == "miscalibration"
                    and not has_categories else "no user can be evaluated on this metric")
            rows.append((metric, np.nan, np.nan, np.nan, 0, note))
        else:
            rows.append((metric, float(p.num[j] / p.den[j]), float(lo[j]), float(hi[j]),
                         int(p.count[j]), ""))
    rows.append(("coverage", float((p.rec_count > 0).sum() / n_items) if n_items else np.nan,
                 np.nan, np.nan, n_items, _CATALOGUE_NOTE))
    g_val = gini(p.exposure)
    rows.append(("gini", g_val, np.nan, np.nan, n_items,
                 _CATALOGUE_NOTE if np.isfinite(g_val) else "no item was recommended"))
    return rows


def _ugf_row(cmp: GroupComparison, boot: np.ndarray, level: float, min_size: int):
    labels = list(cmp.grouping.labels)
    if "active" not in labels or "inactive" not in labels:
        return ("ugf", np.nan, np.nan, np.nan, 0, "UGF needs both active and inactive users")
    a, i = labels.index("active"), labels.index("inactive")
    n_a, n_i = int(cmp.n["ndcg"].iloc[a]), int(cmp.n["ndcg"].iloc[i])
    if n_a == 0 or n_i == 0:
        return ("ugf", np.nan, np.nan, np.nan, n_a + n_i,
                "UGF needs evaluable users in both the active and the inactive group")
    j = list(USER_METRICS).index("ndcg")
    value = float(cmp.value["ndcg"].iloc[a] - cmp.value["ndcg"].iloc[i])
    lo, hi = percentile_interval(boot[:, a, j] - boot[:, i, j], level=level)
    note = "NDCG(active) − NDCG(inactive)"
    if min(n_a, n_i) < min_size:
        note += f"; a group has fewer than {min_size} evaluable users, interpret with care"
    return ("ugf", value, float(lo), float(hi), n_a + n_i, note)


def _notes(p: Partial, head: np.ndarray, head_share: float, groupings, n_items: int):
    notes = []
    n_excluded = p.n_users - p.n_evaluable
    if n_excluded:
        notes.append(phrase("note.excluded", n=n_excluded, total=p.n_users))
    n_empty = p.n_users - p.n_with_list
    if n_empty:
        notes.append(phrase("note.empty_one") if n_empty == 1 else
                     phrase("note.empty", n=n_empty))
    if p.n_unseen:
        notes.append(phrase("note.unseen", n=p.n_unseen))
    n_head = int(head.sum())
    notes.append(phrase("note.head", n_head=n_head, share=f"{n_head / max(n_items, 1):.0%}",
                        target=f"{head_share:.0%}", n_tail=n_items - n_head))
    notes += [g.note for g in groupings if g.note]
    return notes


def assemble(p: Partial, *, ugroups: dict, igroups: dict, popularity, head, options: dict,
             has_categories: bool, category_note: str | None = None,
             engine: str = "ray", categorical_labels: bool = False) -> FairnessResult:
    """Build the :class:`FairnessResult` from merged totals.

    Parameters
    ----------
    p : Partial
        Totals over every user.
    ugroups, igroups : dict of str to Grouping
        User groupings (with ``activity`` and intersections) and item
        groupings (with ``popularity``), as the batches coded them.
    popularity, head : numpy.ndarray, shape (n_items,)
    options : dict
        ``k, exposure, geometric_p, head_share, active_share,
        calibration_alpha, n_boot, seed, min_group_size, ci_level,
        thresholds, intersections``.
    has_categories : bool
    category_note : str, optional
        Missing-category note, as the local engine adds it.
    engine : str
        Named in ``params["engine"]``.
    categorical_labels : bool, default False
        ``user_labels`` columns as ``pandas.Categorical`` (codes and the
        labels) instead of one string per user: the same labels, a byte a
        user instead of ~100 at 10^7 users (the part-file path).
    """
    o = options
    level, min_size = o["ci_level"], o["min_group_size"]
    n_items = int(popularity.size)
    overall = _overall_rows(p, has_categories, level, n_items)
    item_table, es_samples = _item_tables(p, igroups, level, min_size)
    user_group_table, gap_table, cmps, boots = _user_tables(p, ugroups, level, min_size,
                                                            has_categories)
    overall.append(_ugf_row(cmps[ACTIVITY], boots[ACTIVITY], level, min_size))
    pop_table = item_table[item_table["grouping"] == POPULARITY].reset_index(drop=True)
    overall.append(_igf_row(pop_table, es_samples[POPULARITY], level, p.n_users))
    checks = run_checks(gap_table, item_table, thresholds=o["thresholds"], k=o["k"],
                        min_group_size=min_size, level=level)
    notes = _notes(p, head, o["head_share"],
                   list(ugroups.values()) + list(igroups.values()), n_items)
    if category_note:
        notes.insert(0, category_note)
    return FairnessResult(
        overall=pd.DataFrame(overall, columns=list(OVERALL_COLUMNS)),
        user_groups=user_group_table, user_gaps=gap_table, item_groups=item_table,
        checks=checks, per_user=per_user_frame(p, has_categories),
        user_labels=pd.DataFrame({name: pd.Categorical.from_codes(g.codes, g.labels)
                                  if categorical_labels else g.values
                                  for name, g in ugroups.items()},
                                 index=pd.RangeIndex(p.n_users, name="user")),
        items=_items_frame(p, igroups, popularity, head), lorenz=_lorenz(p.exposure),
        counts={"n_users": p.n_users, "n_items": n_items, "n_evaluable": p.n_evaluable,
                "n_excluded": p.n_users - p.n_evaluable, "n_with_list": p.n_with_list},
        notes=list(dict.fromkeys(notes)), params=_params(o, engine))


def _item_tables(p: Partial, igroups: dict, level: float, min_size: int):
    """Item-group shares with their intervals, and the bootstrap exposure shares."""
    item_rows, es_samples = [], {}
    for name, g in igroups.items():
        e, r = p.boot_items[name]
        with np.errstate(invalid="ignore", divide="ignore"):
            es_b = e / e.sum(axis=1, keepdims=True)
            rs_b = r / r.sum(axis=1, keepdims=True)
        es_samples[name] = es_b
        table = item_group_shares(p.exposure, p.merit, g)
        item_rows.append(_item_rows(name, table, es_b, rs_b, level, min_size))
    item_table = (pd.concat(item_rows, ignore_index=True) if item_rows
                  else pd.DataFrame(columns=list(ITEM_GROUP_COLUMNS)))
    return item_table, es_samples


def _user_tables(p: Partial, ugroups: dict, level: float, min_size: int,
                 has_categories: bool):
    """User-group and gap tables, with each grouping's comparison and bootstrap ratios."""
    m = len(USER_METRICS)
    group_rows, gap_rows, cmps, boots = [], [], {}, {}
    for name, g in ugroups.items():
        num, den, count = p.group[name]
        cmps[name] = cmp = comparison(g, num, den, count.astype(np.int64), min_size)
        b = p.boot_groups[name]
        boots[name] = boot = _ratio(b[..., :m], b[..., m:])
        group_rows += _group_rows(cmp, boot, level, min_size)
        gap_rows += _gap_rows(cmp, boot, level, min_size)
    user_group_table = pd.DataFrame(group_rows, columns=list(USER_GROUP_COLUMNS))
    gap_table = pd.DataFrame(gap_rows, columns=list(USER_GAP_COLUMNS))
    if not has_categories:
        user_group_table = user_group_table[user_group_table["metric"] != "miscalibration"]
        user_group_table = user_group_table.reset_index(drop=True)
        gap_table = gap_table[gap_table["metric"] != "miscalibration"].reset_index(drop=True)
    return user_group_table, gap_table, cmps, boots


def _items_frame(p: Partial, igroups: dict, popularity, head) -> pd.DataFrame:
    """Per-item exposure, popularity, head flag and item-grouping labels."""
    items = pd.DataFrame({"exposure": p.exposure, "popularity": popularity, "head": head},
                         index=pd.RangeIndex(popularity.size, name="item"))
    for name, g in igroups.items():
        if name != POPULARITY:
            items[name] = g.values
    return items


def _params(o: dict, engine: str) -> dict:
    """``FairnessResult.params``: the options as the local engine records them."""
    return {"k": o["k"], "exposure": o["exposure"], "geometric_p": o["geometric_p"],
            "head_share": o["head_share"], "active_share": o["active_share"],
            "calibration_alpha": o["calibration_alpha"], "n_boot": o["n_boot"],
            "seed": o["seed"], "min_group_size": o["min_group_size"],
            "ci_level": o["ci_level"], "engine": engine,
            "thresholds": o["thresholds"].to_dict(),
            "intersections": [list(c) for c in o["intersections"]], "ci_method": CI_METHOD}


def per_user_frame(p: Partial, has_categories: bool) -> pd.DataFrame:
    """The per-user table when the batches kept their rows, else an empty one."""
    cols = ["evaluable", "n_relevant", "list_length"] + list(USER_METRICS)
    if not has_categories:
        cols.remove("miscalibration")
    if not p.per_user:
        return pd.DataFrame(columns=cols, index=pd.RangeIndex(0, name="user"))
    users = np.concatenate([u for u, *_ in p.per_user])
    order = np.argsort(users, kind="stable")
    values = np.concatenate([v for _, v, _, _ in p.per_user])[order]
    n_rel = np.concatenate([r for _, _, r, _ in p.per_user])[order]
    length = np.concatenate([n for *_, n in p.per_user])[order]
    frame = pd.DataFrame(values, columns=list(USER_METRICS),
                         index=pd.RangeIndex(users.size, name="user"))
    frame.insert(0, "list_length", length)
    frame.insert(0, "n_relevant", n_rel)
    frame.insert(0, "evaluable", n_rel > 0)
    return frame[cols]
