"""The in-memory store that lets a dashboard session survive a reload."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fairrec_core.dashboard.session_store import SessionStore, new_token, restorable, valid_token


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_saved_state_comes_back_under_its_token_only():
    store = SessionStore()
    a, b = new_token(), new_token()
    dataset = object()
    store.save(a, {"dataset": dataset, "lang": "zh"})
    back = store.restore(a)
    assert back == {"dataset": dataset, "lang": "zh"}
    assert back["dataset"] is dataset  # shared, not copied: a model is not duplicated
    assert store.restore(b) is None
    assert store.restore(None) is None
    back["lang"] = "en"  # the caller's copy is its own
    assert store.restore(a)["lang"] == "zh"


def test_at_most_max_sessions_and_the_least_recently_saved_goes_first():
    store = SessionStore(max_sessions=3)
    tokens = [new_token() for _ in range(4)]
    for i, tok in enumerate(tokens[:3]):
        store.save(tok, {"i": i})
    store.save(tokens[0], {"i": 0})  # saved again: now the most recent
    store.save(tokens[3], {"i": 3})
    assert len(store) == 3
    assert store.restore(tokens[1]) is None
    assert [store.restore(t)["i"] for t in (tokens[0], tokens[2], tokens[3])] == [0, 2, 3]


def test_sessions_expire_after_max_age():
    clock = Clock()
    store = SessionStore(max_age_s=7200, clock=clock)
    old, fresh = new_token(), new_token()
    store.save(old, {"x": 1})
    clock.now += 3600
    store.save(fresh, {"x": 2})
    clock.now += 3599
    assert store.restore(old) == {"x": 1}
    clock.now += 2  # old is now 7,201 s since its save, fresh 3,601 s
    assert store.restore(old) is None
    assert old not in store and fresh in store
    assert len(store) == 1


def test_tokens_are_random_and_checked():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(valid_token(t) and len(t) >= 20 for t in tokens)
    for bad in ("", "short", "a" * 65, "../../etc/passwd", "abc def ghi jkl mno", None, 12):
        assert not valid_token(bad)
    with pytest.raises(ValueError):
        SessionStore().save("not a token", {})
    with pytest.raises(ValueError):
        SessionStore(max_sessions=0)


def test_restorable_leaves_out_momentary_widgets():
    state = {"dataset": 1, "opt_fair_n_boot": 200, "upload_users_0": "file",
             "FormSubmitter:fair_choices-Compute audit": True, "use_sample": False,
             "$$WIDGET_ID-x": 3, 7: "not a string key"}
    kept = restorable(state.items(), skip=lambda k: k == "use_sample")
    assert kept == {"dataset": 1, "opt_fair_n_boot": 200}


def test_concurrent_saves_keep_the_bound():
    store = SessionStore(max_sessions=8)

    def work():
        for _ in range(50):
            store.save(new_token(), {"x": 1})

    threads = [threading.Thread(target=work) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(store) == 8


# ---------------------------------------------------------------------- through app.py
def test_a_reload_with_the_token_in_the_url_brings_the_work_back(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from fairrec_core.dashboard import data_session as ds

    monkeypatch.delenv("FAIRREC_AUTOLOAD_SAMPLE", raising=False)
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    first = AppTest.from_file(app, default_timeout=120).run()
    first.switch_page("pages/data_page.py").run()
    first.button(key="use_sample").click().run()
    token = first.query_params["s"]
    dataset = first.session_state[ds.DATASET]
    assert valid_token(token) and dataset is not None

    # A reload is a new session that arrives with the same URL.
    again = AppTest.from_file(app, default_timeout=120)
    again.query_params["s"] = token
    again.query_params["lang"] = "zh"
    again.run()
    again.switch_page("pages/fairness_page.py").run()
    assert not again.exception
    assert again.session_state[ds.DATASET] is dataset       # the same object, not re-read
    assert again.session_state["_session_token"] == token
    assert "尚无数据" not in "\n".join(i.value for i in again.info)  # not the empty state

    # An unknown (expired) token: a fresh session with a new token, and the user is told.
    stale = AppTest.from_file(app, default_timeout=120)
    stale.query_params["s"] = new_token()
    stale.run()
    assert stale.query_params["s"] != token and ds.DATASET not in stale.session_state
    assert any("expired" in w.value for w in stale.sidebar.warning)
