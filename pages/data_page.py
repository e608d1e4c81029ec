"""Data page: upload the CSV exports (or use the sample), confirm the column
mapping, read the validation report and the data summary.

The page only collects input and renders: ``app.py`` rebuilds the session's
Dataset from the inputs (``fairrec_core.dashboard.data_session.refresh``) before
this script runs, and the charts come from ``fairrec_core.viz.data_charts``.
"""

from __future__ import annotations

import logging

import streamlit as st

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard.pipeline_session import md as _md  # the one escaper
from fairrec_core.data import FILE_KINDS, likely_sensitive, summarize
from fairrec_core.errors import ConfigError, FairrecError
from fairrec_core.i18n import has, t
from fairrec_core.viz import data_charts as charts

ss = st.session_state
lang = ss.get("lang", "en")
DELIMS = {"auto": "data.delim.auto", "comma ,": "data.delim.comma", "tab": "data.delim.tab",
          "semicolon ;": "data.delim.semicolon", "pipe |": "data.delim.pipe"}
UPLOAD_GEN = "data_upload_generation"   # bumping it gives fresh, empty uploaders
MAPPING_GEN = "data_mapping_generation"  # bumping it resets the mapping form
PAGE_ERROR = "data_page_error"
MAPPING_ERROR = "data_mapping_error"
SUMMARY = "data_summary"



def _uploader_key(kind: str) -> str:
    return f"upload_{kind}_{ss.get(UPLOAD_GEN, 0)}"


# --- callbacks: they run before app.py, so its refresh sees the new inputs ---

def _on_upload(kind: str) -> None:
    try:
        value = ss.get(_uploader_key(kind))
        # Uploads replace the sample as a whole: never a mix of the two.
        files = dict(ss.get(ds.FILES) or {}) if ss.get(ds.ORIGIN) == "upload" else {}
        if value is None:
            files.pop(kind, None)
        else:
            files[kind] = ds.FileInput(kind, value.name, value.getvalue())
        ss[ds.FILES] = files
        ss[ds.ORIGIN] = "upload" if files else None
    except Exception as exc:  # a callback's exception would show a traceback
        ss[PAGE_ERROR] = t("data.upload_failed", lang, error=exc)


def _use_sample() -> None:
    try:
        ss[ds.FILES] = ds.sample_files()
    except FairrecError as exc:
        ss[PAGE_ERROR] = str(exc)
        return
    except OSError as exc:
        ss[PAGE_ERROR] = t("data.sample_unreadable", lang, error=exc)
        return
    ss[ds.ORIGIN] = "sample"
    ss[UPLOAD_GEN] = ss.get(UPLOAD_GEN, 0) + 1


def _clear() -> None:
    ss[ds.FILES] = {}
    ss[ds.ORIGIN] = None
    ss.pop(ds.MAPPING, None)
    ss[UPLOAD_GEN] = ss.get(UPLOAD_GEN, 0) + 1


def _mapping_key(rkey: str, kind: str, role: str) -> str:
    return f"map_{rkey[:12]}_{ss.get(MAPPING_GEN, 0)}_{kind}_{role}"


def _apply_mapping(fields: dict, rkey: str) -> None:
    choices = {kind: {f.role: ss.get(_mapping_key(rkey, kind, f.role)) for f in flist}
               for kind, flist in fields.items()}
    try:
        mapping = ds.mapping_from_choices(choices)
    except ConfigError as exc:
        ss[MAPPING_ERROR] = str(exc)
        return
    ss[ds.MAPPING] = {"key": rkey, "mapping": mapping}


def _reset_mapping() -> None:
    ss.pop(ds.MAPPING, None)
    ss[MAPPING_GEN] = ss.get(MAPPING_GEN, 0) + 1


# --- sections ---

