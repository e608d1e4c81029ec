"""fairrec dashboard: page config, shared session state and navigation.

Run it with ``fairrec app`` (``--sample`` opens it with the bundled sample
data loaded) or ``streamlit run app.py``. Every page runs *through* this
script: it first brings the session's data in line with the user's inputs,
so the sidebar and every page see the same, current Dataset.
"""

from __future__ import annotations

import logging
import os

import streamlit as st

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import session_store
from fairrec_core.errors import FairrecError
from fairrec_core.i18n import LANGS, normalise_lang, t

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
            st.session_state[ds.LOAD_ERROR] = t("app.sample_unreadable", _lang(), error=exc)


@st.cache_resource
def _session_store() -> session_store.SessionStore:
    # One per server process, shared by its sessions; memory only (uploads are customer data).
    return session_store.SessionStore(max_sessions=8, max_age_s=2 * 3600)


TOKEN = "_session_token"


def _widget_keys() -> set[str] | None:
    """User keys of this run's widgets; None where Streamlit's internals differ."""
    try:
        from streamlit.runtime.state.session_state_proxy import get_session_state

        return set(get_session_state()._state._key_id_mapper.id_key_mapping.values())
    except Exception:  # an internal API: fall back to a rule of thumb below
        return None


def _save_session(token: str) -> None:
    # Streamlit refuses values set for buttons, uploaders and forms; among widget
    # values only the reading and audit options ("opt_*") are worth bringing back.
    widgets = _widget_keys()
    state = dict(st.session_state.items())
    if widgets is None:  # without the widget list, leave out flags that may be buttons
        widgets = {k for k, v in state.items() if isinstance(v, bool)}
    state = session_store.restorable(
        state.items(), skip=lambda k: k in widgets and not k.startswith("opt_"))
    _session_store().save(token, state)


def _restore_session() -> str:
    """Bring back the state saved under ``?s=TOKEN`` after a reload; returns the token.

    A new browser session (a reload, a dropped connection, a shared link) starts
    empty; the token in the URL finds its data, model and audit in the server's
    in-memory store. A fresh visitor gets a new token.
    """
    if TOKEN not in st.session_state:
        token = st.query_params.get("s")
        saved = _session_store().restore(token) if session_store.valid_token(token) else None
        if saved is not None:
            for key, value in saved.items():
                st.session_state.setdefault(key, value)
        else:
            if session_store.valid_token(token):
                st.session_state["_session_expired"] = True
            token = session_store.new_token()
        st.session_state[TOKEN] = token
    token = st.session_state[TOKEN]
    # Page switches drop query parameters; the token must stay in every URL.
    if st.query_params.get("s") != token:
        st.query_params["s"] = token
    return token


def _lang() -> str:
    """The interface language, kept in the URL (``?lang=zh``) so a link opens in it."""
    lang = normalise_lang(st.query_params.get("lang", st.session_state.get("lang")))
    st.session_state["lang"] = lang
    return lang


def _language_switch(lang: str) -> None:
    choice = st.sidebar.radio(t("lang.switch", lang), LANGS, index=LANGS.index(lang),
                              format_func=lambda code: t("lang.name", code), horizontal=True)
    if choice != lang:
        st.session_state["lang"] = choice
        st.query_params["lang"] = choice
        st.rerun()
    # Page switches drop query parameters; put the language back on every run.
    if st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang


def _sidebar_status(lang: str) -> None:
    info = ds.status_lines(st.session_state, lang)
    st.sidebar.subheader(t("sidebar.session_data", lang))
    if info["state"] == "loaded":
        c = info["counts"]
        key = "sidebar.loaded_sample" if info["origin"] == "sample" else "sidebar.loaded_upload"
        st.sidebar.success(t(key, lang), icon=":material/check_circle:")
        st.sidebar.markdown(t("sidebar.counts", lang, users=f"{c['users']:,}",
                              items=f"{c['items']:,}", interactions=f"{c['interactions']:,}"))
        st.sidebar.markdown(t("sidebar.warnings", lang, n=info["warnings"]))
    elif info["state"] == "errors":
        st.sidebar.error(t("sidebar.errors", lang, n=info["errors"]), icon=":material/error:")
    elif info["state"] == "incomplete":
        st.sidebar.warning(t("sidebar.incomplete", lang), icon=":material/info:")
    else:
        st.sidebar.info(t("sidebar.empty", lang), icon=":material/info:")
    if info["files"]:
        st.sidebar.caption(t("sidebar.files", lang, files="; ".join(info["files"])))
    st.sidebar.caption(t("sidebar.privacy", lang))
    if st.session_state.pop("_session_expired", False):
        st.sidebar.warning(t("session.expired", lang), icon=":material/history:")
    model, lists = st.session_state.get(ps.MODEL_INFO), st.session_state.get(ps.LISTS)
    if model is not None:
        st.sidebar.subheader(t("sidebar.model", lang))
        name, source = model.display(lang)
        st.sidebar.markdown(f"**{ps.md(name)}** ({ps.md(source)})")
        st.sidebar.caption(t("sidebar.audited_lists", lang, lists=ps.md(lists.display(lang))
                             if lists is not None else t("sidebar.none", lang)))


SESSION = _restore_session()
LANG = _lang()
_keep_options_alive()
_autoload_sample()
ds.refresh(st.session_state, reader=_read_table)
ps.sync(st.session_state)  # drops a model, audit or sweep whose inputs changed
_save_session(SESSION)  # a run cut short by a rerun still leaves its inputs saved

# The page files live in pages/, a folder Streamlit also scans for its older
# file-based navigation. A url_path equal to a file's own name ("data" for
# data.py) would let that older mechanism run the page file *without* this
# script (seen with AppTest.switch_page), so the file names carry a "_page"
# suffix the URLs do not have.
PAGES = [
    st.Page("pages/data_page.py", title=t("nav.data", LANG), icon=":material/table_view:",
            url_path="data", default=True),
    st.Page("pages/train_page.py", title=t("nav.train", LANG), icon=":material/model_training:",
            url_path="train"),
    st.Page("pages/fairness_page.py", title=t("nav.fairness", LANG), icon=":material/balance:",
            url_path="fairness"),
    st.Page("pages/explain_page.py", title=t("nav.explain", LANG), icon=":material/psychology:",
            url_path="explain"),
    st.Page("pages/whatif_page.py", title=t("nav.whatif", LANG), icon=":material/tune:",
            url_path="what-if"),
    st.Page("pages/counterfactual_page.py", title=t("nav.counterfactual", LANG),
            icon=":material/compare_arrows:", url_path="counterfactual"),
    st.Page("pages/report_page.py", title=t("nav.report", LANG), icon=":material/description:",
            url_path="report"),
]
page = st.navigation(PAGES)
_language_switch(LANG)
_sidebar_status(LANG)
try:
    page.run()
except Exception as exc:  # last line of defence: a message, never a traceback
    # The browser gets one plain sentence; whoever runs the server gets the traceback.
    logging.getLogger("fairrec.dashboard").exception("page %s failed", page.title)
    st.error(t("app.page_error", LANG, error=exc), icon=":material/error:")
finally:
    _save_session(SESSION)  # what the page computed (a model, an audit) survives a reload
