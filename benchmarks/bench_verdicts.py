"""How often a verdict cries wolf, before and after intervals decided (issue 13 item 1).

Simulation: per-user NDCG@10 of realistic shape (most users have no hit; a
user with a hit has one held-out item at a uniformly random rank 1..10, so
NDCG = 1/log2(rank+1)), hit rate 0.35 (mean NDCG about 0.15), groups of
realistic sizes with some small ones: 6 groups (35..700 users), 12 groups
(30..500), 21 groups with MovieLens-100K's occupation sizes (7..196 users;
11 are under the minimum of 30 and not judged) and 21 groups with
MovieLens-1M's occupation sizes (17..759). Each replicate draws new users,
then judges NDCG across the groups as the audit does (groups under 30
evaluable users left out, 1,000-resample within-group bootstrap, thresholds
0.8 / 0.9) with four rules:

* point    -- the point estimate of min/max decides (the rule before issue 13);
* pair     -- the percentile interval of the observed worst/best pair decides;
* reselect -- the percentile interval of min/max re-selected in every resample;
* band     -- the simultaneous band (:func:`gap_band`) decides (the rule now).

Under no gap every FAIL is false. Power: one group (the median-sized judged
group) gets a true ratio r to the others; with r = 0.8 (the fail threshold)
the right verdict is WARN (0.8 < 0.9), and FAIL is at the boundary.

Usage::

    .venv/bin/python benchmarks/bench_verdicts.py [--reps 400] [--n-boot 1000]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from fairrec_core.metrics import compare_groups, make_grouping
from fairrec_core.metrics.bootstrap import (
    bootstrap_group_means,
    gap_band,
    percentile_interval,
)
from fairrec_core.metrics.checks import interval_status, ratio_status

SIZES = {
    "6 groups": [35, 60, 120, 250, 400, 700],
    "12 groups": [30, 32, 40, 55, 70, 90, 120, 160, 220, 300, 400, 500],
    "21 groups (ML-100K occupations)": [196, 105, 95, 79, 67, 66, 51, 45, 32, 31, 28, 27, 26,
                                        18, 16, 14, 12, 12, 9, 7, 7],
    "21 groups (ML-1M occupations)": [759, 711, 679, 528, 502, 388, 302, 281, 267, 241, 236,
                                      195, 173, 144, 142, 129, 112, 92, 72, 70, 17],
}
FAIL, WARN, MIN_SIZE, HIT_RATE = 0.8, 0.9, 30, 0.35


def draw_ndcg(rng, hit_rate):
    """Per-user NDCG@10 with one held-out item: 0 without a hit, 1/log2(rank+1) with one."""
    hit = rng.random(hit_rate.size) < hit_rate
    rank = rng.integers(1, 11, hit_rate.size)
    return np.where(hit, 1.0 / np.log2(rank + 1.0), 0.0)


def replicate(rng, sizes, gap_group=None, true_ratio=1.0, n_boot=1000):
    """Statuses of one simulated audit under each rule."""
    codes = np.repeat(np.arange(len(sizes)), sizes)
    rate = np.full(codes.size, HIT_RATE)
    if gap_group is not None:
        rate[codes == gap_group] *= true_ratio
    ndcg = draw_ndcg(rng, rate)[:, None]
    g = make_grouping(codes, name="group")
    cmp = compare_groups(ndcg, g, min_group_size=MIN_SIZE, engine="numpy")
    boot = bootstrap_group_means(ndcg, g.codes, n_strata=g.n_groups, n_boot=n_boot,
                                 seed=rng)[:, :, 0]
    ok = cmp.sufficient.iloc[:, 0].to_numpy()
    means = cmp.value.iloc[:, 0].to_numpy()
    b, m = boot[:, ok], means[ok]
    worst, best = m.argmin(), m.argmax()
    _, pair_hi = percentile_interval(b[:, worst] / b[:, best])
    _, resel_hi = percentile_interval(b.min(axis=1) / b.max(axis=1))
    lo, hi, _, _ = gap_band(b, m)
    return {"point": ratio_status(m[worst] / m[best], fail=FAIL, warn=WARN),
            "pair": "fail" if pair_hi < FAIL else "other",
            "reselect": "fail" if resel_hi < FAIL else "other",
            "band": interval_status(lo, hi, fail=FAIL, warn=WARN)}


def rates(rng, sizes, reps, n_boot, gap_group=None, true_ratio=1.0):
    """Share of replicates per (rule, status)."""
    out: dict[str, dict[str, float]] = {}
    for _ in range(reps):
        for rule, status in replicate(rng, sizes, gap_group, true_ratio, n_boot).items():
            out.setdefault(rule, {}).setdefault(status, 0.0)
            out[rule][status] += 1.0 / reps
    return out


def median_judged_group(sizes):
    judged = [i for i, s in enumerate(sizes) if s >= MIN_SIZE]
    return sorted(judged, key=lambda i: sizes[i])[len(judged) // 2]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=400)
    ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    print(f"machine: {platform.processor() or platform.machine()}, python "
          f"{platform.python_version()}; reps={args.reps}, n_boot={args.n_boot}, "
          f"seed={args.seed}")
    t0 = time.perf_counter()
    print("\nNo true gap: share of FAIL verdicts (all false)")
    print(f"{'setting':34s} {'point':>7s} {'pair':>7s} {'reselect':>9s} {'band':>7s}"
          "   band: warn / inconclusive / pass")
    for name, sizes in SIZES.items():
        r = rates(rng, sizes, args.reps, args.n_boot)
        band = r["band"]
        print(f"{name:34s} {r['point'].get('fail', 0):7.1%} {r['pair'].get('fail', 0):7.1%} "
              f"{r['reselect'].get('fail', 0):9.1%} {band.get('fail', 0):7.1%}   "
              f"{band.get('warn', 0):.1%} / {band.get('inconclusive', 0):.1%} / "
              f"{band.get('pass', 0):.1%}")
    print("\nTrue gap in the median-sized judged group (band rule): "
          "fail / warn / inconclusive / pass  (point rule: fail)")
    for name, sizes in SIZES.items():
        gi = median_judged_group(sizes)
        for ratio in (0.8, 0.7, 0.6, 0.5):
            r = rates(rng, sizes, args.reps, args.n_boot, gi, ratio)
            band = r["band"]
            print(f"{name:34s} n={sizes[gi]:4d} ratio {ratio:.1f}: "
                  f"{band.get('fail', 0):6.1%} / {band.get('warn', 0):6.1%} / "
                  f"{band.get('inconclusive', 0):6.1%} / {band.get('pass', 0):6.1%}"
                  f"   (point: {r['point'].get('fail', 0):6.1%})")
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
