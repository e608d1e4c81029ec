"""Tests of the seeded synthetic data generator and the committed sample data.

The bias checks recompute every figure plainly (per-user Python loops over the
written CSV columns, DESIGN.md section 4 definitions) rather than reusing the
generator's vectorised code, so they are an independent check of ``truth``
and of the claims in ``sample_data/README.md``.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairrec_core.data.synthetic import CATEGORIES, SyntheticData, generate

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
FILES = ("interactions.csv", "users.csv", "items.csv", "recommendations.csv", "truth.json")
AGE_BINS = [0, 24, 34, 44, 54, 200]
AGE_LABELS = ["18-24", "25-34", "35-44", "45-54", "55+"]


# ---------------------------------------------------------------------------
# Plain reference computations (deliberately loop-based and unoptimised).
# ---------------------------------------------------------------------------


def heldout_sets(interactions: pd.DataFrame, test_n: int = 2, threshold: int | None = 4) -> dict:
    """Each user's last ``test_n`` interactions by timestamp (optionally rating >= threshold)."""
    out = {}
    for uid, g in interactions.groupby("user_id", sort=False):
        last = g.sort_values("timestamp").tail(test_n)
        if threshold is not None:
            last = last[last["rating"] >= threshold]
        out[uid] = set(last["item_id"])
    return out


def ndcg_per_user(recommendations: pd.DataFrame, heldout: dict, k: int = 10) -> dict:
    """Binary-gain NDCG@k per user with a non-empty held-out set."""
    lists = recommendations.sort_values(["user_id", "rank"]).groupby("user_id")["item_id"].apply(list)
    out = {}
    for uid, relevant in heldout.items():
        if not relevant:
            continue
        ranked = lists.get(uid, [])[:k]
        dcg = sum(1.0 / math.log2(r + 1) for r, item in enumerate(ranked, start=1) if item in relevant)
        idcg = sum(1.0 / math.log2(r + 1) for r in range(1, min(k, len(relevant)) + 1))
        out[uid] = dcg / idcg
    return out


def group_ratio(per_user: dict, users: pd.DataFrame, column: str, min_size: int = 30):
    """Group means of a per-user metric and min/max over groups of >= min_size users."""
    attr = users.set_index("user_id")[column]
    if column == "age":
        attr = pd.cut(attr, AGE_BINS, labels=AGE_LABELS).astype(str)
    sums, counts = {}, {}
    for uid, value in per_user.items():
        g = attr[uid]
        sums[g] = sums.get(g, 0.0) + value
        counts[g] = counts.get(g, 0) + 1
    means = {g: sums[g] / counts[g] for g in sums}
    judged = [means[g] for g in means if counts[g] >= min_size]
    return means, counts, min(judged) / max(judged)


def exposure_share(recommendations: pd.DataFrame, items: pd.DataFrame, k: int = 10) -> float:
    """Share of position-weighted exposure (1/log2(rank+1), top k) on small sellers."""
    size = dict(zip(items["item_id"], items["seller_size"]))
    total = small = 0.0
    for item, rank in zip(recommendations["item_id"], recommendations["rank"]):
        if rank <= k:
            e = 1.0 / math.log2(rank + 1)
            total += e
            small += e * (size[item] == "small")
    return small / total


def measure(data: SyntheticData, test_n: int = 2, k: int = 10) -> dict:
    """Every figure the README states, computed plainly from the frames."""
    inter, users, items, recs = data.interactions, data.users, data.items, data.recommendations
    counts = inter.groupby("item_id").size().sort_values(ascending=False)
    n_top = round(0.2 * len(items))
    top20 = counts.iloc[:n_top].sum() / len(inter)

    catalog_small = (items["seller_size"] == "small").mean()
    exp_small = exposure_share(recs, items, k)
    size = dict(zip(items["item_id"], items["seller_size"]))
    pos = heldout_sets(inter, test_n, threshold=4)
    merit = [size[i] == "small" for s in pos.values() for i in s]

    hist = inter.groupby("user_id").size()
    band = pd.cut(users.set_index("user_id")["age"], AGE_BINS, labels=AGE_LABELS).astype(str)
    med = hist.groupby(band.reindex(hist.index)).median().to_dict()

    cat = dict(zip(items["item_id"], items["category"]))
    gender = dict(zip(users["user_id"], users["gender"]))
    shares = {}
    for g in ("F", "M", "X"):
        cats = [cat[i] for u, i in zip(inter["user_id"], inter["item_id"]) if gender[u] == g]
        shares[g] = {c: cats.count(c) / len(cats) for c in CATEGORIES}

    out = {
        "top20_share": top20,
        "catalog_small": catalog_small,
        "exposure_small": exp_small,
        "merit_small": sum(merit) / len(merit),
        "median_by_band": med,
        "category_share_by_gender": shares,
        "ndcg": {},
    }
    for name, thr in (("rating_ge_4", 4), ("all", None)):
        per_user = ndcg_per_user(recs, heldout_sets(inter, test_n, threshold=thr), k)
        out["ndcg"][name] = {col: group_ratio(per_user, users, col)
                             for col in ("age", "gender", "region", "membership_tier")}
    return out


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default() -> SyntheticData:
    return generate()


