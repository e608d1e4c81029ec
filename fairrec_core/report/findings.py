"""Section builders of the report (see :mod:`fairrec_core.report.content`)."""

from __future__ import annotations

import pandas as pd

from fairrec_core.i18n import say, t
from fairrec_core.i18n.labels import group_label, grouping_label
from fairrec_core.report import text as T
from fairrec_core.report.blocks import Chart, Heading, Para, Table, frame_rows
from fairrec_core.report.charts import spec_chart

#: Item groups listed per grouping in the provider table (all are in the CSV).
MAX_ITEM_ROWS = 15


# ---------------------------------------------------------------------- data
def data_section(result) -> list:
    lang = T.lang_of(result)

    def tr(key, **values):
        return t(key, lang, **values)

    c = result.data["summary"]
    rows = [[tr("report.data.users"), tr("report.data.users_value", n=f"{c['users']:,}",
                                         active=f"{c['users_with_interactions']:,}")],
            [tr("report.data.items"), tr("report.data.items_value", n=f"{c['items']:,}",
                                         active=f"{c['items_with_interactions']:,}")],
            [tr("report.data.interactions"),
             tr("report.data.interactions_value", n=f"{c['interactions']:,}",
                pos=f"{c['positives']:,}")],
            [tr("report.data.density"), f"{c['density']:.4%}"],
            [tr("report.data.per_user"),
             tr("report.data.per_user_value", median=f"{c['per_user_median']:g}",
                mean=f"{c['per_user_mean']:.1f}", min=c["per_user_min"],
                max=c["per_user_max"])],
            [tr("report.data.per_item"),
             tr("report.data.per_item_value", median=f"{c['per_item_median']:g}",
                mean=f"{c['per_item_mean']:.1f}", max=c["per_item_max"])],
            [tr("report.data.top20"),
             tr("report.data.top20_value", share=f"{c['top20_item_share']:.0%}")]]
    if c.get("first_timestamp"):
        rows.append([tr("report.data.time_span"),
                     tr("report.data.time_span_value", first=c["first_timestamp"],
                        last=c["last_timestamp"])])
    rows.append([tr("report.data.positive"),
                 tr("report.data.positive_rating", threshold=T.num(c["rating_threshold"], 2))
                 if c.get("rating_threshold") is not None
                 else tr("report.data.positive_implicit")])
    if c.get("recommendation_k"):
        rows.append([tr("report.data.imported"),
                     tr("report.data.imported_value", k=c["recommendation_k"],
                        n=f"{c['users_with_recommendations']:,}")])
    split = result.data["split"]
    blocks = [Table(["", tr("report.col.value")], rows, widths=[1, 3]),
              Para(tr("report.data.split", description=say(split["description"], lang),
                      train=f"{split['train_rows']:,}", valid=f"{split['valid_rows']:,}",
                      test=f"{split['test_rows']:,}", users=f"{split['evaluable_users']:,}"))]
    ug = pd.DataFrame(result.data["user_groups"])
    if len(ug):
        blocks += [Heading(tr("report.data.user_groups")),
                   Table([tr("report.col.attribute"), tr("report.col.group"),
                          tr("report.col.users")], frame_rows(ug, ug.columns))]
    ig = pd.DataFrame(result.data["item_groups"])
    if len(ig):
        shown = ig.groupby("attribute", sort=False).head(10)
        more = len(ig) - len(shown)
        blocks += [Heading(tr("report.data.item_groups")),
                   Table([tr("report.col.attribute"), tr("report.col.group"),
                          tr("report.col.items")], frame_rows(shown, shown.columns),
                         caption=tr("report.data.groups_left_out", n=f"{more:,}")
                         if more else "")]
    blocks.append(Heading(tr("report.data.warnings")))
    if result.warnings:
        blocks.append(Table(
            [tr("report.data.col_file"), tr("report.data.col_column"), tr("report.col.code"),
             tr("report.col.message"), tr("report.data.col_count"), tr("report.data.col_rows")],
            [[w["file"], w.get("column") or "", w["code"], w["message"], f"{w['count']:,}",
              ", ".join(map(str, w.get("rows") or []))] for w in result.warnings],
            widths=[1.2, 1, 1.2, 5, 0.7, 1.2]))
    else:
        blocks.append(Para(tr("report.data.no_warnings")))
    return blocks


