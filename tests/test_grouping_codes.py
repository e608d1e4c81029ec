"""Groupings built from codes (no per-unit strings) equal the per-unit string path.

The reference for every check is :func:`make_grouping` on one label per unit
(the path the local engine and the dashboard use) and, for intersections, the
per-unit string concatenation written out here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairrec_core.metrics.grouping import (
    INTERSECTION_SEP,
    UNKNOWN,
    activity_grouping,
    grouping_from_codes,
    intersect,
    make_grouping,
)


def _same(a, b):
    assert a.labels == b.labels
    np.testing.assert_array_equal(a.codes, b.codes)
    assert a.n_missing == b.n_missing
    pd.testing.assert_frame_equal(a.features, b.features)


VALUES = [
    np.array(["M", "F", "X", "F"], dtype=object),                # text
    np.array([10, 2, 33, 2, 7], dtype=object),                   # numbers sort by value
    np.array([3.0, 1.0, np.nan, 12.0], dtype=object),            # whole floats print as ints
    np.array([2.5, None, 1.0], dtype=object),                    # real floats, a missing value
    np.array(["55+", "18-24", "unknown", "25-34"], dtype=object),  # a literal "unknown"
    np.array(["a", 1, "b", 2], dtype=object),                    # mixed
]


@pytest.mark.parametrize("values", VALUES, ids=range(len(VALUES)))
def test_codes_path_equals_per_unit_labels(values):
    rng = np.random.default_rng(3)
    # Some values unused, repeats, and missing units (-1).
    codes = rng.integers(-1, values.size - 1, 500)
    per_unit = np.array([None if c < 0 else values[c] for c in codes], dtype=object)
    _same(grouping_from_codes(codes, values, name="g"), make_grouping(per_unit, name="g"))


def test_bands_with_repeated_labels_merge():
    names = np.array(["18-24", "25-34", "18-24", "55+"], dtype=object)
    codes = np.array([0, 2, 1, 3, 3, 0])
    g = grouping_from_codes(codes, names, name="age")
    assert g.labels == ("18-24", "25-34", "55+")
    np.testing.assert_array_equal(g.codes, [0, 0, 1, 2, 2, 0])
    assert g.n_missing == 0


def test_bad_codes_are_refused():
    with pytest.raises(Exception, match="must lie in"):
        grouping_from_codes(np.array([0, 3]), ["a", "b"], name="g")


def _reference_intersection(*groupings):
    strs = np.array([INTERSECTION_SEP.join(parts) for parts in
                     zip(*(g.values.astype(str) for g in groupings))], dtype=object)
    missing = np.zeros(strs.size, bool)
    for g in groupings:
        missing |= g.values.astype(str) == UNKNOWN
    return make_grouping(strs, name="x"), int(missing.sum())


def test_intersection_from_codes_equals_string_concatenation():
    rng = np.random.default_rng(5)
    n = 2000
    gender = make_grouping(rng.choice(np.array(["F", "M", None], dtype=object), n),
                           name="gender")
    age = make_grouping(rng.choice([18, 25, 35, 55], n), name="age")
    tier = make_grouping(rng.choice(["gold", "basic", "unknown"], n), name="tier")
    for combo in [(gender, age), (age, gender), (gender, age, tier)]:
        got = intersect(*combo)
        ref, n_missing = _reference_intersection(*combo)
        assert got.labels == ref.labels
        np.testing.assert_array_equal(got.codes, ref.codes)
        assert got.n_missing == n_missing
        assert list(got.features.columns) == [g.name for g in combo]
        for g in combo:
            np.testing.assert_array_equal(got.features[g.name].to_numpy(dtype=object),
                                          g.values)


def test_activity_grouping_labels_and_ties():
    activity = np.array([5, 9, 9, 0, 1, 9, 2, 3, 4, 1])
    g = activity_grouping(activity, top_share=0.2)
    assert g.labels == ("active", "inactive")
    # The top 2 by count, ties to the lower index: users 1 and 2.
    np.testing.assert_array_equal(np.flatnonzero(g.codes == 0), [1, 2])
    none_active = activity_grouping(np.zeros(5, int), top_share=0.2)
    assert none_active.labels == ("inactive",)
