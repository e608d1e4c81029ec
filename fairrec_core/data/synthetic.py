"""Seeded synthetic e-commerce data with known, injected fairness problems.

The generator produces the four files a platform would upload (users, items,
interactions and a production recommender's top-K lists) from a small latent
model, so that every audit outcome on the data has a known cause:

* item popularity is Zipf-like, so a few items hold most interactions;
* the production recommender over-weights popularity and penalises items of
  small sellers, so small sellers are under-exposed relative to their catalog
  share and to their merit;
* users aged 55+ have much shorter histories, and the production recommender
  falls back to popularity for short histories, so their accuracy is lower
  (history length is the only mechanism; there is no direct age term);
* gender shifts category preferences (visible in the data, small effect on
  accuracy);
* region and membership tier carry no signal at all.

``truth`` records the generator's parameters and the figures measured on the
generated data, so tests can assert the audit outcomes.

The generator is split by stage: ``synthetic_vocab`` (English words),
``synthetic_params`` (latent model and bias knobs), ``synthetic_catalogue``
(items), ``synthetic_users``, ``synthetic_interactions`` (purchases, times,
held-out split), ``synthetic_recommender`` (the production lists, where the
biases are injected) and ``synthetic_truth``; this module wires them in the
fixed order of their random draws and holds the result type and its writer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fairrec_core.data import synthetic_zh as zh
from fairrec_core.data.synthetic_catalogue import _make_items
from fairrec_core.data.synthetic_interactions import (
    _sample_interactions,
    _split_last,
    _timestamps,
)
from fairrec_core.data.synthetic_params import (
    _AGE_BAND_PROBS,
    _AGE_EDGES,
    _CATEGORY_BASE,
    _GENDER_SHIFT,
    _GENDERS,
    _PARAMS,
    _REGIONS,
    _STREAMS,
    _TIERS,
    AGE_BANDS,
)
from fairrec_core.data.synthetic_recommender import _recommend
from fairrec_core.data.synthetic_truth import _truth
from fairrec_core.data.synthetic_users import _activity, _make_users, _stratified
from fairrec_core.data.synthetic_vocab import CATEGORIES

__all__ = ["SyntheticData", "generate", "CATEGORIES", "AGE_BANDS"]


@dataclass
class SyntheticData:
    """A generated data set and the ground truth about its injected biases.

    Attributes
    ----------
    interactions : pandas.DataFrame
        ``user_id, item_id, rating, timestamp`` (unix seconds).
    users : pandas.DataFrame
        ``user_id, gender, age, region, membership_tier, signup_date``.
    items : pandas.DataFrame
        ``item_id, title, description, category, seller_id, seller_size,
        brand, price, created_at``.
    recommendations : pandas.DataFrame
        ``user_id, item_id, rank, score``: the production recommender's
        top-``rec_k`` list of every user.
    truth : dict
        JSON-serialisable parameters and measured figures of each injected
        bias (see ``sample_data/README.md``).
    encodings : dict
        File kind -> text encoding for files not written as UTF-8 (the
        Chinese sample writes its users file in GBK, as many platforms do).
    """

    interactions: pd.DataFrame
    users: pd.DataFrame
    items: pd.DataFrame
    recommendations: pd.DataFrame
    truth: dict = field(default_factory=dict)
    encodings: dict = field(default_factory=dict)

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write the four CSV files and ``truth.json`` into ``out_dir``.

        Parameters
        ----------
        out_dir : str or Path
            Target folder; created if missing. Existing files of the same
            names are overwritten.

        Returns
        -------
        list of Path
            The written files, in the order interactions, users, items,
            recommendations, truth.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in ("interactions", "users", "items", "recommendations"):
            path = out / f"{name}.csv"
            # lineterminator fixed so files are byte-identical across platforms.
            getattr(self, name).to_csv(path, index=False, encoding=self.encodings.get(name, "utf-8"),
                                       lineterminator="\n")
            paths.append(path)
        path = out / "truth.json"
        path.write_text(json.dumps(self.truth, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        paths.append(path)
        return paths



def generate(
    n_users: int = 2000,
    n_items: int = 1000,
    n_interactions: int = 50_000,
    seed: int = 42,
    rec_k: int = 20,
    test_n: int = 2,
    lang: str = "en",
) -> SyntheticData:
    """Generate a seeded synthetic e-commerce data set with known biases.

    Parameters
    ----------
    n_users : int, default 2000
        Number of users.
    n_items : int, default 1000
        Number of catalog items.
    n_interactions : int, default 50000
        Number of (user, item) interactions, all distinct pairs. Must be at
        least ``max(3, test_n + 1) * n_users``.
    seed : int, default 42
        Seed of the random streams (one per component); equal seeds give
        identical data.
    rec_k : int, default 20
        Length of each user's production top-K list.
    test_n : int, default 2
        The production recommender is trained without each user's last
        ``test_n`` interactions (by timestamp); these are the held-out items
        the ground-truth accuracy figures are measured on.
    lang : {"en", "zh"}, default "en"
        Language of the text: "zh" writes Chinese titles, descriptions,
        categories, shop names, regions (华东, 华北, ...), a city-tier column
        and Chinese column headers. The random draws are the same, so both
        languages hold the same data and the same injected biases;
        ``truth["labels"]`` maps every English group label to its Chinese one.

    Returns
    -------
    SyntheticData
        The four frames and ``truth``.

    Raises
    ------
    ValueError
        If the sizes cannot be satisfied.

    Examples
    --------
    >>> data = generate(n_users=300, n_items=200, n_interactions=6000, seed=1)
    >>> len(data.interactions), len(data.recommendations)
    (6000, 6000)
    >>> data.truth["small_seller_exposure"]["exposure_over_catalog_small"] < 0.8
    True
    """
    min_count, cap = _checked_sizes(n_users, n_items, n_interactions, rec_k, test_n, lang)
    n_users, n_items, n_interactions = int(n_users), int(n_items), int(n_interactions)
    seed, rec_k, test_n = int(seed), int(rec_k), int(test_n)
    # Each stream is drawn from in the same order as ever: within one stream
    # the order of the calls below is part of what a seed means.
    streams = _streams(seed)
    items, latent = _make_items(streams["items"], n_items, lang)
    r_users = streams["users"]
    band = r_users.choice(len(AGE_BANDS), size=n_users, p=_AGE_BAND_PROBS)
    counts = _activity(r_users, band, n_interactions, min_count, cap)
    users, uinfo = _make_users(r_users, band, counts)
    slot_logit = _tastes(streams["taste"], uinfo["gender"], latent)

    keys = _sample_interactions(streams["interactions"], counts, slot_logit, latent, n_items)
    u = keys // n_items
    item = keys % n_items
    counts = np.bincount(u, minlength=n_users)
    ts = _timestamps(streams["timestamps"], u, item, uinfo["signup"], latent["created"])
    rating = _ratings(streams["ratings"], u, item, slot_logit, latent)

    test = _split_last(u, ts, item, n_users, test_n)
    rec_items, rec_scores = _recommend(streams["recommender"], u, item, ~test, slot_logit, latent,
                                       n_users, n_items, rec_k)
    interactions, recommendations = _frames(users, items, u, item, rating, ts, rec_items, rec_scores)
    params = {"n_users": n_users, "n_items": n_items, "n_interactions": n_interactions,
              "seed": seed, "rec_k": rec_k, "test_n": test_n}
    truth = _truth(latent, uinfo, counts, u, item, rating, test, rec_items, n_users, n_items, rec_k, params)
    data = SyntheticData(interactions, users, items, recommendations, truth)
    return data if lang == "en" else _to_chinese(data, seed)


def _checked_sizes(n_users, n_items, n_interactions, rec_k, test_n, lang) -> tuple[int, int]:
    """Validate ``generate``'s arguments; return the per-user minimum and maximum history.

    Raises
    ------
    ValueError
        If a size is not a positive integer, ``lang`` is unknown, or the sizes
        cannot be satisfied together.
    """
    for name, v in (("n_users", n_users), ("n_items", n_items), ("n_interactions", n_interactions),
                    ("rec_k", rec_k), ("test_n", test_n)):
        if int(v) != v or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    n_users, n_items, n_interactions = int(n_users), int(n_items), int(n_interactions)
    rec_k, test_n = int(rec_k), int(test_n)
    min_count = max(3, test_n + 1)
    cap = min(max(min_count, n_items // 2), n_items - rec_k)
    if n_items < 2 * rec_k or cap < min_count:
        need = max(2 * rec_k, rec_k + min_count)
        raise ValueError(f"n_items={n_items} is too small for lists of rec_k={rec_k} items; use at least {need}")
    if n_interactions < min_count * n_users:
        raise ValueError(f"n_interactions must be at least {min_count} per user ({min_count * n_users})")
    if n_interactions > cap * n_users:
        raise ValueError(f"n_interactions={n_interactions} is too many: each user may interact with at most "
                         f"{cap} of the {n_items} items, so at most {cap * n_users} in total")
    return min_count, cap


def _streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent random stream per component, named as in ``_STREAMS``."""
    # One independent stream per component: changing how one part is drawn
    # (say, the recommender) leaves every other part of the data unchanged.
    streams = {
        name: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))
        for k, name in enumerate(_STREAMS)
    }
    return streams


