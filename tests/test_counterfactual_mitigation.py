"""Mitigations side by side on the sample data: aware, unaware, augmented (issue 14 item 5).

A real profile two-tower (bundled MiniLM, frozen) is trained three times on
sample_data/ (its first 1,000 users, to keep the test near a CPU minute) with
the same seed. The unaware model's gender SNSR interval covers 0; counterfactual
data augmentation (gender drawn at random in every training profile) lowers the
gender SNSR and the leakage AUC below the aware model's without costing NDCG.

On this data the reduction is small (SNSR 0.032 [0.021, 0.042] aware, 0.027
[0.018, 0.036] augmented; AUC 0.730 -> 0.668): the two SNSR intervals overlap,
so "clearly below, intervals apart" is NOT asserted -- it does not hold here
(see the report to the lead). What is asserted is what was measured.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from fairrec_core.config_sections import CounterfactualConfig
from fairrec_core.errors import ConfigError
from fairrec_core.pipeline.mitigation_stage import compare_mitigations, overall_ndcg

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
PARAMS = {"epochs": 8, "dim": 32, "patience": 0, "max_length": 32, "device": "cpu"}

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def sample():
    import pandas as pd

    from fairrec_core.data import load_dataset, split_dataset

    users = pd.read_csv(SAMPLE / "users.csv").head(1000)
    inter = pd.read_csv(SAMPLE / "interactions.csv")
    inter = inter[inter["user_id"].isin(users["user_id"])]
    ds = load_dataset(inter.to_csv(index=False).encode(), users.to_csv(index=False).encode(),
                      (SAMPLE / "items.csv").read_bytes())
    return ds, split_dataset(ds)


@pytest.fixture(scope="module")
def comparison(sample):
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # module-scoped: the function-scoped fixture comes too late
    try:
        ds, split = sample
        cfg = CounterfactualConfig(attributes=["gender"], n_users=1000, params=PARAMS)
        seen = []
        out = compare_mitigations(cfg, ds, split, k=10, n_boot=200, seed=0,
                                  progress=lambda d, n, v: seen.append((d, n, v)))
    finally:
        torch.set_num_threads(threads)
    return out, seen


# Three MiniLM fits: about a CPU minute, but many more on a machine shared by several.
@pytest.mark.timeout(1800)
def test_augmentation_lowers_gender_snsr_without_collapsing_ndcg(comparison):
    res, seen = comparison
    assert seen == [(0, 3, "aware"), (1, 3, "unaware"), (2, 3, "augmented"), (3, 3, "")]
    rows = {r["variant"]: r for r in res.rows}
    assert list(rows) == ["aware", "unaware", "augmented"]
    aware = rows["aware"]["by_attribute"]["gender"]
    aug = rows["augmented"]["by_attribute"]["gender"]
    una = rows["unaware"]["by_attribute"]["gender"]
    # Told gender, the model's lists move with it; the band lies above 0.
    assert aware["snsr_ci"][0] > 0
    # Augmented: below the aware model, for the lists and for the user vectors.
    assert aug["snsr"] < aware["snsr"] and aug["snsr_ci"][1] < aware["snsr_ci"][1]
    assert aug["auc"] < aware["auc"] - 0.03
    # The unaware model never reads gender: its SNSR band covers 0.
    assert una["snsr_ci"][0] <= 0.0 <= una["snsr_ci"][1]
    # Accuracy does not collapse (random lists score about 0.01 here).
    assert rows["augmented"]["ndcg"] > 0.9 * rows["aware"]["ndcg"] > 0.05
    for r in res.rows:
        for a in ("gender",):
            m = r["by_attribute"][a]
            assert m["snsr_ci"][0] <= m["snsr"] + 1e-12 and m["snsr"] <= m["snsr_ci"][1] + 1e-12
            assert m["auc_ci"][0] <= m["auc"] <= m["auc_ci"][1] and 0.3 < m["auc"] <= 1.0


def test_table_and_report_section_show_the_comparison(comparison):
    from fairrec_core.report.blocks import Table
    from fairrec_core.report.counterfactual_section import mitigation_table

    res, _ = comparison
    frame = res.frame()
    assert list(frame["variant"]) == ["aware", "unaware", "augmented"]
    assert {"gender snsr_jaccard@10", "gender leak_auc", "ndcg@10"} <= set(frame.columns)
    for lang in ("en", "zh"):
        headers, rows = mitigation_table(res.to_dict(), lang)
        assert len(rows) == 3 and len(headers) == 1 + 2 + 1
        assert all(len(r) == len(headers) for r in rows)
    headers, rows = mitigation_table(res.to_dict(), "en")
    assert rows[1][0].startswith("Unaware") and "NDCG@10" in headers[-1]
    assert float(rows[0][-1]) == pytest.approx(res.rows[0]["ndcg"], abs=5e-3)
    # In the report: the table sits in the counterfactual section when it was computed.
    from fairrec_core.report.counterfactual_section import section_blocks

    doc = _probe_doc()
    plain = section_blocks(doc, "en")
    with_mit = section_blocks({**doc, "mitigation": res.to_dict()}, "en")
    assert len(with_mit) == len(plain) + 1
    added = with_mit[-2]  # before the definitions note
    assert isinstance(added, Table)
    assert "Aware" in str(added.__dict__) and "Augmented" in str(added.__dict__)


def _probe_doc() -> dict:
    """A minimal probe document (one attribute, two values) for the section's layout."""
    a = {"attribute": "gender", "values": ["F", "M"],
         "sim": {m: {"F": 0.9, "M": 0.8} for m in ("jaccard", "serp", "serp_norm", "prag")},
         "sim_ci": {m: {"F": [0.8, 1.0], "M": [0.7, 0.9]}
                    for m in ("jaccard", "serp", "serp_norm", "prag")},
         "snsr": {m: 0.1 for m in ("jaccard", "serp", "serp_norm", "prag")},
         "snsr_ci": {m: [0.05, 0.15] for m in ("jaccard", "serp", "serp_norm", "prag")},
         "snsv": {m: 0.05 for m in ("jaccard", "serp", "serp_norm", "prag")},
         "snsv_ci": {m: [0.02, 0.07] for m in ("jaccard", "serp", "serp_norm", "prag")},
         "changed": {"F": 0.5, "M": 0.6}, "changed_any": 0.7, "accuracy": {},
         "accuracy_gap": {}, "accuracy_gap_ci": {}}
    return {"model": {"name": "profile-two-tower", "source": "trained"},
            "probe": {"k": 10, "n_users": 10, "level": 0.95, "left_out": {},
                      "attributes": {"gender": a}},
            "leakage": {}}


