"""One definition per figure: the dashboard, the HTML report and the PDF draw the same figure.

The HTML report's embedded chart JSON must equal the Fairness / What-if
page's figure for the same audit; the PDF's matplotlib drawing must show the
same categories, bar heights and reference lines, which are checked against
the engine's own tables (the independent reference).
"""

from __future__ import annotations

import dataclasses
import html
import json

import numpy as np
import pytest

from fairrec_core.report import render
from tests.report_helpers import sample_audit
from tests.test_report_html import charts


@pytest.fixture(scope="module")
def result():
    return sample_audit()


def _zh(result):
    report = dataclasses.replace(result.config.report, lang="zh")
    return dataclasses.replace(result, config=dataclasses.replace(result.config, report=report))


def _json(fig) -> dict:
    import plotly.io as pio

    return json.loads(pio.to_json(fig, validate=False, pretty=False, engine="json"))


def _dashboard_figures(result, lang: str) -> dict:
    """The figures the dashboard pages draw for ``result``, keyed like the report's charts."""
    from fairrec_core.viz import fairness_charts as fc
    from fairrec_core.viz import tradeoff_charts as tc

    f = result.fairness
    out = {}
    for grouping in dict.fromkeys(f.user_groups["grouping"]):
        for metric in result.config.thresholds.user_metrics:
            out[f"user:{grouping}:{metric}"] = fc.user_group_figure(f, grouping, metric,
                                                                    lang=lang)
    for grouping in dict.fromkeys(f.item_groups["grouping"]):
        out[f"provider:{grouping}"] = fc.provider_shares_figure(f, grouping, lang=lang)[0]
    out["lorenz"] = fc.lorenz_figure(f, lang)
    trade = result.tradeoff
    out["tradeoff"] = tc.tradeoff_figure(
        trade["table"], trade["fairness_column"], k=result.k,
        current=dict(trade["operating_point"]), lang=lang,
        current_name="operating point" if lang == "en" else "运行点")
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_report_embeds_the_dashboards_figures(result, lang):
    audit = result if lang == "en" else _zh(result)
    sections = ["user_fairness", "provider_exposure", "tradeoff"]
    embedded = charts(render(audit, "html", sections=sections).decode("utf-8"))
    expected = _dashboard_figures(audit, lang)
    assert set(expected) <= set(embedded)
    assert len([k for k in embedded if k.startswith("user:")]) >= 2
    for key, fig in expected.items():
        assert fig is not None, key
        assert embedded[key] == _json(fig), key


def _axes(fig):
    (ax,) = fig.axes
    return ax


def _bar_heights(ax, n_series: int, n: int) -> list[list[float]]:
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == n_series * n
    return [heights[i * n:(i + 1) * n] for i in range(n_series)]


def test_pdf_user_chart_draws_the_engines_group_values(result):
    from fairrec_core.viz.fairness_charts import user_group_figure
    from fairrec_core.viz.fairness_figures import user_group_spec
    from fairrec_core.viz.render_png import draw

    f = result.fairness
    ug = f.user_groups
    rows = ug[(ug["grouping"] == "age") & (ug["metric"] == "ndcg")]
    ax = _axes(draw(user_group_spec(f, "age", "ndcg")))
    assert [t.get_text() for t in ax.get_xticklabels()] == list(rows["group"].astype(str))
    (heights,) = _bar_heights(ax, 1, len(rows))
    assert heights == pytest.approx(list(rows["value"]), rel=1e-12)
    hatched = [bool(p.get_hatch()) for p in ax.patches]
    assert hatched == list(rows["status"] != "ok")
    # The same reference lines as the interactive figure, by legend name and height.
    plotly_fig = user_group_figure(f, "age", "ndcg")
    names = [html.unescape(tr.name) for tr in plotly_fig.data[1:]]
    levels = [s.y0 for s in plotly_fig.layout.shapes]
    drawn = {ln.get_label(): ln.get_ydata()[0] for ln in ax.get_lines()
             if not ln.get_label().startswith("_")}
    assert list(drawn) == names and list(drawn.values()) == pytest.approx(levels)
    # By hand from the engine's tables: the all-users mean and 0.8 × the best judged group.
    mean = float(f.overall.set_index("metric").at["ndcg", "value"])
    best = rows.loc[rows["status"] == "ok", "value"].max()
    assert levels == pytest.approx([mean, 0.8 * best])
    assert ax.get_title(loc="left") == html.unescape(plotly_fig.layout.title.text.split("<br>")[0])


