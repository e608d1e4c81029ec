"""The `fairrec` command, run as a user runs it: a separate process."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


def fairrec(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "fairrec_core.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def test_help_lists_commands():
    r = fairrec("--help")
    assert r.returncode == 0
    for cmd in ("sample-data", "validate", "app"):
        assert cmd in r.stdout


def test_validate_sample_data_prints_summary():
    r = fairrec("validate", "--interactions", SAMPLE / "interactions.csv",
                "--users", SAMPLE / "users.csv", "--items", SAMPLE / "items.csv",
                "--recommendations", SAMPLE / "recommendations.csv")
    assert r.returncode == 0, r.stderr
    assert "Users: 2,000" in r.stdout
    assert "Users by gender:" in r.stdout and "Imported recommendations: top-" in r.stdout


def test_validate_json_matches_the_files(tmp_path):
    import pandas as pd

    r = fairrec("validate", "--interactions", SAMPLE / "interactions.csv", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    raw = pd.read_csv(SAMPLE / "interactions.csv", dtype=str)
    assert out["summary"]["counts"]["interactions"] == len(raw.drop_duplicates(
        ["user_id", "item_id"]))
    assert out["summary"]["counts"]["users"] == raw["user_id"].nunique()


def test_validate_errors_exit_2_and_name_the_file(tmp_path):
    bad = tmp_path / "clicks.csv"
    bad.write_text("cust_no,prod_code,rating\na,x,five\n")
    r = fairrec("validate", "--interactions", bad)
    assert r.returncode == 2
    assert "clicks.csv has no user or item column" in r.stderr
    assert "cust_no, prod_code, rating" in r.stderr
    assert "Traceback" not in r.stderr


def test_validate_map_flag_fixes_the_mapping(tmp_path):
    f = tmp_path / "clicks.csv"
    rows = [f"c{u},p{(u + j) % 5},{4 + j % 2}" for u in range(3) for j in range(4)]
    f.write_text("cust_no,prod_code,stars\n" + "\n".join(rows) + "\n")
    r = fairrec("validate", "--interactions", f, "--map", "user=cust_no",
                "--map", "interactions.item=prod_code")
    assert r.returncode == 0, r.stderr
    assert "Users: 3" in r.stdout


def test_validate_missing_file_is_readable_error(tmp_path):
    r = fairrec("validate", "--interactions", tmp_path / "nope.csv")
    assert r.returncode == 2 and "no such file" in r.stderr and "Traceback" not in r.stderr


def test_bad_map_flag_is_exit_2():
    r = fairrec("validate", "--interactions", SAMPLE / "interactions.csv", "--map", "colour=x")
    assert r.returncode == 2 and "not a column role" in r.stderr


@pytest.mark.slow
def test_sample_data_command_reproduces_the_committed_files(tmp_path):
    r = fairrec("sample-data", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    for name in ("interactions.csv", "users.csv", "items.csv", "recommendations.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name
