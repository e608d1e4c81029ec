"""The audit finds every bias injected into the sample data, and nothing else.

Ground truth: sample_data/truth.json, written by the seeded generator from its
latent variables (sample_data/README.md's "Injected biases" table quotes it).
The lists audited are the production recommendations.csv, evaluated on the
same held-out set the generator used (last 2 interactions).
"""

import json
from pathlib import Path

import pandas as pd
import pytest

from fairrec_core.data import load_dataset, split_dataset
from fairrec_core.pipeline.evaluation import (
    evaluate_top_k,
    item_grouping_columns,
    new_item_labels,
)

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
TRUTH = json.loads((SAMPLE / "truth.json").read_text())
#: NDCG@10 per group as the generator measured it, on held-out positives (rating >= 4).
AGE_TRUTH = TRUTH["sparse_history_group"]["ndcg_at_10_by_age_band"]["heldout_rating_ge_4"]
NO_INJECTION = {
    "gender": TRUTH["gender_category_preference"]["ndcg_at_10_by_gender"]["heldout_rating_ge_4"],
    "region": TRUTH["no_injection"]["ndcg_at_10_by_region"]["heldout_rating_ge_4"],
    "membership_tier":
        TRUTH["no_injection"]["ndcg_at_10_by_membership_tier"]["heldout_rating_ge_4"],
}
SELLERS = TRUTH["small_seller_exposure"]


@pytest.fixture(scope="module")
def audit():
    ds = load_dataset(SAMPLE / "interactions.csv", users=SAMPLE / "users.csv",
                      items=SAMPLE / "items.csv",
                      recommendations=SAMPLE / "recommendations.csv")
    split = split_dataset(ds, method="temporal", test_n=2, valid_n=0)
    res = evaluate_top_k(ds, split, ds.recommendations.items[:, :10],
                         user_groupings=["gender", "age", "region", "membership_tier"],
                         item_groupings_=["seller_size", "category"], k=10,
                         n_boot=500, seed=0)
    return res


def gap(res, grouping, metric="ndcg"):
    g = res.user_gaps
    return g[(g["grouping"] == grouping) & (g["metric"] == metric)].iloc[0]


def check(res, name):
    c = res.checks.set_index("name")
    assert name in c.index, f"no check {name}: {list(c.index)}"
    return c.loc[name]


def test_age_gap_is_found_and_fails(audit):
    res = audit
    row = gap(res, "age")
    band = TRUTH["sparse_history_group"]["band"]
    assert row["worst_group"] == band
    assert row["ratio"] == pytest.approx(AGE_TRUTH["ratio_min_over_max"], abs=0.01)
    assert row["ratio_ci_high"] < 0.8  # the whole interval is below the four-fifths line
    c = check(res, "user_gap:age:ndcg")
    assert c["status"] == "fail" and band in c["message"]


@pytest.mark.parametrize("grouping", ["gender", "region", "membership_tier"])
def test_nothing_injected_is_not_flagged(audit, grouping):
    res = audit
    row = gap(res, grouping)
    assert row["ratio"] == pytest.approx(NO_INJECTION[grouping]["ratio_min_over_max"], abs=0.01)
    assert row["ratio"] >= 0.9
    # Never a fail or a warning. With 41 users in gender "X" and ~400 per region
    # the data cannot rule out a 10% gap either, so "inconclusive" is the honest
    # verdict (issue 13); a pass needs the whole interval above 0.9.
    status = check(res, f"user_gap:{grouping}:ndcg")["status"]
    assert status in {"pass", "inconclusive"}
    assert status == ("pass" if row["ratio_ci_low"] >= 0.9 else "inconclusive")
    assert row["ratio_ci_high"] >= 0.97  # parity is within reach of the interval


def test_small_sellers_under_exposed_fails(audit):
    res = audit
    ig = res.item_groups
    small = ig[(ig["grouping"] == "seller_size") & (ig["group"] == "small")].iloc[0]
    assert small["catalog_share"] == pytest.approx(SELLERS["catalog_share_small"], abs=0.001)
    assert small["merit_share"] == pytest.approx(
        SELLERS["merit_share_small_heldout_positives"], abs=0.005)
    assert small["exposure_share"] == pytest.approx(SELLERS["exposure_share_small_at_10"],
                                                    abs=0.005)
    assert small["es_cs_ratio"] == pytest.approx(SELLERS["exposure_over_catalog_small"],
                                                 abs=0.01)
    assert small["es_rs_ratio"] == pytest.approx(SELLERS["exposure_over_merit_small"], abs=0.01)
    c = check(res, "provider_exposure:seller_size")
    assert c["status"] == "fail" and c["value"] == pytest.approx(small["es_rs_ratio"])


def test_popularity_concentration_is_visible(audit):
    res = audit
    overall = res.overall.set_index("metric")["value"]
    assert overall["gini"] > 0.6
    assert overall["coverage"] < 0.9
    ig = res.item_groups
    head = ig[(ig["grouping"] == "popularity") & (ig["group"] == "head")].iloc[0]
    assert head["exposure_share"] > 2 * head["catalog_share"]
    assert check(res, "provider_exposure:popularity")["status"] == "fail"


def test_activity_check_is_present(audit):
    res = audit
    # CPFair's active/inactive split is always audited; nothing was injected on it
    assert check(res, "user_gap:activity:ndcg")["status"] in {"pass", "inconclusive"}


def test_new_items_grouping_from_creation_dates():
    ds = load_dataset(SAMPLE / "interactions.csv", items=SAMPLE / "items.csv")
    assert "item_age" in item_grouping_columns(ds)
    labels = new_item_labels(ds, days=60)
    # independent count from the raw files: created within 60 days of the last interaction
    inter = pd.read_csv(SAMPLE / "interactions.csv")
    items = pd.read_csv(SAMPLE / "items.csv", parse_dates=["created_at"])
    cutoff = pd.Timestamp(inter["timestamp"].max() - 60 * 86400, unit="s")
    expected = items.set_index("item_id")["created_at"] >= cutoff
    got = pd.Series(labels == "new", index=list(ds.item_ids))
    assert (got[expected.index] == expected).all()
    params = TRUTH["params"]
    assert expected.sum() == round(TRUTH["latent"]["new_item_share"] * params["n_items"])