@pytest.fixture(scope="module")
def measured(default) -> dict:
    return measure(default)


@pytest.fixture(scope="module")
def small() -> SyntheticData:
    return generate(n_users=300, n_items=200, n_interactions=6000, seed=7)


# ---------------------------------------------------------------------------
# Determinism and sizes
# ---------------------------------------------------------------------------


def test_same_seed_gives_identical_data(small):
    again = generate(n_users=300, n_items=200, n_interactions=6000, seed=7)
    for name in ("interactions", "users", "items", "recommendations"):
        pd.testing.assert_frame_equal(getattr(small, name), getattr(again, name))
    assert small.truth == again.truth


def test_different_seed_gives_different_data(small):
    other = generate(n_users=300, n_items=200, n_interactions=6000, seed=8)
    for name in ("interactions", "users", "items", "recommendations"):
        assert not getattr(small, name).equals(getattr(other, name)), name


def test_sizes_as_requested(default):
    assert len(default.users) == 2000
    assert len(default.items) == 1000
    assert len(default.interactions) == 50_000
    assert len(default.recommendations) == 2000 * 20
    assert default.items["category"].nunique() == len(CATEGORIES) == 8


def test_columns_and_types(default):
    assert list(default.users.columns) == ["user_id", "gender", "age", "region", "membership_tier", "signup_date"]
    assert list(default.items.columns) == ["item_id", "title", "description", "category", "seller_id",
                                           "seller_size", "brand", "price", "created_at"]
    assert list(default.interactions.columns) == ["user_id", "item_id", "rating", "timestamp"]
    assert list(default.recommendations.columns) == ["user_id", "item_id", "rank", "score"]
    assert default.users["user_id"].str.fullmatch(r"U\d{5}").all()
    assert default.items["item_id"].str.fullmatch(r"I\d{5}").all()
    assert default.users["age"].between(18, 75).all()
    assert set(default.users["gender"]) == {"F", "M", "X"}
    assert 0.01 <= (default.users["gender"] == "X").mean() <= 0.03
    assert set(default.users["region"]) == {"North", "South", "East", "West", "Central"}
    assert set(default.users["membership_tier"]) == {"basic", "silver", "gold"}
    assert set(default.items["seller_size"]) == {"big", "small"}
    assert (default.items["price"] > 0).all()
    pd.to_datetime(default.users["signup_date"], format="%Y-%m-%d")
    pd.to_datetime(default.items["created_at"], format="%Y-%m-%d")
    assert pd.api.types.is_integer_dtype(default.interactions["timestamp"])
    assert pd.api.types.is_integer_dtype(default.interactions["rating"])


def test_sellers_few_big_many_small(default):
    items = default.items
    big = items[items["seller_size"] == "big"]
    assert big["seller_id"].nunique() == 8
    assert 0.35 <= len(big) / len(items) <= 0.55
    assert items.loc[items["seller_size"] == "small", "seller_id"].nunique() >= 150
    # A seller has exactly one size and one brand.
    assert (items.groupby("seller_id")[["seller_size", "brand"]].nunique() == 1).all().all()


def test_text_carries_category_and_subtype(default):
    items = default.items
    assert items["title"].str.len().min() > 10
    assert items["description"].str.count(r"\.").min() >= 1
    # The brand opens the title; the variant follows a comma.
    assert all(t.startswith(b + " ") for t, b in zip(items["title"], items["brand"]))
    assert items["title"].str.contains(", ").all()
    # Same-category items share vocabulary: every Electronics title names an electronics noun.
    nouns = ("Headphones", "Smartwatch", "Speaker", "Power Bank", "Webcam", "Keyboard")
    elec = items.loc[items["category"] == "Electronics", "title"]
    assert elec.map(lambda t: any(n in t for n in nouns)).all()


def test_some_items_are_new(default):
    created = pd.to_datetime(default.items["created_at"])
    assert 0.03 <= (created >= "2024-10-01").mean() <= 0.15


# ---------------------------------------------------------------------------
# Data contract invariants
# ---------------------------------------------------------------------------


def test_no_duplicate_user_item_pairs(default):
    assert not default.interactions.duplicated(["user_id", "item_id"]).any()


