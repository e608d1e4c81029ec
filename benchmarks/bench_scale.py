"""Benchmark: audit of imported top-20 lists at 10^5 / 10^6 (/ 10^7) users, local vs Ray.

Data: ``fairrec_core.data.scale`` (seeded, chunked Parquet parts, the
sample data's injected biases), written once under ``benchmarks/_data``.
Each (size, engine) runs in a fresh Python process; a sampler thread in
the parent reads the resident memory of that process and of every process
it started (Ray's raylet, GCS and workers) every 0.2 s, so the peak of the
whole process tree and of its largest process are both recorded.

Stages timed in the child: ``read`` (Parquet parts → arrays: top-20 lists,
held-out positives and training matrices of the temporal split, group
labels; the same for both engines) and ``metrics`` (the audit proper:
per-user ranking and beyond-accuracy metrics, user groups, provider
exposure, coverage, Gini, bootstrap intervals). Local = ``evaluate_lists``
(multinomial bootstrap, numpy group engine above 50,000 users); Ray =
``evaluate_partitioned(runner="ray")`` on a local Ray with 2 CPUs, Poisson
bootstrap, per-user rows not gathered; Ray's start-up is included.

Run:  .venv/bin/python benchmarks/bench_scale.py --users 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE / "_data" / "scale"
ITEMS = {100_000: 50_000, 1_000_000: 100_000, 10_000_000: 100_000}


def data_dir(n_users: int) -> Path:
    return ROOT / f"u{n_users}"


def make_data(n_users: int) -> float:
    """Generate once; returns the seconds it took (0 when already there)."""
    out = data_dir(n_users)
    if (out / "truth.json").exists():
        return 0.0
    from fairrec_core.data.scale import write_scale_dataset

    t = time.perf_counter()
    write_scale_dataset(out, n_users=n_users, n_items=ITEMS.get(n_users, 100_000), seed=42)
    return time.perf_counter() - t


def read_arrays(folder: Path):
    """Parquet parts → the metrics engine's arrays (fairrec's default temporal split)."""
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq
    import scipy.sparse as sp

    users = pq.read_table(folder / "users").to_pandas()
    items = pq.read_table(folder / "items.parquet").to_pandas()
    n_users, n_items = len(users), len(items)
    rec = pq.read_table(folder / "recommendations", columns=["user_id", "item_id", "rank"])
    u, i, r = (rec.column(c).to_numpy() for c in ("user_id", "item_id", "rank"))
    order = np.lexsort((r, u))
    k = int(r.max())
    lists = np.full((n_users, k), -1, dtype=np.int64)
    lists[u[order], r[order] - 1] = i[order]
    del rec, u, i, r, order
    inter = pq.read_table(folder / "interactions")
    u, i = inter.column("user_id").to_numpy(), inter.column("item_id").to_numpy()
    rating, ts = inter.column("rating").to_numpy(), inter.column("timestamp").to_numpy()
    del inter
    order = np.lexsort((ts, u))
    u, i, rating = u[order], i[order], rating[order]
    count = np.bincount(u, minlength=n_users)
    from_end = (np.cumsum(count) - 1)[u] - np.arange(u.size)
    test = (from_end < 2) & (count[u] >= 3)
    valid = (from_end == 2) & (count[u] >= 4)
    train_m = ~(test | valid)
    truth = sp.csr_matrix((np.ones(int((test & (rating >= 4)).sum())),
                           (u[test & (rating >= 4)], i[test & (rating >= 4)])),
                          shape=(n_users, n_items))
    train = sp.csr_matrix((np.ones(int(train_m.sum())), (u[train_m], i[train_m])),
                          shape=(n_users, n_items))
    for m in (truth, train):
        m.sort_indices()
    age = pd.cut(users["age"], [0, 25, 35, 45, 55, 200], right=False,
                 labels=["18-24", "25-34", "35-44", "45-54", "55+"]).astype(str)
    groups = {"gender": users["gender"].to_numpy(), "age": age.to_numpy(),
              "region": users["region"].to_numpy(),
              "membership_tier": users["membership_tier"].to_numpy()}
    return lists, truth, train, groups, {"seller_size": items["seller_size"].to_numpy()}, \
        items["category"].to_numpy(), users["user_id"].to_numpy()


def child(engine: str, folder: Path, n_boot: int) -> dict:
    """Run one audit in this process and report times and what it found."""
    t0 = time.perf_counter()
    lists, truth, train, groups, igroups, cats, ids = read_arrays(folder)
    t1 = time.perf_counter()
    common = dict(user_groups=groups, item_groups=igroups, item_categories=cats, k=10,
                  n_boot=n_boot, seed=0)
    if engine == "local":
        from fairrec_core.metrics import evaluate_lists

        res = evaluate_lists(lists, truth, train, **common)
    else:
        from fairrec_core.engine import RayOptions, evaluate_partitioned

        res = evaluate_partitioned(lists, truth, train, user_ids=ids, runner="ray",
                                   ray=RayOptions(num_cpus=2), keep_per_user=False,
                                   **common)
    t2 = time.perf_counter()
    items = res.item_groups.set_index(["grouping", "group"])
    gaps = res.user_gaps.set_index(["grouping", "metric"])
    overall = res.overall.set_index("metric")["value"]
    return {"read_s": t1 - t0, "metrics_s": t2 - t1, "rows": int(lists.size + train.nnz),
            "small_es_cs": float(items.loc[("seller_size", "small"), "es_cs_ratio"]),
            "age_ratio": float(gaps.loc[("age", "ndcg"), "ratio"]),
            "age_worst": gaps.loc[("age", "ndcg"), "worst_group"],
            "ndcg": float(overall["ndcg"]), "gini": float(overall["gini"]),
            "failed_checks": sorted(set(res.checks.loc[res.checks["status"] == "fail",
                                                         "grouping"]))}


def _sample(pid: int, peaks: dict, stop: threading.Event) -> None:
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not stop.is_set():
        try:
            procs = [root] + root.children(recursive=True)
            rss = {}
            for p in procs:
                try:
                    rss[p.pid] = p.memory_info().rss
                except psutil.Error:
                    pass
            peaks["tree"] = max(peaks.get("tree", 0), sum(rss.values()))
            peaks["largest"] = max(peaks.get("largest", 0), max(rss.values(), default=0))
            peaks["driver"] = max(peaks.get("driver", 0), rss.get(pid, 0))
            peaks["n_procs"] = max(peaks.get("n_procs", 0), len(rss))
        except psutil.NoSuchProcess:
            break
        stop.wait(0.2)


def measure(engine: str, n_users: int, n_boot: int, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--child", engine, "--dir", str(data_dir(n_users)),
           "--n-boot", str(n_boot)]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks, stop = {}, threading.Event()
    th = threading.Thread(target=_sample, args=(proc.pid, peaks, stop), daemon=True)
    th.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return {"engine": engine, "users": n_users, "error": f"timed out after {timeout} s"}
    finally:
        stop.set()
        th.join()
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        return {"engine": engine, "users": n_users, "error": err.strip().splitlines()[-1:]}
    res = json.loads(out.strip().splitlines()[-1])
    return {"engine": engine, "users": n_users, "wall_s": wall, **res,
            "peak_tree_gb": peaks.get("tree", 0) / 2**30,
            "peak_largest_gb": peaks.get("largest", 0) / 2**30,
            "peak_driver_gb": peaks.get("driver", 0) / 2**30,
            "processes": peaks.get("n_procs", 0)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--engines", nargs="+", default=["local", "ray"])
    ap.add_argument("--n-boot", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=3_600)
    ap.add_argument("--child")
    ap.add_argument("--dir", type=Path)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, a.dir, a.n_boot)))
        return
    for n in a.users:
        made = make_data(n)
        if made:
            print(json.dumps({"generated": n, "seconds": round(made, 1)}), flush=True)
        for engine in a.engines:
            print(json.dumps(measure(engine, n, a.n_boot, a.timeout)), flush=True)


if __name__ == "__main__":
    main()
