"""FA*IR's minimum-count table and its significance correction.

References: Table 2 of Zehlike et al., "FA*IR: A Fair Top-k Ranking
Algorithm", CIKM 2017 (arXiv:1706.06368); the published test values of the
authors' reference library (fairsearchcore, tests/test_fair.py); and a Monte
Carlo simulation of fair rankings.
"""

from __future__ import annotations

import numpy as np
import pytest

from fairrec_core.rerank import RerankError, adjusted_mtable, fail_probability, mtable

# Zehlike et al. 2017, Table 2: "Example values of m_{α,p}(k), the minimum
# number of candidates in the protected group that must appear in the top k
# positions to pass the ranked group fairness criteria with α = 0.1".
# Rows p = 0.1 … 0.7, columns k = 1 … 12.
PAPER_TABLE_2 = {
    0.1: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    0.2: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1],
    0.3: [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2],
    0.4: [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3],
    0.5: [0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 4],
    0.6: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
    0.7: [0, 1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 6],
}


@pytest.mark.parametrize("p", sorted(PAPER_TABLE_2))
def test_mtable_matches_table_2_of_the_paper(p):
    assert mtable(12, p, 0.1).tolist() == PAPER_TABLE_2[p]


# fairsearchcore's test_create_unadjusted_mtable (k, p, α, table).
@pytest.mark.parametrize("k, p, alpha, want", [
    (10, 0.2, 0.15, [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]),
    (20, 0.25, 0.1, [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3]),
    (30, 0.3, 0.05, [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4,
                     4, 4, 5, 5, 5]),
])
def test_mtable_matches_the_reference_library(k, p, alpha, want):
    assert mtable(k, p, alpha).tolist() == want


# fairsearchcore's test_compute_fail_probability: adjusted tables and their
# failure probabilities computed by the authors' recursive calculator.
@pytest.mark.parametrize("table, p, want", [
    ([0, 0, 0, 0, 0, 0, 0, 0, 1, 1], 0.2, 0.13421772800000065),
    ([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2], 0.25, 0.10515247355215251),
    ([0] * 10 + [1] * 6 + [2] * 5 + [3] * 4 + [4] * 5, 0.3, 0.04877730797178359),
])
def test_fail_probability_matches_the_reference_library(table, p, want):
    assert fail_probability(table, p) == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize("k, p, alpha", [(10, 0.5, 0.1), (20, 0.25, 0.1), (15, 0.7, 0.05)])
def test_fail_probability_agrees_with_simulated_fair_rankings(k, p, alpha):
    rng = np.random.default_rng(0)
    table = mtable(k, p, alpha)
    protected = rng.random((200_000, k)) < p          # fair rankings: Bernoulli(p) positions
    failed = (np.cumsum(protected, axis=1) < table).any(axis=1).mean()
    se = np.sqrt(failed * (1 - failed) / protected.shape[0])
    assert abs(failed - fail_probability(table, p)) < 4 * se


@pytest.mark.parametrize("k, p, alpha", [(10, 0.2, 0.15), (20, 0.25, 0.1), (30, 0.3, 0.05),
                                         (10, 0.5, 0.1), (10, 0.9, 0.1), (12, 0.05, 0.1)])
def test_adjusted_table_keeps_the_failure_probability_within_alpha_and_is_maximal(k, p, alpha):
    table, alpha_c, fail = adjusted_mtable(k, p, alpha)
    assert fail == pytest.approx(fail_probability(table, p))
    assert fail <= alpha
    assert alpha_c <= alpha
    assert table.tolist() == mtable(k, p, alpha_c).tolist()
    unadjusted = mtable(k, p, alpha)
    assert (table <= unadjusted).all()
    # Maximal: any table of a larger significance (up to α) is either the
    # same table or fails fair rankings more often than α.
    for a in np.linspace(alpha_c, alpha, 25)[1:]:
        t = mtable(k, p, a)
        assert t.tolist() == table.tolist() or fail_probability(t, p) > alpha


def test_table_edges():
    assert mtable(5, 0.0, 0.1).tolist() == [0] * 5           # λ = 0: nothing required
    assert mtable(5, 1.0, 0.1).tolist() == [1, 2, 3, 4, 5]   # λ = 1: every position
    assert adjusted_mtable(5, 1.0, 0.1)[0].tolist() == [1, 2, 3, 4, 5]
    with pytest.raises(RerankError, match="proportion"):
        mtable(5, 1.2)
    with pytest.raises(RerankError, match="significance"):
        mtable(5, 0.5, 0.0)
    with pytest.raises(RerankError, match="positive whole"):
        mtable(0, 0.5)
