"""Counterfactual attribute probe (FaiRLLM, RecSys 2023; CFaiRLLM, TIST 2025).

For a stratified sample of users the model ranks from

* the *neutral* profile: every probed attribute left out (FaiRLLM's
  "a fan"); the user's other attributes and history stay as they are;
* one *counterfactual* profile per value a of each probed attribute A: the
  neutral profile with A stated as a.

Each counterfactual top-K list is compared with the neutral one
(:mod:`fairrec_core.llm.similarity`). Per attribute, sim_A(a) is the mean over
users; SNSR_A = max_a − min_a and SNSV_A = population std over a. Intervals
come from a bootstrap over users (resampled within the sampling strata). The
SNSR interval is that of the difference between the two values that are
highest and lowest in the point estimate, re-measured in every resample, so it
can reach below 0 when the values do not really differ (re-picking max and
min inside each resample would keep it above 0 by construction).

CFaiRLLM's check compares each list with the user's held-out items instead:
NDCG@K and Recall@K per stated value, so one sees whether mentioning an
attribute costs one group accuracy.

Anything that ranks from profiles can be probed: it needs ``template_`` (a
:class:`~fairrec_core.llm.profile.ProfileTemplate`), ``train_`` (its training
interactions) and ``rank_profiles(users, profiles, k, *, share=True)``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fairrec_core._json import jsonable
from fairrec_core.errors import ConfigError
from fairrec_core.llm.profile import MISSING, ProfileTemplate, render_profiles
from fairrec_core.llm.similarity import SIMILARITIES, list_similarities, snsr_snsv

ACCURACY = ("ndcg", "recall")


@dataclass
class AttributeProbe:
    """Probe outcome for one attribute (JSON-safe through ``to_dict``)."""

    attribute: str
    values: list
    sim: dict            # metric -> {value: mean similarity to neutral}
    sim_ci: dict         # metric -> {value: [low, high]}
    snsr: dict           # metric -> float
    snsr_ci: dict        # metric -> [low, high]
    snsv: dict
    snsv_ci: dict
    changed: dict        # value -> share of users whose top-K differs from neutral
    changed_any: float   # share of users for whom some value changes the top-K
    accuracy: dict = field(default_factory=dict)      # metric -> {value|"neutral": mean}
    accuracy_gap: dict = field(default_factory=dict)  # metric -> max - min over values
    accuracy_gap_ci: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return jsonable(self.__dict__)


@dataclass
class ProbeResult:
    """Everything the probe measured, plus the lists needed to recompute it.

    Attributes
    ----------
    users : numpy.ndarray of int
        Sampled dense user ids.
    neutral : numpy.ndarray, shape (n_users, k)
        Neutral lists (dense item ids).
    lists : dict
        ``{attribute: {value: array (n_users, k)}}``.
    left_out : dict
        ``{attribute: users without a known value}`` (not probed).
    """

    k: int
    users: np.ndarray
    neutral: np.ndarray
    lists: dict
    attributes: dict
    left_out: dict
    template: dict
    n_boot: int
    level: float
    seconds: float
    similarities: tuple = SIMILARITIES

    def to_dict(self, *, include_lists: bool = False) -> dict:
        """JSON-safe summary (the lists too when asked)."""
        d = {"k": self.k, "n_users": int(len(self.users)), "left_out": self.left_out,
             "template": self.template, "n_boot": self.n_boot, "level": self.level,
             "seconds": self.seconds, "similarities": list(self.similarities),
             "definitions": DEFINITIONS,
             "attributes": {a: p.to_dict() for a, p in self.attributes.items()}}
        if include_lists:
            d["neutral"] = self.neutral
            d["lists"] = self.lists
        return jsonable(d)

    def lists_frame(self, dataset=None) -> pd.DataFrame:
        """Long table of every sampled user's neutral and counterfactual lists.

        Columns: user, attribute ("" for neutral), value, rank (1-based), item.
        With ``dataset`` the ids are the original ones, so anyone can recompute
        the similarities from the CSV.
        """
        frames = [_long(self.users, self.neutral, "", "")]
        for attr, by_value in self.lists.items():
            for value, arr in by_value.items():
                frames.append(_long(self.users, arr, attr, value))
        out = pd.concat(frames, ignore_index=True)
        out = out[out["item"] >= 0]
        if dataset is not None:
            out["user"] = np.asarray(dataset.user_ids)[out["user"].to_numpy()]
            out["item"] = np.asarray(dataset.item_ids)[out["item"].to_numpy()]
        return out.reset_index(drop=True)


DEFINITIONS = {
    "jaccard": "|x ∩ y| / |x ∪ y|",
    "serp": "FaiRLLM SERP*: 0.5/((K+1)K) · Σ_{i: x_i∈y} (K−i+1), i 0-based; identical 20-lists "
            "give 0.2738",
    "serp_norm": "SERP* divided by its value for identical lists (identical = 1)",
    "prag": "FaiRLLM PRAG*: share of pairs i<j of x with x_i∈y and (x_j∉y or rank_y(x_i) < "
            "rank_y(x_j)); denominator C(K,2)",
    "snsr": "max − min over attribute values of the mean similarity to the neutral list",
    "snsv": "population standard deviation (ddof 0) over attribute values",
}


def _long(users, arr, attr, value) -> pd.DataFrame:
    n, k = arr.shape
    return pd.DataFrame({"user": np.repeat(users, k), "attribute": attr, "value": str(value),
                         "rank": np.tile(np.arange(1, k + 1), n), "item": arr.ravel()})


# ---------------------------------------------------------------------- sampling
def probe_values(users: pd.DataFrame, attribute: str) -> tuple[list, np.ndarray]:
    """Known values of ``attribute`` (sorted) and a per-user mask of known values."""
    if attribute not in users.columns:
        raise ConfigError(f"The probed attribute '{attribute}' is not a column of the users "
                          f"file; its columns are {', '.join(map(str, users.columns))}.")
    text = users[attribute].astype(str).to_numpy()
    known = ~np.isin(np.char.lower(text.astype(str)), list(MISSING)) & users[attribute].notna(
    ).to_numpy()
    values = sorted(set(text[known].tolist()))
    if len(values) < 2:
        raise ConfigError(f"The attribute '{attribute}' has only {len(values)} known value(s) "
                          f"({', '.join(values) or 'none'}): a counterfactual probe needs at "
                          "least two values to compare.")
    return values, known


def stratified_sample(codes: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n`` rows drawn without replacement, proportionally per code.

    Largest-remainder allocation; every stratum with at least one row keeps at
    least one when ``n`` allows, so small groups (e.g. 2% of users) are not
    left out of the probe by chance.
    """
    n = min(int(n), len(codes))
    uniq, inv, sizes = np.unique(codes, return_inverse=True, return_counts=True)
    quota = sizes * n / sizes.sum()
    take = np.floor(quota).astype(np.int64)
    if n >= len(uniq):
        take = np.maximum(take, 1)
    rest = n - take.sum()
    order = np.argsort(-(quota - np.floor(quota)), kind="stable")
    for g in order:
        if rest <= 0:
            break
        if take[g] < sizes[g]:
            take[g] += 1
            rest -= 1
    while take.sum() > n:  # minimum-one rule overshot: trim the largest strata
        take[np.argmax(take)] -= 1
    picked = [rng.permutation(np.flatnonzero(inv == g))[:take[g]] for g in range(len(uniq))]
    return np.sort(np.concatenate(picked))


