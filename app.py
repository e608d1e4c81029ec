"""fairrec dashboard: page config, shared session state and navigation.

Run it with ``fairrec app`` (``--sample`` opens it with the bundled sample
data loaded) or ``streamlit run app.py``. Every page runs *through* this
script: it first brings the session's data in line with the user's inputs,
so the sidebar and every page see the same, current Dataset.
"""

from __future__ import annotations

import os

import streamlit as st

from fairrec_core.errors import FairrecError
from fairrec_core.viz import data_session as ds
from fairrec_core.viz import pipeline_session as ps

st.set_page_config(page_title="fairrec", page_icon=":material/balance:", layout="wide")


@st.cache_data(show_spinner="Reading CSV…", max_entries=32)
def _read_table(kind, name, data, encoding, delimiter):
    # Keyed on the file's bytes: re-running the page, or switching pages and
    # back, never parses an unchanged file twice.
    return ds.read_table(kind, name, data, encoding, delimiter)


def _keep_options_alive() -> None:
    # Streamlit forgets a widget's value when its page is not shown; the
    # reading options must survive a visit to another page, or coming back
    # would silently reset them and rebuild the data.
    for key in [k for k in st.session_state if str(k).startswith("opt_")]:
        st.session_state[key] = st.session_state[key]


def _autoload_sample() -> None:
    if os.environ.get(ds.AUTOLOAD_ENV) != "1" or st.session_state.get("_autoload_done"):
        return
    st.session_state["_autoload_done"] = True
    if not st.session_state.get(ds.FILES):
        try:
            st.session_state[ds.FILES] = ds.sample_files()
            st.session_state[ds.ORIGIN] = "sample"
        except FairrecError as exc:
            st.session_state[ds.LOAD_ERROR] = str(exc)
        except OSError as exc:
            st.session_state[ds.LOAD_ERROR] = f"The sample data could not be read: {exc}."


def _sidebar_status() -> None:
    info = ds.status_lines(st.session_state)
    st.sidebar.subheader("Session data")
    if info["state"] == "loaded":
        c = info["counts"]
        origin = "sample data" if info["origin"] == "sample" else "uploaded files"
        st.sidebar.success(f"Dataset loaded from {origin}", icon=":material/check_circle:")
        st.sidebar.markdown(
            f"**{c['users']:,}** users · **{c['items']:,}** items · "
            f"**{c['interactions']:,}** interactions")
        st.sidebar.markdown(f"Validation warnings: **{info['warnings']}**")
    elif info["state"] == "errors":
        st.sidebar.error(f"Data has {info['errors']} error(s); see the Data page.",
                         icon=":material/error:")
    elif info["state"] == "incomplete":
        st.sidebar.warning("An interactions file is still needed.", icon=":material/info:")
    else:
        st.sidebar.info("No data loaded yet. Start on the Data page.", icon=":material/info:")
    if info["files"]:
        st.sidebar.caption("Files: " + "; ".join(info["files"]))
    st.sidebar.caption("Data stays in this browser session; nothing is written to disk.")
    model, lists = st.session_state.get(ps.MODEL_INFO), st.session_state.get(ps.LISTS)
    if model is not None:
        st.sidebar.subheader("Model")
        st.sidebar.markdown(f"**{ps.md(model.label)}** ({model.source})")
        st.sidebar.caption("Audited lists: " + (ps.md(lists.label) if lists is not None
                                                else "none"))


_keep_options_alive()
_autoload_sample()
ds.refresh(st.session_state, reader=_read_table)
ps.sync(st.session_state)  # drops a model, audit or sweep whose inputs changed

# The page files live in pages/, a folder Streamlit also scans for its older
# file-based navigation. A url_path equal to a file's own name ("data" for
# data.py) would let that older mechanism run the page file *without* this
# script (seen with AppTest.switch_page), so the file names carry a "_page"
# suffix the URLs do not have.
PAGES = [
    st.Page("pages/data_page.py", title="Data", icon=":material/table_view:",
            url_path="data", default=True),
    st.Page("pages/train_page.py", title="Train", icon=":material/model_training:",
            url_path="train"),
    st.Page("pages/fairness_page.py", title="Fairness", icon=":material/balance:",
            url_path="fairness"),
    st.Page("pages/explain_page.py", title="Explain", icon=":material/psychology:",
            url_path="explain"),
    st.Page("pages/whatif_page.py", title="What-if", icon=":material/tune:",
            url_path="what-if"),
    st.Page("pages/report_page.py", title="Report", icon=":material/description:",
            url_path="report"),
]
page = st.navigation(PAGES)
_sidebar_status()
try:
    page.run()
except Exception as exc:  # last line of defence: a message, never a traceback
    st.error(f"This page stopped because of an unexpected problem: {exc}. "
             "Reload the page; if the data is the cause, check it on the Data page.",
             icon=":material/error:")
