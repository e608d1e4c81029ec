"""The dashboard driven through streamlit.testing.v1.AppTest, always from app.py.

Every test starts at ``app.py`` and moves between pages with ``switch_page``
(what clicking a navigation link does), so the entry script, its sidebar and
its shared state take part exactly as for a user.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fairrec_core.data import Dataset, load_dataset

REPO_ROOT = Path(__file__).resolve().parents[1]
APP = str(REPO_ROOT / "app.py")
SAMPLE = REPO_ROOT / "sample_data"
OTHER_PAGES = {"train_page.py": "Train", "fairness_page.py": "Fairness",
               "explain_page.py": "Explain", "whatif_page.py": "What-if",
               "report_page.py": "Report"}


@pytest.fixture
def at(monkeypatch) -> AppTest:
    monkeypatch.delenv("FAIRREC_AUTOLOAD_SAMPLE", raising=False)
    return AppTest.from_file(APP, default_timeout=90).run()


@pytest.fixture(scope="module")
def sample_dataset() -> Dataset:
    return load_dataset(SAMPLE / "interactions.csv", users=SAMPLE / "users.csv",
                        items=SAMPLE / "items.csv",
                        recommendations=SAMPLE / "recommendations.csv")


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(elements) -> str:
    """Element texts as the user reads them (markdown escapes removed)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(str(e.value) for e in elements))


def uploader(at, kind):
    return next(u for u in at.file_uploader if u.key.startswith(f"upload_{kind}_"))


def upload(at, kind, name, data: bytes):
    uploader(at, kind).set_value((name, data, "text/csv"))
    return at.run()


def assert_no_traceback(at):
    assert not at.exception, [e.value for e in at.exception]
    everything = texts(at.markdown) + texts(at.error) + texts(at.caption)
    assert "Traceback" not in everything


def assert_counts(at, ds: Dataset):
    shown = metrics(at)
    assert shown["Users"] == f"{ds.n_users:,}"
    assert shown["Items"] == f"{ds.n_items:,}"
    assert shown["Interactions"] == f"{len(ds.interactions):,}"
    density = len(ds.interactions) / (ds.n_users * ds.n_items)
    assert shown["Density"] == f"{density:.2%}"


def test_app_opens_on_the_data_page_with_an_empty_state(at):
    assert_no_traceback(at)
    assert at.title[0].value == "Data"
    assert sorted(u.label for u in at.file_uploader) == [
        "Interactions (required)", "Items (optional)", "Recommendations (optional)",
        "Users (optional)"]
    assert "Use sample data" in [b.label for b in at.button]
    assert "No data loaded yet" in texts(at.sidebar.info)
    assert not metrics(at)


def test_use_sample_data_shows_the_counts_of_the_sample_files(at, sample_dataset):
    at.button(key="use_sample").click().run()
    assert_no_traceback(at)
    assert_counts(at, sample_dataset)
    loaded = at.session_state["dataset"]
    assert (loaded.n_users, loaded.n_items) == (sample_dataset.n_users, sample_dataset.n_items)
    assert "Validation passed" in texts(at.success)
    # the sidebar reports the same session data
    side = texts(at.sidebar.markdown)
    assert f"**{sample_dataset.n_users:,}** users" in side
    assert f"**{len(sample_dataset.interactions):,}** interactions" in side
    assert f"Validation warnings: **{len(sample_dataset.report.warnings)}**" in side
    # long tail, activity, user groups, item groups
    assert len(at.get("plotly_chart")) == 4
    assert "What you can do next" in texts(at.subheader)


def test_header_only_interactions_file_is_reported_by_name_without_traceback(at):
    at = upload(at, "interactions", "orders_export.csv", b"user_id,item_id,rating\n")
    assert_no_traceback(at)
    errors = texts(at.error)
    assert "orders_export.csv" in errors
    assert "no data rows" in errors
    assert "dataset" not in at.session_state
    assert not metrics(at)
    assert "error" in texts(at.sidebar.error)


def test_binary_file_is_reported_by_name(at):
    at = upload(at, "interactions", "orders.xlsx", b"PK\x03\x04" + bytes(200))
    assert_no_traceback(at)
    errors = texts(at.error)
    assert "orders.xlsx" in errors and "not a CSV" in errors


def test_changed_inputs_drop_the_stale_dataset_visibly(at):
    at.button(key="use_sample").click().run()
    assert "dataset" in at.session_state
    at = upload(at, "interactions", "interactions.csv", b"user_id,item_id\n")
    assert_no_traceback(at)
    assert "dataset" not in at.session_state
    assert "previously loaded dataset was discarded" in texts(at.warning)
    assert not metrics(at)


