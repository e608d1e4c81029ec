"""The history explanation's sentence states the net effect first (issue 13 item 2).

The old sentence named the two largest positive bars ("Recommended mainly
because of X (+0.007) and Y (+0.006)") while the history as a whole lowered
the score. The net effect a reader must see first is the chart's total: the
sum of the Shapley values, which by efficiency equals the score with the
history minus the score without it.
"""

from __future__ import annotations

import numpy as np
import pytest

from fairrec_core.explain.result import history_summary

# Issue 13's case: 13 bars, 10 negative, score 4.111 with the history, 4.243 without.
ISSUE_LABELS = ["When the Cats Away", "Angels and Insects", "Heat"] + [f"M{i}" for i in range(10)]
ISSUE_VALUES = np.array([0.007, 0.006, 0.001, -0.002, -0.004, -0.006, -0.008, -0.010, -0.012,
                         -0.014, -0.016, -0.018, -0.056])


def test_net_negative_history_says_it_lowers_the_score_first():
    assert ISSUE_VALUES.sum() == pytest.approx(4.111 - 4.243)
    s = history_summary(ISSUE_LABELS, ISSUE_VALUES, output=4.111, base=4.243)
    assert s == ("Your recent history lowers this item's score overall (-0.132: "
                 "4.111 with it, 4.243 without it); the items that raise it most are When the "
                 "Cats Away (+0.007) and Angels and Insects (+0.006); M9 lowers it most "
                 "(-0.056).")
    assert "Recommended mainly because" not in s


def test_net_positive_history_says_it_raises_the_score():
    s = history_summary(["A", "B", "C"], [0.31, -0.05, 0.12], output=1.52, base=1.14)
    assert s == ("Your recent history raises this item's score overall (+0.380: 1.520 with it, "
                 "1.140 without it); the items that raise it most are A (+0.310) and C (+0.120).")


def test_no_raising_item_and_no_net_effect():
    s = history_summary(["A"], [-0.2], output=1.0, base=1.2)
    assert s.startswith("Your recent history lowers") and "none of the items raises it" in s
    s = history_summary(["A", "B"], [0.1, -0.1], output=2.0, base=2.0)
    assert s == ("Your recent history leaves this item's score about unchanged overall; the "
                 "item that raises it most is A (+0.100).")


def test_real_explanations_agree_with_their_own_total():
    from fairrec_core.explain import explain_history
    from tests.explain_setup import bpr, sample

    ds, _ = sample()
    model = bpr()
    rng = np.random.default_rng(0)
    signs = set()
    for u in rng.choice(ds.n_users, 4, replace=False):
        for i in rng.choice(ds.n_items, 2, replace=False):
            e = explain_history(model, ds, int(u), int(i), max_history=8, seed=0)
            total = float(e.values.sum())  # the chart's bars, summed
            verb = "raises" if total > 0 else "lowers"
            signs.add(verb)
            assert e.summary.startswith(f"Your recent history {verb} this item's score overall")
            top = e.features[int(np.argmax(e.values))]
            if e.values.max() > 0:
                assert top in e.summary
    assert signs == {"raises", "lowers"}  # both cases were exercised on real data
