"""Benchmark: audit of imported top-20 lists at 10^5 / 10^6 (/ 10^7) users, local vs Ray.

Data: ``fairrec_core.data.scale`` (seeded, chunked Parquet parts, the
sample data's injected biases), written once under ``benchmarks/_data``.
Each (size, engine) runs in a fresh Python process; a sampler thread in
the parent reads the resident memory of that process and of every process
it started (Ray's raylet, GCS and workers) every 0.2 s, so the peak of the
whole process tree and of its largest process are both recorded.

Stages timed in the child: ``read`` (Parquet parts → arrays, one part file
at a time: top-20 lists, held-out positives and training matrices of the
temporal split, group labels; the same for both engines) and ``metrics`` (the audit proper:
per-user ranking and beyond-accuracy metrics, user groups, provider
exposure, coverage, Gini, bootstrap intervals). Local = ``evaluate_lists``
(multinomial bootstrap, numpy group engine above 50,000 users); Ray =
``evaluate_partitioned(runner="ray")`` on a local Ray with 2 CPUs, Poisson
bootstrap, per-user rows not gathered; Ray's start-up is included.
``ray-parts`` = :func:`fairrec_core.engine.parts.evaluate_parts`: reading,
validation and the split run in Ray tasks too, one per part file, and the
driver holds only per-user codes and counts (its whole time is *metrics*).

Run:  .venv/bin/python benchmarks/bench_scale.py --users 100000 1000000
      .venv/bin/python benchmarks/bench_scale.py --users 10000000 \
          --data 10000000=/work/scale_data/1e7 --timeout 1800
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE / "_data" / "scale"
#: Age bands as fairrec's loader makes them (data/attributes.py).
AGE_BINS = ((18, 25, 35, 45, 55), ("under 18", "18-24", "25-34", "35-44", "45-54", "55+"))
ITEMS = {100_000: 50_000, 1_000_000: 100_000, 10_000_000: 100_000}


#: Data folders given with --data N=DIR (e.g. a 10^7 set generated outside the repo).
DATA_DIRS: dict = {}


def data_dir(n_users: int) -> Path:
    return DATA_DIRS.get(n_users, ROOT / f"u{n_users}")


def make_data(n_users: int) -> float:
    """Generate once; returns the seconds it took (0 when already there)."""
    out = data_dir(n_users)
    if (out / "truth.json").exists():
        return 0.0
    from fairrec_core.data.scale import write_scale_dataset

    t = time.perf_counter()
    write_scale_dataset(out, n_users=n_users, n_items=ITEMS.get(n_users, 100_000), seed=42,
                        workers=2)
    return time.perf_counter() - t


def _part_split(inter, lo: int, n: int):
    """One part's held-out positives and training rows (fairrec's default temporal split).

    The generator writes part ``c`` of every folder for the same user range,
    sorted by user and then timestamp, so each part is split on its own.
    """
    import numpy as np

    u = inter.column("user_id").to_numpy() - lo
    i = inter.column("item_id").to_numpy().astype(np.int32)
    rating, ts = inter.column("rating").to_numpy(), inter.column("timestamp").to_numpy()
    order = np.lexsort((ts, u))  # already so when written by the generator; cheap check
    u, i, rating = u[order], i[order], rating[order]
    count = np.bincount(u, minlength=n)
    from_end = (np.cumsum(count) - 1)[u] - np.arange(u.size)
    test = (from_end < 2) & (count[u] >= 3)
    valid = (from_end == 2) & (count[u] >= 4)
    train_m = ~(test | valid)
    pos = test & (rating >= 4)
    return (u[pos], i[pos]), (u[train_m], i[train_m])


def _csr(rows_cols, n_users: int, n_items: int):
    """CSR with int32 indices and int8 ones (the engines make their own float copy)."""
    import numpy as np
    import scipy.sparse as sp

    rows = np.concatenate([r for r, _ in rows_cols])
    cols = np.concatenate([c for _, c in rows_cols])
    indptr = np.zeros(n_users + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_users), out=indptr[1:])
    order = np.lexsort((cols, rows))
    m = sp.csr_matrix((np.ones(rows.size, dtype=np.int8), cols[order], indptr),
                      shape=(n_users, n_items))
    return m


def read_arrays(folder: Path):
    """Parquet parts → the metrics engine's arrays, one part file at a time.

    The driver never holds more than one part's raw rows: it keeps the
    top-20 lists (int32), and the held-out positives and training
    interactions as CSR matrices.
    """
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    users = pq.read_table(folder / "users").to_pandas()
    items = pq.read_table(folder / "items.parquet").to_pandas()
    n_users, n_items = len(users), len(items)
    lists, truth, train = None, [], []
    for part in sorted((folder / "recommendations").glob("part-*.parquet")):
        rec = pq.read_table(part, columns=["user_id", "item_id", "rank"])
        u, i, r = (rec.column(c).to_numpy() for c in ("user_id", "item_id", "rank"))
        if lists is None:
            lists = np.full((n_users, int(r.max())), -1, dtype=np.int32)
        lists[u, r - 1] = i
        inter = pq.read_table(folder / "interactions" / part.name)
        lo = int(u.min())
        t, tr = _part_split(inter, lo, int(u.max()) - lo + 1)
        truth.append((t[0] + lo, t[1]))
        train.append((tr[0] + lo, tr[1]))
        del rec, inter
    truth_m, train_m = _csr(truth, n_users, n_items), _csr(train, n_users, n_items)
    del truth, train
    edges, names = AGE_BINS
    age = pd.Series(np.asarray(names, dtype=object)[np.digitize(users["age"], edges)])
    groups = {"gender": users["gender"].to_numpy(), "age": age.to_numpy(),
              "region": users["region"].to_numpy(),
              "membership_tier": users["membership_tier"].to_numpy()}
    return lists, truth_m, train_m, groups, {"seller_size": items["seller_size"].to_numpy()}, \
        items["category"].to_numpy(), users["user_id"].to_numpy()


def child(engine: str, folder: Path, n_boot: int) -> dict:
    """Run one audit in this process and report times and what it found."""
    t0 = time.perf_counter()
    if engine == "ray-parts":  # read, validate and split on Ray as well: one timed stage
        from fairrec_core.engine import RayOptions
        from fairrec_core.engine.parts import evaluate_parts

        res = evaluate_parts(folder, user_groupings=["gender", "age", "region",
                                                     "membership_tier"],
                             item_groupings=["seller_size"], bins={"age": AGE_BINS}, k=10,
                             n_boot=n_boot, seed=0, ray=RayOptions(num_cpus=2))
        return _found(res, 0.0, time.perf_counter() - t0, None)
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
    return _found(res, t1 - t0, time.perf_counter() - t1, int(lists.size + train.nnz))


def _found(res, read_s: float, metrics_s: float, rows) -> dict:
    """Times and the figures that show the injected biases."""
    items = res.item_groups.set_index(["grouping", "group"])
    gaps = res.user_gaps.set_index(["grouping", "metric"])
    overall = res.overall.set_index("metric")["value"]
    return {"read_s": read_s, "metrics_s": metrics_s, "rows": rows,
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
                with contextlib.suppress(psutil.Error):  # a process may end meanwhile
                    rss[p.pid] = p.memory_info().rss
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
    ap.add_argument("--engines", nargs="+", default=["local", "ray", "ray-parts"],
                    choices=["local", "ray", "ray-parts"])
    ap.add_argument("--n-boot", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=3_600)
    ap.add_argument("--data", nargs="*", default=[], metavar="N=DIR",
                    help="use (or generate into) DIR for N users")
    ap.add_argument("--child")
    ap.add_argument("--dir", type=Path)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, a.dir, a.n_boot)))
        return
    for spec in a.data:
        n, _, folder = spec.partition("=")
        DATA_DIRS[int(n)] = Path(folder)
    for n in a.users:
        made = make_data(n)
        if made:
            print(json.dumps({"generated": n, "seconds": round(made, 1)}), flush=True)
        for engine in a.engines:
            print(json.dumps(measure(engine, n, a.n_boot, a.timeout)), flush=True)


if __name__ == "__main__":
    main()