def _tastes(rng: np.random.Generator, gender: np.ndarray, latent: dict) -> np.ndarray:
    """Latent user tastes: each user's log-preference for every (category, sub-type) slot.

    Category log-preferences are shifted by gender, plus sub-type preferences.
    Region, tier and age do not enter.
    """
    n_users = len(gender)
    n_cat = len(CATEGORIES)
    shift = np.stack([_GENDER_SHIFT[g] for g in _GENDERS])[gender]
    theta_cat = _CATEGORY_BASE + shift + _PARAMS["category_pref_sigma"] * rng.standard_normal((n_users, n_cat))
    theta_sub = _PARAMS["subtype_pref_sigma"] * rng.standard_normal((n_users, latent["n_slots"]))
    return theta_cat[:, latent["slot_cat"]] + theta_sub


def _ratings(rng: np.random.Generator, u, item, slot_logit, latent) -> np.ndarray:
    """Star ratings 1-5 that follow the user's affinity for the item's slot and item quality."""
    aff = slot_logit[u, latent["slot"][item]]
    z = (aff - slot_logit.mean()) / slot_logit.std()
    raw_rating = 3.3 + 0.8 * z + 0.4 * latent["quality"][item] + 0.8 * rng.standard_normal(len(u))
    return np.clip(np.round(raw_rating), 1, 5).astype(np.int64)