# ---------------------------------------------------------------------- model
def model_section(result) -> list:
    lang = T.lang_of(result)

    def tr(key, **values):
        return t(key, lang, **values)

    m = result.model
    rows = [[tr("report.model.model"), m["name"]],
            [tr("report.model.description"), say(m["description"], lang)],
            [tr("report.model.source"), m["source"]],
            [tr("report.model.fitted_on"), tr("report.model.fitted_value",
                                             users=f"{m['n_users']:,}",
                                             items=f"{m['n_items']:,}")]]
    if m.get("checkpoint"):
        rows.append([tr("report.model.checkpoint"), m["checkpoint"]])
    rows += [[tr("report.model.parameter", name=k), str(v)] for k, v in m["params"].items()]
    tr_ = m.get("training")
    if tr_:
        rows += [[tr("report.model.epochs_run"), str(tr_["epochs_run"])],
                 [tr("report.model.best_epoch"),
                  tr("report.model.best_epoch_value", epoch=tr_["best_epoch"],
                     value=T.num(tr_["best_metric"], 4))],
                 [tr("report.model.stopped_early"),
                  tr("report.yes") if tr_["stopped_early"] else tr("report.no")],
                 [tr("report.model.device"), tr_["device"]]]
    blocks = [Table(["", tr("report.col.value")], rows, widths=[1, 3])]
    if tr_ and tr_["history"]:
        cols = [c for c in tr_["history"][0] if c != "epoch"]
        blocks.append(Table([tr("report.model.epoch")] + cols,
                            [[str(h["epoch"])] + [T.num(h.get(c), 4) for c in cols]
                             for h in tr_["history"]], caption=tr("report.model.history")))
    if m.get("warnings"):
        blocks.append(Table([tr("report.col.code"), tr("report.col.message")],
                            [[w["code"], w["message"]] for w in m["warnings"]],
                            caption=tr("report.model.warnings")))
    return blocks


# ---------------------------------------------------------------------- accuracy
def accuracy_section(result) -> list:
    from fairrec_core.report.check_text import reason_text

    lang = T.lang_of(result)
    f = result.fairness
    wanted = list(result.config.metrics.metrics)
    ov = f.overall[f.overall["metric"].isin(wanted + ["coverage", "gini", "ugf", "igf"])]
    rows = [[T.metric_name(r["metric"], result.k, lang), T.num(r["value"], 4),
             T.interval(r["ci_low"], r["ci_high"], 4), f"{int(r['n']):,}",
             reason_text(r["note"], lang)]
            for _, r in ov.iterrows()]
    c = f.counts
    headers = [t(f"report.col.{h}", lang) for h in ("metric", "value", "interval")]
    blocks = [Para(t("report.acc.counts", lang, n_eval=f"{c['n_evaluable']:,}",
                     n_users=f"{c['n_users']:,}", n_excluded=f"{c['n_excluded']:,}",
                     n_list=f"{c['n_with_list']:,}")),
              Table(headers + ["n", t("report.col.note", lang)], rows,
                    widths=[1.3, 0.9, 1.6, 0.7, 4])]
    return blocks


# ---------------------------------------------------------------------- users
def user_section(result) -> list:
    from fairrec_core.metrics import RANKING_METRICS
    from fairrec_core.report.check_text import reason_text

    lang = T.lang_of(result)
    f = result.fairness
    th = result.config.thresholds
    judged = t("report.judged", lang)
    # The ranking metrics here; every metric's gaps are in tables/user_gaps.csv.
    metrics = [m for m in result.config.metrics.metrics if m in RANKING_METRICS]
    gaps = f.user_gaps[f.user_gaps["metric"].isin(metrics)]
    rows = [[grouping_label(r["grouping"], lang), T.metric_name(r["metric"], result.k, lang),
             group_label(r["best_group"], lang), group_label(r["worst_group"], lang),
             f"{T.num(r['difference'], 4)} "
             f"{T.interval(r['difference_ci_low'], r['difference_ci_high'], 4)}",
             f"{T.num(r['ratio'])} {T.interval(r['ratio_ci_low'], r['ratio_ci_high'])}",
             reason_text(r["reason"], lang) or judged]
            for _, r in gaps.iterrows()]
    headers = [t(k, lang) for k in ("report.users.col_grouping", "report.col.metric",
                                    "report.users.col_best", "report.users.col_worst",
                                    "report.users.col_difference", "report.users.col_ratio",
                                    "report.col.status")]
    blocks = [Para(t("report.users.intro", lang)),
              Table(headers, rows, widths=[1.4, 1.2, 1, 1, 2, 1.8, 2.2],
                    caption=t("report.users.caption", lang))]
    group_headers = [t(f"report.col.{h}", lang)
                     for h in ("group", "metric", "value", "interval", "users", "status")]
    for grouping in dict.fromkeys(f.user_groups["grouping"]):
        blocks.append(Heading(t("report.by", lang, grouping=grouping_label(grouping, lang))))
        for metric in th.user_metrics:
            blocks.append(_user_chart(f, grouping, metric, lang))
        part = f.user_groups[(f.user_groups["grouping"] == grouping)
                             & f.user_groups["metric"].isin(th.user_metrics)]
        blocks.append(Table(
            group_headers,
            [[group_label(r["group"], lang), T.metric_name(r["metric"], result.k, lang),
              T.num(r["value"], 4),
              T.interval(r["ci_low"], r["ci_high"], 4), f"{int(r['n']):,}",
              judged if r["status"] == "ok" else reason_text(r["reason"], lang)]
             for _, r in part.iterrows()],
            widths=[1.4, 1, 1, 1.8, 0.8, 3.5]))
    return blocks


