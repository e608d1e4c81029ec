"""Benchmark: a top-layer fine-tuning epoch of the text two-tower on the sample data (issue 14).

The workload of ``fairrec train --model two-tower --finetune top --epochs 1``
on sample_data/ (1,000 items, 44,052 training ratings after the temporal
split; MiniLM, top 2 of 6 layers, batch 256 -> 173 steps, 128 tokens max),
timed in one run:

* **blocks** (now): frozen layers cached once per item, and the encoder's
  gradient pooled over blocks of steps (GradCache, ``BlockGradCache``; a
  quarter of an epoch per block by default, so 4 encoder updates per epoch):
  each item passes the top layers about twice per block. A full epoch is run
  and timed; NDCG@10 on the temporal split's test part is reported.
* **step** (the previous path, ``_encoder_every = 1``): frozen layers cached,
  but the top layers run forward and backward at every step on the batch's
  ~480 distinct items. A full epoch takes far longer than a benchmark
  should on 2 shared cores, so it trains on the first ``--steps`` batches'
  worth of training rows and the epoch is extrapolated as setup + 173 x
  median step + end-of-epoch work, each measured.
* **same workload, both paths**: accuracy at equal work -- both paths train
  one epoch on the same ``--steps`` batches and are scored by NDCG@10 on the
  test part (the reference full epoch is out of reach here).

The load average is printed: these machines are shared, and a loaded
machine slows every path. ``--threads`` sets torch's thread count (on a
loaded 2-core machine one thread avoids OpenMP contention).

Run: ``.venv/bin/python benchmarks/bench_finetune.py [--steps 8] [--threads 1]``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


def _data():
    from fairrec_core.data import load_dataset, split_dataset

    ds = load_dataset(SAMPLE / "interactions.csv", SAMPLE / "users.csv", SAMPLE / "items.csv")
    return ds, split_dataset(ds)


def measure(path: str, steps: int | None, batch: int = 256) -> dict:
    """Setup, per-step, end-of-epoch and total seconds of one path, and its test NDCG@10.

    ``steps`` None trains the whole epoch; otherwise the first ``steps`` batches' worth
    of training rows (same batch size, so the same per-step work).
    """
    import torch

    from fairrec_core.models import TextTwoTower
    from fairrec_core.models.encoders import DEFAULT_CACHE
    from fairrec_core.training import ndcg_on

    ds, split = _data()
    full_steps = -(-len(split.train) // batch)
    used = split
    if steps is not None:
        part = split.train.sample(n=steps * batch, random_state=0).sort_index()
        used = type(split)(**{**split.__dict__, "train": part})
    DEFAULT_CACHE.clear()  # every path encodes the item texts itself
    model = TextTwoTower(mode="top", epochs=1, batch_size=batch, device="cpu", seed=0,
                         patience=0)
    # The block path on a partial workload keeps the full epoch's block size (a quarter of
    # 173 steps), so that it makes as few encoder updates per step as in a real epoch.
    model._encoder_every = 1 if path == "step" else -(-full_steps // 4)
    times: dict = {}
    w0, c0 = time.perf_counter(), time.process_time()

    def on_event(ev):
        now = (time.perf_counter() - w0, time.process_time() - c0)
        if ev.kind == "start":
            times["start"] = now
        elif ev.kind == "step":
            times.setdefault("steps", []).append((ev.step, *now))
        elif ev.kind == "epoch":
            times["epoch"] = now

    model.fit(ds, used, callbacks=[on_event])
    total = (time.perf_counter() - w0, time.process_time() - c0)
    truth = split.test_matrix()
    users = np.flatnonzero(np.diff(truth.indptr) > 0)
    out = {"path": path, "threads": torch.get_num_threads(), "full_steps": full_steps,
           "encode_s": model.encode_seconds_, "prefix_s": getattr(model, "prefix_seconds_", 0.0),
           "ndcg10_test": ndcg_on(model, truth, users, 10),
           "ndcg10_valid": model.training_.history[-1].get("ndcg@10")}
    marks = np.array([(0, *times["start"])] + times["steps"], dtype=float)
    out["steps_run"] = int(marks[-1, 0])
    # wall: seconds on this (shared) machine; cpu: CPU seconds of this process, which with
    # one thread is about the wall time the same work takes on an idle core.
    for j, clock in ((1, "wall"), (2, "cpu")):
        per_step = float(np.median(np.diff(marks[:, j]) / np.diff(marks[:, 0])))
        end = times["epoch"][j - 1] - marks[-1, j]
        out.update({f"{clock}_setup_s": times["start"][j - 1], f"{clock}_step_s": per_step,
                    f"{clock}_end_of_epoch_s": end, f"{clock}_measured_s": total[j - 1],
                    f"{clock}_epoch_s_extrapolated":
                        times["start"][j - 1] + full_steps * per_step + end})
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    p.add_argument("--skip-full", action="store_true", help="no full epoch of the block path")
    p.add_argument("--only-full", action="store_true", help="only the block path's full epoch")
    args = p.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"load average before: {os.getloadavg()}, torch threads {torch.get_num_threads()}",
          flush=True)
    runs = [] if args.skip_full else [measure("blocks", None)]
    for r in runs:
        print(json.dumps(r), flush=True)
    if args.only_full:
        return
    for path in ("blocks", "step"):
        runs.append(measure(path, args.steps))
        print(json.dumps(runs[-1]), flush=True)
    *full, small_blocks, small_step = runs
    print(f"same {args.steps}-step workload: NDCG@10 blocks {small_blocks['ndcg10_test']:.4f}, "
          f"step-by-step {small_step['ndcg10_test']:.4f}")
    for clock in ("wall", "cpu"):
        print(f"[{clock}] {args.steps}-step workload: blocks "
              f"{small_blocks[clock + '_measured_s']:.0f} s, step-by-step "
              f"{small_step[clock + '_measured_s']:.0f} s; step-by-step epoch extrapolated "
              f"{small_step[clock + '_epoch_s_extrapolated']:.0f} s")
        if full:
            ratio = (small_step[clock + "_epoch_s_extrapolated"]
                     / full[0][clock + "_measured_s"])
            print(f"[{clock}] full epoch, blocks: {full[0][clock + '_measured_s']:.0f} s "
                  f"measured ({ratio:.1f}x faster), NDCG@10 {full[0]['ndcg10_test']:.4f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
