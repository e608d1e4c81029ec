"""Counterfactual probe: hand cases of the aggregation, sampling, profiles and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from fairrec_core.errors import ConfigError
from fairrec_core.llm.probe import (
    gap_interval,
    run_probe,
    stratified_sample,
    summarise_attribute,
)
from fairrec_core.llm.profile import ProfileTemplate, render_profiles


def test_identical_and_disjoint_values_give_snsr_one():
    neutral = np.array([[0, 1, 2], [3, 4, 5]])
    same = neutral.copy()
    other = neutral + 10
    res = summarise_attribute("gender", neutral, {"F": same, "M": other}, n_boot=200)
    assert res.sim["jaccard"] == {"F": 1.0, "M": 0.0}
    assert res.snsr["jaccard"] == 1.0
    assert res.snsv["jaccard"] == pytest.approx(0.5)
    # SERP* of identical 3-lists: (4 + 3 + 2) * 0.5 / (4 * 3)
    assert res.sim["serp"]["F"] == pytest.approx(9 * 0.5 / 12)
    assert res.sim["serp_norm"]["F"] == 1.0
    assert res.changed == {"F": 0.0, "M": 1.0}
    assert res.changed_any == 1.0


def test_reversed_list_changes_prag_not_jaccard():
    neutral = np.array([[0, 1, 2, 3]])
    res = summarise_attribute("g", neutral, {"a": neutral[:, ::-1], "b": neutral}, n_boot=50)
    assert res.sim["jaccard"]["a"] == 1.0 and res.sim["prag"]["a"] == 0.0
    assert res.snsr["jaccard"] == 0.0 and res.snsr["prag"] == 1.0
    assert res.changed == {"a": 1.0, "b": 0.0}


def test_accuracy_check_against_held_out_items():
    neutral = np.array([[0, 1], [2, 3]])
    by_value = {"F": np.array([[0, 9], [2, 9]]), "M": np.array([[9, 8], [9, 8]])}
    truth = sp.csr_matrix((np.ones(2), ([5, 6], [0, 2])), shape=(7, 10))
    res = summarise_attribute("g", neutral, by_value, truth=truth, users=np.array([5, 6]),
                              n_boot=100)
    # Each user has one held-out item; F keeps it at rank 1 (NDCG 1), M loses it (0).
    assert res.accuracy["ndcg"] == {"neutral": 1.0, "F": 1.0, "M": 0.0}
    assert res.accuracy["recall"]["F"] == 1.0
    assert res.accuracy_gap["ndcg"] == 1.0


def test_unchanged_lists_give_a_zero_width_interval_at_zero():
    boot = np.ones((100, 3))
    assert gap_interval(boot, np.ones(3)) == [0.0, 0.0]


def test_snsr_interval_covers_zero_for_noise_and_not_for_a_real_gap():
    rng = np.random.default_rng(0)
    n = 400
    neutral = np.tile(np.arange(10), (n, 1))
    noisy = {v: np.where(rng.random((n, 10)) < 0.3, neutral + 100, neutral) for v in "abc"}
    res = summarise_attribute("g", neutral, noisy, n_boot=300)
    assert res.snsr_ci["jaccard"][0] == 0.0 <= res.snsr["jaccard"] <= res.snsr_ci["jaccard"][1]
    shifted = dict(noisy, c=np.where(rng.random((n, 10)) < 0.6, neutral + 100, neutral))
    res2 = summarise_attribute("g", neutral, shifted, n_boot=300)
    assert res2.snsr_ci["jaccard"][0] > 0.1


def test_stratified_sample_keeps_small_groups_and_proportions():
    codes = np.array(["F"] * 490 + ["M"] * 490 + ["X"] * 20)
    pick = stratified_sample(codes, 100, np.random.default_rng(0))
    assert len(pick) == 100 and len(set(pick)) == 100
    counts = pd.Series(codes[pick]).value_counts()
    assert counts["F"] == 49 and counts["M"] == 49 and counts["X"] == 2
    tiny = stratified_sample(np.array(["a"] * 50 + ["b"]), 10, np.random.default_rng(0))
    assert "b" in set(np.array(["a"] * 50 + ["b"])[tiny])


# ---------------------------------------------------------------------- end to end
class KeywordRanker:
    """A real (if simple) profile ranker: women get items 0-9 first, others 10-19.

    Stands in for no part of the probe; it is a model the probe measures.
    """

    def __init__(self, template):
        self.template_ = template
        self.train_ = None

    def rank_profiles(self, users, profiles, k, *, share=True):
        out = np.empty((len(users), k), dtype=np.int64)
        for r, text in enumerate(profiles.attributes):
            first = np.arange(10) if "female" in text else np.arange(10, 20)
            out[r] = np.concatenate([first, np.setdiff1d(np.arange(20), first)])[:k]
        return out


@pytest.fixture
def small_dataset():
    from fairrec_core.data import load_dataset

    n = 60
    users = pd.DataFrame({"user_id": [f"u{i}" for i in range(n)],
                          "gender": ["F", "M", "X"] * 20,
                          "region": ["North", "South"] * 30})
    users.loc[0, "gender"] = None
    rows = [(f"u{u}", f"i{(u + j) % 20}", 1_700_000_000 + j) for u in range(n) for j in range(4)]
    inter = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    items = pd.DataFrame({"item_id": [f"i{i}" for i in range(20)],
                          "title": [f"Thing {i}" for i in range(20)]})
    return load_dataset(inter.to_csv(index=False).encode(), users.to_csv(index=False).encode(),
                        items.to_csv(index=False).encode())


def test_probe_finds_the_keyword_bias(small_dataset):
    ds = small_dataset
    template = ProfileTemplate(parts=("{gender}", "{region} region"), n_history=2)
    model = KeywordRanker(template)
    model.train_ = ds.interactions
    res = run_probe(model, ds, attributes=["gender"], k=5, n_users=30, n_boot=200)
    g = res.attributes["gender"]
    # Neutral profiles lack "female": only the F counterfactual moves away from neutral.
    assert g.sim["jaccard"] == {"F": 0.0, "M": 1.0, "X": 1.0}
    assert g.snsr["jaccard"] == 1.0
    assert g.snsr_ci["jaccard"][0] > 0.5
    assert res.left_out == {"gender": 1}
    assert len(res.users) == 30 and 0 not in res.users
    frame = res.lists_frame(ds)
    assert set(frame["attribute"]) == {"", "gender"}
    assert len(frame) == 30 * 5 * 4 and frame["user"].str.startswith("u").all()
    d = res.to_dict()
    assert d["attributes"]["gender"]["snsr"]["jaccard"] == 1.0
    import json
    json.dumps(d)


def test_unaware_template_gives_zero_snsr(small_dataset):
    ds = small_dataset
    template = ProfileTemplate(parts=("{gender}", "{region} region"),
                               sensitive=("gender",), unaware=True)
    model = KeywordRanker(template)
    model.train_ = ds.interactions
    res = run_probe(model, ds, attributes=["gender"], k=5, n_users=30, n_boot=100)
    g = res.attributes["gender"]
    assert g.snsr["jaccard"] == 0.0 and g.snsr_ci["jaccard"] == [0.0, 0.0]
    assert g.changed_any == 0.0


def test_profile_rendering_and_overrides(small_dataset):
    ds = small_dataset
    t = ProfileTemplate(parts=("{gender}", "{region} region"), n_history=2)
    p = render_profiles(ds, ds.interactions, [1, 0], t)
    # user u1: M, South; newest first: i4 (t+3), i3 (t+2). user u0 has no gender -> part dropped.
    assert p.full[0] == "male, South region. Recently bought: Thing 4; Thing 3."
    assert p.full[1].startswith("North region. Recently bought:")
    neutral = render_profiles(ds, ds.interactions, [1], t, overrides={"gender": None})
    assert neutral.attributes == ["South region"]
    cf = render_profiles(ds, ds.interactions, [1], t, overrides={"gender": "F"})
    assert cf.attributes == ["female, South region"]
    # gender is sensitive by default, so the unaware variant drops it; region stays.
    assert render_profiles(ds, ds.interactions, [1], t.as_unaware()).attributes == \
        ["South region"]
    t2 = ProfileTemplate(parts=("{gender}", "{region} region"), sensitive=("region",))
    assert render_profiles(ds, ds.interactions, [1], t2.as_unaware()).attributes == ["male"]
    assert ProfileTemplate.from_dict(t2.to_dict()) == t2


def test_bad_input_messages(small_dataset):
    ds = small_dataset
    with pytest.raises(ConfigError, match="income"):
        render_profiles(ds, ds.interactions, [0], ProfileTemplate(parts=("{income}",)))
    with pytest.raises(ConfigError, match="exactly one"):
        ProfileTemplate(parts=("Age",))
    one = ds.users.assign(region="North")
    ds1 = type(ds)(**{**ds.__dict__, "users": one})
    model = KeywordRanker(ProfileTemplate(parts=("{gender}", "{region} region")))
    model.train_ = ds.interactions
    with pytest.raises(ConfigError, match="only 1 known value"):
        run_probe(model, ds1, attributes=["region"], k=3, n_users=10)
    with pytest.raises(ConfigError, match="no part for"):
        m2 = KeywordRanker(ProfileTemplate(parts=("{region} region",)))
        m2.train_ = ds.interactions
        run_probe(m2, ds, attributes=["gender"], k=3)
