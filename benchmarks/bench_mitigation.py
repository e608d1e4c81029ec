"""Mitigations side by side on the sample data: aware, unaware, augmented (issue 14, item 5).

Trains the MiniLM profile two-tower (frozen encoder) three times on sample_data/
with the temporal split and the same seed -- told age and gender (*aware*),
not told them (*unaware*), and told them with counterfactual data augmentation
(*augmented*: while training, each user's attribute sentence is, with
probability ``--p`` per batch (default 1), rewritten with age and gender drawn
at random from their values, or left out with ``--augment remove``) -- and prints, per model, the
gender and age SNSR Jaccard@10 with its 95% band, the leakage AUC with its band,
and NDCG@10 on the test part: the table benchmarks/RESULTS.md records.

Run: ``.venv/bin/python benchmarks/bench_mitigation.py [--epochs 10] [--users 1000]``
(quick check: ``--epochs 2 --users 200 --boot 200``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--users", type=int, default=1000, help="users probed")
    p.add_argument("--boot", type=int, default=1000, help="bootstrap resamples")
    p.add_argument("--augment", choices=("swap", "remove"), default="swap")
    p.add_argument("--p", type=float, default=1.0, help="share of profiles augmented")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = p.parse_args()
    import torch

    from fairrec_core.config_sections import CounterfactualConfig
    from fairrec_core.data import load_dataset, split_dataset
    from fairrec_core.pipeline.mitigation_stage import compare_mitigations

    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"load average before: {os.getloadavg()}", flush=True)
    ds = load_dataset(SAMPLE / "interactions.csv", SAMPLE / "users.csv", SAMPLE / "items.csv")
    split = split_dataset(ds)
    cfg = CounterfactualConfig(attributes=["gender", "age"], n_users=args.users,
                               params={"epochs": args.epochs, "dim": args.dim,
                                       "max_length": args.max_length, "patience": 0,
                                       "device": "cpu"})
    w0, c0 = time.perf_counter(), time.process_time()

    def progress(done, total, variant):
        print(f"[{time.perf_counter() - w0:.0f} s wall, {time.process_time() - c0:.0f} CPU s] "
              f"{done}/{total} {variant}", flush=True)

    res = compare_mitigations(cfg, ds, split, k=10, n_boot=args.boot, seed=0,
                              augment=args.augment, augment_p=args.p, progress=progress)
    print(json.dumps(res.to_dict()))
    print("\n| model | gender SNSR Jaccard@10 [95%] | gender leakage AUC [95%] | age SNSR "
          "Jaccard@10 [95%] | age leakage AUC [95%] | NDCG@10 |\n|---|---|---|---|---|---|")
    for r in res.rows:
        cells = []
        for a in ("gender", "age"):
            m = r["by_attribute"][a]
            cells += [f"{m['snsr']:.3f} [{m['snsr_ci'][0]:.3f}, {m['snsr_ci'][1]:.3f}]",
                      f"{m['auc']:.3f} [{m['auc_ci'][0]:.3f}, {m['auc_ci'][1]:.3f}]"]
        print(f"| {r['variant']} | " + " | ".join(cells) + f" | {r['ndcg']:.4f} |")
    print(f"\naugment={args.augment}, p={args.p}, epochs={args.epochs}, users={args.users}; "
          f"{time.perf_counter() - w0:.0f} s wall, {time.process_time() - c0:.0f} CPU s; "
          f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
