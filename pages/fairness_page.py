"""Fairness page (coming soon): accuracy and exposure per user and provider group."""

import streamlit as st

from fairrec_core.viz import data_session as ds

st.title("Fairness")
st.info(
    '**Coming soon.** Accuracy and exposure per user group (gender, age band, region,'
    ' activity level and their intersections) and per provider group (seller size, '
    'brand, popularity head and tail, category), with bootstrap 95% confidence '
    'intervals, the four-fifths rule as the default check, and groups too small to '
    'judge marked as insufficient data.',
    icon=":material/construction:",
)

dataset = st.session_state.get(ds.DATASET)
if dataset is None:
    st.warning(
        'Load data on the Data page first, then train a model or use imported recommendations.',
        icon=":material/upload_file:",
    )
    st.page_link("pages/data_page.py", label="Go to the Data page",
                 icon=":material/table_view:")
else:
    st.success(f"Data ready: {dataset.n_users:,} users, {dataset.n_items:,} items, "
               f"{len(dataset.interactions):,} interactions. This page will start from it.",
               icon=":material/check_circle:")
