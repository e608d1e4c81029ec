"""Rows of the metrics stage's tidy tables, with intervals, statuses and reasons.

Shared by :func:`~fairrec_core.metrics.result.evaluate_lists` (in memory) and
the Ray engine's assembly (:mod:`fairrec_core.engine.assemble`), so both write
the same columns with the same rules for "insufficient data".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .beyond import coverage_from_lists, gini
from .bootstrap import (
    derive_rng,
    gap_band,
    gap_samples,
    min_ratio_band,
    percentile_interval,
    resampled_sums,
)
from .group_compare import GroupComparison, compare_groups
from .grouping import Grouping
from .provider import ProviderShares

OVERALL_COLUMNS = ("metric", "value", "ci_low", "ci_high", "n", "note")
USER_GROUP_COLUMNS = ("grouping", "group", "metric", "value", "ci_low", "ci_high", "n",
                      "status", "reason")
USER_GAP_COLUMNS = ("grouping", "metric", "n_groups", "best_group", "worst_group", "difference",
                    "difference_ci_low", "difference_ci_high", "ratio", "ratio_ci_low",
                    "ratio_ci_high", "status", "reason")
ITEM_GROUP_COLUMNS = ("grouping", "group", "n_items", "n_relevant", "exposure_share",
                      "exposure_share_ci_low", "exposure_share_ci_high", "catalog_share",
                      "merit_share", "merit_share_ci_low", "merit_share_ci_high",
                      "es_cs_ratio", "es_cs_ratio_ci_low", "es_cs_ratio_ci_high",
                      "es_rs_ratio", "es_rs_ratio_ci_low", "es_rs_ratio_ci_high",
                      "es_cs_ratio_band_low", "es_cs_ratio_band_high",
                      "es_rs_ratio_band_low", "es_rs_ratio_band_high",
                      "status", "reason")

_CATALOGUE_NOTE = ("catalogue-level statistic: no bootstrap interval (resampling users with "
                   "replacement leaves some out, which biases it)")


def _group_rows(cmp: GroupComparison, boot: np.ndarray, level: float, min_size: int):
    """``user_groups`` rows of one grouping: value, interval, status, reason per cell."""
    rows = []
    lo, hi = percentile_interval(boot, level=level)
    for gi, group in enumerate(cmp.grouping.labels):
        for mi, metric in enumerate(cmp.value.columns):
            n = int(cmp.n.iat[gi, mi])
            value = float(cmp.value.iat[gi, mi])
            if n == 0:
                status, reason, cl, ch = ("insufficient_data",
                                          "no evaluable users in this group", np.nan, np.nan)
            elif n < min_size:
                status, reason, cl, ch = (
                    "insufficient_data",
                    f"only {n} evaluable users (minimum {min_size}); shown, not judged, "
                    "no interval",
                    np.nan, np.nan)
            else:
                status, reason, cl, ch = "ok", "", float(lo[gi, mi]), float(hi[gi, mi])
            rows.append((cmp.grouping.name, group, metric, value, cl, ch, n, status, reason))
    return rows


def _gap_rows(cmp: GroupComparison, boot: np.ndarray, level: float, min_size: int):
    """``user_gaps`` rows of one grouping: worst/best difference and ratio per metric."""
    rows = []
    labels = list(cmp.grouping.labels)
    for mi, metric in enumerate(cmp.value.columns):
        n_ok = int(cmp.sufficient[metric].sum())
        best, worst = cmp.best[metric], cmp.worst[metric]
        base = dict(grouping=cmp.grouping.name, metric=metric, n_groups=n_ok,
                    best_group=best if best is not None else "",
                    worst_group=worst if worst is not None else "")
        if len(labels) < 2:
            reason = f"all users are in one group of {cmp.grouping.name}"
        elif n_ok < 2:
            reason = (f"only {n_ok} of {len(labels)} groups have at least {min_size} "
                      "evaluable users")
        else:
            reason = ""
        if reason:
            rows.append({**base, "difference": np.nan, "difference_ci_low": np.nan,
                         "difference_ci_high": np.nan, "ratio": np.nan, "ratio_ci_low": np.nan,
                         "ratio_ci_high": np.nan, "status": "insufficient_data",
                         "reason": reason})
            continue
        # Simultaneous band over the judged groups: the worst/best pair was
        # selected for looking extreme, so its own interval would be too low.
        judged = cmp.sufficient[metric].to_numpy()
        rlo, rhi, dlo, dhi = gap_band(boot[:, judged, mi],
                                      cmp.value[metric].to_numpy()[judged], level=level)
        ratio = float(cmp.ratio[metric])
        if np.isfinite(ratio) and not np.isfinite(rlo):
            # A judged group with mean 0 has no log ratio; its ratio is 0 in
            # every resample, so the fixed pair's interval is exact there.
            _, r = gap_samples(boot[:, :, [mi]], np.array([labels.index(best)]),
                               np.array([labels.index(worst)]))
            rlo, rhi = percentile_interval(r[:, 0], level=level)
        status, why = "ok", ""
        if not np.isfinite(ratio):
            status = "insufficient_data"
            why = f"every judged group has {metric} = 0, so the ratio is undefined"
            rlo = rhi = np.nan
        rows.append({**base, "difference": float(cmp.difference[metric]),
                     "difference_ci_low": float(dlo), "difference_ci_high": float(dhi),
                     "ratio": ratio, "ratio_ci_low": float(rlo), "ratio_ci_high": float(rhi),
                     "status": status, "reason": why})
    return rows


def _item_rows(name: str, table: pd.DataFrame, es_b: np.ndarray, rs_b: np.ndarray,
               level: float, min_size: int):
    """``item_groups`` rows of one item grouping: shares, ratios, intervals and bands."""
    out = table.copy()
    out.insert(0, "grouping", name)
    cs = table["catalog_share"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        samples = {"exposure_share": es_b, "merit_share": rs_b,
                   "es_cs_ratio": es_b / cs,
                   "es_rs_ratio": np.where(rs_b > 0, es_b / rs_b, np.nan)}
    for col, s in samples.items():
        lo, hi = percentile_interval(s, level=level)
        defined = np.isfinite(out[col].to_numpy())
        out[f"{col}_ci_low"] = np.where(defined, lo, np.nan)
        out[f"{col}_ci_high"] = np.where(defined, hi, np.nan)
    _add_bands(out, samples, level, min_size)
    status, reason = [], []
    for _, row in out.iterrows():
        if not np.isfinite(row["exposure_share"]):
            status.append("insufficient_data")
            reason.append("no item was recommended, so exposure shares are undefined")
        elif row["n_relevant"] == 0:
            status.append("insufficient_data")
            reason.append("no held-out positives among these items: merit share is 0 and "
                          "ES/RS undefined")
        elif row["n_relevant"] < min_size:
            status.append("insufficient_data")
            reason.append(f"only {int(row['n_relevant'])} held-out positives (minimum "
                          f"{min_size}); shown, not judged")
        else:
            status.append("ok")
            reason.append("")
    out["status"], out["reason"] = status, reason
    return out[list(ITEM_GROUP_COLUMNS)]


def _add_bands(out: pd.DataFrame, samples: dict, level: float, min_size: int) -> None:
    """Simultaneous bands of ES/CS (defined groups) and ES/RS (judged groups).

    The provider check judges the lowest ratio over groups; the minimum of
    the bands covers the lowest true ratio (see :func:`min_ratio_band`).
    """
    judged = {"es_cs_ratio": np.isfinite(out["es_cs_ratio"].to_numpy(dtype=float)),
              "es_rs_ratio": np.isfinite(out["es_rs_ratio"].to_numpy(dtype=float))
              & (out["n_relevant"].to_numpy() >= min_size)}
    for col, ok in judged.items():
        low, high = np.full(len(out), np.nan), np.full(len(out), np.nan)
        if ok.any():
            lo_j, hi_j = min_ratio_band(samples[col][:, ok],
                                        out[col].to_numpy(dtype=float)[ok], level=level)
            low[ok], high[ok] = lo_j, hi_j
        out[f"{col}_band_low"], out[f"{col}_band_high"] = low, high


def _ugf_row(g: Grouping, values: pd.DataFrame, boot: np.ndarray, metrics, level, min_size):
    """The ``overall`` row of CPFair's UGF = NDCG(active) − NDCG(inactive)."""
    j = metrics.index("ndcg")
    labels = list(g.labels)
    if "active" not in labels or "inactive" not in labels:
        return ("ugf", np.nan, np.nan, np.nan, 0,
                "UGF needs both active and inactive users")
    a, i = labels.index("active"), labels.index("inactive")
    col = values["ndcg"].to_numpy()
    ev = ~np.isnan(col)
    n_a, n_i = int((ev & (g.codes == a)).sum()), int((ev & (g.codes == i)).sum())
    if n_a == 0 or n_i == 0:
        return ("ugf", np.nan, np.nan, np.nan, n_a + n_i,
                "UGF needs evaluable users in both the active and the inactive group")
    value = float(col[ev & (g.codes == a)].mean() - col[ev & (g.codes == i)].mean())
    lo, hi = percentile_interval(boot[:, a, j] - boot[:, i, j], level=level)
    note = "NDCG(active) − NDCG(inactive)"
    if min(n_a, n_i) < min_size:
        note += f"; a group has fewer than {min_size} evaluable users, interpret with care"
    return ("ugf", value, float(lo), float(hi), n_a + n_i, note)