def test_ids_exist(default):
    users, items = set(default.users["user_id"]), set(default.items["item_id"])
    for frame in (default.interactions, default.recommendations):
        assert set(frame["user_id"]) <= users
        assert set(frame["item_id"]) <= items
    assert set(default.interactions["user_id"]) == users


def test_ratings_and_timestamps(default):
    inter = default.interactions
    assert inter["rating"].between(1, 5).all()
    assert set(inter["rating"]) == {1, 2, 3, 4, 5}
    ts = inter["timestamp"]
    assert ts.min() >= pd.Timestamp("2024-01-01", tz="UTC").timestamp()
    assert ts.max() <= pd.Timestamp("2025-01-01", tz="UTC").timestamp() + 3600
    # After the user's signup date and the item's creation date.
    signup = inter["user_id"].map(dict(zip(default.users["user_id"], default.users["signup_date"])))
    created = inter["item_id"].map(dict(zip(default.items["item_id"], default.items["created_at"])))
    day = pd.to_datetime(ts, unit="s").dt.strftime("%Y-%m-%d")
    assert (day >= signup).all()
    assert (day >= created).all()
    # Unique per user, so "last test_n by timestamp" is unambiguous.
    assert not inter.duplicated(["user_id", "timestamp"]).any()


def test_every_user_has_at_least_three_and_one_has_exactly_three(default):
    n = default.interactions.groupby("user_id").size()
    assert n.min() == 3
    assert (n == 3).sum() >= 1


def test_recommendation_lists(default):
    recs = default.recommendations
    per_user = recs.groupby("user_id")
    assert (per_user.size() == 20).all()
    assert len(per_user) == len(default.users)
    for _, g in per_user:
        assert list(g["rank"]) == list(range(1, 21))
        assert g["item_id"].is_unique
        assert (np.diff(g["score"].to_numpy()) <= 0).all()


def test_recommendations_exclude_training_history(default):
    inter = default.interactions.sort_values(["user_id", "timestamp"])
    train = inter[inter.groupby("user_id").cumcount(ascending=False) >= 2]
    train_pairs = set(zip(train["user_id"], train["item_id"]))
    rec_pairs = set(zip(default.recommendations["user_id"], default.recommendations["item_id"]))
    assert not (train_pairs & rec_pairs)
    # Held-out items are allowed, and the recommender does find some of them.
    test = inter.groupby("user_id").tail(2)
    assert len(set(zip(test["user_id"], test["item_id"])) & rec_pairs) > 500


@settings(max_examples=8, deadline=None)
@given(
    n_users=st.integers(40, 150),
    n_items=st.integers(60, 300),
    per_user=st.integers(3, 12),
    rec_k=st.integers(1, 25),
    test_n=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_invariants_hold_for_other_shapes(n_users, n_items, per_user, rec_k, test_n, seed):
    n_inter = n_users * max(per_user, test_n + 1)
    if n_items < 2 * rec_k:
        with pytest.raises(ValueError):
            generate(n_users, n_items, n_inter, seed=seed, rec_k=rec_k, test_n=test_n)
        return
    d = generate(n_users, n_items, n_inter, seed=seed, rec_k=rec_k, test_n=test_n)
    assert len(d.interactions) == n_inter
    assert not d.interactions.duplicated(["user_id", "item_id"]).any()
    assert d.interactions.groupby("user_id").size().min() >= max(3, test_n + 1)
    assert (d.recommendations.groupby("user_id").size() == rec_k).all()
    inter = d.interactions.sort_values(["user_id", "timestamp"])
    train = inter[inter.groupby("user_id").cumcount(ascending=False) >= test_n]
    assert not (set(zip(train["user_id"], train["item_id"]))
                & set(zip(d.recommendations["user_id"], d.recommendations["item_id"])))
    json.dumps(d.truth)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_users": 0},
        {"n_items": 30},  # fewer than 2 * rec_k
        {"n_interactions": 5000},  # fewer than 3 per user
        {"n_users": 10, "n_items": 100, "n_interactions": 10 * 90},  # more than half the catalog each
        {"rec_k": 0},
        {"test_n": 1.5},
    ],
)
def test_invalid_sizes_raise(kwargs):
    with pytest.raises(ValueError):
        generate(**kwargs)


# ---------------------------------------------------------------------------
# Injected biases, visible in the raw data (plain computations)
# ---------------------------------------------------------------------------


def test_popularity_skew(measured, default):
    assert measured["top20_share"] >= 0.6
    assert measured["top20_share"] == pytest.approx(
        default.truth["popularity_skew"]["top20pct_items_interaction_share"], abs=1e-3)


