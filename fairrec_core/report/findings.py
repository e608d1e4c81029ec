"""Section builders of the report (see :mod:`fairrec_core.report.content`)."""

from __future__ import annotations

import pandas as pd

from fairrec_core.report import text as T
from fairrec_core.report.blocks import Chart, Heading, Para, Table, frame_rows

#: Item groups listed per grouping in the provider table (all are in the CSV).
MAX_ITEM_ROWS = 15


# ---------------------------------------------------------------------- data
def data_section(result) -> list:
    c = result.data["summary"]
    rows = [["Users", f"{c['users']:,} ({c['users_with_interactions']:,} with interactions)"],
            ["Items", f"{c['items']:,} ({c['items_with_interactions']:,} with interactions)"],
            ["Interactions", f"{c['interactions']:,} ({c['positives']:,} positives)"],
            ["Density", f"{c['density']:.4%}"],
            ["Interactions per user", f"median {c['per_user_median']:g}, mean "
                                      f"{c['per_user_mean']:.1f}, min {c['per_user_min']}, "
                                      f"max {c['per_user_max']}"],
            ["Interactions per item", f"median {c['per_item_median']:g}, mean "
                                      f"{c['per_item_mean']:.1f}, max {c['per_item_max']}"],
            ["Top 20% of items hold", f"{c['top20_item_share']:.0%} of interactions"]]
    if c.get("first_timestamp"):
        rows.append(["Time span", f"{c['first_timestamp']} to {c['last_timestamp']}"])
    rows.append(["Positive", "rating ≥ " + T.num(c["rating_threshold"], 2)
                 if c.get("rating_threshold") is not None else "every interaction (implicit)"])
    if c.get("recommendation_k"):
        rows.append(["Imported recommendations", f"top-{c['recommendation_k']} for "
                                                 f"{c['users_with_recommendations']:,} users"])
    split = result.data["split"]
    blocks = [Table(["", "Value"], rows, widths=[1, 3]),
              Para(f"Split: {split['description']} Train {split['train_rows']:,} rows, "
                   f"validation {split['valid_rows']:,}, test {split['test_rows']:,}; "
                   f"{split['evaluable_users']:,} users have a test positive.")]
    ug = pd.DataFrame(result.data["user_groups"])
    if len(ug):
        blocks += [Heading("User groups"),
                   Table(["Attribute", "Group", "Users"], frame_rows(ug, ug.columns))]
    ig = pd.DataFrame(result.data["item_groups"])
    if len(ig):
        shown = ig.groupby("attribute", sort=False).head(10)
        more = len(ig) - len(shown)
        blocks += [Heading("Item groups"),
                   Table(["Attribute", "Group", "Items"], frame_rows(shown, shown.columns),
                         caption=f"The 10 largest groups per attribute; {more:,} smaller "
                                 "groups are left out here." if more else "")]
    blocks.append(Heading("Validation and pipeline warnings"))
    if result.warnings:
        blocks.append(Table(
            ["File / stage", "Column", "Code", "Message", "Count", "Example rows"],
            [[w["file"], w.get("column") or "", w["code"], w["message"], f"{w['count']:,}",
              ", ".join(map(str, w.get("rows") or []))] for w in result.warnings],
            widths=[1.2, 1, 1.2, 5, 0.7, 1.2]))
    else:
        blocks.append(Para("No warnings: the data passed every validation rule."))
    return blocks


# ---------------------------------------------------------------------- model
def model_section(result) -> list:
    m = result.model
    rows = [["Model", m["name"]], ["Description", m["description"]],
            ["Source", m["source"]], ["Fitted on", f"{m['n_users']:,} users × "
                                                   f"{m['n_items']:,} items"]]
    if m.get("checkpoint"):
        rows.append(["Checkpoint", m["checkpoint"]])
    rows += [[f"parameter: {k}", str(v)] for k, v in m["params"].items()]
    tr = m.get("training")
    if tr:
        rows += [["Epochs run", str(tr["epochs_run"])],
                 ["Best epoch", f"{tr['best_epoch']} (validation {T.num(tr['best_metric'], 4)})"],
                 ["Stopped early", "yes" if tr["stopped_early"] else "no"],
                 ["Device", tr["device"]]]
    blocks = [Table(["", "Value"], rows, widths=[1, 3])]
    if tr and tr["history"]:
        cols = [c for c in tr["history"][0] if c != "epoch"]
        blocks.append(Table(["Epoch"] + cols,
                            [[str(h["epoch"])] + [T.num(h.get(c), 4) for c in cols]
                             for h in tr["history"]], caption="Training history"))
    if m.get("warnings"):
        blocks.append(Table(["Code", "Message"], [[w["code"], w["message"]]
                                                  for w in m["warnings"]],
                            caption="Model warnings"))
    return blocks


# ---------------------------------------------------------------------- accuracy
def accuracy_section(result) -> list:
    f = result.fairness
    wanted = list(result.config.metrics.metrics)
    ov = f.overall[f.overall["metric"].isin(wanted + ["coverage", "gini", "ugf", "igf"])]
    rows = [[T.metric_name(r["metric"], result.k), T.num(r["value"], 4),
             T.interval(r["ci_low"], r["ci_high"], 4), f"{int(r['n']):,}", r["note"]]
            for _, r in ov.iterrows()]
    c = f.counts
    blocks = [Para(f"{c['n_evaluable']:,} of {c['n_users']:,} users have held-out positives "
                   f"and are evaluated; {c['n_excluded']:,} are excluded. "
                   f"{c['n_with_list']:,} users received a list."),
              Table(["Metric", "Value", "Interval", "n", "Note"], rows,
                    widths=[1.3, 0.9, 1.6, 0.7, 4])]
    return blocks