# ---------------------------------------------------------------------- the probe
def run_probe(model, dataset, *, attributes, k: int = 10, n_users: int = 500, truth=None,
              template: ProfileTemplate | None = None, n_boot: int = 1000,
              level: float = 0.95, seed: int = 0, share: bool = True,
              train=None) -> ProbeResult:
    """Probe ``model`` with neutral and counterfactual profiles.

    Parameters
    ----------
    model : profile ranker
        A fitted :class:`~fairrec_core.llm.profile_tower.ProfileTwoTower` or
        :class:`~fairrec_core.llm.ranker.LLMRanker` (anything with
        ``template_``, ``train_`` and ``rank_profiles``).
    dataset : Dataset
    attributes : sequence of str
        Users-file columns to probe (each needs at least two known values).
    k : int, default 10
    n_users : int, default 500
        Users sampled, stratified by the joint values of ``attributes``.
    truth : scipy.sparse matrix, optional
        Held-out positives (``Split.test_matrix()``) for CFaiRLLM's accuracy check.
    template : ProfileTemplate, optional
        Defaults to the model's own template.
    n_boot : int, default 1000
    level : float, default 0.95
    seed : int, default 0
    share : bool, default True
        Let the model reuse work that does not change between profiles
        (False only for benchmarks; the lists are the same either way).
    train : pandas.DataFrame, optional
        Interactions the profiles' history is read from; default the model's
        ``train_`` (a model loaded from a checkpoint has none: pass
        ``split.train``).

    Returns
    -------
    ProbeResult
    """
    t0 = time.perf_counter()
    attributes = list(dict.fromkeys(attributes))
    if not attributes:
        raise ConfigError("Name at least one attribute to probe.")
    template = template or getattr(model, "template_", None)
    if template is None:
        raise ConfigError("This model does not read user profiles, so it cannot be probed "
                          "with counterfactual profiles.")
    template.check(dataset.users)
    absent = [a for a in attributes if a not in template.columns]
    if absent:
        raise ConfigError(f"The profile template has no part for {', '.join(absent)}; add a "
                          "part such as '{" + absent[0] + "}' to probe it.")
    values, left_out, users, strata = _sample(dataset.users, attributes, n_users, seed)
    train = train if train is not None else getattr(model, "train_", None)
    if train is None:
        raise ConfigError("The probe needs the training interactions to write each user's "
                          "history into the profile; pass train=split.train.")
    neutral_over = {a: None for a in attributes}
    neutral = _rank(model, dataset, train, users, template, neutral_over, k, share)
    lists = {a: {v: _rank(model, dataset, train, users, template,
                          {**neutral_over, a: v}, k, share) for v in values[a]}
             for a in attributes}
    probes = {a: summarise_attribute(a, neutral, lists[a], truth=truth, users=users,
                                     strata=strata, n_boot=n_boot, level=level, seed=seed)
              for a in attributes}
    return ProbeResult(k=int(k), users=users, neutral=neutral, lists=lists, attributes=probes,
                       left_out=left_out, template=template.to_dict(), n_boot=int(n_boot),
                       level=float(level), seconds=time.perf_counter() - t0)


