"""What-if: the slider's instantly redrawn numbers (issue 13.5) and the λ_train overlay (15.2).

The numbers the browser script writes for a slider step come from
``whatif_live``; they are checked here against lists re-ranked independently
with the core's public API (``make_reranker`` on the model's own candidates)
and measured with ``ranking_metrics``. The overlay is driven through AppTest
with a λ_train grid really trained on the Train page.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re

import numpy as np
import pytest

from fairrec_core.config_sections import RerankConfig
from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import training_session as ts
from fairrec_core.dashboard import whatif_live as wl
from fairrec_core.dashboard import whatif_overlay as wo
from fairrec_core.dashboard import whatif_session as ws
from fairrec_core.metrics import ranking_metrics
from fairrec_core.rerank import Candidates, make_reranker
from tests.helpers import whatif_with_grid
from tests.test_app_pages import assert_clean, texts

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def session():
    """A dict session: the sample data and BPR-MF (2 epochs, dim 16)."""
    state: dict = {ds.FILES: ds.sample_files()}
    ds.refresh(state)
    config = ps.train_settings(state, model="bpr", k=10, epochs=2, dim=16)
    ts.train(state, dataclasses.replace(config, metrics=dataclasses.replace(config.metrics,
                                                                            n_boot=50)))
    return state


@pytest.fixture(scope="module")
def provider(session):
    return ws.build_whatif(session, RerankConfig(method="provider", item_grouping="seller_size"))


def test_card_text_formats_like_a_metric_card():
    assert wl.card_text("ndcg", 0.1, 0.08125) == ("0.0813", "-0.0188")
    assert wl.card_text("coverage", 0.2, 0.2345) == ("23.4%", "+3.4%")
    # No delta for a change that rounds to zero (λ = 0 is the base itself).
    assert wl.card_text("ndcg", 0.1, 0.100001) == ("0.1000", None)
    assert wl.card_text("coverage", 0.2, 0.20001)[1] is None


def test_every_slider_step_shows_the_numbers_of_lists_reranked_at_that_step(session, provider):
    wi = provider
    payload = wl.live_payload(wi)
    steps = {s[0]: s for s in payload["steps"]}
    assert len(steps) == 101 and "0.00" in steps and "1.00" in steps
    assert payload["labels"][0] == "NDCG@10" and payload["labels"][-1] == "Lists changed"
    model, dataset, split = session[ps.MODEL], session["dataset"], session[ps.SPLIT]
    ids, scores = model.candidates(None, wi.candidates.n_candidates)
    reranker = make_reranker("provider", item_groups=dataset.items["seller_size"],
                             history=split.train_matrix(), protected=list(wi.protected))
    base = Candidates(ids, scores).top_k(10)
    truth = split.test_matrix()
    ndcg0 = float(np.nanmean(ranking_metrics(base, truth, k=10).per_user["ndcg"]))
    assert steps["0.00"][1][0] == [f"{ndcg0:.4f}", None] and steps["0.00"][2] == "0"
    for lam in (0.07, 0.5, 1.0):
        lists = reranker.rerank(Candidates(ids, scores), lam=lam, k=10).ids
        ndcg = float(np.nanmean(ranking_metrics(lists, truth, k=10).per_user["ndcg"]))
        value, delta = steps[f"{lam:.2f}"][1][0]
        assert value == f"{ndcg:.4f}"
        changed = int((lists != base).any(axis=1).sum())
        assert steps[f"{lam:.2f}"][2] == f"{changed:,}"
        if delta is not None:
            assert delta == f"{ndcg - ndcg0:+.4f} vs λ = 0"
    # The last card moves: the re-ranker changes lists by λ = 1.
    assert steps["1.00"][2] != "0"


def test_the_component_is_self_contained_and_bilingual(provider):
    zh = wl.live_payload(provider, "zh")
    assert zh["labels"][-1] == "列表有变化"
    # The script finds each card by its label: every label must be the one the zh page shows.
    from fairrec_core.metrics.definitions import metric_label

    shown = [metric_label(n, provider.k, "zh") for n in wl.card_names(provider)]
    assert zh["labels"][:-1] == shown and shown != wl.live_payload(provider)["labels"][:-1]
    assert any(d and d[1] and "较 λ=0" in d[1] for s in zh["steps"] for d in s[1])
    page = wl.live_html(wl.live_payload(provider))
    assert "http" not in page.lower() and "<script src" not in page  # no network, no CDN
    assert page.count("</script>") == 2  # the payload cannot close its own tag


def _arr(value) -> np.ndarray:
    """A Plotly JSON array: a list, or ``{"dtype", "bdata"}`` (base64 of the raw values)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value, float)


