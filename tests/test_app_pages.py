"""Train, Fairness, What-if and Explain pages through AppTest, against the real core.

Every test starts at ``app.py`` (the entry script, its sidebar and the shared
session state take part as for a user), loads the sample data, trains the
default model for a few epochs and then reads what the pages show, comparing
the numbers with the core's own functions called independently: no mocks.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.metrics import ranking_metrics
from fairrec_core.metrics.definitions import metric_label
from fairrec_core.models import checkpoint_archive
from fairrec_core.pipeline.evaluation import evaluate_top_k, item_grouping_columns
from fairrec_core.rerank import Candidates, make_reranker

REPO_ROOT = Path(__file__).resolve().parents[1]
APP = str(REPO_ROOT / "app.py")
SAMPLE = REPO_ROOT / "sample_data"
PAGES = {"train": "pages/train_page.py", "fairness": "pages/fairness_page.py",
         "whatif": "pages/whatif_page.py", "explain": "pages/explain_page.py",
         "data": "pages/data_page.py"}


# ---------------------------------------------------------------------- helpers
def texts(elements) -> str:
    """Element texts as the user reads them (markdown escapes removed)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(str(e.value) for e in elements))


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert "Traceback" not in texts(at.markdown) + texts(at.caption)


def new_app(monkeypatch=None) -> AppTest:
    if monkeypatch is not None:
        monkeypatch.delenv("FAIRREC_AUTOLOAD_SAMPLE", raising=False)
    return AppTest.from_file(APP, default_timeout=180).run()


def go(at, page: str) -> AppTest:
    return at.switch_page(PAGES[page]).run()


def load_sample(at) -> AppTest:
    go(at, "data")
    return at.button(key="use_sample").click().run()


def train(at, *, model: str = "bpr", epochs: int = 3) -> AppTest:
    go(at, "train")
    at.radio(key="opt_train_model").set_value(model).run()
    if model in ("bpr", "two-tower"):
        at.number_input(key="opt_train_epochs").set_value(epochs).run()
    at.button(key="train_button").click().run()
    assert_clean(at)
    return at


def ndcg_of(state, ids, k=10) -> float:
    split = state[ps.SPLIT]
    return float(np.nanmean(ranking_metrics(ids, split.test_matrix(), k=k).per_user["ndcg"]))


@pytest.fixture(scope="module")
def trained():
    """One session with the sample data and BPR-MF trained for 3 epochs (read-only use)."""
    at = new_app()
    load_sample(at)
    return train(at)


# ---------------------------------------------------------------------- empty states
@pytest.mark.parametrize("page", ["train", "fairness", "whatif", "explain"])
def test_every_page_says_what_to_do_first(monkeypatch, page):
    at = go(new_app(monkeypatch), page)
    assert_clean(at)
    assert "Data page" in texts(at.info)
    assert at.get("page_link")
    if page == "train":
        return
    load_sample(at)
    go(at, page)
    assert_clean(at)
    assert "Train page" in texts(at.info)


# ---------------------------------------------------------------------- Train
def test_training_the_default_model_shows_the_accuracy_of_its_lists(trained):
    at = trained
    state = at.session_state
    info, model = state[ps.MODEL_INFO], state[ps.MODEL]
    assert (info.name, info.source, info.k) == ("bpr", "trained", 10)
    assert info.training["epochs_run"] == 3 and len(info.training["history"]) == 3
    top, _ = model.recommend(None, 10)
    shown = metrics(at)
    truth = state[ps.SPLIT].test_matrix()
    per_user = ranking_metrics(top, truth, k=10).per_user
    assert shown["NDCG@10"] == f"{np.nanmean(per_user['ndcg']):.4f}"
    assert shown["Recall@10"] == f"{np.nanmean(per_user['recall']):.4f}"
    assert shown["HR@10"] == f"{np.nanmean(per_user['hr']):.1%}"
    assert "ready in" in texts(at.success)
    assert "CPU" in texts(at.markdown)                     # the device is shown
    assert len(at.get("plotly_chart")) == 1                 # the training history
    assert "Download checkpoint (.zip)" in [b.label for b in at.get("download_button")]
    assert "BPR matrix factorisation" in texts(at.sidebar.markdown)