def test_overall_ndcg_against_a_hand_computed_value():
    class Lists:  # fixed lists: the NDCG arithmetic is what is checked
        def recommend(self, users, k):
            table = {0: [2, 5, 7], 2: [1, 0, 3]}
            return np.array([table[int(u)][:k] for u in users]), None

    truth = sp.csr_matrix(np.array([[0, 0, 0, 0, 0, 1, 0, 0],    # user 0: item 5 at rank 2
                                    [0, 0, 0, 0, 0, 0, 0, 0],    # user 1: nothing held out
                                    [1, 0, 0, 1, 0, 0, 0, 0]]))  # user 2: ranks 2 and 3
    split = type("S", (), {"test_matrix": lambda self: truth})()
    u0 = 1 / np.log2(3)
    u2 = (1 / np.log2(3) + 1 / np.log2(4)) / (1 + 1 / np.log2(3))
    assert overall_ndcg(Lists(), split, 3) == pytest.approx((u0 + u2) / 2, abs=1e-12)


def test_bad_options_fail_before_training(sample):
    ds, split = sample
    cfg = CounterfactualConfig(attributes=["gender"], n_users=50, params=PARAMS)
    with pytest.raises(ConfigError, match="augment must be one of swap, remove"):
        compare_mitigations(cfg, ds, split, augment="flip")
    with pytest.raises(ConfigError, match="augment_p must be a number between 0 and 1"):
        compare_mitigations(cfg, ds, split, augment_p=1.5)
    with pytest.raises(ConfigError, match="variants must be among aware, unaware, augmented"):
        compare_mitigations(cfg, ds, split, variants=["fair"])
    bad = CounterfactualConfig(attributes=["shoe_size"], n_users=50, params=PARAMS)
    with pytest.raises(ConfigError, match="shoe_size"):
        compare_mitigations(bad, ds, split)