def _inputs() -> None:
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(t("data.upload_header", lang))
        # Row by row (not column by column): the DOM order of the uploaders is then
        # the order a reader sees, left to right and top to bottom.
        for pair in (FILE_KINDS[:2], FILE_KINDS[2:]):
            for col, kind in zip(st.columns(2), pair):
                label = t("data.required" if kind == "interactions" else "data.optional", lang,
                          label=ds.file_label(kind, lang))
                col.file_uploader(label, key=_uploader_key(kind),
                                  help=t(f"file.help.{kind}", lang),
                                  on_change=_on_upload, args=(kind,))
    with right:
        st.subheader(t("data.sample_header", lang))
        st.markdown(t("data.sample_text", lang))
        st.button(t("data.use_sample", lang), key="use_sample", type="primary",
                  icon=":material/dataset:", on_click=_use_sample)
        files = ss.get(ds.FILES) or {}
        if files:
            origin = t("data.origin_sample" if ss.get(ds.ORIGIN) == "sample"
                       else "data.origin_upload", lang)
            # Code spans show text literally: the name goes in unescaped (no "zip\_code").
            st.markdown(t("data.current_files", lang, origin=origin) + "\n\n" + "\n".join(
                f"- {ds.file_label(k, lang)}: {_code(files[k].name)} "
                f"({files[k].size_label(lang)})" for k in FILE_KINDS if k in files))
            st.button(t("data.clear", lang), key="clear_data", icon=":material/delete:",
                      on_click=_clear)

    with st.expander(t("data.advanced", lang)):
        st.caption(t("data.advanced_caption", lang))
        for col, kind in zip(st.columns(4), FILE_KINDS):
            with col:
                st.markdown(f"**{ds.file_label(kind, lang)}**")
                st.selectbox(t("data.encoding", lang), ds.ENCODING_CHOICES,
                             key=f"opt_encoding_{kind}", format_func=lambda e: t(
                                 "data.encoding_auto", lang) if e == "auto" else e)
                st.selectbox(t("data.delimiter", lang), list(ds.DELIMITER_CHOICES),
                             key=f"opt_delimiter_{kind}",
                             format_func=lambda d: t(DELIMS[d], lang) if d in DELIMS else d)
        c1, c2 = st.columns(2)
        c1.number_input(t("data.threshold", lang), value=None, step=0.5,
                        key="opt_rating_threshold",
                        placeholder=t("data.threshold_placeholder", lang),
                        help=t("data.threshold_help", lang))
        c2.checkbox(t("data.drop_unknown", lang), key="opt_drop_unknown_ids",
                    help=t("data.drop_unknown_help", lang))


def _code(text) -> str:
    """``text`` as an inline code span: literal, so it is not escaped (backticks aside)."""
    text = str(text).replace("\n", " ")
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def _mapping(outcome) -> None:
    fields = ds.mapping_fields(outcome, lang)
    if not fields:
        return
    rkey = ds.read_key(ss.get(ds.FILES) or {}, ds.options_from_widgets(ss))
    custom = ss.get(ds.MAPPING) is not None
    mapping_trouble = any(i.code in ("missing_column", "bad_mapping")
                          for i in outcome.report.errors)
    title = t("data.mapping_custom" if custom else "data.mapping_auto", lang)
    with st.expander(title, expanded=mapping_trouble, icon=":material/view_column:"):
        st.caption(t("data.mapping_caption", lang))
        with st.form("column_mapping", border=False):
            for col, (kind, flist) in zip(st.columns(len(fields)), fields.items()):
                table = outcome.tables[kind]
                info = table.describe()
                with col:
                    st.markdown(f"**{ds.file_label(kind, lang)}** · {_code(table.name)}")
                    st.caption(t("data.table_info", lang, rows=f"{info['rows']:,}",
                                 encoding=info["encoding"], delimiter=info["delimiter"]))
                    none = t("data.none_choice", lang)
                    for f in flist:
                        st.selectbox(f.label, f.options, index=f.index,
                                     key=_mapping_key(rkey, kind, f.role),
                                     format_func=lambda o, none=none: none
                                     if o == ds.NONE_CHOICE else o)
                    m = outcome.mappings.get(kind)
                    if kind == "users" and m is not None and m.attributes:
                        _attributes_caption(m.attributes, "data.attributes")
            st.form_submit_button(t("data.apply_mapping", lang), type="primary",
                                  on_click=_apply_mapping, args=(fields, rkey))
        if custom:
            st.button(t("data.reset_mapping", lang), key="reset_mapping",
                      on_click=_reset_mapping)
    error = ss.pop(MAPPING_ERROR, None)
    if error:
        st.error(_md(error), icon=":material/error:")


def _attributes_caption(attrs, key: str) -> None:
    hint = likely_sensitive(attrs)
    names = ", ".join(map(_md, attrs))
    if hint:
        st.caption(t(key + "_sensitive", lang, names=names, sensitive=", ".join(map(_md, hint))))
    else:
        st.caption(t(key, lang, names=names))


def _issue_line(issue) -> str:
    where = (t("data.issue_column", lang, file=_md(issue.file), column=_code(issue.column))
             if issue.column else t("data.issue_where", lang, file=_md(issue.file)))
    # The example rows get their own sentence: the message may already end in "(e.g. ...)".
    rows = (" " + t("data.issue_rows", lang, rows=", ".join(map(str, issue.rows)))
            if issue.rows else "")
    return f"- {where}: {_md(ds.issue_text(issue, lang))}{rows}"


def _issue_table(frame):
    # Headings in the user's language over the same machine-readable table.
    return st.dataframe(frame, hide_index=True, width="stretch", column_config={
        c: t(f"data.col.{c}", lang) for c in frame.columns if has(f"data.col.{c}")})