def test_pdf_provider_chart_draws_the_same_groups_and_shares(result):
    from fairrec_core.viz.fairness_charts import provider_shares_figure
    from fairrec_core.viz.fairness_figures import provider_spec
    from fairrec_core.viz.render_png import draw

    f = result.fairness
    spec, _ = provider_spec(f, "seller_size")
    ax = _axes(draw(spec))
    groups = [t.get_text() for t in ax.get_xticklabels()]
    plotly_fig, _ = provider_shares_figure(f, "seller_size")
    assert groups == [html.unescape(x) for x in plotly_fig.data[0].x]
    rows = f.item_groups[f.item_groups["grouping"] == "seller_size"].set_index("group")
    es, cs, rs = _bar_heights(ax, 3, len(groups))
    assert es == pytest.approx(list(rows.loc[groups, "exposure_share"]), rel=1e-12)
    assert cs == pytest.approx(list(rows.loc[groups, "catalog_share"]), rel=1e-12)
    assert rs == pytest.approx(list(rows.loc[groups, "merit_share"]), rel=1e-12)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [tr.name for tr in plotly_fig.data]


def test_pdf_tradeoff_and_lorenz_draw_the_same_points(result):
    from fairrec_core.viz.fairness_figures import lorenz_spec
    from fairrec_core.viz.render_png import draw
    from fairrec_core.viz.tradeoff_charts import tradeoff_spec

    trade = result.tradeoff
    table, col = trade["table"].sort_values("lam"), trade["fairness_column"]
    op = dict(trade["operating_point"])
    ax = _axes(draw(tradeoff_spec(trade["table"], col, k=result.k, current=op)))
    grid, *_, star = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert list(grid.get_xdata()) == pytest.approx(list(table[col]), rel=1e-12)
    assert list(grid.get_ydata()) == pytest.approx(list(table["ndcg"]), rel=1e-12)
    assert list(star.get_ydata()) == pytest.approx(
        [table.loc[table["operating_point"], "ndcg"].iloc[0]])
    ax = _axes(draw(lorenz_spec(result.fairness)))
    curve = ax.get_lines()[1]
    lorenz = result.fairness.lorenz
    assert list(curve.get_xdata()) == pytest.approx(list(lorenz["item_share"]))
    assert list(curve.get_ydata()) == pytest.approx(list(lorenz["exposure_share"]))


def test_hostile_labels_are_literal_in_both_renderers():
    from fairrec_core.viz.figure_spec import Bars, FigureSpec
    from fairrec_core.viz.render_plotly import to_plotly
    from fairrec_core.viz.render_png import draw

    labels = ["<b>F</b>", "$x$ & co", '<a href="https://evil.example">x</a>']
    spec = FigureSpec(title="by <i>grp</i> $5", categories=labels,
                      bars=[Bars("v", np.array([1.0, 2.0, 3.0]), "#000000")])
    fig = to_plotly(spec)
    assert list(fig.data[0].x) == ["&lt;b&gt;F&lt;/b&gt;", "$x$ &amp; co",
                                   '&lt;a href="https://evil.example"&gt;x&lt;/a&gt;']
    assert fig.layout.title.text == "by &lt;i&gt;grp&lt;/i&gt; $5"
    ax = _axes(draw(spec))
    # "$" is escaped for matplotlib's math mode, so the text reads as typed.
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "<b>F</b>", r"\$x\$ & co", '<a href="https://evil.example">x</a>']