def _sample(users_table, attributes, n_users, seed):
    """Probed values, users left out per attribute, sampled users and their strata."""
    values, known, left_out = {}, np.ones(len(users_table), dtype=bool), {}
    for a in attributes:
        values[a], mask = probe_values(users_table, a)
        left_out[a] = int((~mask).sum())
        known &= mask
    eligible = np.flatnonzero(known)
    if eligible.size == 0:
        raise ConfigError("No user has a known value of every probed attribute.")
    codes = users_table[attributes].astype(str).agg("\x1f".join, axis=1).to_numpy()[eligible]
    pick = stratified_sample(codes, n_users, np.random.default_rng(seed))
    return values, left_out, eligible[pick], np.unique(codes[pick], return_inverse=True)[1]


def _rank(model, dataset, train, users, template, overrides, k, share):
    profiles = render_profiles(dataset, train, users, template, overrides=overrides)
    return np.asarray(model.rank_profiles(users, profiles, k, share=share), dtype=np.int64)


def summarise_attribute(attribute: str, neutral: np.ndarray, by_value: dict, *, truth=None,
                        users=None, strata=None, n_boot: int = 1000, level: float = 0.95,
                        seed: int = 0) -> AttributeProbe:
    """Similarities, SNSR/SNSV, intervals, changed shares and accuracy for one attribute.

    Parameters
    ----------
    attribute : str
    neutral : numpy.ndarray, shape (n, k)
    by_value : dict of value -> numpy.ndarray, shape (n, k)
    truth : scipy.sparse matrix, optional
        Held-out positives indexed by dense user id (rows ``users``).
    users : numpy.ndarray of int, optional
        Dense user ids of the rows (needed with ``truth``).
    strata : numpy.ndarray of int, optional
        Bootstrap strata per row.
    """
    from fairrec_core.metrics.bootstrap import (
        derive_rng,
        percentile_interval,
        resampled_sums,
    )

    values = list(by_value)
    sims = {v: list_similarities(by_value[v], neutral) for v in values}
    cols = [sims[v][m] for m in SIMILARITIES for v in values]
    acc = _accuracy(neutral, by_value, truth, users) if truth is not None else None
    if acc is not None:
        cols += [acc[m][v] for m in ACCURACY for v in values]
    per_user = np.column_stack(cols)
    (tot,) = resampled_sums([np.column_stack([np.nan_to_num(per_user),
                                              ~np.isnan(per_user)])],
                            strata=strata, n_boot=n_boot, seed=derive_rng(seed, attribute))
    tot = tot.sum(axis=1)
    half = per_user.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = tot[:, :half] / tot[:, half:]
    point = np.nanmean(per_user, axis=0)
    m = len(values)
    out = AttributeProbe(attribute, values, {}, {}, {}, {}, {}, {}, {}, 0.0)
    for j, metric in enumerate(SIMILARITIES):
        sl = slice(j * m, (j + 1) * m)
        _spread(out, metric, values, point[sl], boot[:, sl], level, percentile_interval)
    same = {v: (by_value[v] == neutral).all(axis=1) for v in values}
    out.changed = {v: float(1.0 - same[v].mean()) for v in values}
    out.changed_any = float(1.0 - np.logical_and.reduce([same[v] for v in values]).mean())
    if acc is not None:
        base = len(SIMILARITIES) * m
        for j, metric in enumerate(ACCURACY):
            sl = slice(base + j * m, base + (j + 1) * m)
            p, b = point[sl], boot[:, sl]
            out.accuracy[metric] = {**{"neutral": acc[metric]["neutral_mean"]},
                                    **dict(zip(values, p.tolist()))}
            out.accuracy_gap[metric] = float(np.nanmax(p) - np.nanmin(p))
            out.accuracy_gap_ci[metric] = gap_interval(b, p, level=level)
    return out


