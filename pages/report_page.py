"""Report page (coming soon): export the audit as HTML, PDF, JSON and CSV."""

import streamlit as st

from fairrec_core.viz import data_session as ds

st.title("Report")
st.info(
    '**Coming soon.** Export the audit for a regulator, a manager or a CI pipeline: a'
    ' self-contained HTML report, a PDF, a versioned JSON file and CSV tables, with '
    'the verdict scorecard, data summary and validation warnings, fairness results '
    'with confidence intervals, the trade-off curve, methodology and everything '
    'needed to reproduce the numbers.',
    icon=":material/construction:",
)

dataset = st.session_state.get(ds.DATASET)
if dataset is None:
    st.warning(
        'Load data on the Data page first, then run an audit.',
        icon=":material/upload_file:",
    )
    st.page_link("pages/data_page.py", label="Go to the Data page",
                 icon=":material/table_view:")
else:
    st.success(f"Data ready: {dataset.n_users:,} users, {dataset.n_items:,} items, "
               f"{len(dataset.interactions):,} interactions. This page will start from it.",
               icon=":material/check_circle:")
