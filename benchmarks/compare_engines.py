"""Compare the numbers of two report.json files (e.g. ``--engine ray`` against local).

Walks both JSON documents side by side; rows of a table (lists of objects)
are matched by their labels (``name, grouping, group, metric, attribute``),
not by position. Every number of the ``metrics`` and ``checks`` sections is a
*point estimate* or an *interval endpoint* (keys ``ci_low`` / ``ci_high`` and
their like); numbers elsewhere (the data section's counts) are *other*. It
prints the largest absolute difference of each kind and where it occurs, the
largest endpoint difference relative to the first report's interval width,
and every place where the two documents differ in shape (a key or row only
one has, a text that differs). Sections that describe the run rather than the
data (``generated_at``, ``reproducibility``, ``methodology``, the engine's own
description and bootstrap method) are skipped; ``--skip`` adds more.

Run:  .venv/bin/python benchmarks/compare_engines.py A/report.json B/report.json
Exit status 1 when ``--tolerance`` is given and a point estimate differs by more.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

#: Keys whose numbers are interval endpoints (Monte Carlo), not point estimates.
INTERVAL_KEYS = {"ci_low", "ci_high", "low", "high", "lower", "upper", "ci"}
#: Keys that describe the run, not the data.
SKIP_KEYS = {"generated_at", "reproducibility", "methodology", "engine", "ci_method",
             "fairrec_version"}


def _is_interval(path: tuple) -> bool:
    return any(str(p) in INTERVAL_KEYS or str(p).endswith(("_low", "_high", "_lo", "_hi"))
               for p in path)


LABELS = ("name", "grouping", "group", "metric", "attribute")
ESTIMATE_SECTIONS = {"metrics", "checks"}


def _rows(items: list) -> dict | None:
    """A list of labelled objects keyed by their labels (None when not one)."""
    if not items or not all(isinstance(x, dict) for x in items):
        return None
    keys = [tuple(str(x.get(k)) for k in LABELS if k in x) for x in items]
    if not all(keys) or len(set(keys)) != len(keys):
        return None
    return dict(zip(keys, items))


def _kind(path: tuple) -> str:
    if not path or path[0] not in ESTIMATE_SECTIONS:
        return "other"
    return "interval" if _is_interval(path) else "point"


def walk(a, b, path=(), skip=frozenset(), out=None):
    """Fill ``out`` with (path, |a - b|) per kind and shape mismatches; return it."""
    out = out if out is not None else {"point": [], "interval": [], "other": [],
                                       "mismatch": [], "width": []}
    if isinstance(a, list) and isinstance(b, list):
        ra, rb = _rows(a), _rows(b)
        if ra is not None and rb is not None:
            walk(ra, rb, path, skip, out)
            return out
    if isinstance(a, dict) and isinstance(b, dict):
        lo, hi = a.get("ci_low"), a.get("ci_high")
        if _number(lo) and _number(hi) and _number(b.get("ci_low")) and hi > lo:
            worst = max(abs(lo - b["ci_low"]), abs(hi - b.get("ci_high", hi)))
            out["width"].append((path, worst / (hi - lo)))
        for key in sorted(set(a) | set(b), key=str):
            if key in skip:
                continue
            if key not in a or key not in b:
                out["mismatch"].append((path + (key,), "only in " + ("A" if key in a else "B")))
                continue
            walk(a[key], b[key], path + (key,), skip, out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out["mismatch"].append((path, f"lengths {len(a)} and {len(b)}"))
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, path + (i,), skip, out)
    elif _number(a) and _number(b):
        x, y = float(a), float(b)
        if math.isnan(x) and math.isnan(y):
            diff = 0.0
        elif math.isinf(x) or math.isinf(y) or math.isnan(x) or math.isnan(y):
            diff = 0.0 if x == y else math.inf
        else:
            diff = abs(x - y)
        out[_kind(path)].append((path, diff))
    elif a != b:
        out["mismatch"].append((path, f"{str(a)[:40]!r} vs {str(b)[:40]!r}"))
    return out


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _where(path: tuple) -> str:
    return "/".join(str(p) for p in path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--skip", nargs="*", default=[], help="more keys to leave out")
    ap.add_argument("--tolerance", type=float, default=None,
                    help="fail when a point estimate differs by more than this")
    args = ap.parse_args(argv)
    with open(args.a, encoding="utf-8") as fa, open(args.b, encoding="utf-8") as fb:
        a, b = json.load(fa), json.load(fb)
    out = walk(a, b, skip=frozenset(SKIP_KEYS | set(args.skip)))
    for kind in ("point", "interval", "other", "width"):
        rows = out[kind]
        if not rows:
            print(f"{kind}: none")
            continue
        path, worst = max(rows, key=lambda r: r[1])
        what = {"point": "point estimates", "interval": "interval endpoints",
                "other": "other numbers", "width": "endpoint difference / A's width"}[kind]
        print(f"{what}: {len(rows)}, max |A - B| = {worst:.3g} at {_where(path)}")
    for path, what in out["mismatch"][:20]:
        print(f"differs: {_where(path)}: {what}")
    if len(out["mismatch"]) > 20:
        print(f"... and {len(out['mismatch']) - 20} more differences of shape or text")
    worst = max((d for _, d in out["point"]), default=0.0)
    return int(args.tolerance is not None and worst > args.tolerance)


if __name__ == "__main__":
    sys.exit(main())
