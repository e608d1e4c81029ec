"""The Explanation result type and the shared Plotly figures."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import plotly.graph_objects as go
import pytest

from fairrec_core.explain import Explanation, disparity_drivers
from fairrec_core.metrics import ranking_metrics
from fairrec_core.viz.explain_charts import (
    attribution_bar_figure,
    drivers_contrast_figure,
    drivers_summary_figure,
    explanation_figure,
    message_figure,
    text_figure,
)
from tests.explain_setup import sample


def _history(n=15):
    values = np.linspace(-0.5, 0.7, n)
    return Explanation(kind="history", method="SHAP (permutation)",
                       features=[f"<b>Item</b> {k} (I{k:05d})" for k in range(n)],
                       values=values, base_value=1.0, output_value=1.0 + values.sum(),
                       target="score", parameters={"seed": np.int64(0), "ratio": np.nan},
                       runtime_s=0.01, caveat="Values are estimates.", summary="because",
                       subject={"user": "U<1>", "item": "I1", "item_label": "Mug <script>"},
                       details={"dense_items": np.arange(n)})


def _text():
    tokens = ["Red", " ", "wool", " ", "scarf", ", ", "warm"]
    feat = [0, -1, 1, -1, 2, -1, 3]
    values = np.array([0.2, -0.1, 0.05, 0.0])
    return Explanation(kind="text", method="LIME", features=["Red", "wool", "scarf", "warm"],
                       values=values, base_value=0.3, output_value=0.45, target="score",
                       parameters={}, runtime_s=0.2, caveat="Local approximation.",
                       subject={"user": "U1", "item_label": "Scarf"},
                       details={"tokens": tokens,
                                "token_values": [values[f] if f >= 0 else 0.0 for f in feat]},
                       notes=["The text is long: cut."])


def test_to_dict_is_json_safe_and_top_sorts_by_size():
    e = _history()
    d = e.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["parameters"] == {"seed": 0, "ratio": None}
    assert d["details"]["dense_items"] == list(range(15))
    top = e.top(3)
    assert list(top["value"]) == sorted(e.values, key=abs, reverse=True)[:3]
    assert (e.top(20, sign="-")["value"] < 0).all()
    r = e.to_report(4)
    assert set(r) == {"method", "summary", "attributions", "limits"}
    assert len(r["attributions"]) == 4 and r["limits"] == "Values are estimates."
    with pytest.raises(ValueError):
        Explanation(kind="history", method="m", features=["a"], values=[1.0, 2.0],
                    base_value=0, output_value=0, target="", parameters={}, runtime_s=0,
                    caveat="")


def test_history_bar_chart_is_signed_escaped_and_additive():
    e = _history(15)
    fig = attribution_bar_figure(e, top=10)
    assert isinstance(fig, go.Figure)
    bar = fig.data[0]
    assert len(bar.x) == 11  # ten strongest and one bar for the five others
    assert sum(bar.x) == pytest.approx(e.values.sum())
    colours = {x > 0: c for x, c in zip(bar.x, bar.marker.color)}
    assert colours[True] != colours[False]
    text = fig.to_json()
    assert "<script>" not in text and "<b>Item" not in text
    assert "&lt;b&gt;Item" in text


def test_text_figure_highlights_words_by_value():
    e = _text()
    fig = text_figure(e)
    anns = [a for a in fig.layout.annotations if a.hovertext]
    assert [a.text for a in anns] == ["Red", "wool", "scarf"]  # 'warm' has value 0
    assert "0,114,178" in anns[0].bgcolor and "213,94,0" in anns[1].bgcolor
    assert anns[0].x < anns[1].x < anns[2].x
    assert any("long" in (a.text or "") for a in fig.layout.annotations)
    assert explanation_figure(e).layout.annotations[0].text == "Red"
    with pytest.raises(ValueError):
        text_figure(_history())


def test_drivers_figures():
    ds, sp = sample()
    result = ranking_metrics(ds.recommendations.items[:, :10], sp.test_matrix(), k=10)
    e = disparity_drivers(ds, result, split=sp, grouping="age")
    fig = drivers_summary_figure(e, max_points=500)
    n = len(e.features)
    assert len(fig.data) == n and all(len(t.x) == 500 for t in fig.data)
    assert fig.layout.yaxis.ticktext[0] == e.details["global_importance"]["feature"][0]
    con = drivers_contrast_figure(e)
    assert sum(con.data[0].x) == pytest.approx(e.output_value)
    assert "55+" in con.layout.title.text
    json.dumps(e.to_dict(per_user=False), allow_nan=False)
    assert "shap_values" not in e.to_dict(per_user=False)["details"]


def test_message_figure_states_the_reason():
    fig = message_figure("User <U7> has no history.", title="Why this item?")
    assert fig.layout.annotations[0].text == "User &lt;U7&gt; has no history."
    assert not fig.data


def test_importing_the_package_stays_light():
    code = ("import sys, fairrec_core.explain, fairrec_core.viz.explain_charts; "
            "print([m for m in ('shap', 'lime', 'torch', 'transformers') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