def _igf_row(table: pd.DataFrame, es_b: np.ndarray, level, n_users):
    """The ``overall`` row of CPFair's IGF = ES(head) − ES(tail)."""
    labels = list(table["group"])
    es = table["exposure_share"].to_numpy()
    if not np.isfinite(es).all():
        return ("igf", np.nan, np.nan, np.nan, n_users, "no item was recommended")
    h = labels.index("head") if "head" in labels else None
    t = labels.index("tail") if "tail" in labels else None
    es_h = es[h] if h is not None else 0.0
    es_t = es[t] if t is not None else 0.0
    samp_h = es_b[:, h] if h is not None else 0.0
    samp_t = es_b[:, t] if t is not None else 0.0
    lo, hi = percentile_interval(samp_h - samp_t, level=level)
    return ("igf", float(es_h - es_t), float(lo), float(hi), n_users,
            "ES(head) − ES(tail)")


def _lorenz(exposure: np.ndarray) -> pd.DataFrame:
    """The exposure Lorenz curve: cumulative exposure share over items sorted by exposure."""
    e = np.sort(exposure)
    total = e.sum()
    n = e.size
    cum = np.concatenate([[0.0], np.cumsum(e) / total]) if total > 0 else np.zeros(n + 1)
    return pd.DataFrame({"item_share": np.arange(n + 1) / max(n, 1), "exposure_share": cum})


