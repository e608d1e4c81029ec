"""Report page: the audit report of this session, built by the same code as `fairrec audit`.

Choose sections and thresholds, preview, download HTML / PDF / JSON / CSV and
the audit.toml that reproduces the report from the command line. The report
is written in the interface's language (``[report].lang``).
"""

import logging

import pandas as pd
import streamlit as st

from fairrec_core.config import SECTIONS
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import report_session as rs
from fairrec_core.errors import FairrecError
from fairrec_core.i18n import t
from fairrec_core.metrics import Thresholds
from fairrec_core.report import MIME, render
from fairrec_core.report import blocks as B
from fairrec_core.report import content as C
from fairrec_core.report.text import section_title

state = st.session_state
lang = state.get("lang", "en")
_log = logging.getLogger("fairrec.dashboard.report")
DOWNLOADS = (("html", "reportpage.html", "report.html"), ("pdf", "reportpage.pdf", "report.pdf"),
             ("json", "reportpage.json", "report.json"),
             ("csv", "reportpage.csv", "report_tables.zip"))


def _source() -> bool:
    """Say what is audited; False when there is nothing to audit yet."""
    source = rs.available_source(state)
    if source == "none":
        st.warning(rs.empty_state_message(state, lang), icon=":material/upload_file:")
        st.page_link("pages/data_page.py", label=t("reportpage.data_link", lang),
                     icon=":material/table_view:")
        st.page_link("pages/train_page.py", label=t("reportpage.train_link", lang),
                     icon=":material/model_training:")
        return False
    if source == "imported":
        st.info(t("reportpage.imported", lang), icon=":material/info:")
    else:
        st.success(t("reportpage.audited", lang, lists=ps.md(state[ps.LISTS].display(lang))),
                   icon=":material/check_circle:")
    return True


def _thresholds() -> Thresholds:
    with st.expander(t("reportpage.thresholds", lang), icon=":material/rule:"):
        st.caption(t("reportpage.thresholds_note", lang))
        c1, c2, c3, c4 = st.columns(4)
        ratio_fail = c1.number_input(t("reportpage.user_fail", lang), 0.05, 1.0, 0.8, 0.05)
        ratio_warn = c2.number_input(t("reportpage.user_warn", lang), 0.05, 1.0, 0.9, 0.05)
        prov_fail = c3.number_input(t("reportpage.prov_fail", lang), 0.05, 1.0, 0.8, 0.05)
        prov_warn = c4.number_input(t("reportpage.prov_warn", lang), 0.05, 1.0, 0.9, 0.05)
        basis = st.radio(t("reportpage.basis", lang), ("merit", "catalog"), horizontal=True,
                         format_func=lambda b: t(f"reportpage.basis_{b}", lang))
    return Thresholds(ratio_fail=ratio_fail, ratio_warn=ratio_warn,
                      provider_ratio_fail=prov_fail, provider_ratio_warn=prov_warn,
                      provider_basis=basis)


def _build(config, result):
    """The stored result, or the one the Build button makes; None until there is one."""
    label = t("reportpage.rebuild" if result is not None else "reportpage.build", lang)
    if not st.button(label, type="primary", icon=":material/description:"):
        return result
    with st.status(t("reportpage.running", lang), expanded=True) as status:
        def show(ev):
            if ev.kind == "start":
                status.write(t("reportpage.step", lang, index=ev.index, total=ev.total,
                               message=ev.message))
        try:
            result = rs.build_result(state, config, progress=show)
            status.update(label=t("reportpage.complete", lang), state="complete",
                          expanded=False)
        except FairrecError as exc:
            status.update(label=t("reportpage.stopped", lang), state="error")
            st.error(str(exc), icon=":material/error:")
            return None
    return result


def _table(block) -> None:
    if block.rows:
        frame = pd.DataFrame(block.rows, columns=[h or " " for h in block.headers])
        # A missing value reads as a dash, not "None" / "nan".
        frame = frame.map(lambda v: "—" if v is None or str(v) in ("None", "nan", "NaN")
                          else v)
        config = {}
        if block.status_col is not None:  # "insufficient data" shown whole
            config[frame.columns[block.status_col]] = st.column_config.TextColumn(
                width="medium")
        st.dataframe(frame, hide_index=True, width="stretch", column_config=config)
    if block.caption:
        st.caption(rs.md_escape(block.caption))


def _block(section, i: int, block) -> None:
    if isinstance(block, B.Verdict):
        box = {"fail": st.error, "warn": st.warning, "pass": st.success}.get(block.status,
                                                                             st.info)
        box(rs.md_escape(block.sentence))
    elif isinstance(block, B.Heading):
        st.markdown(f"**{rs.md_escape(block.text)}**")
    elif isinstance(block, B.Para):
        (st.caption if block.style == "note" else st.markdown)(rs.md_escape(block.text))
    elif isinstance(block, B.Table):
        _table(block)
    elif isinstance(block, B.Chart):
        fig = block.figure()
        if fig is not None:
            st.plotly_chart(fig, key=f"chart_{section.key}_{i}", width="stretch")
    elif isinstance(block, B.Definitions):
        for term, text in block.items:
            st.markdown(f"**{rs.md_escape(term)}** · {rs.md_escape(text)}")
    elif isinstance(block, B.Pre):
        st.code(block.text, language="toml")


def _render() -> None:
    ps.sync(state)
    st.title(t("reportpage.title", lang))
    st.caption(t("reportpage.caption", lang))
    if not _source():
        return
    title = st.text_input(t("reportpage.report_title", lang),
                          value=t("reportpage.default_title", lang))
    sections = st.multiselect(t("reportpage.sections", lang), options=list(SECTIONS),
                              default=list(SECTIONS),
                              format_func=lambda k: section_title(k, lang))
    try:
        thresholds = _thresholds()
        config = rs.session_config(state, title=title, sections=sections, lang=lang)
    except FairrecError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    st.download_button(t("reportpage.toml", lang), config.to_toml(), file_name="audit.toml",
                       mime="application/toml", icon=":material/download:")
    result = _build(config, rs.current_result(state, config))
    if result is None:
        st.caption(t("reportpage.build_first", lang))
        return
    result = rs.with_report(rs.judged(result, thresholds), title=title, lang=lang)
    st.subheader(t("reportpage.download", lang))
    for col, (fmt, key, name) in zip(st.columns(4), DOWNLOADS):
        col.download_button(t(key, lang),
                            data=lambda f=fmt: render(result, f, sections=config.report.sections),
                            file_name=name, mime=MIME[fmt], icon=":material/download:",
                            key=f"download_{fmt}")
    st.subheader(t("reportpage.preview", lang))
    for section in C.build_sections(result, config.report.sections):
        with st.expander(section.title, expanded=section.key == "scorecard"):
            for i, block in enumerate(section.blocks):
                _block(section, i, block)


try:
    _render()
except Exception as exc:  # the page boundary: a message, never a traceback
    _log.exception("Report page failed")
    st.error(t("reportpage.failed", lang, error=f"{type(exc).__name__}: {ps.md(exc)}"),
             icon=":material/error:")
