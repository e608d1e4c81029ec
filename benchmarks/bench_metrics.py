"""Metrics engine speed against a straightforward pandas implementation (issue 4).

Setting: 6,040 users (MovieLens-1M size), 3,706 items, K = 10, random top-K
lists, three user groupings (gender, age band, region) and two item groupings
(seller size, head/tail). Four measurements, each beside a pandas
implementation of the same numbers, run in the same process:

1. per-user arrays (ranking metrics, novelty, ARP, APLT) — informative;
2. point estimates without intervals, once the per-user arrays exist:
   10 overall means, coverage, Gini, per-group values of 10 metrics for
   3 groupings with difference and ratio, and ES/CS/RS for 2 item groupings
   (target <= 10 ms);
3. 1,000-resample bootstrap intervals for all of them (target <= 1 s);
4. evaluate_lists end to end, both engines — informative.

The numbers of both implementations are compared before timing, so the
speed-up is for identical results. The pandas bootstrap loop is run for
``--baseline-boot`` resamples (default: all 1,000) and scaled linearly to
``--n-boot`` if fewer; the scaling is printed.

Usage::

    .venv/bin/python benchmarks/bench_metrics.py [--repeat 7] [--baseline-boot 1000]
"""

from __future__ import annotations

import argparse
import math
import platform
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
from _timing import repeat_timed  # benchmarks/_timing.py

from fairrec_core.metrics import (
    compare_groups,
    evaluate_lists,
    make_grouping,
    ranking_metrics,
)
from fairrec_core.metrics.beyond import (
    coverage_from_lists,
    gini,
    head_items,
    list_lengths,
    user_aplt,
    user_arp,
    user_novelty,
)
from fairrec_core.metrics.bootstrap import (
    derive_rng,
    gap_samples,
    percentile_interval,
    resampled_sums,
)
from fairrec_core.metrics.exposure import exposure_from_lists, position_weights
from fairrec_core.metrics.groups import (
    _num_den,
    item_group_shares,
    provider_shares_validated,
)

N_USERS, N_ITEMS, K = 6040, 3706, 10
METRICS = ["precision", "recall", "hr", "mrr", "ndcg", "ap", "novelty", "arp", "aplt"]
MIN_SIZE = 30


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    w = rng.permutation(1.0 / np.arange(1, N_ITEMS + 1) ** 0.8)
    p = w / w.sum()

    def interactions(counts):
        rows = np.repeat(np.arange(N_USERS), counts)
        m = sp.csr_matrix((np.ones(rows.size), (rows, rng.choice(N_ITEMS, rows.size, p=p))),
                          shape=(N_USERS, N_ITEMS))
        m.sum_duplicates()
        m.data[:] = 1
        return m

    train = interactions(rng.integers(5, 150, N_USERS))
    truth = interactions(rng.integers(0, 8, N_USERS))
    # Random lists favouring popular items (Gumbel top-K of log-popularity).
    g = np.log(p)[None, :] + rng.gumbel(size=(N_USERS, N_ITEMS))
    top = np.argpartition(-g, K, axis=1)[:, :K]
    top = np.take_along_axis(top, np.argsort(-np.take_along_axis(g, top, 1), axis=1), 1)
    users = {"gender": rng.choice(["F", "M"], N_USERS, p=[0.28, 0.72]),
             "age_band": rng.choice(["<18", "18-24", "25-34", "35-44", "45-54", "55+"],
                                    N_USERS, p=[0.04, 0.18, 0.35, 0.2, 0.15, 0.08]),
             "region": rng.choice(["north", "south", "east", "west", "islands"], N_USERS,
                                  p=[0.3, 0.3, 0.2, 0.19, 0.01])}
    items = {"seller_size": rng.choice(["small", "medium", "large"], N_ITEMS, p=[0.6, 0.3, 0.1])}
    return top, truth, train, users, items


def timeit(fn, repeat):
    """``(median, best, last result)``: this benchmark reports the median first."""
    best, median, out = repeat_timed(fn, repeat)
    return median, best, out


# ---------------------------------------------------------------- fairrec engine


def per_user_arrays(top, truth, train):
    r = ranking_metrics(top, truth, k=K)
    pop = np.bincount(train.indices, minlength=N_ITEMS)
    head = head_items(pop)
    df = r.per_user.copy()
    df["novelty"] = user_novelty(top, pop, N_USERS)
    df["arp"] = user_arp(top, pop)
    df["aplt"] = user_aplt(top, ~head, K)
    return df, head


