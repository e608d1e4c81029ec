"""Imported top-10 lists for MovieLens-100K, to audit them with both engines (issue 17.3).

MovieLens-100K has no recommendation lists of its own. This trains a model
with the local engine (BPR-MF by default, seeded; ``--model popularity`` for
the popularity baseline) on fairrec's default temporal split of
``benchmarks/_data/ml-100k/interactions.csv`` and writes, next to copies of
the interactions and users, ``items.csv`` (the item ids: the copy used here
has no item attributes) and ``recommendations.csv`` (``user_id, item_id,
rank, score``, top 10 per user, training items left out).

Run:  .venv/bin/python benchmarks/ml100k_lists.py --out /tmp/ml100k
Then audit the same files with both engines and compare the reports::

    A="--interactions /tmp/ml100k/interactions.csv --users /tmp/ml100k/users.csv \
       --items /tmp/ml100k/items.csv --recommendations /tmp/ml100k/recommendations.csv \
       --model imported --rerank none --no-sweep --explain-users 0"
    .venv/bin/fairrec audit $A --out /tmp/ml100k/local
    .venv/bin/fairrec audit $A --engine ray --out /tmp/ml100k/ray
    .venv/bin/python benchmarks/compare_engines.py /tmp/ml100k/local/report.json \
        /tmp/ml100k/ray/report.json
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "benchmarks" / "_data" / "ml-100k"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=SOURCE)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--model", default="bpr", choices=["bpr", "popularity"])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import numpy as np
    import pandas as pd

    from fairrec_core.data.loading import load_dataset
    from fairrec_core.data.split import split_dataset
    from fairrec_core.models import make_model

    args.out.mkdir(parents=True, exist_ok=True)
    for name in ("interactions.csv", "users.csv"):
        shutil.copyfile(args.source / name, args.out / name)
    inter = pd.read_csv(args.out / "interactions.csv")
    pd.DataFrame({"item_id": np.sort(inter["item_id"].unique())}).to_csv(
        args.out / "items.csv", index=False)
    data = load_dataset(args.out / "interactions.csv", users=args.out / "users.csv",
                        items=args.out / "items.csv")
    split = split_dataset(data)
    params = {"epochs": args.epochs, "seed": 0} if args.model == "bpr" else {}
    model = make_model(args.model, **params).fit(data, split)
    items, scores = model.recommend(k=args.k, exclude_seen=True)
    users = np.repeat(np.arange(items.shape[0]), args.k)
    rank = np.tile(np.arange(1, args.k + 1), items.shape[0])
    keep = items.ravel() >= 0
    pd.DataFrame({"user_id": np.asarray(data.user_ids)[users[keep]],
                  "item_id": np.asarray(data.item_ids)[items.ravel()[keep]],
                  "rank": rank[keep], "score": np.round(scores.ravel()[keep], 6)}).to_csv(
        args.out / "recommendations.csv", index=False)
    print(f"{args.out}: {data.n_users} users, {data.n_items} items, "
          f"{int(keep.sum())} list rows ({args.model})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
