"""Checks: statuses at the thresholds, configuration, and the plain sentences."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from fairrec_core.metrics import MetricsInputError, Thresholds, run_checks
from fairrec_core.metrics.checks import (CHECK_COLUMNS, provider_check, ratio_status,
                                         user_gap_check)


def gap_row(**kw):
    row = dict(grouping="age_band", metric="ndcg", n_groups=4, best_group="25-34",
               worst_group="55+", difference=0.05, difference_ci_low=0.03,
               difference_ci_high=0.07, ratio=0.69, ratio_ci_low=0.60, ratio_ci_high=0.78,
               status="ok", reason="")
    row.update(kw)
    return row


@pytest.mark.parametrize("ratio, status", [
    (0.5, "fail"), (0.799, "fail"), (0.8, "warn"), (0.85, "warn"), (0.9, "pass"),
    (1.0, "pass"), (float("nan"), "insufficient_data"),
])
def test_four_fifths_rule(ratio, status):
    assert ratio_status(ratio, fail=0.8, warn=0.9) == status


def test_sentence_example_from_the_brief():
    # ratio 0.69 -> 31% lower; ratio CI (0.60, 0.78) -> gap CI (22%, 40%).
    c = user_gap_check(gap_row(), thresholds=Thresholds(), k=10)
    assert c.message == ("Users with age_band \"55+\" receive 31% lower NDCG@10 than users "
                         "with age_band \"25-34\" (95% CI 22\u201340%).")
    assert c.status == "fail"
    assert c.name == "user_gap:age_band:ndcg"
    assert (c.value, c.ci_low, c.ci_high) == (0.69, 0.60, 0.78)
    assert (c.threshold_fail, c.threshold_warn) == (0.8, 0.9)


def test_sentence_with_interval_crossing_zero():
    # ratio 0.97 with CI (0.92, 1.02): gap 3.0%, CI -2.0% to 8.0%.
    c = user_gap_check(gap_row(ratio=0.97, ratio_ci_low=0.92, ratio_ci_high=1.02),
                       thresholds=Thresholds(), k=5)
    assert c.status == "pass"
    assert "3.0% lower NDCG@5" in c.message
    assert "(95% CI \u22122.0% to 8.0%)" in c.message


def test_insufficient_gap_row():
    c = user_gap_check(gap_row(ratio=float("nan"), ratio_ci_low=float("nan"),
                               ratio_ci_high=float("nan"), status="insufficient_data",
                               reason="only 1 of 3 groups have at least 30 evaluable users"),
                       thresholds=Thresholds(), k=10)
    assert c.status == "insufficient_data"
    assert c.message == ("NDCG@10 across age_band is not judged: only 1 of 3 groups have at "
                         "least 30 evaluable users.")


def test_custom_thresholds_change_status():
    strict = Thresholds(ratio_fail=0.95, ratio_warn=0.99)
    assert user_gap_check(gap_row(ratio=0.97), thresholds=strict, k=10).status == "warn"
    lax = Thresholds(ratio_fail=0.5, ratio_warn=0.6)
    assert user_gap_check(gap_row(ratio=0.69), thresholds=lax, k=10).status == "pass"


def test_thresholds_validation_and_round_trip():
    t = Thresholds(ratio_fail=0.7, user_metrics=["ndcg", "recall"], provider_basis="catalog")
    d = t.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert Thresholds.from_dict(d) == t
    for bad in [dict(ratio_fail=0.95, ratio_warn=0.9), dict(ratio_fail=0.0),
                dict(provider_ratio_warn=1.5), dict(user_metrics=("arp",)),
                dict(user_metrics=()), dict(provider_basis="money")]:
        with pytest.raises(MetricsInputError):
            Thresholds(**bad)
    with pytest.raises(MetricsInputError, match="Unknown threshold"):
        Thresholds.from_dict({"ratio": 0.8})


def item_rows(ratios, n_relevant, **extra):
    n = len(ratios)
    return pd.DataFrame({
        "grouping": "seller_size", "group": [f"g{i}" for i in range(n)],
        "n_relevant": n_relevant, "es_rs_ratio": ratios,
        "es_rs_ratio_ci_low": [r - 0.05 for r in ratios],
        "es_rs_ratio_ci_high": [r + 0.05 for r in ratios],
        "es_cs_ratio": extra.get("es_cs", ratios),
        "es_cs_ratio_ci_low": 0.0, "es_cs_ratio_ci_high": 2.0,
    })


def test_provider_check_picks_the_lowest_judged_group():
    # g0 has too few held-out positives to be judged although its ratio is lowest.
    rows = item_rows([0.3, 0.62, 1.4], [10, 200, 500])
    c = provider_check("seller_size", rows, thresholds=Thresholds(), min_group_size=30)
    assert c.status == "fail" and c.value == 0.62
    assert c.message == ("Items with seller_size \"g1\" receive 0.62\u00d7 the exposure their "
                         "share of held-out positives warrants (95% CI 0.57\u20130.67), the "
                         "lowest of 2 groups judged.")


def test_provider_check_catalog_basis_and_insufficient():
    rows = item_rows([0.3, 0.62, 1.4], [10, 20, 25], es_cs=[0.85, 1.0, 1.1])
    merit = provider_check("seller_size", rows, thresholds=Thresholds(), min_group_size=30)
    assert merit.status == "insufficient_data" and math.isnan(merit.value)
    assert "not judged" in merit.message
    cat = provider_check("seller_size", rows, thresholds=Thresholds(provider_basis="catalog"),
                         min_group_size=30)
    assert cat.status == "warn" and cat.value == 0.85 and cat.metric == "es_cs_ratio"
    single = provider_check("x", item_rows([1.0], [100]), thresholds=Thresholds(),
                            min_group_size=30)
    assert single.status == "insufficient_data" and "one group" in single.message


def test_run_checks_table():
    gaps = pd.DataFrame([gap_row(), gap_row(metric="recall", ratio=0.5)])
    items = item_rows([0.95, 1.05], [100, 100])
    table = run_checks(gaps, items)
    assert list(table.columns) == list(CHECK_COLUMNS)
    # Only NDCG is checked by default; one provider check per item grouping.
    assert table["name"].tolist() == ["user_gap:age_band:ndcg", "provider_exposure:seller_size"]
    assert table["status"].tolist() == ["fail", "pass"]
    both = run_checks(gaps, items, thresholds=Thresholds(user_metrics=("ndcg", "recall")))
    assert len(both) == 3
    empty = run_checks(gaps.iloc[:0], items.iloc[:0])
    assert list(empty.columns) == list(CHECK_COLUMNS) and empty.empty
    assert np.isnan(run_checks(gaps.iloc[:0], item_rows([1.0], [5]))["value"].iloc[0])