# ---------------------------------------------------------------------- users
def user_section(result) -> list:
    f = result.fairness
    th = result.config.thresholds
    from fairrec_core.metrics import RANKING_METRICS

    # The ranking metrics here; every metric's gaps are in tables/user_gaps.csv.
    metrics = [m for m in result.config.metrics.metrics if m in RANKING_METRICS]
    gaps = f.user_gaps[f.user_gaps["metric"].isin(metrics)]
    rows = [[r["grouping"], T.metric_name(r["metric"], result.k), str(r["best_group"]),
             str(r["worst_group"]),
             f"{T.num(r['difference'], 4)} {T.interval(r['difference_ci_low'], r['difference_ci_high'], 4)}",
             f"{T.num(r['ratio'])} {T.interval(r['ratio_ci_low'], r['ratio_ci_high'])}",
             r["reason"] or "judged"]
            for _, r in gaps.iterrows()]
    blocks = [Para("For every user grouping, the mean of each per-user metric per group; the "
                   "gap between the best and the worst group as a difference and a ratio "
                   "(worst / best), with bootstrap intervals. Groups too small to judge are "
                   "shown but not compared."),
              Table(["Grouping", "Metric", "Best group", "Worst group", "Difference [CI]",
                     "Ratio [CI]", "Status"], rows, widths=[1.4, 1.2, 1, 1, 2, 1.8, 2.2],
                    caption="Ranking metrics; the gaps of every metric (novelty, ARP, APLT, "
                            "miscalibration too) are in tables/user_gaps.csv.")]
    for grouping in dict.fromkeys(f.user_groups["grouping"]):
        blocks.append(Heading(f"By {grouping}"))
        for metric in th.user_metrics:
            label = T.metric_name(metric, result.k)
            blocks.append(_user_chart(f.user_groups, grouping, metric, label, th.ratio_fail))
        part = f.user_groups[(f.user_groups["grouping"] == grouping)
                             & f.user_groups["metric"].isin(th.user_metrics)]
        blocks.append(Table(
            ["Group", "Metric", "Value", "Interval", "Users", "Status"],
            [[str(r["group"]), T.metric_name(r["metric"], result.k), T.num(r["value"], 4),
              T.interval(r["ci_low"], r["ci_high"], 4), f"{int(r['n']):,}",
              "judged" if r["status"] == "ok" else r["reason"]] for _, r in part.iterrows()],
            widths=[1.4, 1, 1, 1.8, 0.8, 3.5]))
    return blocks


def _user_chart(table, grouping, metric, label, ratio_fail) -> Chart:
    from fairrec_core.report.static_charts import user_group_png
    from fairrec_core.viz.audit_charts import user_group_figure

    return Chart(f"user:{grouping}:{metric}",
                 lambda: user_group_figure(table, grouping, metric, label=label,
                                           ratio_fail=ratio_fail),
                 lambda: user_group_png(table, grouping, metric, label=label,
                                        ratio_fail=ratio_fail))


# ---------------------------------------------------------------------- providers
def provider_section(result) -> list:
    from fairrec_core.report.static_charts import lorenz_png, provider_png
    from fairrec_core.viz.audit_charts import lorenz_figure, provider_exposure_figure

    f = result.fairness
    ig = f.item_groups
    blocks = [Para("Exposure share (ES) of each item group against its catalogue share (CS) "
                   "and its merit share (RS, share of held-out positives). ES/CS = 1 means "
                   "equal exposure per item; ES/RS = 1 means exposure in proportion to merit.")]
    for grouping in dict.fromkeys(ig["grouping"]):
        part = ig[ig["grouping"] == grouping].sort_values(["catalog_share", "group"],
                                                          ascending=[False, True])
        blocks.append(Heading(f"By {grouping}"))
        blocks.append(Chart(f"provider:{grouping}",
                            lambda g=grouping: provider_exposure_figure(ig, g),
                            lambda g=grouping: provider_png(ig, g)))
        shown = part.head(MAX_ITEM_ROWS)
        blocks.append(Table(
            ["Group", "Items", "ES [CI]", "CS", "RS [CI]", "ES/CS [CI]", "ES/RS [CI]",
             "Status"],
            [[str(r["group"]), f"{int(r['n_items']):,}",
              _with_ci(r, "exposure_share"), T.num(r["catalog_share"]),
              _with_ci(r, "merit_share"), _with_ci(r, "es_cs_ratio"),
              _with_ci(r, "es_rs_ratio"), "judged" if r["status"] == "ok" else r["reason"]]
             for _, r in shown.iterrows()],
            caption=(f"The {MAX_ITEM_ROWS} largest of {len(part):,} groups; all are in "
                     "tables/item_groups.csv." if len(part) > MAX_ITEM_ROWS else ""),
            widths=[1.3, 0.6, 1.6, 0.7, 1.6, 1.6, 1.6, 2.4]))
    ov = f.overall.set_index("metric")["value"]
    gini = ov.get("gini")
    blocks.append(Heading("Exposure concentration"))
    blocks.append(Chart("lorenz", lambda: lorenz_figure(f.lorenz, gini),
                        lambda: lorenz_png(f.lorenz, gini)))
    blocks.append(Para(f"Exposure Gini {T.num(gini)}; catalogue coverage "
                       f"{T.num(ov.get('coverage'))}; IGF = ES(head) − ES(tail) = "
                       f"{T.num(ov.get('igf'))}."))
    return blocks


def _with_ci(row, col: str) -> str:
    return f"{T.num(row[col])} {T.interval(row[col + '_ci_low'], row[col + '_ci_high'])}"