def test_uploaded_files_load_like_load_dataset(at):
    inter = (SAMPLE / "interactions.csv").read_bytes()
    items = (SAMPLE / "items.csv").read_bytes()
    at = upload(at, "interactions", "interactions.csv", inter)
    at = upload(at, "items", "items.csv", items)
    assert_no_traceback(at)
    expected = load_dataset(inter, items=items)
    assert_counts(at, expected)
    assert "Dataset loaded from uploaded files" in texts(at.sidebar.success)


def _mapping_box(at, kind, role):
    return next(s for s in at.selectbox
                if s.key and s.key.startswith("map_") and s.key.endswith(f"_{kind}_{role}"))


def test_editing_the_column_mapping_rebuilds_the_dataset(at):
    # Column names no alias matches: the user must name the id columns.
    rows = ["cust_no,article,stars,when"] + [
        f"c{u},a{(u + j) % 12},{5 - j % 3},{1_700_000_000 + 60 * (u * 10 + j)}"
        for u in range(8) for j in range(6)]
    data = ("\n".join(rows) + "\n").encode()
    at = upload(at, "interactions", "export.csv", data)
    errors = texts(at.error)
    assert "export.csv has no user or item column" in errors
    assert _mapping_box(at, "interactions", "user").value == "(none)"

    _mapping_box(at, "interactions", "user").set_value("cust_no")
    _mapping_box(at, "interactions", "item").set_value("article")
    _mapping_box(at, "interactions", "rating").set_value("stars")
    _mapping_box(at, "interactions", "timestamp").set_value("when")
    at.button(key=next(b.key for b in at.button if b.label == "Apply mapping")).click().run()
    assert_no_traceback(at)
    expected = load_dataset(data, mapping={"interactions": {
        "user": "cust_no", "item": "article", "rating": "stars", "timestamp": "when"}})
    assert_counts(at, expected)
    assert at.session_state["dataset"].has_timestamps
    assert _mapping_box(at, "interactions", "user").value == "cust_no"

    # one column for two roles is refused with a message, the dataset stays
    _mapping_box(at, "interactions", "weight").set_value("stars")
    at.button(key=next(b.key for b in at.button if b.label == "Apply mapping")).click().run()
    assert_no_traceback(at)
    assert "column 'stars' is chosen for both" in texts(at.error)
    assert "dataset" in at.session_state

    # back to the detected mapping: ids are unassigned again, so the load stops
    at.button(key="reset_mapping").click().run()
    assert_no_traceback(at)
    assert "dataset" not in at.session_state
    assert "export.csv has no user or item column" in texts(at.error)


def test_rating_threshold_option_rebuilds_with_the_new_threshold(at):
    at.button(key="use_sample").click().run()
    assert at.session_state["dataset"].rating_threshold == 4
    at.number_input(key="opt_rating_threshold").set_value(5).run()
    assert_no_traceback(at)
    assert at.session_state["dataset"].rating_threshold == 5
    assert "dataset replaced" in texts(at.toast)


@pytest.mark.parametrize("page_file,title", OTHER_PAGES.items())
def test_other_pages_show_their_empty_state(at, page_file, title):
    at.switch_page(f"pages/{page_file}").run()
    assert_no_traceback(at)
    assert at.title[0].value == title
    # Without data every page says to start on the Data page.
    assert "Data page" in texts(at.info) + texts(at.warning)
    # The sidebar comes from app.py: the entry script ran for this page too.
    assert "No data loaded yet" in texts(at.sidebar.info)


def test_loaded_data_is_shared_across_pages_and_survives_navigation(at, sample_dataset):
    at.button(key="use_sample").click().run()
    at.number_input(key="opt_rating_threshold").set_value(4.5).run()
    at.switch_page("pages/fairness_page.py").run()
    assert_no_traceback(at)
    assert "Train page" in texts(at.info)  # data is there: the next step is a model
    assert "Dataset loaded from sample data" in texts(at.sidebar.success)
    at.switch_page("pages/data_page.py").run()
    assert_no_traceback(at)
    assert_counts(at, sample_dataset)
    # the option kept its value: nothing was rebuilt behind the user's back
    assert at.number_input(key="opt_rating_threshold").value == 4.5
    assert at.session_state["dataset"].rating_threshold == 4.5
    assert "replaced" not in texts(at.toast)


def test_autoload_env_opens_with_the_sample_loaded(monkeypatch, sample_dataset):
    monkeypatch.setenv("FAIRREC_AUTOLOAD_SAMPLE", "1")
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert_no_traceback(at)
    assert_counts(at, sample_dataset)
