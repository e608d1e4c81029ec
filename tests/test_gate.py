"""The CI gate's rules, against the sample's imported lists (known injected biases)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from fairrec_core.errors import ConfigError
from fairrec_core.report.gate import evaluate_gate, parse_rule
from tests.report_helpers import SAMPLE, sample_audit

#: The age gap the generator injected, as it measured it (held-out positives, NDCG@10).
AGE_RATIO = json.loads((SAMPLE / "truth.json").read_text())["sparse_history_group"][
    "ndcg_at_10_by_age_band"]["heldout_rating_ge_4"]["ratio_min_over_max"]


@pytest.fixture(scope="module")
def result():
    return sample_audit()


def one(result, rule):
    (outcome,) = evaluate_gate(result, [rule])
    return outcome


def gap(result, grouping, metric="ndcg"):
    g = result.fairness.user_gaps
    return g[(g["grouping"] == grouping) & (g["metric"] == metric)].iloc[0]


def item(result, grouping, group):
    ig = result.fairness.item_groups
    return ig[(ig["grouping"] == grouping) & (ig["group"] == group)].iloc[0]


@pytest.mark.parametrize("text, fields", [
    ("fail", {"side": "fail"}),
    (" WARN ", {"side": "warn"}),
    ("user:gender:ndcg@10:ratio<0.8",
     {"side": "user", "grouping": "gender", "metric": "ndcg", "k": 10, "stat": "ratio",
      "op": "<", "value": 0.8}),
    ("user:gender × age:recall@20:difference >= 0.05",
     {"grouping": "gender × age", "metric": "recall", "k": 20, "stat": "difference",
      "op": ">="}),
    ("user:age[55+]:ndcg@10:value<.3", {"group": "55+", "stat": "value", "value": 0.3}),
    ("item:seller_size:exposure_share_ratio<0.7",
     {"side": "item", "grouping": "seller_size", "stat": "exposure_share_ratio"}),
    ("item:seller_size[small]:es_cs_ratio_ci_high<=1e0",
     {"group": "small", "stat": "es_cs_ratio_ci_high", "op": "<=", "value": 1.0}),
    ("overall:gini>0.6", {"side": "overall", "metric": "gini", "k": None, "op": ">"}),
])
def test_rules_parse(text, fields):
    rule = parse_rule(text)
    for key, value in fields.items():
        assert getattr(rule, key) == value, key


@pytest.mark.parametrize("text, expected", [
    ("user:gender:ndcg:ratio<0.8", "with its cut-off"),
    ("user:gender:ndcg@ten:ratio<0.8", "whole number"),
    ("user:gender:ndcg@10:ratio", "Cannot read"),
    ("user:gender:ndcg@10:mean<0.8", "'mean' is not a statistic"),
    ("user:gender[F]:ndcg@10:ratio<0.8", "'ratio' is not a statistic"),
    ("item:seller_size:share<0.7", "'share' is not a statistic"),
    ("item:seller_size[small]:exposure_share_ratio<0.7", "not a statistic"),
    ("users:gender:ndcg@10:ratio<0.8", "Cannot read"),
    ("fail!", "Cannot read"),
    ("item:seller_size:exposure_share_ratio<<0.7", "is not a statistic"),
])
def test_bad_rules_say_how_to_write_them(text, expected):
    with pytest.raises(ConfigError) as exc:
        parse_rule(text)
    assert expected in str(exc.value)


def test_user_ratio_rule_that_does_not_trip(result):
    o = one(result, "user:gender:ndcg@10:ratio<0.8")
    assert not o.tripped
    assert o.value == gap(result, "gender")["ratio"] and o.value > 0.9


def test_user_ratio_rule_that_trips_on_the_injected_age_gap(result):
    o = one(result, "user:age:ndcg@10:ratio<0.8")
    assert o.tripped and o.value == pytest.approx(AGE_RATIO, abs=0.01)


def test_provider_rule_reads_the_judged_exposure_ratio(result):
    o = one(result, "item:seller_size:exposure_share_ratio<0.7")
    small = item(result, "seller_size", "small")
    big = item(result, "seller_size", "big")
    # Default merit basis: the lowest ES/RS over the judged groups, here small sellers.
    assert o.tripped and o.value == min(small["es_rs_ratio"], big["es_rs_ratio"])
    assert o.value == pytest.approx(small["exposure_share"] / small["merit_share"])
    assert "seller_size" in o.detail


def test_group_rules_read_one_group(result):
    o = one(result, "item:seller_size[small]:es_cs_ratio<0.7")
    small = item(result, "seller_size", "small")
    assert o.tripped and o.value == pytest.approx(small["exposure_share"] / small["catalog_share"])
    ug = result.fairness.user_groups
    row = ug[(ug["grouping"] == "age") & (ug["group"] == "55+") & (ug["metric"] == "ndcg")]
    o = one(result, "user:age[55+]:ndcg@10:value<0.3")
    assert o.tripped and o.value == row["value"].iloc[0]
    assert not one(result, "user:age[35-44]:ndcg@10:value<0.3").tripped


def test_overall_rules(result):
    ov = result.fairness.overall.set_index("metric")["value"]
    o = one(result, "overall:gini>0.6")
    assert o.tripped and o.value == ov["gini"]
    assert not one(result, "overall:ndcg@10<0.05").tripped


def test_fail_and_warn_name_the_checks(result):
    checks = result.fairness.checks
    failed = set(checks.loc[checks["status"] == "fail", "name"])
    assert "user_gap:age:ndcg" in failed and "provider_exposure:seller_size" in failed
    o = one(result, "fail")
    assert o.tripped and all(name in o.detail for name in failed)
    warned = set(checks.loc[checks["status"] == "warn", "name"])
    o = one(result, "warn")
    assert o.tripped and all(name in o.detail for name in failed | warned)


def test_clean_audit_does_not_trip_fail(result):
    f = result.fairness
    clean = f.checks.assign(status="pass")
    passed = dataclasses.replace(result, fairness=dataclasses.replace(f, checks=clean))
    assert not one(passed, "fail").tripped and not one(passed, "warn").tripped


def test_undefined_statistic_does_not_trip_and_says_why(result):
    f = result.fairness
    gaps = f.user_gaps.copy()
    sel = gaps["grouping"] == "gender"
    gaps.loc[sel, "ratio"] = np.nan
    gaps.loc[sel, "reason"] = "only 1 of 3 groups have at least 30 evaluable users"
    undefined = dataclasses.replace(result, fairness=dataclasses.replace(f, user_gaps=gaps))
    o = one(undefined, "user:gender:ndcg@10:ratio<0.8")
    assert not o.tripped and o.value is None
    assert "undefined" in o.detail and "only 1 of 3 groups" in o.detail


@pytest.mark.parametrize("text, expected", [
    ("user:nationality:ndcg@10:ratio<0.8", "did not compare"),
    ("user:gender:ndcg@20:ratio<0.8", "K = 10"),
    ("user:gender:novelty_score@10:ratio<0.8", "does not report"),
    ("item:seller_size[tiny]:es_cs_ratio<0.7", "group 'tiny'"),
    ("item:brand_tier:exposure_share_ratio<0.7", "did not compare"),
    ("overall:happiness<1", "overall metrics are"),
])
def test_rules_that_do_not_fit_the_audit_are_bad_input(result, text, expected):
    with pytest.raises(ConfigError) as exc:
        evaluate_gate(result, [text])
    assert expected in str(exc.value)