def test_small_sellers_under_exposed(measured, default):
    t = default.truth["small_seller_exposure"]
    assert measured["catalog_small"] >= 0.5
    assert measured["exposure_small"] <= 0.5 * measured["catalog_small"]
    assert measured["exposure_small"] <= 0.5 * measured["merit_small"]
    assert measured["exposure_small"] == pytest.approx(t["exposure_share_small_at_10"], abs=1e-3)
    assert measured["merit_small"] == pytest.approx(t["merit_share_small_heldout_positives"], abs=1e-3)
    assert measured["catalog_small"] == pytest.approx(t["catalog_share_small"], abs=1e-3)


def test_sparse_history_for_55_plus(measured, default):
    med = measured["median_by_band"]
    assert med["55+"] <= 8
    assert min(v for b, v in med.items() if b != "55+") >= 20
    share = (default.users["age"] >= 55).mean()
    assert 0.11 <= share <= 0.16


def test_gender_shifts_category_preferences(measured):
    s = measured["category_share_by_gender"]
    assert s["F"]["Beauty"] >= 1.5 * s["M"]["Beauty"]
    assert s["F"]["Fashion"] >= 1.3 * s["M"]["Fashion"]
    assert s["M"]["Electronics"] >= 1.5 * s["F"]["Electronics"]
    assert s["M"]["Sports & Outdoors"] >= 1.3 * s["F"]["Sports & Outdoors"]


@pytest.mark.parametrize("relevance", ["rating_ge_4", "all"])
def test_accuracy_gap_only_for_the_sparse_age_band(measured, relevance):
    r = measured["ndcg"][relevance]
    means, _, age_ratio = r["age"]
    assert age_ratio < 0.8
    assert min(means, key=means.get) == "55+"
    for column in ("gender", "region", "membership_tier"):
        assert r[column][2] >= 0.9, column


def test_truth_matches_plain_ndcg(measured, default):
    keys = {"rating_ge_4": "heldout_rating_ge_4", "all": "heldout_all"}
    where = {
        "age": ("sparse_history_group", "ndcg_at_10_by_age_band"),
        "gender": ("gender_category_preference", "ndcg_at_10_by_gender"),
        "region": ("no_injection", "ndcg_at_10_by_region"),
        "membership_tier": ("no_injection", "ndcg_at_10_by_membership_tier"),
    }
    for name, key in keys.items():
        for column, (section, field) in where.items():
            t = default.truth[section][field][key]
            means, counts, ratio = measured["ndcg"][name][column]
            assert t["ratio_min_over_max"] == pytest.approx(ratio, abs=1e-3)
            for g, d in t["by_group"].items():
                assert d["n"] == counts[g]
                assert d["mean"] == pytest.approx(means[g], abs=1e-3)


def test_sparse_gap_is_caused_by_history_length(default):
    # Within the same history length, 55+ users are served no worse than the
    # rest: the recommender never sees age.
    inter, users = default.interactions, default.users
    per_user = ndcg_per_user(default.recommendations, heldout_sets(inter, threshold=None))
    hist = inter.groupby("user_id").size()
    old = set(users.loc[users["age"] >= 55, "user_id"])
    short = [u for u in per_user if hist[u] <= 6]
    a = np.mean([per_user[u] for u in short if u in old])
    b = np.mean([per_user[u] for u in short if u not in old])
    assert len(short) > 100
    assert abs(a - b) < 0.1


# ---------------------------------------------------------------------------
# Committed sample data
# ---------------------------------------------------------------------------


def test_truth_is_json_serialisable(default):
    assert json.loads(json.dumps(default.truth)) == default.truth


def test_write_round_trip(small, tmp_path):
    paths = small.write(tmp_path / "out")
    assert [p.name for p in paths] == list(FILES)
    back = pd.read_csv(tmp_path / "out" / "interactions.csv", encoding="utf-8")
    pd.testing.assert_frame_equal(back, small.interactions.reset_index(drop=True), check_dtype=False)
    items = pd.read_csv(tmp_path / "out" / "items.csv", encoding="utf-8")
    assert list(items["title"]) == list(small.items["title"])


def test_sample_data_is_the_default_output(default, tmp_path):
    default.write(tmp_path)
    for name in FILES:
        assert (SAMPLE_DIR / name).read_bytes() == (tmp_path / name).read_bytes(), name
    total = sum((SAMPLE_DIR / n).stat().st_size for n in FILES)
    assert total < 5 * 1024 * 1024
    assert (SAMPLE_DIR / "README.md").is_file()


@pytest.mark.slow
def test_benchmark_scale_is_fast():
    start = time.perf_counter()
    d = generate(n_users=10_000, n_items=50_000, n_interactions=1_000_000, seed=1)
    elapsed = time.perf_counter() - start
    assert len(d.interactions) == 1_000_000
    assert (d.recommendations.groupby("user_id").size() == 20).all()
    # ~6 s on a 2-core CI machine; the bound leaves room for a busy machine.
    assert elapsed < 40
