"""What-if page (coming soon): live fairness-aware re-ranking and its trade-off curve."""

import streamlit as st

from fairrec_core.viz import data_session as ds

st.title("What-if")
st.info(
    '**Coming soon.** Drag a fairness weight to re-rank every recommendation list '
    'live with a fairness-aware re-ranker, and watch accuracy and fairness move along'
    ' the trade-off curve and its Pareto front before choosing an operating point.',
    icon=":material/construction:",
)

dataset = st.session_state.get(ds.DATASET)
if dataset is None:
    st.warning(
        'Load data on the Data page first, then train a model on the Train page.',
        icon=":material/upload_file:",
    )
    st.page_link("pages/data_page.py", label="Go to the Data page",
                 icon=":material/table_view:")
else:
    st.success(f"Data ready: {dataset.n_users:,} users, {dataset.n_items:,} items, "
               f"{len(dataset.interactions):,} interactions. This page will start from it.",
               icon=":material/check_circle:")