def test_a_checkpoint_round_trips_through_download_and_upload(monkeypatch):
    at = new_app(monkeypatch)
    load_sample(at)
    train(at, epochs=2)
    before = metrics(at)["NDCG@10"]
    data = checkpoint_archive.checkpoint_zip(at.session_state[ps.MODEL])  # what the download button serves
    at.file_uploader(key="train_ckpt_0").set_value(("model.zip", data, "application/zip"))
    at.run()
    at.button(key="load_checkpoint").click().run()
    assert_clean(at)
    assert at.session_state[ps.MODEL_INFO].source == "checkpoint"
    assert metrics(at)["NDCG@10"] == before
    assert "loaded" in texts(at.success)
    # Not a checkpoint: a message with the fix, no traceback.
    at.file_uploader(key="train_ckpt_1").set_value(("notes.zip", b"hello", "application/zip"))
    at.run()
    at.button(key="load_checkpoint").click().run()
    assert not at.exception
    assert "not a .zip archive" in texts(at.error)
    assert at.session_state[ps.MODEL_INFO].source == "checkpoint"  # the model is kept


def test_the_production_lists_are_audited_without_training(monkeypatch):
    at = new_app(monkeypatch)
    load_sample(at)
    train(at, model="imported")
    dataset = at.session_state["dataset"]
    assert at.session_state[ps.MODEL_INFO].source == "imported"
    expected = ndcg_of(at.session_state, dataset.recommendations.items[:, :10])
    assert metrics(at)["NDCG@10"] == f"{expected:.4f}"


def test_a_bad_encoder_is_a_message_with_a_fix(monkeypatch):
    at = new_app(monkeypatch)
    load_sample(at)
    go(at, "train")
    at.radio(key="opt_train_model").set_value("two-tower").run()
    at.text_input(key="opt_train_encoder").set_value("./no/such/encoder").run()
    at.button(key="train_button").click().run()
    assert not at.exception
    message = texts(at.error)
    assert "does not exist" in message and "try again" in message
    assert ps.MODEL not in at.session_state


# ---------------------------------------------------------------------- Fairness
def test_the_fairness_page_shows_the_audit_of_the_lists(trained):
    at = go(trained, "fairness")
    assert_clean(at)
    run = at.session_state[ps.FAIRNESS]
    result = run.result
    checks = result.checks
    # The scorecard: one card per check, with the engine's sentence, counts in badges.
    page = texts(at.markdown)
    for message in checks["message"]:
        assert message in page
    counts = checks["status"].value_counts()
    badges = next(m.value for m in at.markdown if "-badge[" in m.value and "**" not in m.value)
    for status, n in counts.items():
        label = {"insufficient_data": "insufficient data"}.get(status, status)
        assert f"{n} {label}" in badges
    # Headline numbers equal the result's, and every metric carries its definition.
    overall = result.overall.set_index("metric")["value"]
    shown = {m.label: m for m in at.metric}
    assert shown["NDCG@10"].value == f"{overall['ndcg']:.4f}"
    assert shown["Exposure Gini"].value == f"{overall['gini']:.4f}"
    assert all(m.help for m in at.metric)
    assert "log2" in shown["NDCG@10"].help
    # Per-group charts (users, providers) and the Lorenz curve.
    assert len(at.get("plotly_chart")) == 3


def test_changing_the_grouping_shows_that_groups_values(trained):
    at = go(trained, "fairness")
    at.selectbox(key="fair_user_grouping").set_value("age")
    at.selectbox(key="fair_user_metric").set_value("recall").run()
    assert_clean(at)
    result = at.session_state[ps.FAIRNESS].result
    rows = result.user_groups[(result.user_groups["grouping"] == "age")
                              & (result.user_groups["metric"] == "recall")]
    table = at.dataframe[0].value
    assert list(table["group"]) == list(rows["group"])
    np.testing.assert_allclose(table["value"].to_numpy(float), rows["value"].to_numpy(float))
    at.selectbox(key="fair_item_grouping").set_value("seller_size").run()
    shares = at.dataframe[1].value
    assert sorted(shares["group"]) == ["big", "small"]


