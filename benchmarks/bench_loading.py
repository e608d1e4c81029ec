"""Benchmark: load + validate + index a 1,000,000-row interactions CSV.

Target (issue 2): at most 3 s and 1.5 GB peak memory on a 2-core machine, with
10,000 users and 50,000 items files, printed beside plain ``pandas.read_csv``
of the same interactions file in the same run.

Each measurement runs in a fresh Python process so that its peak resident
memory (ru_maxrss) is its own. Run:  .venv/bin/python benchmarks/bench_loading.py
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data" / "loading_1m"


def make_data(n_users: int, n_items: int, n_inter: int) -> None:
    from fairrec_core.data.synthetic import generate

    marker = DATA / f"made_{n_users}_{n_items}_{n_inter}"
    if marker.exists():
        return
    DATA.mkdir(parents=True, exist_ok=True)
    data = generate(n_users=n_users, n_items=n_items, n_interactions=n_inter, seed=1)
    data.interactions.to_csv(DATA / "interactions.csv", index=False)
    data.users.to_csv(DATA / "users.csv", index=False)
    data.items.to_csv(DATA / "items.csv", index=False)
    marker.touch()


def measure(which: str, repeats: int) -> dict:
    """Run in a child process: time ``which`` ``repeats`` times, report the best."""
    import pandas as pd

    from fairrec_core.data import load_dataset

    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        if which == "pandas":
            df = pd.read_csv(DATA / "interactions.csv")
            rows = len(df)
        else:
            ds = load_dataset(DATA / "interactions.csv", users=DATA / "users.csv",
                              items=DATA / "items.csv")
            rows = len(ds.interactions)
            _ = ds.matrix()  # the CSR train matrix is part of indexing
        times.append(time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"which": which, "best_s": min(times), "median_s": sorted(times)[len(times) // 2],
            "peak_rss_mb": peak_mb, "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", choices=["pandas", "fairrec"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--users", type=int, default=10_000)
    ap.add_argument("--items", type=int, default=50_000)
    ap.add_argument("--interactions", type=int, default=1_000_000)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.repeats)))
        return
    make_data(args.users, args.items, args.interactions)
    size = (DATA / "interactions.csv").stat().st_size / 2**20
    results = {}
    for which in ("pandas", "fairrec"):
        out = subprocess.run([sys.executable, __file__, "--child", which,
                              "--repeats", str(args.repeats)],
                             capture_output=True, text=True, check=True)
        results[which] = json.loads(out.stdout.strip().splitlines()[-1])
    p, f = results["pandas"], results["fairrec"]
    print(f"interactions.csv: {f['rows']:,} rows kept, {size:.1f} MB; users "
          f"{args.users:,}, items {args.items:,}")
    print(f"plain pandas.read_csv (interactions only): best {p['best_s']:.2f} s, "
          f"peak RSS {p['peak_rss_mb']:.0f} MB")
    print(f"fairrec load+validate+index (3 files):     best {f['best_s']:.2f} s, "
          f"peak RSS {f['peak_rss_mb']:.0f} MB")
    print(f"ratio fairrec / pandas: {f['best_s'] / p['best_s']:.2f}x time, "
          f"{f['peak_rss_mb'] / p['peak_rss_mb']:.2f}x memory")
    ok = f["best_s"] <= 3.0 and f["peak_rss_mb"] <= 1536
    print(f"target (<= 3 s, <= 1.5 GB): {'MET' if ok else 'NOT MET'}")


if __name__ == "__main__":
    main()
