"""Explain page (coming soon): SHAP / LIME explanations of individual lists."""

import streamlit as st

from fairrec_core.viz import data_session as ds

st.title("Explain")
st.info(
    "**Coming soon.** Why did a user get this list? SHAP attributions over the user's"
    ' history ("recommended because you bought X"), LIME and SHAP attributions over '
    'item titles and descriptions, and the user features that drive the quality gap '
    'between groups, each with its method and limits stated in plain words.',
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
