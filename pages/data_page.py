"""Data page: upload the CSV exports (or use the sample), confirm the column
mapping, read the validation report and the data summary.

The page only collects input and renders: ``app.py`` rebuilds the session's
Dataset from the inputs (``fairrec_core.dashboard.data_session.refresh``) before
this script runs, and the charts come from ``fairrec_core.viz.data_charts``.
"""

from __future__ import annotations

import streamlit as st

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard.pipeline_session import md as _md  # the one escaper
from fairrec_core.data import FILE_KINDS, likely_sensitive, summarize
from fairrec_core.errors import ConfigError, FairrecError
from fairrec_core.viz import data_charts as charts

ss = st.session_state
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
        ss[PAGE_ERROR] = f"The upload could not be taken in: {exc}. Try uploading it again."


def _use_sample() -> None:
    try:
        ss[ds.FILES] = ds.sample_files()
    except FairrecError as exc:
        ss[PAGE_ERROR] = str(exc)
        return
    except OSError as exc:
        ss[PAGE_ERROR] = (f"The sample data could not be read ({exc}). Recreate it with: "
                          "fairrec sample-data --out sample_data")
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
        st.subheader("Upload CSV exports")
        cols = st.columns(2)
        for i, kind in enumerate(FILE_KINDS):
            label = ds.FILE_LABELS[kind] + (" (required)" if kind == "interactions"
                                            else " (optional)")
            with cols[i % 2]:
                st.file_uploader(label, key=_uploader_key(kind), help=ds.FILE_HELP[kind],
                                 on_change=_on_upload, args=(kind,))
    with right:
        st.subheader("Or try the sample")
        st.markdown("A seeded synthetic shop: users with attributes, items with titles, "
                    "categories and sellers, ratings, and a production recommender's "
                    "top-K lists, with known fairness problems built in.")
        st.button("Use sample data", key="use_sample", type="primary",
                  icon=":material/dataset:", on_click=_use_sample)
        files = ss.get(ds.FILES) or {}
        if files:
            origin = "sample data" if ss.get(ds.ORIGIN) == "sample" else "uploaded"
            st.markdown(f"**Current files** ({origin}):\n\n" + "\n".join(
                f"- {ds.FILE_LABELS[k]}: `{_md(files[k].name)}` ({files[k].size_text})"
                for k in FILE_KINDS if k in files))
            st.button("Clear data", key="clear_data", icon=":material/delete:",
                      on_click=_clear)

    with st.expander("Advanced reading options"):
        st.caption("Encoding and delimiter are detected per file; override them when a "
                   "file's text or columns come out wrong.")
        for col, kind in zip(st.columns(4), FILE_KINDS):
            with col:
                st.markdown(f"**{ds.FILE_LABELS[kind]}**")
                st.selectbox("Encoding", ds.ENCODING_CHOICES, key=f"opt_encoding_{kind}")
                st.selectbox("Delimiter", list(ds.DELIMITER_CHOICES),
                             key=f"opt_delimiter_{kind}")
        c1, c2 = st.columns(2)
        c1.number_input(
            "Rating threshold", value=None, step=0.5, key="opt_rating_threshold",
            placeholder="auto: 4 on a 1-5 scale",
            help="Ratings at or above it count as positives (relevant items) when judging "
                 "accuracy. Empty: 4 on a 1-5 scale, else 80% of the highest rating.")
        c2.checkbox(
            "Drop rows with unknown user or item ids", key="opt_drop_unknown_ids",
            help="Rows of interactions or recommendations naming users or items absent "
                 "from the users or items file stop the load by default; tick to drop "
                 "them with a warning instead.")


def _mapping(outcome) -> None:
    fields = ds.mapping_fields(outcome)
    if not fields:
        return
    rkey = ds.read_key(ss.get(ds.FILES) or {}, ds.options_from_widgets(ss))
    custom = ss.get(ds.MAPPING) is not None
    mapping_trouble = any(i.code in ("missing_column", "bad_mapping")
                          for i in outcome.report.errors)
    title = ("Column mapping (your choices applied)" if custom
             else "Column mapping (detected automatically; open to check or change)")
    with st.expander(title, expanded=mapping_trouble, icon=":material/view_column:"):
        st.caption("Which column holds which piece of information. Columns left unassigned "
                   "are kept as attributes (for users: candidate groups for the audit).")
        with st.form("column_mapping", border=False):
            for col, (kind, flist) in zip(st.columns(len(fields)), fields.items()):
                table = outcome.tables[kind]
                info = table.describe()
                with col:
                    st.markdown(f"**{ds.FILE_LABELS[kind]}** · `{_md(table.name)}`")
                    st.caption(f"{info['rows']:,} rows · {info['encoding']} · "
                               f"{info['delimiter']}-separated")
                    for f in flist:
                        st.selectbox(f.label, f.options, index=f.index,
                                     key=_mapping_key(rkey, kind, f.role))
                    m = outcome.mappings.get(kind)
                    if kind == "users" and m is not None and m.attributes:
                        hint = likely_sensitive(m.attributes)
                        st.caption("Attributes: " + ", ".join(map(_md, m.attributes))
                                   + (f". Likely sensitive: {', '.join(map(_md, hint))}."
                                      if hint else "."))
            st.form_submit_button("Apply mapping", type="primary", on_click=_apply_mapping,
                                  args=(fields, rkey))
        if custom:
            st.button("Reset to the detected mapping", key="reset_mapping",
                      on_click=_reset_mapping)
    error = ss.pop(MAPPING_ERROR, None)
    if error:
        st.error(_md(error), icon=":material/error:")