def _union_by_loop(points):
    out = []
    for i, p in enumerate(points):
        out.append(not any((q >= p).all() and (q > p).any()
                           for j, q in enumerate(points) if j != i))
    return out


def test_the_union_front_runs_over_both_curves():
    import pandas as pd

    col = "miscalibration"  # lower is fairer: the front is taken on its negative
    rerank = pd.DataFrame({"lam": [0, .5, 1], "ndcg": [.10, .09, .05], col: [.30, .20, .15]})
    train = pd.DataFrame({"lam": [0, 1, 3], "ndcg": [.10, .095, .06], col: [.30, .18, .25]})
    got = list(wo.union_front(rerank, train, col))
    pts = np.column_stack([np.r_[rerank["ndcg"], train["ndcg"]],
                           -np.r_[rerank[col], train[col]]])
    assert got == _union_by_loop(pts)
    # Train λ=1 (0.095, 0.18) dominates re-ranking λ=0.5 (0.09, 0.20); λ=3 is dominated.
    assert got == [True, False, True, True, True, False]


@pytest.fixture(scope="module")
def overlay_app():
    """AppTest: sample data, BPR, an item-exposure λ_train grid, then the What-if sweep."""
    return whatif_with_grid("0, 1")


def test_the_train_time_curve_is_overlaid_on_the_same_axes(overlay_app):
    at = overlay_app
    state = at.session_state
    grid, wi = state[ps.FAIRTRAIN], state[ps.WHATIF]
    assert grid.fairness_column == wi.fairness_column == "es_cs_ratio[small]"
    chart = next(c for c in at.get("plotly_chart") if "whatif_tradeoff" in str(c.proto.id))
    traces = {d["name"]: d for d in json.loads(chart.proto.spec)["data"]}
    train = traces["Fairness in training (λ_train grid)"]
    table = grid.table.sort_values("lam")
    assert np.allclose(_arr(train["y"]), table["ndcg"])
    assert np.allclose(_arr(train["x"]), table[wi.fairness_column])
    # One front, over the union (with the λ_train = 1 model re-ranked: the combined curve,
    # tests/test_fair_training_combined.py): the re-ranking curve's own front is not drawn.
    front = traces["Pareto front (re-ranking, training and both)"]
    assert not [n for n in traces if n.startswith("Pareto front") and n != front["name"]]
    combined = state[wo.COMBINED][1]
    assert sorted(set(combined["lam_train"])) == [1.0]
    xs = np.r_[wi.table[wi.fairness_column], table[wi.fairness_column],
               combined[wi.fairness_column]]
    ys = np.r_[wi.table["ndcg"], table["ndcg"], combined["ndcg"]]
    from fairrec_core.rerank import fairness_objective

    on = _union_by_loop(np.column_stack([ys, fairness_objective(xs, wi.fairness_column)]))
    assert sorted(_arr(front["y"])) == pytest.approx(sorted(ys[np.array(on)]))
    assert "λ_train grid trained on the Train page" in texts(at.caption)
    # λ_train = 0 is the plain model of the same split and seed: the session's model,
    # so its point is the re-ranking curve's λ = 0 point.
    base = wi.table.sort_values("lam").iloc[0]
    assert table["ndcg"].iloc[0] == pytest.approx(base["ndcg"], rel=1e-9)
    assert table[wi.fairness_column].iloc[0] == pytest.approx(base[wi.fairness_column],
                                                              rel=1e-9)


def test_a_grid_on_another_measure_says_why_it_is_not_drawn(overlay_app):
    at = overlay_app
    at.multiselect(key="opt_whatif_protected").set_value(["big"]).run()
    at.button(key="whatif_build").click().run()
    assert_clean(at)
    assert "is not drawn here" in texts(at.caption)
    at.query_params["lang"] = "zh"
    at.run()
    assert any("未在此图叠加" in c.value and HAN.search(c.value) for c in at.caption)
