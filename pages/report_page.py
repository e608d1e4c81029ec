"""Report page: the audit report of this session, built by the same code as `fairrec audit`.

Choose sections and thresholds, preview, download HTML / PDF / JSON / CSV and
the audit.toml that reproduces the report from the command line.
"""

import pandas as pd
import streamlit as st

from fairrec_core.config import SECTIONS
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import report_session as rs
from fairrec_core.errors import FairrecError
from fairrec_core.metrics import Thresholds
from fairrec_core.report import MIME, render
from fairrec_core.report import blocks as B
from fairrec_core.report import content as C
from fairrec_core.report.text import SECTION_TITLES

state = st.session_state
ps.sync(state)
st.title("Report")
st.caption("The audit report for a regulator, a manager or a CI pipeline: the same builder "
           "as `fairrec audit`, so a downloaded report equals the command line's.")

source = rs.available_source(state)
if source == "none":
    st.warning(rs.empty_state_message(state), icon=":material/upload_file:")
    st.page_link("pages/data_page.py", label="Data page", icon=":material/table_view:")
    st.page_link("pages/train_page.py", label="Train page", icon=":material/model_training:")
    st.stop()
if source == "imported":
    st.info("No model has been trained in this session, so the report audits the production "
            "recommendations you uploaded, as they are.", icon=":material/info:")
else:
    st.success(f"Audited lists: {state[ps.LISTS].label}.", icon=":material/check_circle:")

title = st.text_input("Report title", value="Recommender fairness audit")
sections = st.multiselect("Sections (HTML and PDF; JSON and CSV always hold everything)",
                          options=list(SECTIONS), default=list(SECTIONS),
                          format_func=SECTION_TITLES.get)
with st.expander("Check thresholds", icon=":material/rule:"):
    st.caption("Changing them re-judges the checks without recomputing any metric.")
    c1, c2, c3, c4 = st.columns(4)
    ratio_fail = c1.number_input("User ratio: fail below", 0.05, 1.0, 0.8, 0.05)
    ratio_warn = c2.number_input("User ratio: warn below", 0.05, 1.0, 0.9, 0.05)
    prov_fail = c3.number_input("Provider ratio: fail below", 0.05, 1.0, 0.8, 0.05)
    prov_warn = c4.number_input("Provider ratio: warn below", 0.05, 1.0, 0.9, 0.05)
    basis = st.radio("Provider exposure judged against", ("merit", "catalog"), horizontal=True,
                     format_func={"merit": "merit (held-out positives, ES/RS)",
                                  "catalog": "catalogue share (ES/CS)"}.get)
try:
    thresholds = Thresholds(ratio_fail=ratio_fail, ratio_warn=ratio_warn,
                            provider_ratio_fail=prov_fail, provider_ratio_warn=prov_warn,
                            provider_basis=basis)
    config = rs.session_config(state, title=title, sections=sections)
except FairrecError as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()

st.download_button("Download audit.toml (run it with fairrec audit --config)",
                   config.to_toml(), file_name="audit.toml", mime="application/toml",
                   icon=":material/download:")

result = rs.current_result(state, config)
if st.button("Rebuild the report" if result is not None else "Build the report",
             type="primary", icon=":material/description:"):
    with st.status("Running the audit…", expanded=True) as status:
        def show(ev):
            if ev.kind == "start":
                status.write(f"{ev.index}/{ev.total} · {ev.message}")
        try:
            result = rs.build_result(state, config, progress=show)
            status.update(label="Audit complete", state="complete", expanded=False)
        except FairrecError as exc:
            status.update(label="The audit stopped", state="error")
            st.error(str(exc), icon=":material/error:")
            st.stop()
if result is None:
    st.caption("Build the report to preview and download it.")
    st.stop()

result = rs.with_title(rs.judged(result, thresholds), title)

st.subheader("Download")
cols = st.columns(4)
for col, (fmt, label, name) in zip(cols, (("html", "HTML (interactive)", "report.html"),
                                         ("pdf", "PDF", "report.pdf"),
                                         ("json", "JSON", "report.json"),
                                         ("csv", "CSV tables (zip)", "report_tables.zip"))):
    col.download_button(label, data=lambda f=fmt: render(result, f,
                                                         sections=config.report.sections),
                        file_name=name, mime=MIME[fmt], icon=":material/download:",
                        key=f"download_{fmt}")

st.subheader("Preview")
for section in C.build_sections(result, config.report.sections):
    with st.expander(section.title, expanded=section.key == "scorecard"):
        for i, block in enumerate(section.blocks):
            if isinstance(block, B.Verdict):
                box = {"fail": st.error, "warn": st.warning, "pass": st.success}.get(
                    block.status, st.info)
                box(rs.md_escape(block.sentence))
            elif isinstance(block, B.Heading):
                st.markdown(f"**{rs.md_escape(block.text)}**")
            elif isinstance(block, B.Para):
                (st.caption if block.style == "note" else st.markdown)(rs.md_escape(block.text))
            elif isinstance(block, B.Table):
                if block.rows:
                    frame = pd.DataFrame(block.rows, columns=[h or " " for h in block.headers])
                    st.dataframe(frame, hide_index=True, width="stretch")
                if block.caption:
                    st.caption(rs.md_escape(block.caption))
            elif isinstance(block, B.Chart):
                fig = block.figure()
                if fig is not None:
                    st.plotly_chart(fig, key=f"chart_{section.key}_{i}", width="stretch")
            elif isinstance(block, B.Definitions):
                for term, text in block.items:
                    st.markdown(f"**{rs.md_escape(term)}** · {rs.md_escape(text)}")
            elif isinstance(block, B.Pre):
                st.code(block.text, language="toml")
