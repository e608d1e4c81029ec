"""Train page (coming soon): train or load a recommender, or use imported top-K lists."""

import streamlit as st

from fairrec_core.viz import data_session as ds

st.title("Train")
st.info(
    '**Coming soon.** Train or load a recommender on the loaded data: a popularity '
    'baseline, BPR matrix factorisation, or a text-reading two-tower transformer (on '
    'a GPU when there is one, otherwise on the CPU), with live progress, early '
    "stopping and saved checkpoints. If you uploaded your production system's top-K "
    'lists (recommendations.csv), you can audit those directly without training.',
    icon=":material/construction:",
)

dataset = st.session_state.get(ds.DATASET)
if dataset is None:
    st.warning(
        'Load data on the Data page first; training starts from it.',
        icon=":material/upload_file:",
    )
    st.page_link("pages/data_page.py", label="Go to the Data page",
                 icon=":material/table_view:")
else:
    st.success(f"Data ready: {dataset.n_users:,} users, {dataset.n_items:,} items, "
               f"{len(dataset.interactions):,} interactions. This page will start from it.",
               icon=":material/check_circle:")
