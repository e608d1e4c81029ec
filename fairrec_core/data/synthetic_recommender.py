"""The synthetic production recommender, where the exposure and accuracy biases are injected."""

from __future__ import annotations

import numpy as np

from fairrec_core.data.synthetic_interactions import _top_k, _top_per_slot
from fairrec_core.data.synthetic_params import _PARAMS


def _recommend(rng, u, item, train, slot_logit, latent, n_users, n_items, rec_k):
    """Production-like top-K lists.

    The production model knows each user's true slot affinity only to the
    degree the training history reveals it: the affinity is shrunk by
    ``h / (h + rec_history_prior_strength)`` and blurred by estimation noise
    that fades with history length ``h``, and users with fewer than
    ``rec_min_history`` training interactions get popularity only. On top,
    it over-weights observed popularity, penalises small sellers and adds
    per-item noise. Candidates are the ``rec_candidates_per_slot`` best items
    of each slot by the non-personal term; items from the training history
    are excluded.
    """
    slot = latent["slot"]
    tu, ti = u[train], item[train]
    h = np.bincount(tu, minlength=n_users).astype(float)
    alpha = h / (h + _PARAMS["rec_history_prior_strength"])
    blur = _PARAMS["rec_estimation_noise"] / np.sqrt(h + 1.0)
    pref = alpha[:, None] * slot_logit + blur[:, None] * rng.standard_normal(slot_logit.shape)
    # The production rule: too short a history is not personalised at all.
    pref[h < _PARAMS["rec_min_history"]] = 0.0
    item_count = np.bincount(ti, minlength=n_items)
    item_term = (
        (1.0 + _PARAMS["rec_popularity_boost"]) * np.log1p(item_count)
        - _PARAMS["rec_small_seller_penalty"] * latent["small"]
    )
    # Two-stage, like production systems: candidates are the best items of
    # each slot by the non-personal term, then every candidate is scored.
    cols = _top_per_slot(slot, item_term, _PARAMS["rec_candidates_per_slot"])
    exclude = np.sort(tu * n_items + ti)
    n_unseen = len(cols) - np.bincount(tu[np.isin(ti, cols)], minlength=n_users)
    pref = pref.astype(np.float32)
    item_term = item_term.astype(np.float32)
    sigma = np.float32(_PARAMS["rec_noise_sigma"])
    k = np.full(n_users, rec_k)
    ru, ri, vals = _top_k(rng, pref, item_term, slot, np.arange(n_users), cols, k, sigma, exclude)
    short = np.flatnonzero(n_unseen < rec_k)
    if len(short):
        # Rare: a user has bought most candidates; score the whole catalog.
        su, si, sv = _top_k(rng, pref, item_term, slot, short, np.arange(n_items), k[short], sigma, exclude)
        keep = ~np.isin(ru, short)
        ru = np.concatenate([ru[keep], su])
        ri = np.concatenate([ri[keep], si])
        vals = np.concatenate([vals[keep], sv])
        o = np.argsort(ru, kind="stable")
        ru, ri, vals = ru[o], ri[o], vals[o]
    return ri.reshape(n_users, rec_k), vals.reshape(n_users, rec_k)