def _frames(users, items, u, item, rating, ts, rec_items, rec_scores) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The interactions (by user, then time) and recommendations frames, in external ids."""
    n_users, rec_k = rec_items.shape
    uid = users["user_id"].to_numpy()
    iid = items["item_id"].to_numpy()
    o = np.lexsort((ts, u))
    interactions = pd.DataFrame({"user_id": uid[u[o]], "item_id": iid[item[o]],
                                 "rating": rating[o], "timestamp": ts[o]})
    recommendations = pd.DataFrame(
        {
            "user_id": np.repeat(uid, rec_k),
            "item_id": iid[rec_items.ravel()],
            "rank": np.tile(np.arange(1, rec_k + 1), n_users),
            "score": np.round(rec_scores.ravel().astype(np.float64), 4),
        }
    )
    return interactions, recommendations


def _to_chinese(data: SyntheticData, seed: int) -> SyntheticData:
    """Chinese labels and headers over the same data (texts are drawn in Chinese upstream)."""
    labels = {
        "category": dict(zip(CATEGORIES, (zh.CATEGORY_NAMES[c] for c in CATEGORIES))),
        "gender": dict(zip(_GENDERS, zh.GENDERS)),
        "region": dict(zip(_REGIONS, zh.REGIONS)),
        "membership_tier": dict(zip(_TIERS, zh.TIERS)),
        "seller_size": dict(zh.SELLER_SIZES),
    }
    users = data.users.copy()
    for col in ("gender", "region", "membership_tier"):
        users[col] = users[col].map(labels[col])
    # City tier carries no signal, like region: its own stream (a spawn key
    # past the English ones) leaves every other draw unchanged.
    # Stratified by age band x activity quintile, as region is, so chance
    # composition differences do not pose as a signal.
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(len(_STREAMS),)))
    band = np.searchsorted(np.array(_AGE_EDGES[1:-1]), users["age"].to_numpy(), side="right")
    counts = data.interactions["user_id"].value_counts().reindex(users["user_id"]).to_numpy()
    quint = np.zeros(len(users), dtype=np.int64)
    for b in range(len(AGE_BANDS)):
        idx = np.flatnonzero(band == b)
        if len(idx):
            quint[idx] = (5 * np.argsort(np.argsort(counts[idx], kind="stable"))) // len(idx)
    tier = _stratified(rng, band * 5 + quint, np.array(zh.CITY_TIER_PROBS))
    users.insert(users.columns.get_loc("region") + 1, "city_tier",
                 np.array(zh.CITY_TIERS, dtype=object)[tier])
    items = data.items.copy()
    items["category"] = items["category"].map(labels["category"])
    items["seller_size"] = items["seller_size"].map(labels["seller_size"])
    frames = {"interactions": data.interactions, "users": users, "items": items,
              "recommendations": data.recommendations}
    renamed = {k: f.rename(columns=zh.COLUMNS[k]) for k, f in frames.items()}
    truth = dict(data.truth, lang="zh", labels=labels, columns=zh.COLUMNS)
    return SyntheticData(renamed["interactions"], renamed["users"], renamed["items"],
                         renamed["recommendations"], truth, encodings={"users": "gbk"})