def test_recomputing_with_an_intersection_and_other_thresholds(monkeypatch, trained):
    at = go(trained, "fairness")
    at.multiselect(key="opt_fair_intersect").set_value(["gender", "age"])
    at.multiselect(key="opt_fair_items").set_value(["seller_size"])
    at.number_input(key="opt_fair_n_boot").set_value(50)
    at.number_input(key="opt_fair_fail").set_value(0.5)
    at.number_input(key="opt_fair_warn").set_value(0.6)
    at.button(key="FormSubmitter:fair_choices-Compute audit").click().run()
    assert_clean(at)
    run = at.session_state[ps.FAIRNESS]
    assert run.metrics.intersections == [["gender", "age"]]
    assert ps.settings(at.session_state).metrics == run.metrics  # the state holds the section
    assert "gender × age" in at.selectbox(key="fair_user_grouping").options
    page = texts(at.markdown)
    assert "Exposure across seller_size" in page and "Exposure across provider" not in page
    assert set(run.result.checks["threshold_fail"]) == {0.5}
    # The intersection's group values are the engine's, called directly.
    state = at.session_state
    direct = evaluate_top_k(state["dataset"], state[ps.SPLIT], state[ps.LISTS].ids,
                            user_groupings=list(run.metrics.user_groupings),
                            item_groupings_=["seller_size"], intersections=[("gender", "age")],
                            n_boot=50)
    mine = run.result.user_groups.set_index(["grouping", "group", "metric"])["value"]
    ref = direct.user_groups.set_index(["grouping", "group", "metric"])["value"]
    np.testing.assert_allclose(mine.loc["gender × age"], ref.loc["gender × age"])
    # Put the default audit back for the other tests of this module.
    at.multiselect(key="opt_fair_intersect").set_value([])
    at.multiselect(key="opt_fair_items").set_value(item_grouping_columns(state["dataset"]))
    at.number_input(key="opt_fair_n_boot").set_value(1000)
    at.number_input(key="opt_fair_fail").set_value(0.8)
    at.number_input(key="opt_fair_warn").set_value(0.9)
    at.button(key="FormSubmitter:fair_choices-Compute audit").click().run()
    assert_clean(at)


# ---------------------------------------------------------------------- What-if
def test_the_lambda_slider_reranks_every_user_live(monkeypatch):
    at = new_app(monkeypatch)
    load_sample(at)
    train(at)
    go(at, "whatif")
    assert "Build trade-off curve" in texts(at.info)
    assert at.selectbox(key="opt_whatif_method").value == "two_sided"  # the config's default
    at.selectbox(key="opt_whatif_method").set_value("provider").run()
    at.button(key="whatif_build").click().run()
    assert_clean(at)
    state = at.session_state
    wi = state[ps.WHATIF]
    assert len(wi.table) == 21 and wi.table["pareto"].any()
    base = metrics(at)
    assert base["Lists changed"] == "0"
    assert base["NDCG@10"] == f"{ndcg_of(state, state[ps.LISTS].ids):.4f}"

    at.slider(key="opt_whatif_lam").set_value(0.5).run()
    assert_clean(at)
    # The same re-ranking, done here with the core's public API.
    model, dataset = state[ps.MODEL], state["dataset"]
    ids, scores = model.candidates(None, 100)
    reranker = make_reranker("provider", item_groups=dataset.items["seller_size"],
                             history=state[ps.SPLIT].train_matrix(),
                             protected=list(wi.protected))
    lists = reranker.rerank(Candidates(ids, scores), lam=0.5, k=10).ids
    shown = metrics(at)
    assert shown["NDCG@10"] == f"{ndcg_of(state, lists):.4f}"
    changed = int((lists != state[ps.LISTS].ids).any(axis=1).sum())
    assert shown["Lists changed"] == f"{changed:,}" and changed > 0
    assert shown["NDCG@10"] != base["NDCG@10"]
    assert len(state["whatif_timings"]) >= 2
    assert "redrew in" in texts(at.caption)
    example = at.dataframe[0].value
    assert list(example.columns) == ["rank", "before", "before group", "after",
                                     "after group", "change"]

    # "Smallest λ that meets this target": the slider moves there, the target holds.
    column = wi.fairness_column
    at.number_input(key="whatif_value").set_value(0.8).run()
    at.button(key="whatif_find").click().run()
    assert_clean(at)
    found = state["whatif_search"][1]
    assert found.found
    lam = at.slider(key="opt_whatif_lam").value
    assert lam == math.ceil(found.lam * 100 - 1e-9) / 100
    assert "smallest λ" in texts(at.success)
    assert float(metrics(at)[metric_label(column, 10)]) >= 0.8

    # Audit the re-ranked lists: the Fairness page invalidates, then recomputes on request.
    after = metrics(at)["NDCG@10"]
    at.button(key="whatif_apply").click().run()
    go(at, "fairness")
    assert "audited lists changed" in texts(at.warning)
    assert "re-ranked" in texts(at.markdown)
    at.button(key="FormSubmitter:fair_choices-Compute audit").click().run()
    assert_clean(at)
    assert metrics(at)["NDCG@10"] == after
    at.button(key="fair_restore").click().run()
    assert "audited lists changed" in texts(at.warning)


