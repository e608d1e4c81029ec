"""The dashboard's streamlit-free layer: session pipeline, What-if engine, figures, wording."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import plotly.graph_objects as go
import pytest

from fairrec_core.config_sections import RerankConfig
from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import fairness_session as fs
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import whatif_session as ws
from fairrec_core.errors import ConfigError
from fairrec_core.metrics import USER_METRICS
from fairrec_core.metrics.definitions import DEFINITIONS, metric_help, metric_label
from fairrec_core.models import checkpoint_archive
from fairrec_core.viz import fairness_charts as fc
from fairrec_core.viz import tradeoff_charts as tc
from fairrec_core.viz.colors import UNKNOWN_COLOR, group_colors
from tests.helpers import popularity_session


@pytest.fixture(scope="module")
def session():
    return popularity_session()


def test_train_stores_model_lists_and_audit_with_versions(session):
    info, lists, run = session[ps.MODEL_INFO], session[ps.LISTS], session[ps.FAIRNESS]
    assert info.data_version == session[ds.VERSION]
    assert lists.model_version == info.version and run.lists_version == lists.version
    assert lists.ids.shape == (session[ds.DATASET].n_users, 10)
    assert run.metrics.n_boot == 50
    # The session's settings are the config sections the run used.
    settings = ps.settings(session)
    assert settings.metrics == run.metrics and settings.model.name == "popularity"


def test_sync_drops_what_depended_on_changed_inputs(session):
    state = dict(session)
    state[ds.VERSION] = state[ds.VERSION] + 1          # the data was rebuilt
    ps.sync(state)
    for key in (ps.MODEL, ps.MODEL_INFO, ps.SPLIT, ps.LISTS, ps.FAIRNESS):
        assert key not in state
    assert "data changed" in ps.dropped_reason(state, ps.MODEL)

    state = dict(session)
    fs.apply_lists(state, state[ps.LISTS].ids[:, ::-1], label="reversed",
                   provenance={"source": "test"})
    assert ps.FAIRNESS not in state
    assert "reversed" in ps.dropped_reason(state, ps.FAIRNESS)
    ps.sync(state)
    assert ps.MODEL in state  # the model does not depend on which lists are audited


def test_fairness_settings_from_choices(session):
    state = dict(session)
    metrics, thresholds = fs.fairness_settings(state, users=["gender"], items=["category"],
                                               intersect=["age", "activity"], ratio_fail=0.7,
                                               ratio_warn=0.85, provider_basis="catalog")
    assert metrics.user_groupings == ["gender", "age"]  # the intersection's part is audited too
    assert metrics.intersections == [["age", "activity"]]
    assert (thresholds.ratio_fail, thresholds.provider_ratio_warn) == (0.7, 0.85)
    assert thresholds.provider_basis == "catalog"
    with pytest.raises(ConfigError, match="at least two"):
        fs.fairness_settings(state, users=[], items=[], intersect=["age"])
    with pytest.raises(ConfigError, match="fail"):
        fs.fairness_settings(state, users=[], items=[], ratio_fail=0.9, ratio_warn=0.8)


def test_train_settings_fill_the_config_sections(session):
    state = dict(session)
    cfg = ps.train_settings(state, model="pop", k=5, seed=7, split="random",
                            ratios=(8, 1, 1), epochs=None, dim=16)
    assert cfg.model.name == "popularity"       # aliases resolved by the registry
    assert cfg.model.params == {"dim": 16}      # None = the model's default, not written
    assert cfg.split.method == "random" and cfg.split.ratios == pytest.approx([0.8, 0.1, 0.1])
    assert (cfg.metrics.k, cfg.seed) == (5, 7)
    with pytest.raises(ConfigError, match=r"\[metrics\]\.k must be positive"):
        ps.train_settings(state, model="bpr", k=0)
    with pytest.raises(ConfigError, match=r"\[model\]\.name"):
        ps.train_settings(state, model="gbdt", k=10)


def test_checkpoint_archive_round_trip_and_unsafe_archives(session):
    model, dataset = session[ps.MODEL], session[ds.DATASET]
    data = checkpoint_archive.checkpoint_zip(model)
    loaded = checkpoint_archive.load_checkpoint_zip(data, dataset)
    np.testing.assert_array_equal(loaded.recommend(None, 10)[0], model.recommend(None, 10)[0])
    # The same files zipped inside a folder load too.
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in src.namelist():
            zf.writestr(f"my-model/{name}", src.read(name))
    assert checkpoint_archive.load_checkpoint_zip(buf.getvalue(), dataset).name == model.name
    # A path escaping the folder is refused before anything is written.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../evil/config.json", "{}")
    with pytest.raises(ConfigError, match="unsafe path"):
        checkpoint_archive.load_checkpoint_zip(buf.getvalue(), dataset)
    with pytest.raises(ConfigError, match="not a .zip"):
        checkpoint_archive.load_checkpoint_zip(b"plain text", dataset)


def test_whatif_view_matches_the_rerankers_own_result(session):
    wi = ws.build_whatif(session, RerankConfig(method="provider", item_grouping="seller_size"),
                         user_grouping="gender")
    assert list(wi.table["lam"]) == pytest.approx(list(np.linspace(0, 1, 21)))
    view = ws.whatif_view(wi, 0.0)
    np.testing.assert_array_equal(view.result.ids, wi.base_ids)  # λ = 0: the model's lists
    assert view.changed_users == 0
    view = ws.whatif_view(wi, 0.7)
    direct = wi.reranker.rerank(wi.candidates, lam=0.7, k=wi.k)
    np.testing.assert_array_equal(view.result.ids, direct.ids)
    assert view.row == {"lam": 0.7, **wi.metrics.evaluate(direct.ids)}
    shares = view.item_shares.set_index("group")
    assert shares["after"].sum() == pytest.approx(1.0)
    example = ws.example_lists(wi, view, wi.example_user, session[ds.DATASET])
    assert len(example) == wi.k and set(example["change"]) - {""}


def test_colours_are_stable_per_grouping():
    a = group_colors(["M", "F", "unknown", "X"])
    b = group_colors(["X", "F", "M", "unknown", "F"])
    assert a == b and a["unknown"] == UNKNOWN_COLOR
    assert len(set(a.values())) == 4


def test_every_reported_metric_has_a_definition():
    for name in list(USER_METRICS) + ["coverage", "gini", "ugf", "igf", "exposure_share",
                                      "catalog_share", "merit_share", "es_cs_ratio",
                                      "es_rs_ratio", "difference", "ratio"]:
        assert name in DEFINITIONS, name
        assert metric_help(name, 10).startswith(metric_label(name, 10) + ":")
    assert metric_label("es_cs_ratio[small]", 10) == "ES/CS (small)"
    assert metric_label("ndcg", 5) == "NDCG@5"
    assert metric_label("not_a_metric") == "not_a_metric"


def test_figures_are_valid_plotly_with_titles_and_axis_labels(session):
    result = session[ps.FAIRNESS].result
    wi = ws.build_whatif(session, RerankConfig(method="provider", item_grouping="seller_size"),
                         user_grouping="gender")
    view = ws.whatif_view(wi, 0.4)
    figures = [fc.user_group_figure(result, "gender", "ndcg"),
               fc.provider_shares_figure(result, "provider")[0],
               fc.lorenz_figure(result),
               tc.tradeoff_figure(wi.table, wi.fairness_column, current=view.row),
               tc.deltas_figure(view.item_shares, title="Exposure", axis="Share (%)",
                                grouping="seller_size", lam=0.4, percent=True)]
    for fig in figures:
        checked = go.Figure(fig.to_dict())  # validates every property (the lean ones too)
        layout = checked.layout
        assert layout.title.text
        assert layout.xaxis.title.text and layout.yaxis.title.text
    # A grouping with many groups shows the most under-exposed ones and says so.
    fig, caption = fc.provider_shares_figure(result, "provider", top=15)
    assert len(fig.data[0].x) == 15 and "15 of" in caption


def test_group_names_from_data_are_escaped_in_figures(session):
    result = session[ps.FAIRNESS].result
    rows = result.user_groups.copy()
    rows.loc[rows["grouping"] == "gender", "group"] = "<b>F</b>"
    patched = type(result)(**{**result.__dict__, "user_groups": rows})
    fig = fc.user_group_figure(patched, "gender", "ndcg")
    assert "&lt;b&gt;F&lt;/b&gt;" in list(fig.data[0].x)
