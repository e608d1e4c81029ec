"""Benchmark: the Poisson bootstrap of one part's fold, committed (HEAD) against now.

Takes the first ``--parts`` part files of a generated scale dataset
(``python -m fairrec_core.data.scale``; 10^5 users per part at 10^7 users),
reads and splits them with :func:`fairrec_core.engine.parts.prepare_part`,
plans the audit on them alone (the same groupings as ``fairrec audit --engine
ray --partitioned``: 4 user attributes + activity, seller, category, seller
size and popularity), then times, at each ``--n-boot``:

* ``old``: the resampled totals as the committed fold drew them
  (``poisson_sums_many`` of ``git show HEAD:fairrec_core/engine/poisson.py``,
  loaded into a temporary module): one reordering of the weights per user
  grouping, one product per matrix;
* ``new``: :func:`fairrec_core.engine.poisson.poisson_cell_sums`, the one the
  fold now calls: users sorted once by their combination of groups, weights
  drawn in that order, one product per cell and one per kind of matrix;
* ``fold``: the whole fold of the part now (:func:`~fairrec_core.engine.parts.fold_part`:
  per-user metrics, sums and the bootstrap).

Both bootstraps run in the same process, one BLAS thread (as a Ray worker
with one CPU), best of ``--repeats``; the largest difference between their
totals is printed, relative to the largest total (summation order only: ~1e-15).

Run:  .venv/bin/python benchmarks/bench_poisson.py --data /work/scale_data/1e7 --parts 1
      (``--parts 10`` = one 10^6-user part; ``--n-boot 200 1000`` by default)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BINS = {"age": ([25, 35, 45, 55], ["18-24", "25-34", "35-44", "45-54", "55+"])}
USER_COLUMNS = ["gender", "age", "region", "membership_tier"]
ITEM_COLUMNS = ["seller_id", "category", "seller_size"]


def _old_poisson():
    """The committed engine/poisson.py as a module of its own."""
    text = subprocess.run(["git", "show", "HEAD:fairrec_core/engine/poisson.py"], cwd=ROOT,
                          check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "poisson_head.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("poisson_head", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _part(data: Path, n_parts: int):
    """One block of ``n_parts`` part files' users, its group codes and plan."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from fairrec_core.engine import parts as P
    from fairrec_core.engine.part_io import layout, part_names

    root = layout(data)
    items = pq.read_table(root["items"])
    ids = items.column("item_id").to_numpy()
    names = part_names(root)[:n_parts]
    prepared = [P.prepare_part(n, root, ids, USER_COLUMNS, 10, 4.0) for n in names]
    stats = [s for s, _ in prepared]
    block = pa.concat_tables([b for _, b in prepared])
    plan, codes = P._plan(stats, items, USER_COLUMNS, ITEM_COLUMNS, "category", BINS, 10,
                          {"n_boot": 200})
    return block, np.concatenate(codes), plan


def _inputs(block, codes, ctx):
    """What the fold hands the bootstrap: per-user sums, item matrices, keys."""
    import numpy as np
    import pyarrow as pa

    from fairrec_core.engine.blocks import decode
    from fairrec_core.engine.partials import per_user_values
    from fairrec_core.engine.parts import fold_part
    from fairrec_core.metrics.exposure import user_group_exposure
    from fairrec_core.metrics.groups import _num_den, item_group_merit
    from fairrec_core.metrics.result import USER_METRICS

    cols = {"user": pa.array(np.arange(block.num_rows)), **{c: block.column(c)
                                                             for c in block.column_names}}
    for j in range(codes.shape[1]):
        cols[f"g{j}"] = pa.array(codes[:, j].astype(np.int32))
    _, keys, lists, truth, train, codes = decode(pa.table(cols), ctx)
    values, length, _ = per_user_values(ctx, lists, truth, train)
    w = np.ones_like(values)
    w[:, USER_METRICS.index("novelty")] = length
    num, den = _num_den(values, w)
    item_mats = []
    for icodes, g in ctx.item_groupings.values():
        item_mats += [user_group_exposure(lists, icodes, g, ctx.weights),
                      item_group_merit(truth, icodes, g)]
    return np.hstack([num, den]), item_mats, keys, codes, fold_part


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="/work/scale_data/1e7")
    ap.add_argument("--parts", type=int, default=1)
    ap.add_argument("--n-boot", type=int, nargs="+", default=[200, 1000])
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)  # before numpy loads BLAS
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import dataclasses

    import numpy as np
    from _timing import repeat_timed

    from fairrec_core.engine.poisson import poisson_cell_sums

    old = _old_poisson()
    block, codes, plan = _part(Path(args.data), args.parts)
    both, item_mats, keys, ucodes, fold_part = _inputs(block, codes, plan.ctx)
    groups = list(plan.ctx.user_groupings.values())
    print(f"users {block.num_rows:,}; user groupings {groups}; item groupings "
          f"{[g for _, g in plan.ctx.item_groupings.values()]}; {args.threads} BLAS thread(s)")
    print("| resamples | old s | new s | speed-up | whole fold now s | max rel. diff |")
    print("|---|---|---|---|---|---|")
    for n_boot in args.n_boot:
        jobs = [([both] + item_mats, None, 1)] + [([both], ucodes[:, j], g)
                                                  for j, g in enumerate(groups)]
        t_old, _, ref = repeat_timed(
            lambda jobs=jobs, nb=n_boot: old.poisson_sums_many(jobs, keys, n_boot=nb, seed=0),
            args.repeats)
        t_new, _, got = repeat_timed(
            lambda nb=n_boot: poisson_cell_sums(both, ucodes, groups, item_mats, keys,
                                                n_boot=nb, seed=0), args.repeats)
        pairs = [(got[0], ref[0][0][:, 0]), *((a, r[0]) for a, r in zip(got[1], ref[1:])),
                 *((a, r[:, 0]) for a, r in zip(got[2], ref[0][1:]))]
        diff = max(float(np.abs(a - r).max() / max(np.abs(r).max(), 1e-300))
                   for a, r in pairs)
        ctx = dataclasses.replace(plan.ctx, n_boot=n_boot)
        t_fold, _, _ = repeat_timed(lambda ctx=ctx: fold_part(block, 0, codes, ctx), 1)
        print(f"| {n_boot} | {t_old:.2f} | {t_new:.2f} | {t_old / t_new:.2f}× | {t_fold:.2f} "
              f"| {diff:.1e} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
