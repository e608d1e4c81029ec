"""Re-ranking on top of each fairness-trained model: the "both combined" curves (issue 15.2).

The dashboard part is driven through AppTest with a λ_train grid really
trained on the Train page and a What-if sweep really built; the report part
through ``fairrec audit`` run as a separate process. The combined table is
checked against two independent references: the λ_train grid's own
measurement (``model.recommend`` + ``ranking_metrics`` / ``provider_shares``
in ``fairtrain.grid``), which must agree with the combined rows at λ = 0,
and a brute-force dominance loop written here for the Pareto front.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import whatif_overlay as wo
from fairrec_core.pipeline.combined_stage import best_at, front_sources
from fairrec_core.rerank import fairness_objective
from tests.helpers import whatif_with_grid, write_csvs
from tests.test_app_pages import assert_clean, texts

COLUMN = "es_cs_ratio[small]"


def _union_by_loop(points) -> list[bool]:
    """Not dominated: no other point at least as good in both and strictly better in one."""
    out = []
    for i, p in enumerate(points):
        out.append(not any((q >= p).all() and (q > p).any()
                           for j, q in enumerate(points) if j != i))
    return out


def _arr(value) -> np.ndarray:
    import base64

    if isinstance(value, dict):  # Plotly's binary array: {"dtype", "bdata"}
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value, float)


@pytest.fixture(scope="module")
def app():
    """AppTest: sample data, BPR (2 epochs), an item-exposure grid 0, 0.3, 1, two-sided What-if."""
    return whatif_with_grid("0, 0.3, 1")


@pytest.fixture(scope="module")
def parts(app):
    state = app.session_state
    grid, wi = state[ps.FAIRTRAIN], state[ps.WHATIF]
    _key, combined = state[wo.COMBINED]
    return grid, wi, combined


def test_the_grid_keeps_each_fair_models_candidates(parts):
    grid, wi, combined = parts
    assert sorted(grid.candidates) == [0.3, 1.0]  # λ_train = 0 is the sweep's own model
    for cands in grid.candidates.values():
        assert cands.n_candidates == wi.candidates.n_candidates
        assert cands.ids.shape == wi.candidates.ids.shape
    # One row per (λ_train > 0, sweep λ).
    assert len(combined) == 2 * len(wi.table)
    assert sorted(set(combined["lam"])) == sorted(wi.table["lam"])


def test_combined_rows_at_lambda_zero_are_the_grid_rows(parts):
    # Two measurement paths: the grid measures model.recommend with ranking_metrics and
    # provider_shares; the combined rows re-rank the kept candidates at λ = 0 and measure
    # them with the sweep's TradeoffMetrics.
    grid, _wi, combined = parts
    for lam_train in (0.3, 1.0):
        row = combined[(combined["lam_train"] == lam_train) & (combined["lam"] == 0)]
        ref = grid.table[grid.table["lam"] == lam_train]
        assert len(row) == 1 and len(ref) == 1
        assert row["ndcg"].iloc[0] == pytest.approx(ref["ndcg"].iloc[0], abs=1e-9)
        assert row[COLUMN].iloc[0] == pytest.approx(ref[COLUMN].iloc[0], abs=1e-9)


def test_the_front_runs_over_all_three_sets(parts):
    grid, wi, combined = parts
    tables = [wi.table, grid.table, combined]
    x = np.concatenate([t[COLUMN].to_numpy(float) for t in tables])
    y = np.concatenate([t["ndcg"].to_numpy(float) for t in tables])
    on = np.array(_union_by_loop(np.column_stack([y, -np.abs(1 - x)])))
    assert list(combined["pareto"]) == list(on[-len(combined):])
    n = front_sources(COLUMN, rerank=wi.table, train=grid.table, combined=combined)
    sizes = np.cumsum([0] + [len(t) for t in tables])
    assert [n[s] for s in ("rerank", "train", "combined")] == [
        int(on[a:b].sum()) for a, b in itertools.pairwise(sizes)]


def test_the_whatif_chart_draws_the_combined_curves(app, parts):
    grid, wi, combined = parts
    chart = next(c for c in app.get("plotly_chart") if "whatif_tradeoff" in str(c.proto.id))
    data = json.loads(chart.proto.spec)["data"]
    lines = [d for d in data if d.get("legendgroup") == "combined"]
    assert len(lines) == 2 and [d["showlegend"] for d in lines] == [True, False]
    assert {d["name"] for d in lines} == {"Training + re-ranking"}
    for d, lam_train in zip(lines, (0.3, 1.0)):
        ref = combined[combined["lam_train"] == lam_train].sort_values("lam")
        np.testing.assert_allclose(_arr(d["x"]), ref[COLUMN], rtol=1e-12)
        np.testing.assert_allclose(_arr(d["y"]), ref["ndcg"], rtol=1e-12)
        assert "λ_train = %{customdata[0]:g}, λ = %{customdata[1]:g}" in d["hovertemplate"]
    front = next(d for d in data if d["name"] == "Pareto front (re-ranking, training and both)")
    tables = [wi.table, grid.table, combined]
    x = np.concatenate([t[COLUMN].to_numpy(float) for t in tables])
    y = np.concatenate([t["ndcg"].to_numpy(float) for t in tables])
    on = np.array(_union_by_loop(np.column_stack([y, fairness_objective(x, COLUMN)])))
    assert sorted(_arr(front["y"])) == pytest.approx(sorted(y[on]))
    n = front_sources(COLUMN, rerank=wi.table, train=grid.table, combined=combined)
    assert (f"Of the {sum(n.values())} points on the Pareto front, {n['combined']} combine "
            f"both") in texts(app.caption)


def test_slider_steps_reuse_the_cached_table(app, parts):
    _, _, combined = parts
    app.slider(key="opt_whatif_lam").set_value(0.4).run()
    assert_clean(app)
    assert app.session_state[wo.COMBINED][1] is combined  # not recomputed


def test_the_caption_in_chinese(app):
    app.query_params["lang"] = "zh"
    app.run()
    assert_clean(app)
    assert any("训练 + 重排" in c.value and "帕累托前沿" in c.value for c in app.caption)
    app.query_params["lang"] = "en"
    app.run()


def test_the_dashboard_report_carries_the_combined_rows(app, parts):
    from fairrec_core.dashboard import report_session as rs

    grid, _wi, _ = parts
    app.switch_page("pages/report_page.py").run()
    app.button[0].click().run()  # Build the report
    assert not app.exception, [e.value for e in app.exception]
    result = app.session_state[rs.RESULT][1]
    ft = result.model["fairtrain"]
    combined = pd.DataFrame(ft["combined"])
    assert sorted(set(combined["lam_train"])) == [0.3, 1.0]
    sweep = result.tradeoff["table"]
    assert sorted(set(combined["lam"])) == sorted(sweep["lam"])
    for lam_train in (0.3, 1.0):  # the grid's own measurement of that model at λ = 0
        row = combined[(combined["lam_train"] == lam_train) & (combined["lam"] == 0)].iloc[0]
        ref = grid.table[grid.table["lam"] == lam_train].iloc[0]
        assert row["ndcg"] == pytest.approx(ref["ndcg"], abs=1e-9)
        assert row[COLUMN] == pytest.approx(ref[COLUMN], abs=1e-9)


def test_best_at_takes_each_models_row_at_the_nearest_lambda():
    combined = pd.DataFrame({"lam_train": [1.0, 1.0, 0.3, 0.3], "lam": [0.0, 0.5, 0.0, 0.5],
                             "ndcg": [0.1, 0.09, 0.11, 0.1]})
    rows = best_at(combined, 0.45)
    assert list(rows["lam_train"]) == [0.3, 1.0] and list(rows["lam"]) == [0.5, 0.5]


# ---------------------------------------------------------------------- CLI and report
def _audit_with_grid(tmp_path, *, grid: str, epochs: int, n_boot: int, lang: str = "en"):
    """``fairrec audit`` of BPR on the tiny shop with a user-loss λ_train grid on gender."""
    from tests.report_helpers import fairrec_audit
    from tests.test_models_base import tiny_data

    _, g = tiny_data()
    toml = tmp_path / "audit.toml"
    toml.write_text(
        "seed = 0\n[data]\n" + "".join(f"{n} = '{path}'\n"
                                        for n, path in write_csvs(g, tmp_path).items())
        + f"[metrics]\nn_boot = {n_boot}\n[report]\nformats = ['json', 'html']\n"
        f"lang = '{lang}'\n[model]\nname = 'bpr'\n[model.params]\nepochs = {epochs}\n"
        "dim = 4\ndevice = 'cpu'\npatience = 0\n[model.fairness]\nterm = 'user-loss'\n"
        f"attribute = 'gender'\nweight = 0.0\ngrid = [{grid}]\n", encoding="utf-8")
    r = fairrec_audit("--config", toml, "--out", tmp_path / "out", "--no-progress")
    assert r.returncode in (0, 1), r.stderr


def test_cli_audit_with_a_grid_writes_the_combined_rows(tmp_path):
    _audit_with_grid(tmp_path, grid="0.0, 1.0, 3.0", epochs=2, n_boot=50)
    doc = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    ft = doc["model"]["fairtrain"]
    column = ft["fairness_column"]
    assert column == "ndcg_ratio[gender]"
    combined = pd.DataFrame(ft["combined"])
    assert list(combined.columns) == ["lam_train", "lam", "ndcg", column, "pareto"]
    sweep = pd.DataFrame(doc["tradeoff"]["table"])
    assert sorted(set(combined["lam_train"])) == [1.0, 3.0]
    assert sorted(set(combined["lam"])) == sorted(sweep["lam"])
    grid = pd.DataFrame(ft["table"])
    for lam_train in (1.0, 3.0):  # λ = 0: the grid's own measurement of that model
        row = combined[(combined["lam_train"] == lam_train) & (combined["lam"] == 0)].iloc[0]
        ref = grid[grid["lam"] == lam_train].iloc[0]
        assert row["ndcg"] == pytest.approx(ref["ndcg"], abs=1e-9)
        assert row[column] == pytest.approx(ref[column], abs=1e-9)
    # The audited model is the plain one (weight 0): the sweep starts at the grid's λ = 0.
    assert sweep.sort_values("lam")["ndcg"].iloc[0] == pytest.approx(grid["ndcg"].iloc[0],
                                                                     abs=1e-9)
    tables = [sweep, grid, combined]
    pts = np.column_stack([np.concatenate([t["ndcg"].to_numpy(float) for t in tables]),
                           np.concatenate([t[column].to_numpy(float) for t in tables])])
    assert list(combined["pareto"]) == _union_by_loop(pts)[-len(combined):]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    # One combined curve per λ_train > 0 model (its name inside the chart's JSON), the
    # sentence on the front's sources and the table at the operating λ.
    assert html.count("training + re-ranking (each \\u03bb_train") == 2
    on = np.array(_union_by_loop(pts))
    sizes = np.cumsum([0] + [len(t) for t in tables])
    both, total = int(on[sizes[2]:].sum()), int(on.sum())
    assert (f"Of the {total} points on the Pareto front over all three sets, {both} combine "
            "both") in html
    assert "Training + re-ranking at the audit" in html


def test_the_zh_report_says_the_grid_section_in_chinese(tmp_path):
    """The λ_train section (heading, sentence, legends, hover, tables) follows --lang zh."""
    from tests.zh_leaks import english_runs

    _audit_with_grid(tmp_path, grid="0.0, 1.0", epochs=1, n_boot=20, lang="zh")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "训练中的公平性与重排序的对比" in html
    assert "训练中的公平性：λ_train 网格" in html
    for english in ("Fairness during training", "was trained once per", "Pareto front (",
                    "re-ranking (λ sweep)", "training + re-ranking", ", fairness %{x"):
        assert english not in html.replace("\\u03bb", "λ"), english
    start = html.index("训练中的公平性与重排序的对比")
    end = min(i for i in (html.find("<h2", start), html.find("<h3", start + 10), len(html))
              if i > 0)
    section = html[start:end]
    assert "λ_train" in section and "<table" in section
    assert not english_runs(section), english_runs(section)
