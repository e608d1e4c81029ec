"""Benchmark: a top-layer fine-tuning epoch of the text two-tower on the sample data (issue 14).

The workload of ``fairrec train --model two-tower --finetune top --epochs 1``
on sample_data/ (1,000 items, 44,052 training ratings after the temporal
split; MiniLM, top 2 of 6 layers, batch 256 -> 173 steps, 128 tokens max),
one full epoch per path, timed in one run (CPU seconds of this process and
wall seconds), with NDCG@10 on the temporal split's test part:

* **new** (the default now): frozen layers cached once per item; the
  encoder's gradient pooled over blocks of half an epoch (GradCache,
  ``BlockGradCache``, 2 encoder updates per epoch), and each block's last
  step served from the cache too, its gradients pushed through the top
  layers after its backward pass (``fold``);
* **old** (the previous default): the item texts encoded in full before the
  frozen-layer pass (the new path takes the first item vectors from that
  pass's output), blocks of a quarter of an epoch (4 encoder updates), the
  block's last step run with a graph through the top layers;
* **step** (optional, slow): the encoder updated at every step
  (``encoder_every=1``).

``--steps N`` trains every path on the first N batches' worth of rows only
(same block size as in a full epoch; a quick check that the script works,
not the figure to record). The load average is printed: these machines are
shared. ``--threads`` sets torch's thread count (on a loaded 2-core machine
one thread avoids OpenMP contention; on an idle one, 2 threads use both cores).

Run (the figure): ``.venv/bin/python benchmarks/bench_finetune.py --threads 2``;
quick check: ``.venv/bin/python benchmarks/bench_finetune.py --steps 4 --threads 1``.
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
    # A partial workload keeps the full epoch's block size, so that it makes as few
    # encoder updates per step as a real epoch.
    every = {"new": -(-full_steps // TextTwoTower.BLOCKS_PER_EPOCH),
             "old": -(-full_steps // 4), "step": 1}[path]
    model = TextTwoTower(mode="top", epochs=1, batch_size=batch, device="cpu", seed=0,
                         patience=0, encoder_every=every)
    model._fold_last_step = path == "new"
    model._late_item_texts = path == "new"
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
    p.add_argument("--paths", default="new,old", help="comma-separated: new, old, step")
    p.add_argument("--steps", type=int, default=None,
                   help="train on the first N batches only (quick check; default full epoch)")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = p.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"load average before: {os.getloadavg()}, torch threads {torch.get_num_threads()}",
          flush=True)
    from fairrec_core.models.encoders import get_encoder, resolve_encoder

    get_encoder(resolve_encoder(None))  # load MiniLM once, outside every path's timing
    runs = {}
    for path in [x.strip() for x in args.paths.split(",") if x.strip()]:
        runs[path] = measure(path, args.steps)
        print(json.dumps(runs[path]), flush=True)
    what = "full epoch" if args.steps is None else f"{args.steps}-step workload"
    for path, r in runs.items():
        print(f"{path}: {what} {r['cpu_measured_s']:.0f} CPU s, {r['wall_measured_s']:.0f} wall "
              f"s (setup {r['cpu_setup_s']:.0f} CPU s); NDCG@10 test {r['ndcg10_test']:.4f}")
    if "new" in runs and len(runs) > 1:
        for path, r in runs.items():
            if path != "new":
                print(f"{path} / new: {r['cpu_measured_s'] / runs['new']['cpu_measured_s']:.2f}x "
                      "CPU time")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
