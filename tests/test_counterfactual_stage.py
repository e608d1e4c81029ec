"""The counterfactual stage, its report tables, gate rules and config (issue 14).

A real profile two-tower (bundled MiniLM, frozen) is trained on a small shop
where gender decides what users buy. The similarities are recomputed from the
CSV table of lists with plain Python sets, independently of the probe's code.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from fairrec_core.config import AuditConfig
from fairrec_core.config_sections import CounterfactualConfig
from fairrec_core.errors import ConfigError
from fairrec_core.llm.profile import render_profiles
from fairrec_core.pipeline.counterfactual_stage import run_counterfactual
from fairrec_core.report.counterfactual_section import counterfactual_tables, section_blocks
from fairrec_core.report.gate import evaluate_gate, gate_decision, parse_rule
from fairrec_core.report.tables import csv_bytes
from tests.helpers import shop_dataset, shop_frames

PARAMS = {"dim": 16, "epochs": 12, "patience": 0, "max_length": 32, "device": "cpu"}
TEMPLATE = {"parts": ["{gender}", "{region} region"], "n_history": 2,
            "sensitive": ["gender"]}


@pytest.fixture(scope="module")
def shop():
    """Three women to one man (tests/helpers.py says why SNSR needs it)."""
    from fairrec_core.data import split_dataset

    ds = shop_dataset()
    return ds, split_dataset(ds, test_n=1, valid_n=1)


def _cfg(**kw) -> CounterfactualConfig:
    base = dict(enabled=True, attributes=["gender"], k=5, n_users=80, template=TEMPLATE,
                params=PARAMS)
    return CounterfactualConfig(**{**base, **kw})


@pytest.fixture(scope="module")
def aware(shop):
    ds, split = shop
    return run_counterfactual(_cfg(), ds, split, n_boot=300, seed=0)


def _jaccard(a, b) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b)


def test_csv_lists_recompute_the_reported_jaccard(aware):
    tables = counterfactual_tables(aware)
    # Through the CSV bytes the report writes, not the in-memory frame.
    lists = pd.read_csv(io.BytesIO(csv_bytes(tables["counterfactual_lists"])),
                        keep_default_na=False, dtype={"value": str})
    assert set(lists.columns) == {"user", "attribute", "value", "rank", "item"}
    neutral = lists[lists["attribute"] == ""].sort_values("rank").groupby("user")["item"]
    neutral = {u: list(v) for u, v in neutral}
    assert len(neutral) == 80 and all(len(v) == 5 for v in neutral.values())
    doc = aware.to_dict()["probe"]["attributes"]["gender"]
    means = {}
    for value in ("F", "M"):
        part = lists[(lists["attribute"] == "gender") & (lists["value"] == value)]
        per_user = [_jaccard(g.sort_values("rank")["item"], neutral[u])
                    for u, g in part.groupby("user")]
        means[value] = float(np.mean(per_user))
        assert doc["sim"]["jaccard"][value] == pytest.approx(means[value], abs=1e-12)
        changed = np.mean([set(g["item"]) != set(neutral[u]) or
                           list(g.sort_values("rank")["item"]) != neutral[u]
                           for u, g in part.groupby("user")])
        assert doc["changed"][value] == pytest.approx(changed)
    assert doc["snsr"]["jaccard"] == pytest.approx(abs(means["F"] - means["M"]), abs=1e-12)
    assert doc["snsv"]["jaccard"] == pytest.approx(abs(means["F"] - means["M"]) / 2, abs=1e-12)
    summary = tables["counterfactual_summary"]
    row = summary[(summary["statistic"] == "snsr") & (summary["similarity"] == "jaccard")]
    assert float(row["estimate"].iloc[0]) == pytest.approx(doc["snsr"]["jaccard"])


def test_a_model_told_gender_changes_its_lists_and_the_unaware_one_does_not(shop, aware):
    ds, split = shop
    gender = aware.to_dict()["probe"]["attributes"]["gender"]
    assert gender["changed_any"] > 0.2
    # Stating the majority's gender changes less than stating the minority's.
    assert gender["sim"]["jaccard"]["F"] > gender["sim"]["jaccard"]["M"]
    assert gender["snsr_ci"]["jaccard"][0] > 0  # a clearly positive gender SNSR
    unaware = run_counterfactual(_cfg(unaware=True), ds, split, n_boot=300, seed=0)
    u = unaware.to_dict()["probe"]["attributes"]["gender"]
    # The unaware profile never states gender: every list equals the neutral one.
    assert u["changed_any"] == 0 and u["snsr"]["jaccard"] == 0
    assert u["snsr_ci"]["jaccard"][0] <= 0 <= u["snsr_ci"]["jaccard"][1]
    assert unaware.model["template"]["unaware"] is True


def test_leakage_is_measured_for_the_probed_model(aware):
    leak = aware.leakage["probed"]["gender"]
    # Gender decides the history here, so the user vectors carry it.
    assert leak.auc > 0.8 and leak.ci[0] <= leak.auc <= leak.ci[1]
    assert leak.n_users == 80


def test_the_audited_profile_model_is_probed_itself(shop):
    from fairrec_core.llm.profile_tower import ProfileTwoTower

    ds, split = shop
    model = ProfileTwoTower(template=TEMPLATE, seed=1, **{**PARAMS, "epochs": 2}).fit(ds, split)
    out = run_counterfactual(_cfg(leakage=False), ds, split, model, n_boot=50)
    assert out.model["source"] == "audited" and out.leakage == {}
    # The neutral lists are the model's own ranking of the gender-free profiles.
    users = out.probe.users[:3]
    neutral = render_profiles(ds, split.train, users, model.template_,
                              overrides={"gender": None})
    np.testing.assert_array_equal(model.rank_profiles(users, neutral, 5), out.probe.neutral[:3])


# ---------------------------------------------------------------------- gate
def _result(outcome):
    # The gate reads these three attributes of an AuditResult; cf/leak rules only the last.
    return SimpleNamespace(fairness=None, k=5, counterfactual=outcome)


def test_gate_rules_read_the_probe(aware):
    doc = aware.to_dict()["probe"]["attributes"]["gender"]
    snsr = doc["snsr"]["jaccard"]
    out = evaluate_gate(_result(aware), [f"cf:gender:snsr_jaccard@5>{snsr - 0.01}",
                                         f"cf:gender:snsr_jaccard@5>{snsr + 0.01}",
                                         "cf:gender[F]:jaccard@5<=1",
                                         "leak:gender:auc>0.6"])
    assert [o.tripped for o in out] == [True, False, True, True]
    assert out[0].value == pytest.approx(snsr)
    assert out[2].value == pytest.approx(doc["sim"]["jaccard"]["F"])
    assert out[3].value == pytest.approx(aware.leakage["probed"]["gender"].auc)
    assert gate_decision(out)[0] == "tripped"
    with pytest.raises(ConfigError, match="@10 but the probe compared top-5"):
        evaluate_gate(_result(aware), ["cf:gender:snsr_jaccard@10>0.1"])
    with pytest.raises(ConfigError, match="did not cover; probed: gender"):
        evaluate_gate(_result(aware), ["cf:age:snsr_jaccard@5>0.1"])


def test_probe_rules_are_unjudged_without_the_section():
    out = evaluate_gate(_result(None), ["cf:gender:snsr_jaccard@10>0.1", "leak:gender:auc>0.6"])
    assert [o.judged for o in out] == [False, False] and not any(o.tripped for o in out)
    assert "ran no counterfactual probe" in out[0].detail
    assert gate_decision(out)[0] == "unjudged"
    assert gate_decision(out, allow_unjudged=True)[0] == "ok"


@pytest.mark.parametrize("text, message", [
    ("cf:gender:snsr_jaccard>0.1", "name the list length"),
    ("cf:gender:nonsense@10>0.1", "is not a statistic"),
    ("leak:gender[F]:auc>0.6", "leakage is per attribute"),
    ("leak:gender:nope>0.6", "is not a statistic"),
])
def test_bad_probe_rules_say_how_to_write_them(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_rule(text)


# ---------------------------------------------------------------------- report blocks
def test_section_blocks_show_the_numbers(aware):
    from fairrec_core.report.blocks import Chart, Table

    blocks = section_blocks(aware.to_dict())
    tables = [b for b in blocks if isinstance(b, Table)]
    snsr = aware.to_dict()["probe"]["attributes"]["gender"]["snsr"]["jaccard"]
    first = tables[0].rows[0]
    assert first[:2] == ["gender", "Jaccard"] and float(first[2]) == pytest.approx(snsr, abs=5e-4)
    assert any(isinstance(b, Chart) for b in blocks)
    chart = next(b for b in blocks if isinstance(b, Chart))
    assert chart.png()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(chart.figure().data[0].y) == pytest.approx([snsr])


# ---------------------------------------------------------------------- config and bad input
def test_config_section_round_trips_and_checks_its_values():
    text = AuditConfig.from_dict({"data": {"interactions": "x.csv"}, "counterfactual": {
        "enabled": True, "attributes": ["gender", "age"], "n_users": 50,
        "template": TEMPLATE}}).to_toml()
    back = AuditConfig.from_toml(text)
    assert back.counterfactual.attributes == ["gender", "age"]
    assert back.counterfactual.template["parts"] == TEMPLATE["parts"]
    with pytest.raises(ConfigError, match=r"\[counterfactual\].n_users"):
        AuditConfig.from_dict({"data": {"interactions": "x.csv"},
                               "counterfactual": {"n_users": 0}})
    with pytest.raises(ConfigError, match="placeholder"):
        AuditConfig.from_dict({"data": {"interactions": "x.csv"},
                               "counterfactual": {"template": {"parts": ["no column"]}}})


def test_bad_input_gets_clear_messages(shop):
    ds, split = shop
    with pytest.raises(ConfigError, match=r"names the column.*income"):
        run_counterfactual(_cfg(template={"parts": ["{income}"]}), ds, split)
    with pytest.raises(ConfigError, match="not a column of the users file"):
        run_counterfactual(_cfg(attributes=["height"], leakage=False,
                                params={**PARAMS, "epochs": 1}), ds, split, n_boot=10)
    from fairrec_core.data import load_dataset

    inter, users, items = shop_frames()
    one = load_dataset(inter.to_csv(index=False).encode(),
                       users.assign(region="North").to_csv(index=False).encode(),
                       items.to_csv(index=False).encode())
    with pytest.raises(ConfigError, match="only 1 known value"):
        run_counterfactual(_cfg(attributes=["region"]), one, split)