def _issue_line(issue) -> str:
    where = f"**{_md(issue.file)}**" + (f", column `{_md(issue.column)}`" if issue.column
                                        else "")
    rows = f" (e.g. rows {', '.join(map(str, issue.rows))})" if issue.rows else ""
    return f"- {where}: {_md(issue.message)}{rows}"


def _report(outcome) -> None:
    report = outcome.report
    frame = report.to_frame()
    if report.errors:
        st.error(f"**The data cannot be used yet: {len(report.errors)} error(s).** Fix the "
                 "files and upload them again, or adjust the column mapping or the reading "
                 "options above.\n\n" + "\n".join(map(_issue_line, report.errors)),
                 icon=":material/error:")
        with st.expander("Validation report as a table", icon=":material/table:"):
            st.dataframe(frame, hide_index=True, width="stretch")
    else:
        st.success(f"Validation passed: no errors, {len(report.warnings)} warning(s).",
                   icon=":material/check_circle:")
    if report.warnings:
        with st.expander(f"{len(report.warnings)} validation warning(s): shown here and "
                         "recorded in the audit report", icon=":material/warning:"):
            st.markdown("\n".join(map(_issue_line, report.warnings)))
            st.dataframe(frame[frame["severity"] == "warning"].drop(columns="severity"),
                         hide_index=True, width="stretch")


def _summary(dataset) -> None:
    version = ss.get(ds.VERSION)
    cached = ss.get(SUMMARY)
    if cached is None or cached[0] != version:
        cached = (version, summarize(dataset))
        ss[SUMMARY] = cached
    summary = cached[1]
    c = summary.counts

    st.subheader("Data summary")
    for col, (label, value, help_text) in zip(st.columns(4), ds.summary_metrics(summary)):
        col.metric(label, value, help=help_text, border=True)
    facts = [f"Interactions per user: median {c['per_user_median']:g}, "
             f"max {c['per_user_max']:,}",
             f"top 20% of items hold {c['top20_item_share']:.0%} of interactions"]
    if c.get("first_timestamp"):
        facts.append(f"time span {c['first_timestamp']} to {c['last_timestamp']}")
    if c.get("recommendation_k"):
        facts.append(f"imported top-{c['recommendation_k']} lists for "
                     f"{c['users_with_recommendations']:,} users")
    st.caption("; ".join(facts) + ".")
    attrs = list(dataset.users.columns)
    if attrs:
        hint = likely_sensitive(attrs)
        st.caption("User attributes for the audit: " + ", ".join(map(_md, attrs))
                   + (f" (likely sensitive: {', '.join(map(_md, hint))})" if hint else "")
                   + ". Numeric ones are shown in bands.")

    config = {"displaylogo": False}
    left, right = st.columns(2)
    for col, fig in ((left, charts.long_tail_figure(summary)),
                     (right, charts.user_activity_figure(summary))):
        if fig is not None:
            col.plotly_chart(fig, width="stretch", config=config)
    fig = charts.user_groups_figure(summary)
    if fig is not None:
        st.plotly_chart(fig, width="stretch", config=config)
    else:
        st.caption("No users file with attributes: user groups will be limited to activity "
                   "levels.")
    fig = charts.item_groups_figure(summary)
    if fig is not None:
        st.plotly_chart(fig, width="stretch", config=config)
    else:
        st.caption("No item categories or providers: provider-side fairness will be limited "
                   "to popularity (head and tail).")


def _next_steps(dataset) -> None:
    st.subheader("What you can do next")
    with st.container(border=True):
        recs = dataset.recommendations is not None
        st.markdown(
            "- **Train** a recommender on this data"
            + (", or audit the imported top-K lists directly." if recs else ".")
            + "\n- **Fairness**: compare accuracy and exposure across the user groups and "
              "provider groups above, with confidence intervals."
            + "\n- **Explain** why a user got a list; **What-if**: trade accuracy for "
              "fairness with a re-ranker; **Report**: export the audit.")
        cols = st.columns(5)
        for col, (path, label, icon) in zip(cols, (
                ("pages/train_page.py", "Train", ":material/model_training:"),
                ("pages/fairness_page.py", "Fairness", ":material/balance:"),
                ("pages/explain_page.py", "Explain", ":material/psychology:"),
                ("pages/whatif_page.py", "What-if", ":material/tune:"),
                ("pages/report_page.py", "Report", ":material/description:"))):
            col.page_link(path, label=label, icon=icon)


def _render() -> None:
    st.title("Data")
    st.caption("Upload your platform's CSV exports or use the sample data. Column names are "
               "detected automatically and every problem is listed at once. The files stay "
               "in this browser session: nothing is written to disk.")
    notice = ss.pop(ds.NOTICE, None)
    if notice:
        kind, text = notice
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
        st.warning("Add the interactions file: it is required. Users, items and "
                   "recommendations files are optional.", icon=":material/upload_file:")
    elif outcome is None:
        st.info("Upload at least an interactions file (user and item ids per row), or click "
                "**Use sample data** to explore fairrec first.", icon=":material/upload_file:")
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
    st.error(f"{_md(exc)}\n\nCheck the files and options above, or reload the sample data.",
             icon=":material/error:")
except Exception as exc:  # the page boundary: a message, never a traceback
    st.error(f"Something went wrong on this page ({type(exc).__name__}: {_md(exc)}). "
             "Reload the page; if the data is the cause, try re-saving the files as UTF-8 "
             "CSV.", icon=":material/error:")