def _user_chart(fairness, grouping, metric, lang="en") -> Chart:
    """The Fairness page's figure of one grouping and metric, for the HTML and the PDF."""
    from fairrec_core.viz.fairness_figures import user_group_spec

    return spec_chart(f"user:{grouping}:{metric}",
                      lambda: user_group_spec(fairness, grouping, metric, lang=lang))


# ---------------------------------------------------------------------- providers
def provider_section(result) -> list:
    from fairrec_core.report.check_text import reason_text
    from fairrec_core.viz.fairness_figures import lorenz_spec, provider_spec

    lang = T.lang_of(result)
    judged = t("report.judged", lang)
    f = result.fairness
    ig = f.item_groups
    headers = [t(k, lang) for k in ("report.col.group", "report.col.items", "report.prov.col_es")]
    headers += ["CS"] + [t(k, lang) for k in ("report.prov.col_rs", "report.prov.col_escs",
                                              "report.prov.col_esrs", "report.col.status")]
    blocks: list = [Para(t("report.prov.intro", lang))]
    for grouping in dict.fromkeys(ig["grouping"]):
        part = ig[ig["grouping"] == grouping].sort_values(["catalog_share", "group"],
                                                          ascending=[False, True])
        blocks.append(Heading(t("report.by", lang, grouping=grouping_label(grouping, lang))))
        # Built now (no drawing yet): the caption says which groups a large grouping shows.
        spec, shown_caption = provider_spec(f, grouping, lang=lang)
        # (mypy cannot type a lambda with a default argument; the default binds the loop value.)
        blocks.append(spec_chart(f"provider:{grouping}",
                                 lambda s=spec: s))  # type: ignore[misc]
        if shown_caption:
            blocks.append(Para(shown_caption, "note"))
        shown = part.head(MAX_ITEM_ROWS)
        blocks.append(Table(
            headers,
            [[group_label(r["group"], lang), f"{int(r['n_items']):,}",
              _with_ci(r, "exposure_share"), T.num(r["catalog_share"]),
              _with_ci(r, "merit_share"), _with_ci(r, "es_cs_ratio"),
              _with_ci(r, "es_rs_ratio"),
              judged if r["status"] == "ok" else reason_text(r["reason"], lang)]
             for _, r in shown.iterrows()],
            caption=(t("report.prov.caption", lang, top=MAX_ITEM_ROWS, n=f"{len(part):,}")
                     if len(part) > MAX_ITEM_ROWS else ""),
            widths=[1.3, 0.6, 1.6, 0.7, 1.6, 1.6, 1.6, 2.4]))
    ov = f.overall.set_index("metric")["value"]
    gini = ov.get("gini")
    blocks.append(Heading(t("report.prov.concentration", lang)))
    blocks.append(spec_chart("lorenz", lambda: lorenz_spec(f, lang)))
    blocks.append(Para(t("report.prov.gini", lang, gini=T.num(gini),
                         coverage=T.num(ov.get("coverage")), igf=T.num(ov.get("igf")))))
    return blocks


def _with_ci(row, col: str) -> str:
    return f"{T.num(row[col])} {T.interval(row[col + '_ci_low'], row[col + '_ci_high'])}"