# ---------------------------------------------------------------------- Explain
def test_explaining_a_recommendation_and_a_group_gap(trained):
    from fairrec_core.explain import explain_history

    at = go(trained, "explain")
    assert_clean(at)
    state = at.session_state
    dataset, lists = state["dataset"], state[ps.LISTS]
    at.selectbox(key="explain_grouping").set_value("age").run()
    at.selectbox(key="explain_group_age").set_value("55+").run()
    at.button(key="explain_sample").click().run()
    user = state["opt_explain_user"]
    assert dataset.users["age"].astype(str).iat[user] == "55+"
    table = at.dataframe[0].value
    assert list(table["item"]) == [str(dataset.item_ids[i]) for i in lists.ids[user]]
    at.button(key="explain_go").click().run()
    assert_clean(at)
    item = int(lists.ids[user][0])
    direct = explain_history(state[ps.MODEL], dataset, user, item)
    assert direct.summary in texts(at.markdown)
    # BPR-MF reads no text: the word attribution says so and how to get one.
    assert "text two-tower" in texts(at.info)
    at.selectbox(key="explain_drivers_grouping").set_value("age")
    at.button(key="explain_drivers").click().run()
    assert_clean(at)
    assert "lower than for age" in texts(at.markdown)
    download = at.get("download_button")
    assert [b.label for b in download] == ["Download the explanations (JSON)"]


# ---------------------------------------------------------------------- state rules
def test_changed_data_discards_the_model_visibly(monkeypatch):
    at = new_app(monkeypatch)
    load_sample(at)
    train(at, model="popularity")
    assert ps.MODEL in at.session_state
    go(at, "data")
    uploader = next(u for u in at.file_uploader if u.key.startswith("upload_interactions_"))
    uploader.set_value(("interactions.csv", (SAMPLE / "interactions.csv").read_bytes(),
                        "text/csv"))
    at.run()
    assert at.session_state["dataset"] is not None
    assert ps.MODEL not in at.session_state and ps.FAIRNESS not in at.session_state
    for page in ("train", "fairness", "whatif", "explain"):
        go(at, page)
        assert_clean(at)
        shown = texts(at.warning) + texts(at.info)
        assert "data changed after the model was trained" in shown, page


def test_two_live_sessions_never_see_each_others_data(monkeypatch):
    # AppTest swaps a process-wide runtime on every run, so it cannot run two sessions in
    # parallel threads; the two sessions here live side by side and take turns (the
    # real-browser test runs two sessions against one server).
    monkeypatch.delenv("FAIRREC_AUTOLOAD_SAMPLE", raising=False)
    small = "user_id,item_id\n" + "\n".join(f"c{u},p{(u * 3 + j) % 40}" for u in range(60)
                                             for j in range(8)) + "\n"
    a, b = new_app(), new_app()
    load_sample(a)
    uploader = next(u for u in b.file_uploader if u.key.startswith("upload_interactions_"))
    uploader.set_value(("orders.csv", small.encode(), "text/csv"))
    b.run()
    train(a, model="popularity")
    go(b, "train")
    go(a, "fairness")
    assert a.session_state["dataset"].n_users == 2000
    assert b.session_state["dataset"].n_users == 60
    assert ps.MODEL in a.session_state and ps.MODEL not in b.session_state
    assert "**60** users" in texts(b.sidebar.markdown)
    assert "**2,000** users" in texts(a.sidebar.markdown)
    assert "Popularity" in texts(a.sidebar.markdown)
    assert "Popularity" not in texts(b.sidebar.markdown)
    assert "No model yet" in texts(b.info)
    assert "Scorecard" in [h.value for h in a.subheader]


@pytest.mark.slow
def test_text_two_tower_gives_word_attributions(monkeypatch):
    """The frozen MiniLM two-tower (encodes 1,000 item texts once) and LIME over its words."""
    from fairrec_core.explain import TextExplainer

    at = new_app(monkeypatch)
    load_sample(at)
    train(at, model="two-tower", epochs=1)
    state = at.session_state
    assert state[ps.MODEL_INFO].name == "two-tower"
    assert metrics(at)["NDCG@10"] == f"{ndcg_of(state, state[ps.LISTS].ids):.4f}"
    go(at, "explain")
    at.button(key="explain_go").click().run()
    assert_clean(at)
    user = state["opt_explain_user"]
    item = int(state[ps.LISTS].ids[user][0])
    direct = TextExplainer(state[ps.MODEL], state["dataset"]).explain(user, item, method="lime")
    assert direct.summary in texts(at.markdown)
    assert len(at.get("plotly_chart")) == 2      # history bars and the highlighted text