def _overall_rows(num, den, both, metrics, lists, item_exp, *, item_categories,
                  level) -> list[tuple]:
    """``overall`` rows of the per-user metrics (with intervals), coverage and gini.

    ``both`` holds the resampled sums of ``num`` and ``den`` side by side.
    """
    n_items = len(item_exp)
    m = len(metrics)
    with np.errstate(invalid="ignore", divide="ignore"):
        boot_overall = np.where(both[:, m:] > 0, both[:, :m] / both[:, m:], np.nan)
    lo, hi = percentile_interval(boot_overall, level=level)
    tot_num, tot_den = num.sum(axis=0), den.sum(axis=0)
    n_eval = (den > 0).sum(axis=0)
    overall = []
    for j, metric in enumerate(metrics):
        if n_eval[j] == 0:
            note = ("no item categories given" if metric == "miscalibration"
                    and item_categories is None else "no user can be evaluated on this metric")
            overall.append((metric, np.nan, np.nan, np.nan, 0, note))
        else:
            overall.append((metric, float(tot_num[j] / tot_den[j]), float(lo[j]), float(hi[j]),
                            int(n_eval[j]), ""))
    overall.append(("coverage", coverage_from_lists(lists, n_items), np.nan, np.nan, n_items,
                    _CATALOGUE_NOTE))
    g_val = gini(item_exp)
    overall.append(("gini", g_val, np.nan, np.nan, n_items,
                    _CATALOGUE_NOTE if np.isfinite(g_val) else "no item was recommended"))
    return overall


def _item_table(shares: dict[str, ProviderShares], sums, level,
                min_size) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The ``item_groups`` table and each item grouping's resampled exposure shares.

    ``sums`` is the overall draw: entry 0 the per-user metrics, then exposure
    and merit sums of each item grouping in turn.
    """
    item_rows, es_samples = [], {}
    for j, (name, s) in enumerate(shares.items()):
        e = sums[1 + 2 * j][:, 0]
        r = sums[2 + 2 * j][:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            es_b = e / e.sum(axis=1, keepdims=True)
            rs_b = r / r.sum(axis=1, keepdims=True)
        es_samples[name] = es_b
        item_rows.append(_item_rows(name, s.table, es_b, rs_b, level, min_size))
    item_table = (pd.concat(item_rows, ignore_index=True) if item_rows
                  else pd.DataFrame(columns=list(ITEM_GROUP_COLUMNS)))
    return item_table, es_samples


def _user_tables(ugroups: dict[str, Grouping], values, w, num_den, *, n_boot, seed, level,
                 min_size, engine, has_categories):
    """``user_groups`` and ``user_gaps`` tables and each grouping's bootstrap of group means.

    Users are resampled within each group, from a stream named after the
    grouping, so adding a grouping leaves the others' intervals unchanged.
    """
    m = values.shape[1]
    group_rows, gap_rows, boots = [], [], {}
    for name, g in ugroups.items():
        cmp = compare_groups(values, g, weights=w, min_group_size=min_size, engine=engine)
        (b_both,) = resampled_sums([num_den], strata=g.codes, n_strata=g.n_groups,
                                   n_boot=n_boot, seed=derive_rng(seed, f"user:{name}"))
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = np.where(b_both[..., m:] > 0, b_both[..., :m] / b_both[..., m:], np.nan)
        boots[name] = boot
        group_rows += _group_rows(cmp, boot, level, min_size)
        gap_rows += _gap_rows(cmp, boot, level, min_size)
    user_group_table = pd.DataFrame(group_rows, columns=list(USER_GROUP_COLUMNS))
    gap_table = pd.DataFrame(gap_rows, columns=list(USER_GAP_COLUMNS))
    if not has_categories:
        keep = user_group_table["metric"] != "miscalibration"
        user_group_table = user_group_table[keep].reset_index(drop=True)
        gap_table = gap_table[gap_table["metric"] != "miscalibration"].reset_index(drop=True)
    return user_group_table, gap_table, boots