def _report(outcome) -> None:
    report = outcome.report
    frame = report.to_frame()
    if report.errors:
        st.error(t("data.errors", lang, n=len(report.errors)) + "\n\n"
                 + "\n".join(map(_issue_line, report.errors)), icon=":material/error:")
        with st.expander(t("data.report_table", lang), icon=":material/table:"):
            _issue_table(frame)
    else:
        st.success(t("data.passed", lang, n=len(report.warnings)),
                   icon=":material/check_circle:")
    if report.warnings:
        with st.expander(t("data.warnings", lang, n=len(report.warnings)),
                         icon=":material/warning:"):
            st.markdown("\n".join(map(_issue_line, report.warnings)))
            _issue_table(frame[frame["severity"] == "warning"].drop(columns="severity"))


def _summary(dataset) -> None:
    version = ss.get(ds.VERSION)
    cached = ss.get(SUMMARY)
    if cached is None or cached[0] != version:
        cached = (version, summarize(dataset))
        ss[SUMMARY] = cached
    summary = cached[1]
    c = summary.counts

    st.subheader(t("data.summary", lang))
    for col, (label, value, help_text) in zip(st.columns(4),
                                              ds.summary_metrics(summary, lang)):
        col.metric(label, value, help=help_text, border=True)
    facts = [t("data.fact.per_user", lang, median=f"{c['per_user_median']:g}",
               max=f"{c['per_user_max']:,}"),
             t("data.fact.top20", lang, share=f"{c['top20_item_share']:.0%}")]
    if c.get("first_timestamp"):
        facts.append(t("data.fact.span", lang, first=c["first_timestamp"],
                       last=c["last_timestamp"]))
    if c.get("recommendation_k"):
        facts.append(t("data.fact.recs", lang, k=c["recommendation_k"],
                       n=f"{c['users_with_recommendations']:,}"))
    st.caption(t("data.fact.sep", lang).join(facts) + t("data.fact.end", lang))
    attrs = list(dataset.users.columns)
    if attrs:
        _attributes_caption(attrs, "data.attrs")

    config = {"displaylogo": False}
    left, right = st.columns(2)
    for col, fig in ((left, charts.long_tail_figure(summary, lang=lang)),
                     (right, charts.user_activity_figure(summary, lang=lang))):
        if fig is not None:
            col.plotly_chart(fig, width="stretch", config=config)
    fig = charts.user_groups_figure(summary, lang=lang)
    if fig is not None:
        st.plotly_chart(fig, width="stretch", config=config)
    else:
        st.caption(t("data.no_user_attrs", lang))
    fig = charts.item_groups_figure(summary, lang=lang)
    if fig is not None:
        st.plotly_chart(fig, width="stretch", config=config)
    else:
        st.caption(t("data.no_item_groups", lang))


def _next_steps(dataset) -> None:
    st.subheader(t("data.next", lang))
    with st.container(border=True):
        recs = dataset.recommendations is not None
        st.markdown(t("data.next_train_recs" if recs else "data.next_train", lang) + "\n"
                    + t("data.next_rest", lang))
        cols = st.columns(5)
        for col, (path, nav, icon) in zip(cols, (
                ("pages/train_page.py", "nav.train", ":material/model_training:"),
                ("pages/fairness_page.py", "nav.fairness", ":material/balance:"),
                ("pages/explain_page.py", "nav.explain", ":material/psychology:"),
                ("pages/whatif_page.py", "nav.whatif", ":material/tune:"),
                ("pages/report_page.py", "nav.report", ":material/description:"))):
            col.page_link(path, label=t(nav, lang), icon=icon)


def _render() -> None:
    st.title(t("data.title", lang))
    st.caption(t("data.caption", lang))
    notice = ss.pop(ds.NOTICE, None)
    if notice:
        kind, text = notice[0], t(f"data.notice.{notice[0]}", lang)
        if kind == "replaced":
            st.toast(text, icon=":material/sync:")
        elif kind == "discarded":
            st.warning(text, icon=":material/sync_problem:")
        else:
            st.info(text, icon=":material/delete:")
    error = ss.pop(PAGE_ERROR, None)
    if error:
        st.error(_md(error), icon=":material/error:")

    _inputs()

    files = ss.get(ds.FILES) or {}
    outcome = ss.get(ds.OUTCOME)
    load_error = ss.get(ds.LOAD_ERROR)
    if load_error:
        st.error(_md(load_error), icon=":material/error:")
    elif files and "interactions" not in files:
        st.warning(t("data.add_interactions", lang), icon=":material/upload_file:")
    elif outcome is None:
        st.info(t("data.empty", lang), icon=":material/upload_file:")
    else:
        st.divider()
        _mapping(outcome)
        _report(outcome)
        if outcome.ok:
            _summary(outcome.dataset)
            _next_steps(outcome.dataset)


try:
    _render()
except FairrecError as exc:
    st.error(t("data.error_hint", lang, error=_md(exc)), icon=":material/error:")
except Exception as exc:  # the page boundary: a message, never a traceback
    logging.getLogger("fairrec.dashboard.data").exception("the Data page failed")
    st.error(t("data.page_error", lang, error=f"{type(exc).__name__}: {_md(exc)}"),
             icon=":material/error:")
