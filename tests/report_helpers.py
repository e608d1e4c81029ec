"""Shared builders for the audit / report tests: configs, cached audits, hostile data."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"

#: Strings an attacker could place in an export; none may act in a report.
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULAS = {"=HYPERLINK(\"http://evil.example\",\"x\")", "@SUM(1+1)", "-2+3",
            "+cmd|' /C calc'!A0"}


def sample_config(**sections) -> dict:
    """Config dict auditing the sample's imported lists; ``sections`` update it."""
    cfg = {"seed": 0,
           "data": {"interactions": str(SAMPLE / "interactions.csv"),
                    "users": str(SAMPLE / "users.csv"), "items": str(SAMPLE / "items.csv"),
                    "recommendations": str(SAMPLE / "recommendations.csv")},
           "model": {"name": "imported"},
           "metrics": {"n_boot": 200}}
    for name, values in sections.items():
        if isinstance(values, dict):
            cfg.setdefault(name, {}).update(values)
        else:
            cfg[name] = values
    return cfg


@functools.lru_cache(maxsize=4)
def _audit(key: str):
    from fairrec_core.audit import run_audit
    from fairrec_core.config import AuditConfig

    return run_audit(AuditConfig.from_dict(json.loads(key)))


def sample_audit(**sections):
    """AuditResult of :func:`sample_config` (cached across test modules)."""
    return _audit(json.dumps(sample_config(**sections), sort_keys=True))


def hostile_sample(folder: Path) -> dict[str, Path]:
    """The sample data with script, markup and spreadsheet formulas in every text field
    a report shows (item titles, user attributes, group labels) and in a file name."""
    folder.mkdir(parents=True, exist_ok=True)
    users = pd.read_csv(SAMPLE / "users.csv", dtype=str, keep_default_na=False)
    users["gender"] = users["gender"].replace({"X": IMG})
    users["region"] = users["region"].replace({"West": "=HYPERLINK(\"http://evil.example\",\"x\")",
                                               "East": SCRIPT})
    users["membership_tier"] = users["membership_tier"].replace({"gold": "@SUM(1+1)",
                                                                 "silver": "-2+3"})
    items = pd.read_csv(SAMPLE / "items.csv", dtype=str, keep_default_na=False)
    items.loc[:200, "title"] = SCRIPT + " " + items.loc[:200, "title"]
    items.loc[200:400, "title"] = IMG + " " + items.loc[200:400, "title"]
    items["seller_size"] = items["seller_size"].replace({"small": "+cmd|' /C calc'!A0"})
    items["category"] = items["category"].replace({"Books": "<b onmouseover=alert(1)>Books"})
    paths = {"interactions": folder / "interactions.csv",
             "users": folder / 'users"><img src=x onerror=alert(2)>.csv',
             "items": folder / "<svg onload=alert(3)>items.csv",
             "recommendations": folder / "recommendations.csv"}
    users.to_csv(paths["users"], index=False)
    items.to_csv(paths["items"], index=False)
    shutil.copy(SAMPLE / "interactions.csv", paths["interactions"])
    shutil.copy(SAMPLE / "recommendations.csv", paths["recommendations"])
    return paths


def fairrec_audit(*args, cwd=ROOT, timeout=300):
    """Run ``fairrec audit ARGS`` as a separate process."""
    return subprocess.run([sys.executable, "-m", "fairrec_core.cli", "audit", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=timeout)


def sample_args(*extra):
    """CLI flags auditing the sample's imported lists quickly (JSON only, 100 resamples)."""
    return ["--interactions", SAMPLE / "interactions.csv", "--users", SAMPLE / "users.csv",
            "--items", SAMPLE / "items.csv", "--recommendations",
            SAMPLE / "recommendations.csv", "--model", "imported", "--n-boot", "100",
            "--formats", "json", "--no-progress", *extra]
