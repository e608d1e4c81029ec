"""Synthetic interactions: who bought what (affinity x popularity), when, and the held-out split.

``_top_k`` is also the production recommender's scorer (``synthetic_recommender``).
"""

from __future__ import annotations

import numpy as np

from fairrec_core.data.synthetic_params import _HISTORY_START, _WINDOW_END, _WINDOW_START


def _top_per_slot(slot: np.ndarray, value: np.ndarray, per_slot: int) -> np.ndarray:
    """Indices of the ``per_slot`` highest-``value`` items of every slot."""
    o = np.lexsort((-value, slot))
    first = np.searchsorted(slot[o], slot[o], side="left")
    return np.sort(o[np.arange(len(o)) - first < per_slot])


def _top_k(rng, user_slot, item_term, slot, users, cols, k_per_user, noise, exclude=None):
    """Per user, the ``k`` best of ``cols`` by ``user_slot[u, slot] + item_term + noise``.

    ``noise="gumbel"`` makes the top-k an exact weighted sample without
    replacement with probabilities proportional to the exponentiated score;
    a float adds Gaussian noise of that scale (a noisy ranker). ``exclude``
    holds sorted ``user * n_items + item`` keys that must not be returned.
    Users are scored in blocks so memory stays bounded. Returns flat arrays
    (user, item, score), each user's rows best first, users in input order.
    """
    n_items = len(item_term)
    col_of = np.full(n_items, -1, dtype=np.int64)
    col_of[cols] = np.arange(len(cols))
    chunk = max(1, int(4_000_000 // len(cols)))
    out_u, out_i, out_v = [], [], []
    for a in range(0, len(users), chunk):
        us = users[a:a + chunk]
        g = user_slot[us][:, slot[cols]]
        g += item_term[cols]
        if isinstance(noise, str):
            g -= np.log(-np.log(rng.random(g.shape, dtype=g.dtype)))
        elif noise:
            g += noise * rng.standard_normal(g.shape, dtype=g.dtype)
        if exclude is not None and len(exclude):
            lo = np.searchsorted(exclude, us * n_items)
            hi = np.searchsorted(exclude, (us + 1) * n_items)
            n_ex = hi - lo
            if n_ex.any():
                rows = np.repeat(np.arange(len(us)), n_ex)
                # All ranges lo..hi concatenated, without a Python loop.
                idx = np.arange(n_ex.sum()) + np.repeat(lo - (np.cumsum(n_ex) - n_ex), n_ex)
                c = col_of[exclude[idx] % n_items]
                ok = c >= 0
                g[rows[ok], c[ok]] = -np.inf
        k = k_per_user[a:a + chunk]
        kmax = int(k.max())
        if kmax < g.shape[1]:
            top = np.argpartition(-g, kmax - 1, axis=1)[:, :kmax]
        else:
            top = np.tile(np.arange(g.shape[1]), (len(us), 1))
        val = np.take_along_axis(g, top, axis=1)
        o = np.argsort(-val, axis=1, kind="stable")
        top = np.take_along_axis(top, o, axis=1)
        val = np.take_along_axis(val, o, axis=1)
        take = np.arange(top.shape[1])[None, :] < k[:, None]
        out_u.append(np.broadcast_to(us[:, None], top.shape)[take])
        out_i.append(cols[top[take]])
        out_v.append(val[take])
    return np.concatenate(out_u), np.concatenate(out_i), np.concatenate(out_v)


def _sample_interactions(rng, counts, user_slot_logit, latent, n_items):
    """Distinct items per user, drawn from affinity x popularity.

    Each user's items are a weighted sample without replacement with
    probabilities proportional to ``exp(slot affinity) * item weight``
    (Gumbel top-k). Only the ``per_slot`` heaviest items of each slot are
    eligible: beyond that rank an item's Zipf weight is negligible, and the
    cut keeps big catalogs fast.
    """
    slot = latent["slot"]
    n_slots = latent["n_slots"]
    per_slot = max(150, int(np.ceil(2 * counts.max() / n_slots)))
    cols = _top_per_slot(slot, latent["weight"], per_slot)
    u, i, _ = _top_k(rng, user_slot_logit, np.log(latent["weight"]), slot, np.arange(len(counts)),
                     cols, counts, "gumbel")
    return u * n_items + i


def _timestamps(rng, users_idx, items_idx, signup, created):
    """Unix seconds after both the signup and the item's creation.

    Equal timestamps within a user are nudged apart by a second, so "the
    last ``test_n`` interactions by timestamp" has one answer whatever the
    tie-breaking rule of the code that re-splits the data.
    """
    lower = np.maximum(np.maximum(signup[users_idx], created[items_idx]), _WINDOW_START)
    ts = lower + np.floor(rng.random(len(users_idx)) * (_WINDOW_END - lower)).astype(np.int64)
    o = np.lexsort((ts, users_idx))
    su, st = users_idx[o], ts[o]
    first = np.searchsorted(su, su, side="left")
    pos = np.arange(len(su)) - first
    # Running max of (ts - position) per user makes ts strictly increasing;
    # the user offset keeps the running max from leaking across users.
    span = np.int64(1) << 40
    shifted = su.astype(np.int64) * span + (st - _HISTORY_START - pos)
    st = np.maximum.accumulate(shifted) - su.astype(np.int64) * span + _HISTORY_START + pos
    out = np.empty_like(ts)
    out[o] = st
    return out


def _split_last(u, ts, item, n_users, test_n):
    """Boolean mask of each user's last ``test_n`` interactions by timestamp."""
    o = np.lexsort((item, ts, u))
    su = u[o]
    end = np.searchsorted(su, np.arange(n_users), side="right")
    rank_from_end = end[su] - np.arange(len(su))
    test = np.zeros(len(u), dtype=bool)
    test[o] = rank_from_end <= test_n
    return test

