"""The Fairness page's figures: which provider groups are drawn, reference lines, language."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairrec_core.viz.fairness_figures import shown_groups as _shown_groups


def test_many_groups_show_the_least_exposed_and_the_most_over_exposed():
    ratios = {f"S{i:02d}": r for i, r in enumerate(
        [0.1, 2.5, 0.3, 0.9, 1.4, 0.05, np.nan, 0.7, 3.9, 1.1, 0.2, 0.6])}
    rows = pd.DataFrame({"group": list(ratios), "es_rs_ratio": list(ratios.values()),
                         "es_cs_ratio": 1.0})
    shown = _shown_groups(rows, top=5)
    # By hand: the four lowest ratios (0.05, 0.1, 0.2, 0.3), then the highest (3.9).
    assert list(shown["group"]) == ["S05", "S00", "S10", "S02", "S08"]
    assert "_k" not in shown.columns


def test_the_most_over_exposed_group_is_not_drawn_twice():
    rows = pd.DataFrame({"group": ["a", "b", "c"], "es_rs_ratio": [0.5, 0.8, 1.2],
                         "es_cs_ratio": 1.0})
    assert list(_shown_groups(rows, top=4)["group"]) == ["a", "b", "c"]
