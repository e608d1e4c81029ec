"""``fairrec audit`` end to end on the sample data, against the bare metrics (issue 8).

Targets (2-core CPU): the default model (BPR, trained here) with all four
formats in at most 90 s; the imported recommendations (no training) in at
most 20 s.

Measured, in one run:

1. ``fairrec audit`` as a user runs it — a fresh Python process, all four
   formats (HTML, PDF, JSON, CSV) — for the imported lists and for the
   default model. Wall time includes interpreter start-up and imports.
2. In-process, for the report overhead: :func:`run_audit` plus
   :func:`write_report` (all formats) against the baseline of the same
   metrics by plain calls — ``load_dataset``, ``split_dataset``, (``fit``,
   ``recommend``,) ``evaluate_top_k`` with the same options — and no
   re-ranking sweep, explanations or rendering. The ratio is the price of
   the report. The per-stage and per-format times of one run are printed.

Usage::

    .venv/bin/python benchmarks/bench_audit.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
FILES = ["--interactions", SAMPLE / "interactions.csv", "--users", SAMPLE / "users.csv",
         "--items", SAMPLE / "items.csv"]
TARGETS = {"imported": 20.0, "bpr": 90.0}


def cli_run(model: str, out: Path) -> float:
    args = FILES + (["--recommendations", SAMPLE / "recommendations.csv"]
                    if model == "imported" else []) + ["--model", model, "--out", out,
                                                       "--no-progress"]
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "fairrec_core.cli.audit", *map(str, args)],
                       capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"fairrec audit failed ({r.returncode}):\n{r.stderr}")
    for name in ("report.html", "report.pdf", "report.json", "tables/checks.csv"):
        assert (out / name).is_file(), name
    return wall


def config(model: str):
    from fairrec_core.config import AuditConfig

    data = {"interactions": str(SAMPLE / "interactions.csv"),
            "users": str(SAMPLE / "users.csv"), "items": str(SAMPLE / "items.csv")}
    if model == "imported":
        data["recommendations"] = str(SAMPLE / "recommendations.csv")
    return AuditConfig.from_dict({"data": data, "model": {"name": model}})


def full(model: str, out: Path) -> tuple[float, dict]:
    from fairrec_core.audit import run_audit
    from fairrec_core.report import write_report

    times: dict = {}
    t0 = time.perf_counter()
    result = run_audit(config(model))
    write_report(result, out, progress=lambda fmt, s: times.__setitem__(fmt, s))
    return time.perf_counter() - t0, {**result.timings, **times}


def baseline(model: str) -> float:
    """The same metrics with plain calls: no sweep, explanations or report."""
    from fairrec_core.data import load_dataset, split_dataset
    from fairrec_core.models import make_model
    from fairrec_core.pipeline.evaluation import evaluate_top_k

    cfg = config(model)
    t0 = time.perf_counter()
    ds = load_dataset(cfg.path("interactions"), users=cfg.path("users"),
                      items=cfg.path("items"), recommendations=cfg.path("recommendations"))
    split = split_dataset(ds, method="auto", test_n=2, valid_n=1, seed=0)
    if model == "imported":
        lists = ds.recommendations.items[:, :10]
    else:
        lists, _ = make_model(model, seed=0).fit(ds, split).recommend(None, 10)
    evaluate_top_k(ds, split, lists, k=10, n_boot=1000, seed=0)
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    import numpy
    import pandas

    print(f"# machine: {platform.processor() or platform.machine()}, nproc {os.cpu_count()}, "
          f"Python {platform.python_version()}, numpy {numpy.__version__}, "
          f"pandas {pandas.__version__}, load average {os.getloadavg()[0]:.2f}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for model in ("imported", "bpr"):
            cli = [cli_run(model, tmp / f"cli_{model}_{i}") for i in range(args.repeat)]
            base, inproc, stages = [], [], None
            for i in range(args.repeat):
                base.append(baseline(model))
                t, s = full(model, tmp / f"in_{model}_{i}")
                inproc.append(t)
                stages = stages or s
            rows.append((model, cli, inproc, base, stages))
            print(f"{model}: fairrec audit (CLI, all formats) median "
                  f"{statistics.median(cli):.1f} s, min {min(cli):.1f} s "
                  f"(target {TARGETS[model]:.0f} s: "
                  f"{'met' if max(cli) <= TARGETS[model] else 'NOT met'}); in-process "
                  f"audit+report {statistics.median(inproc):.2f} s vs baseline metrics "
                  f"{statistics.median(base):.2f} s = "
                  f"{statistics.median(inproc) / statistics.median(base):.2f}x")
            print("  one run's stages (s): " + ", ".join(f"{k} {v:.2f}"
                                                       for k, v in stages.items()))
    print(f"# load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
