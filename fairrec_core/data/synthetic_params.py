"""Parameters of the synthetic generator's latent model and of its injected biases.

Population shares, per-category preferences and prices, the random streams,
the time window and ``_PARAMS`` (the bias knobs recorded in ``truth``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairrec_core.data.synthetic_vocab import CATEGORIES

AGE_BANDS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55+")
_AGE_EDGES = (18, 25, 35, 45, 55, 76)
_AGE_BAND_PROBS = np.array([0.16, 0.27, 0.24, 0.195, 0.135])
_REGIONS = ("North", "South", "East", "West", "Central")
_REGION_PROBS = np.array([0.22, 0.21, 0.2, 0.19, 0.18])
_TIERS = ("basic", "silver", "gold")
_TIER_PROBS = np.array([0.6, 0.28, 0.12])
_GENDERS = ("F", "M", "X")
_GENDER_PROBS = np.array([0.49, 0.49, 0.02])

# Category log-preference shifts by gender (order of CATEGORIES). X gets none.
_GENDER_SHIFT = {
    "F": np.array([-0.6, 0.3, 1.2, -0.5, 0.0, 0.1, 0.8, 0.0]),
    "M": np.array([0.9, -0.2, -1.0, 0.7, 0.0, 0.0, -0.4, 0.0]),
    "X": np.zeros(len(CATEGORIES)),
}
_CATEGORY_BASE = np.array([0.2, 0.2, 0.0, 0.0, -0.2, 0.0, 0.1, 0.0])
# Per-category lognormal price: (median in currency units, sigma).
_PRICE = {
    "Electronics": (60.0, 0.7), "Home & Kitchen": (30.0, 0.6), "Beauty": (18.0, 0.5),
    "Sports & Outdoors": (35.0, 0.7), "Toys & Games": (25.0, 0.6), "Books": (14.0, 0.4),
    "Fashion": (40.0, 0.6), "Grocery": (8.0, 0.5),
}
_CATEGORY_ITEM_PROBS = np.array([0.15, 0.15, 0.12, 0.12, 0.1, 0.12, 0.14, 0.1])

# One random stream per component, keyed by its position in this tuple
# (``SeedSequence(seed, spawn_key=(position,))``). The order is part of what a
# seed means: reordering re-draws every data set, including sample_data/.
_STREAMS = ("recommender", "timestamps", "interactions", "taste", "users", "ratings", "items")

_DAY = 86_400
# The interaction window: one year ending 2024-12-31 (UTC).
_WINDOW_END = int(pd.Timestamp("2025-01-01", tz="UTC").timestamp()) - 1
_WINDOW_START = _WINDOW_END - 365 * _DAY
_HISTORY_START = _WINDOW_START - 3 * 365 * _DAY

# Generator parameters recorded in ``truth`` (the knobs of the injected biases).
_PARAMS: dict[str, Any] = {
    # Popularity: Zipf exponent over item ranks within a (category, sub-type)
    # slot, and the spread of the slot-level popularity factor.
    "zipf_exponent": 2.8,
    "slot_popularity_sigma": 0.5,
    "n_big_sellers": 8,
    "big_seller_item_share": 0.45,
    "new_item_share": 0.08,
    # Activity: lognormal per user; the sparse band has a fixed median (at
    # most ``sparse_activity_multiplier`` times the others' median).
    "sparse_age_band": "55+",
    "sparse_median_interactions": 6,
    "sparse_activity_multiplier": 0.25,
    "activity_sigma": 0.6,
    # Taste: spread of category and sub-type log-preferences.
    "category_pref_sigma": 3.0,
    "subtype_pref_sigma": 2.5,
    # Production recommender.
    "rec_popularity_boost": 0.1,
    "rec_small_seller_penalty": 1.0,
    "rec_noise_sigma": 0.1,
    "rec_history_prior_strength": 2.0,
    "rec_min_history": 5,
    "rec_candidates_per_slot": 100,
    "rec_estimation_noise": 1.0,
    # Evaluation conventions used for the measured figures in ``truth``.
    "relevance_threshold": 4,
    "audit_k": 10,
}

