"""Checks: statuses at the thresholds, configuration, and the plain sentences.

Since issue 13 the interval decides (``interval_status``); the point-estimate
rule ``ratio_status`` is kept only as the "before" of benchmarks/bench_verdicts.py.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from fairrec_core.metrics import MetricsInputError, Thresholds, run_checks
from fairrec_core.metrics.checks import (
    CHECK_COLUMNS,
    interval_status,
    provider_check,
    ratio_status,
    user_gap_check,
)


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
def test_four_fifths_rule_on_the_point_estimate(ratio, status):
    assert ratio_status(ratio, fail=0.8, warn=0.9) == status


@pytest.mark.parametrize("low, high, status", [
    (0.60, 0.78, "fail"),            # whole interval below 0.8
    (0.60, 0.7999, "fail"),
    (0.60, 0.80, "warn"),            # reaches the fail line: not a significant fail
    (0.81, 0.89, "warn"),
    (0.35, 1.00, "inconclusive"),    # issue 13's age example: no gap is within reach
    (0.70, 0.95, "inconclusive"),
    (0.85, 0.95, "inconclusive"),    # a fail is ruled out, a warning is not
    (0.90, 1.00, "pass"),            # whole interval at or above the warning line
    (float("nan"), float("nan"), "inconclusive"),
])
def test_interval_decides(low, high, status):
    assert interval_status(low, high, fail=0.8, warn=0.9) == status


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
    row = gap_row(ratio=0.97, ratio_ci_low=0.96, ratio_ci_high=0.98)
    assert user_gap_check(row, thresholds=strict, k=10).status == "warn"
    lax = Thresholds(ratio_fail=0.5, ratio_warn=0.6)
    assert user_gap_check(gap_row(ratio=0.69), thresholds=lax, k=10).status == "pass"


def test_point_below_the_line_with_a_wide_interval_is_inconclusive():
    # Issue 13: "33% lower ... (95% CI −41% to 65%)" was a FAIL; the interval
    # includes no gap at all, so the data cannot tell.
    c = user_gap_check(gap_row(ratio=0.67, ratio_ci_low=0.35, ratio_ci_high=1.0,
                               worst_group="35-44", best_group="25-34"),
                       thresholds=Thresholds(), k=10)
    assert c.status == "inconclusive"
    assert c.message == (
        "The data cannot tell whether NDCG@10 differs across age_band by more than 10%: "
        "users with age_band \"35-44\" receive 33% lower NDCG@10 than users with age_band "
        "\"25-34\", but the largest gap between groups could be anywhere from 0% to 65% "
        "(95% CI). More users per group would narrow it.")


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
    rows = pd.DataFrame({
        "grouping": "seller_size", "group": [f"g{i}" for i in range(n)],
        "n_relevant": n_relevant, "es_rs_ratio": ratios,
        "es_rs_ratio_ci_low": [r - 0.05 for r in ratios],
        "es_rs_ratio_ci_high": [r + 0.05 for r in ratios],
        "es_cs_ratio": extra.get("es_cs", ratios),
        "es_cs_ratio_ci_low": 0.0, "es_cs_ratio_ci_high": 2.0,
    })
    for col in ("es_rs_ratio", "es_cs_ratio"):
        if f"{col}_band" in extra:
            rows[f"{col}_band_low"], rows[f"{col}_band_high"] = zip(*extra[f"{col}_band"])
    return rows


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
    # Point 0.85 is in the warning band, but its interval 0–2 cannot tell.
    assert cat.status == "inconclusive" and cat.value == 0.85 and cat.metric == "es_cs_ratio"
    assert cat.message.startswith("The data cannot tell whether some seller_size group "
                                  "receives less than 0.9\u00d7 the exposure")
    single = provider_check("x", item_rows([1.0], [100]), thresholds=Thresholds(),
                            min_group_size=30)
    assert single.status == "insufficient_data" and "one group" in single.message


def test_run_checks_table():
    gaps = pd.DataFrame([gap_row(), gap_row(metric="recall", ratio=0.5)])
    items = item_rows([0.96, 1.05], [100, 100])  # lowest interval 0.91-1.01: pass
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


def test_provider_check_uses_the_minimum_of_the_simultaneous_bands():
    # The lowest true ratio lies between the smallest band low and the smallest
    # band high; here g2's band (not the lowest point, g1) bounds it from above.
    rows = item_rows([0.62, 0.70, 1.4], [200, 300, 500],
                     es_rs_ratio_band=[(0.55, 0.85), (0.60, 0.78), (1.2, 1.6)])
    c = provider_check("seller_size", rows, thresholds=Thresholds(), min_group_size=30)
    assert (c.value, c.ci_low, c.ci_high) == (0.62, 0.55, 0.78)
    assert c.status == "fail"
    # Bands of groups that are not judged are ignored.
    rows = item_rows([0.62, 0.70, 1.4], [200, 10, 500],
                     es_rs_ratio_band=[(0.55, 0.85), (0.60, 0.78), (1.2, 1.6)])
    c = provider_check("seller_size", rows, thresholds=Thresholds(), min_group_size=30)
    assert (c.ci_low, c.ci_high, c.status) == (0.55, 0.85, "warn")