def ours_points(values, w, lists, truth, ugroups, igroups, weights):
    """All point estimates from per-user arrays (numpy engine)."""
    num, den = _num_den(values.to_numpy(), w)
    overall = num.sum(axis=0) / den.sum(axis=0)
    exp = exposure_from_lists(lists, N_ITEMS, weights)
    cov, gin = coverage_from_lists(lists, N_ITEMS), gini(exp)
    groups = {name: compare_groups(values, g, weights=w, min_group_size=MIN_SIZE,
                                   engine="numpy") for name, g in ugroups.items()}
    merit = np.bincount(truth.indices, minlength=N_ITEMS)
    shares = {name: item_group_shares(exp, merit, g) for name, g in igroups.items()}
    return overall, cov, gin, groups, shares


def ours_intervals(values, w, lists, truth, ugroups, igroups, weights, n_boot, points):
    """Bootstrap intervals for every number of ours_points (except coverage/Gini)."""
    num, den = _num_den(values.to_numpy(), w)
    m = num.shape[1]
    ps = [provider_shares_validated(lists, truth, g, weights) for g in igroups.values()]
    mats = [np.hstack([num, den])]
    for s in ps:
        mats += [s.exposure_by_user, s.merit_by_user]
    sums = resampled_sums(mats, n_boot=n_boot, seed=derive_rng(0, "overall"))
    with np.errstate(invalid="ignore", divide="ignore"):
        over = sums[0][:, 0, :m] / sums[0][:, 0, m:]
    out = {"overall": percentile_interval(over)}
    for j in range(len(ps)):
        e, r = sums[1 + 2 * j][:, 0], sums[2 + 2 * j][:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            es = e / e.sum(axis=1, keepdims=True)
            rs = r / r.sum(axis=1, keepdims=True)
            out[f"item{j}"] = [percentile_interval(x) for x in (es, rs, es / rs)]
    for name, g in ugroups.items():
        (b,) = resampled_sums([np.hstack([num, den])], strata=g.codes, n_strata=g.n_groups,
                              n_boot=n_boot, seed=derive_rng(0, f"user:{name}"))
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = np.where(b[..., m:] > 0, b[..., :m] / b[..., m:], np.nan)
        cmp = points[3][name]
        labels = list(g.labels)
        best = np.array([labels.index(cmp.best[c]) for c in values.columns])
        worst = np.array([labels.index(cmp.worst[c]) for c in values.columns])
        d, r = gap_samples(boot, best, worst)
        out[name] = (percentile_interval(boot), percentile_interval(d), percentile_interval(r))
    return out


# ---------------------------------------------------------------- pandas baseline


def pandas_points(per_user, long, truth_long, labels, item_labels, n_items):
    """The same numbers with plain pandas groupby on long-format frames.

    ``long`` has one row per recommended (user, rank, item) with the item's
    self-information ``nov``; pooled novelty is a mean over those rows.
    """
    long = long.assign(e=1.0 / np.log2(long["rank"] + 1))
    overall = per_user[METRICS].mean()
    overall["novelty"] = long["nov"].mean()
    exp = long.groupby("item")["e"].sum().reindex(range(n_items), fill_value=0.0)
    cov = long["item"].nunique() / n_items
    x = np.sort(exp.to_numpy())
    n = x.size
    gin = float(np.sum((2 * np.arange(1, n + 1) - n - 1) * x) / (n * x.sum()))
    groups = {}
    for name, lab in labels.items():
        means = per_user[METRICS].groupby(lab).mean()
        counts = per_user[METRICS].groupby(lab).count()
        means["novelty"] = long.groupby(lab[long["user"].to_numpy()])["nov"].mean()
        ok = means.where(counts >= MIN_SIZE)
        groups[name] = (means, counts, ok.max() - ok.min(), ok.min() / ok.max())
    shares = {}
    for name, lab in item_labels.items():
        item_g = pd.Series(lab)
        es = exp.groupby(item_g.to_numpy()).sum() / exp.sum()
        cs = item_g.value_counts(normalize=True)
        rs = truth_long["item"].map(item_g).value_counts(normalize=True).reindex(
            es.index, fill_value=0)
        shares[name] = pd.DataFrame({"es": es, "cs": cs, "rs": rs,
                                     "es_cs": es / cs, "es_rs": es / rs})
    return overall, cov, gin, groups, shares


def pandas_bootstrap(per_user, labels, user_item_exp, user_item_merit, n_boot, seed=0):
    """Resample users (within groups) with DataFrame.sample and recompute with groupby."""
    rng = np.random.default_rng(seed)
    ev = per_user[METRICS]
    overall, groups, shares = [], {n: [] for n in labels}, []
    for _ in range(n_boot):
        s = ev.sample(frac=1.0, replace=True, random_state=rng)
        overall.append(s.mean())
        idx = s.index
        for frame_e, frame_m in zip(user_item_exp, user_item_merit):
            e = frame_e.loc[idx].sum()
            r = frame_m.loc[idx].sum()
            shares.append(pd.DataFrame({"es": e / e.sum(), "rs": r / r.sum()}))
        for name, lab in labels.items():
            s = ev.groupby(lab, group_keys=False).sample(frac=1.0, replace=True,
                                                         random_state=rng)
            groups[name].append(s.groupby(lab[s.index.to_numpy()]).mean())
    q = [0.025, 0.975]
    out = {"overall": pd.DataFrame(overall).quantile(q)}
    for name, frames in groups.items():
        stacked = pd.concat(frames, keys=range(len(frames)))
        out[name] = stacked.groupby(level=1).quantile(q)
        gaps = [f.max() - f.min() for f in frames]
        out[name + ":gap"] = pd.DataFrame(gaps).quantile(q)
    return out


# ---------------------------------------------------------------- main


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--baseline-boot", type=int, default=1000)
    args = ap.parse_args(argv)

    top, truth, train, users, items = make_data()
    truth = truth.tocsr()
    weights = position_weights(K, "log")

    t_pu, t_pu_min, (per_user, head) = timeit(lambda: per_user_arrays(top, truth, train),
                                             args.repeat)
    values = per_user[METRICS]
    w = np.ones((N_USERS, len(METRICS)))
    length = list_lengths(top)
    w[:, METRICS.index("novelty")] = length
    ugroups = {n: make_grouping(v, name=n) for n, v in users.items()}
    item_labels = {**items, "popularity": np.where(head, "head", "tail")}
    igroups = {n: make_grouping(v, name=n) for n, v in item_labels.items()}

    # pandas per-user arrays: long format + merge + groupby.
    def pandas_per_user():
        long = pd.DataFrame({"user": np.repeat(np.arange(N_USERS), K),
                             "rank": np.tile(np.arange(1, K + 1), N_USERS), "item": top.ravel()})
        tl = pd.DataFrame({"user": np.repeat(np.arange(N_USERS), np.diff(truth.indptr)),
                           "item": truth.indices, "rel": 1})
        m = long.merge(tl, on=["user", "item"], how="left").fillna({"rel": 0})
        m["g"] = m["rel"] / np.log2(m["rank"] + 1)
        m = m.sort_values(["user", "rank"])
        m["cum"] = m.groupby("user")["rel"].cumsum()
        m["pk"] = m["cum"] / m["rank"] * m["rel"]
        m["first"] = np.where(m["rel"] > 0, 1 / m["rank"], 0)
        agg = m.groupby("user").agg(hits=("rel", "sum"), dcg=("g", "sum"), rr=("first", "max"),
                                    ap=("pk", "sum"))
        nrel = tl.groupby("user").size().reindex(range(N_USERS), fill_value=0)
        ideal = np.minimum(K, nrel)
        disc = np.concatenate([[0], np.cumsum(1 / np.log2(np.arange(2, K + 2)))])
        agg["precision"] = agg["hits"] / K
        agg["recall"] = agg["hits"] / nrel
        agg["hr"] = (agg["hits"] > 0).astype(float)
        agg["mrr"] = agg["rr"]
        agg["ndcg"] = agg["dcg"] / disc[ideal]
        agg["ap"] = agg["ap"] / ideal
        agg.loc[nrel == 0, ["precision", "recall", "hr", "mrr", "ndcg", "ap"]] = np.nan
        pop = pd.Series(train.indices).value_counts().reindex(range(N_ITEMS), fill_value=0)
        long["pop"] = pop.to_numpy()[long["item"]]
        long["nov"] = -np.log2(np.maximum(long["pop"], 1) / N_USERS)
        long["tail"] = ~head[long["item"]]
        g2 = long.groupby("user")
        agg["novelty"] = g2["nov"].mean()
        agg["arp"] = g2["pop"].mean()
        agg["aplt"] = g2["tail"].sum() / K
        return agg[METRICS], long, tl

    t_pu_pd, t_pu_pd_min, (pd_pu, long_pd, truth_long) = timeit(pandas_per_user, args.repeat)
    np.testing.assert_allclose(pd_pu.to_numpy(), values.to_numpy(), rtol=1e-9, equal_nan=True)

    # --- point estimates
    t_pt, t_pt_min, points = timeit(
        lambda: ours_points(values, w, top, truth, ugroups, igroups, weights), args.repeat)

    labels = {n: g.values for n, g in ugroups.items()}

    def pandas_pts():
        return pandas_points(pd_pu, long_pd, truth_long, labels, item_labels, N_ITEMS)

    t_pt_pd, t_pt_pd_min, pd_out = timeit(pandas_pts, args.repeat)
    # Same numbers?
    overall, cov, gin, groups, shares = points
    pd_overall, pd_cov, pd_gin, pd_groups, pd_shares = pd_out
    np.testing.assert_allclose(overall, pd_overall[METRICS].to_numpy(), rtol=1e-9)
    assert math.isclose(cov, pd_cov) and math.isclose(gin, pd_gin, rel_tol=1e-9)
    for name, cmp in groups.items():
        means, _, diff, ratio = pd_groups[name]
        np.testing.assert_allclose(cmp.value.loc[means.index, METRICS].to_numpy(),
                                   means[METRICS].to_numpy(), rtol=1e-9)
        np.testing.assert_allclose(cmp.difference[METRICS].to_numpy(),
                                   diff[METRICS].to_numpy(), rtol=1e-9)
        np.testing.assert_allclose(cmp.ratio[METRICS].to_numpy(),
                                   ratio[METRICS].to_numpy(), rtol=1e-9)
    for name, table in shares.items():
        t = table.set_index("group")
        for ours_col, pd_col in [("exposure_share", "es"), ("merit_share", "rs"),
                                 ("es_cs_ratio", "es_cs"), ("es_rs_ratio", "es_rs")]:
            np.testing.assert_allclose(t[ours_col].to_numpy(),
                                       pd_shares[name].loc[t.index, pd_col].to_numpy(),
                                       rtol=1e-9)

    # Fairlearn MetricFrame engine for the user-group part (what evaluate_lists uses).
    t_fl, t_fl_min, _ = timeit(lambda: {n: compare_groups(values, g, weights=w,
                                                          min_group_size=MIN_SIZE)
                                        for n, g in ugroups.items()}, max(3, args.repeat // 2))

    # --- intervals
    boot_repeat = max(3, args.repeat // 2)
    t_ci, t_ci_min, _ = timeit(lambda: ours_intervals(values, w, top, truth, ugroups, igroups,
                                                      weights, args.n_boot, points), boot_repeat)
    exp_frames = [pd.DataFrame(provider_shares_validated(top, truth, g, weights)
                               .exposure_by_user.toarray()) for g in igroups.values()]
    merit_frames = [pd.DataFrame(provider_shares_validated(top, truth, g, weights)
                                 .merit_by_user.toarray()) for g in igroups.values()]
    t0 = time.perf_counter()
    pandas_bootstrap(pd_pu, labels, exp_frames, merit_frames, args.baseline_boot)
    t_ci_pd_part = time.perf_counter() - t0
    t_ci_pd = t_ci_pd_part * args.n_boot / args.baseline_boot

    # --- end to end
    def e2e(engine):
        return evaluate_lists(top, truth, train, user_groups=users, item_groups=items, k=K,
                              n_boot=args.n_boot, engine=engine)

    t_e2e_np, _, _ = timeit(lambda: e2e("numpy"), 3)
    t_e2e_fl, _, _ = timeit(lambda: e2e("fairlearn"), 3)

    ms = 1000.0
    print(f"machine: {platform.processor() or platform.machine()}, python "
          f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"data: {N_USERS} users, {N_ITEMS} items, K={K}, user groupings "
          f"{list(users)}, item groupings {list(item_labels)}; median of {args.repeat} runs "
          f"(min in brackets)")
    rows = [
        ("per-user arrays (6 ranking + novelty, ARP, APLT)", t_pu, t_pu_min, t_pu_pd,
         t_pu_pd_min, ""),
        ("point estimates, no intervals (numpy engine)", t_pt, t_pt_min, t_pt_pd, t_pt_pd_min,
         "target <= 10 ms"),
        ("  user groups via Fairlearn MetricFrame", t_fl, t_fl_min, t_pt_pd, t_pt_pd_min,
         "evaluate_lists default (engine=auto) up to 50k users"),
        (f"{args.n_boot}-resample intervals, all of the above", t_ci, t_ci_min, t_ci_pd,
         float("nan"), f"target <= 1 s; pandas: {args.baseline_boot} resamples "
                       f"({t_ci_pd_part:.2f} s) x {args.n_boot // args.baseline_boot}"),
    ]
    print(f"{'task':52s} {'fairrec ms':>12s} {'pandas ms':>12s} {'speed-up':>9s}")
    for name, a, amin, b, bmin, note in rows:
        print(f"{name:52s} {a * ms:8.1f} ({amin * ms:.1f}) {b * ms:9.1f}"
              f"{'' if math.isnan(bmin) else f' ({bmin * ms:.1f})'} {b / a:8.2g}x  {note}")
    print(f"evaluate_lists end to end, n_boot={args.n_boot}: numpy engine {t_e2e_np:.2f} s, "
          f"fairlearn engine {t_e2e_fl:.2f} s (median of 3)")
    print("identical numbers checked: per-user arrays, overall, per-group values, "
          "differences, ES and RS")


if __name__ == "__main__":
    main()
