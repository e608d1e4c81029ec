"""Benchmark: a top-layer fine-tuning epoch of the text two-tower on the sample data (issue 14).

The workload of ``fairrec train --model two-tower --finetune top --epochs 1``
on sample_data/ (1,000 items, 44,052 training ratings after the temporal
split; MiniLM, top 2 of 6 layers, batch 256 -> 173 steps, 128 tokens max),
timed two ways in the same run:

* **cached** (today's path): the frozen embeddings and lower 4 layers run once
  per item and their output is kept; each step runs only the 2 top layers
  (forward and backward) on the distinct items of the batch;
* **old** (``_split_prefix = False``): every step runs the whole 6-layer
  forward on the batch's distinct items, then the backward of the top 2.

A full epoch of either path takes far longer than a benchmark should on 2
shared cores, so each path trains on the first ``--steps`` batches' worth of
training rows (same batch size, so the same per-step work), the loop's
progress events give the time of every step, and the epoch is extrapolated as
setup + 173 × median step + end-of-epoch work (validation, cache refresh),
each measured. The load average is printed: these machines are shared, and a
loaded machine slows both paths alike.

Run: ``.venv/bin/python benchmarks/bench_finetune.py [--steps 6]``.
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


def measure(split_prefix: bool, steps: int, batch: int = 256) -> dict:
    """Setup, per-step and end-of-epoch seconds of one path on ``steps`` batches."""
    import torch

    from fairrec_core.data import load_dataset, split_dataset
    from fairrec_core.models import TextTwoTower
    from fairrec_core.models.encoders import DEFAULT_CACHE

    ds = load_dataset(SAMPLE / "interactions.csv", SAMPLE / "users.csv", SAMPLE / "items.csv")
    split = split_dataset(ds)
    full_steps = -(-len(split.train) // batch)
    part = split.train.sample(n=steps * batch, random_state=0).sort_index()
    small = type(split)(**{**split.__dict__, "train": part})
    DEFAULT_CACHE.clear()  # both paths encode the item texts themselves
    model = TextTwoTower(mode="top", epochs=1, batch_size=batch, device="cpu", seed=0,
                         patience=0)
    model._split_prefix = split_prefix
    times = {}
    t0 = time.perf_counter()

    def on_event(ev):
        now = time.perf_counter() - t0
        if ev.kind == "start":
            times["start"] = now
        elif ev.kind == "step":
            times.setdefault("steps", []).append(now)
        elif ev.kind == "epoch":
            times["epoch"] = now

    model.fit(ds, small, callbacks=[on_event])
    total = time.perf_counter() - t0
    marks = np.array([times["start"]] + times["steps"])
    per_step = float(np.median(np.diff(marks)))
    end = times["epoch"] - marks[-1]
    return {"path": "cached" if split_prefix else "old", "threads": torch.get_num_threads(),
            "setup_s": times["start"], "encode_s": model.encode_seconds_,
            "prefix_s": getattr(model, "prefix_seconds_", 0.0), "step_s": per_step,
            "end_of_epoch_s": end, "measured_s": total, "steps_measured": len(marks) - 1,
            "full_steps": full_steps,
            "epoch_s_extrapolated": times["start"] + full_steps * per_step + end}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=6)
    args = p.parse_args()
    print(f"load average before: {os.getloadavg()}", flush=True)
    res = [measure(True, args.steps), measure(False, args.steps)]
    for r in res:
        print(json.dumps(r), flush=True)
    cached, old = res
    print(f"per step: cached {cached['step_s']:.2f} s, old {old['step_s']:.2f} s "
          f"({old['step_s'] / cached['step_s']:.2f}x)")
    print(f"epoch (extrapolated): cached {cached['epoch_s_extrapolated']:.0f} s, old "
          f"{old['epoch_s_extrapolated']:.0f} s "
          f"({old['epoch_s_extrapolated'] / cached['epoch_s_extrapolated']:.2f}x)")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