def _spread(out, metric, values, p, b, level, interval) -> None:
    """Fill sim, SNSR and SNSV (point and interval) of one similarity metric."""
    out.sim[metric] = dict(zip(values, p.tolist()))
    lo_hi = interval(b, level=level)
    out.sim_ci[metric] = {v: [float(lo_hi[0][i]), float(lo_hi[1][i])]
                          for i, v in enumerate(values)}
    snsr, snsv = snsr_snsv(p)
    out.snsr[metric] = float(snsr)
    out.snsr_ci[metric] = gap_interval(b, p, level=level)
    out.snsv[metric] = float(snsv)
    out.snsv_ci[metric] = list(interval(snsr_snsv(b)[1], level=level))


def gap_interval(boot: np.ndarray, point: np.ndarray, *, level: float = 0.95) -> list:
    """Interval of max − min over values (SNSR, accuracy gap).

    The simultaneous band of :func:`~fairrec_core.metrics.bootstrap.gap_band`
    (the user-side fairness checks use the same one): the values that look
    most apart are partly the noisiest, and a plain interval of the chosen
    pair would sit too low and too narrow. When no resample moves at all (the
    unaware model's lists never change) the interval is the point itself.
    """
    from fairrec_core.metrics.bootstrap import gap_band

    point = np.asarray(point, dtype=np.float64)
    spread = float(np.nanmax(point) - np.nanmin(point))
    if np.allclose(boot, point[None], equal_nan=True):
        return [spread, spread]
    return [float(v) for v in gap_band(boot, point, level=level)[2:]]


def _accuracy(neutral, by_value, truth, users) -> dict:
    """Per-user NDCG@K and Recall@K of each list against held-out items (NaN: none held out)."""
    from fairrec_core.metrics.ranking import ranking_metrics

    if users is None:
        raise ConfigError("The accuracy check needs the dense user ids of the probed rows.")
    k = neutral.shape[1]
    rows = truth.tocsr()[users]
    out: dict[str, dict] = {m: {} for m in ACCURACY}
    for key, arr in [("neutral", neutral)] + list(by_value.items()):
        res = ranking_metrics(arr, rows, k=k)
        for m in ACCURACY:
            vals = res.per_user[m].to_numpy(dtype=np.float64).copy()
            vals[~res.evaluable] = np.nan
            out[m][key] = vals
    for m in ACCURACY:
        out[m]["neutral_mean"] = float(np.nanmean(out[m]["neutral"])) \
            if np.isfinite(out[m]["neutral"]).any() else float("nan")
    return out


__all__ = ["AttributeProbe", "DEFINITIONS", "ProbeResult", "probe_values", "run_probe",
           "gap_interval", "stratified_sample", "summarise_attribute"]
