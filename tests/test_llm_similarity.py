"""Golden tests of the FaiRLLM list similarities, SNSR and SNSV."""

from __future__ import annotations

import numpy as np
import pytest

from fairrec_core.errors import ConfigError
from fairrec_core.llm.similarity import (
    jaccard,
    list_similarities,
    prag_star,
    serp_star,
    snsr_snsv,
)


# Loop transcriptions of FaiRLLM's released metric code (calc_serp_ms, calc_prag),
# kept deliberately naive: the reference the vectorised versions must agree with.
def _ref_serp(x, y):
    temp = 0
    for i, a in enumerate(x):
        for b in y:
            if a == b:
                temp += len(x) - i + 1
    return temp * 0.5 / ((len(y) + 1) * len(y))


def _ref_prag(x, y):
    if len(x) == 1:
        return 1.0 if list(x) == list(y) else 0.0
    temp = total = 0
    for i, a in enumerate(x):
        for j, b in enumerate(x):
            if i >= j:
                continue
            id1 = id2 = -1
            for k, c in enumerate(y):
                if c == a:
                    id1 = k
                if c == b:
                    id2 = k
            total += 1
            if id1 == -1:
                continue
            if id2 == -1:
                temp += 1
            if id1 < id2:
                temp += 1
    return temp / total


def test_identical_20_lists_give_fairllms_0_2738():
    x = np.arange(20)[None]
    sims = list_similarities(x, x)
    assert sims["serp"][0] == pytest.approx(0.2738, abs=5e-5)
    assert sims["serp"][0] == pytest.approx(230 * 0.5 / (21 * 20))
    assert sims["serp_norm"][0] == pytest.approx(1.0)
    assert sims["jaccard"][0] == 1.0
    assert sims["prag"][0] == 1.0


def test_reversed_list_keeps_serp_but_loses_prag():
    x = np.arange(20)[None]
    y = x[:, ::-1]
    assert jaccard(x, y)[0] == 1.0
    # SERP* ignores order inside y.
    assert serp_star(x, y)[0] == pytest.approx(0.2738, abs=5e-5)
    assert serp_star(x, y, normalised=True)[0] == pytest.approx(1.0)
    # Every pair is inverted.
    assert prag_star(x, y)[0] == 0.0


def test_disjoint_lists_score_zero():
    x = np.arange(10)[None]
    y = np.arange(10, 20)[None]
    for v in list_similarities(x, y).values():
        assert v[0] == 0.0


def test_hand_case_k3():
    x = np.array([[1, 2, 3]])
    y = np.array([[3, 1, 9]])
    s = list_similarities(x, y)
    assert s["jaccard"][0] == pytest.approx(2 / 4)
    # hits at positions 0 and 2: weights 3-0+1 = 4 and 3-2+1 = 2; 6 * 0.5 / (4 * 3)
    assert s["serp"][0] == pytest.approx(0.25)
    assert s["serp_norm"][0] == pytest.approx(6 / 9)
    # pairs (1,2) good: 1 in y, 2 absent; (1,3): rank 1 > rank 0, bad; (2,3): 2 absent.
    assert s["prag"][0] == pytest.approx(1 / 3)


def test_k1_prag_quirk():
    assert prag_star([[4]], [[4]])[0] == 1.0
    assert prag_star([[4]], [[5]])[0] == 0.0


def test_padding_matches_nothing():
    x = np.array([[1, 2, -1]])
    y = np.array([[2, -1, -1]])
    assert jaccard(x, y)[0] == pytest.approx(1 / 2)


def test_vectorised_matches_fairllm_loops_on_random_lists():
    rng = np.random.default_rng(3)
    for k in (2, 5, 20):
        x = np.stack([rng.choice(40, k, replace=False) for _ in range(60)])
        y = np.stack([rng.choice(40, k, replace=False) for _ in range(60)])
        s = list_similarities(x, y)
        ref_s = [_ref_serp(list(a), list(b)) for a, b in zip(x, y)]
        ref_p = [_ref_prag(list(a), list(b)) for a, b in zip(x, y)]
        ref_j = [len(set(a) & set(b)) / len(set(a) | set(b)) for a, b in zip(x, y)]
        np.testing.assert_allclose(s["serp"], ref_s, rtol=1e-12)
        np.testing.assert_allclose(s["prag"], ref_p, rtol=1e-12)
        np.testing.assert_allclose(s["jaccard"], ref_j, rtol=1e-12)


def test_snsr_snsv_hand_values():
    snsr, snsv = snsr_snsv([0.9, 0.6, 0.75])
    assert snsr == pytest.approx(0.3)
    # population std of (0.9, 0.6, 0.75): mean 0.75, deviations ±0.15, 0 -> sqrt(0.045 / 3)
    assert snsv == pytest.approx(np.sqrt(0.045 / 3))


def test_shape_mismatch_is_a_clear_error():
    with pytest.raises(ConfigError, match="same shape"):
        jaccard(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ConfigError, match="Unknown similarity"):
        list_similarities([[1]], [[1]], which=("ndcg",))
