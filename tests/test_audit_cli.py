"""``fairrec audit`` run as a user runs it: a separate process, exit codes, files."""

from __future__ import annotations

import json
import tomllib

import pytest

from tests.report_helpers import SAMPLE, fairrec_audit, sample_args


def test_rule_that_does_not_trip_exits_0(tmp_path):
    r = fairrec_audit(*sample_args("--out", tmp_path,
                                   "--fail-on", "user:gender:ndcg@10:ratio<0.8"))
    assert r.returncode == 0, r.stderr
    assert "gate ok: user:gender:ndcg@10:ratio<0.8" in r.stdout
    assert (tmp_path / "report.json").is_file()


def test_rule_that_trips_exits_1_and_names_the_checks(tmp_path):
    r = fairrec_audit(*sample_args("--out", tmp_path,
                                   "--fail-on", "user:gender:ndcg@10:ratio<0.8",
                                   "--fail-on", "item:seller_size:exposure_share_ratio<0.7",
                                   "--fail-on", "fail"))
    assert r.returncode == 1, r.stderr
    assert "gate ok: user:gender:ndcg@10:ratio<0.8" in r.stdout
    assert "gate TRIPPED: item:seller_size:exposure_share_ratio<0.7" in r.stdout
    for name in ("user_gap:age:ndcg", "provider_exposure:seller_size"):
        assert name in r.stdout  # the failed checks are named
    assert "the gate tripped on 2 rule(s): item:seller_size:exposure_share_ratio<0.7; fail" \
        in r.stderr
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["verdict"]["status"] == "fail"  # the report is written even when it trips


@pytest.mark.parametrize("args, message", [
    (("--fail-on", "user:gender:ndcg:ratio<0.8"), "with its cut-off"),
    (("--fail-on", "user:nationality:ndcg@10:ratio<0.8"), "did not compare"),
    (("--k", "0"), "[metrics].k must be positive"),
    (("--user-grouping", "shoe_size"), "there is no user attribute 'shoe_size'"),
    (("--rerank-grouping", "colour"), "there is no item attribute 'colour'"),
    (("--intersection", "gender,shoe_size"), "names shoe_size"),
])
def test_bad_configuration_exits_2(tmp_path, args, message):
    r = fairrec_audit(*sample_args("--out", tmp_path, *args))
    assert r.returncode == 2, r.stdout + r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr


def test_bad_input_exits_2_with_the_problem(tmp_path):
    bad = tmp_path / "clicks.csv"
    bad.write_text("cust_no,prod_code\na,x\n", encoding="utf-8")
    r = fairrec_audit("--interactions", bad, "--out", tmp_path / "out", "--no-progress")
    assert r.returncode == 2 and "clicks.csv has no user or item column" in r.stderr
    r = fairrec_audit("--interactions", tmp_path / "missing.csv", "--out", tmp_path / "o2")
    assert r.returncode == 2 and "missing.csv" in r.stderr
    toml = tmp_path / "audit.toml"
    toml.write_text("[metrics]\nk = 10\nkk = 3\n[data]\ninteractions = 'x.csv'\n")
    r = fairrec_audit("--config", toml, "--out", tmp_path / "o3")
    assert r.returncode == 2 and "Unknown setting(s) in [metrics]: kk" in r.stderr
    r = fairrec_audit("--out", tmp_path / "o4")
    assert r.returncode == 2 and "--interactions" in r.stderr
    assert "Traceback" not in r.stderr


def test_default_run_writes_all_four_formats_with_progress(tmp_path):
    r = fairrec_audit("--interactions", SAMPLE / "interactions.csv",
                      "--users", SAMPLE / "users.csv", "--items", SAMPLE / "items.csv",
                      "--recommendations", SAMPLE / "recommendations.csv",
                      "--model", "imported", "--n-boot", "100", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    for name in ("report.html", "report.pdf", "report.json", "audit.toml"):
        assert (tmp_path / name).stat().st_size > 1000, name
    tables = {p.stem for p in (tmp_path / "tables").glob("*.csv")}
    assert {"checks", "overall", "user_groups", "user_gaps", "item_groups", "tradeoff",
            "lorenz", "warnings", "inputs"} <= tables
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    assert "[1/9] Reading the CSV files" in r.stderr and "pdf written" in r.stderr
    assert "Overall verdict: FAIL." in r.stdout


@pytest.mark.slow
def test_rerunning_the_written_config_gives_the_same_report(tmp_path):
    """The issue's reproducibility promise, on the trained path (short BPR)."""
    first = tmp_path / "first"
    r = fairrec_audit("--interactions", SAMPLE / "interactions.csv",
                      "--users", SAMPLE / "users.csv", "--items", SAMPLE / "items.csv",
                      "--model", "bpr", "--epochs", "2", "--n-boot", "100",
                      "--explain-users", "1", "--formats", "json", "--out", first,
                      "--seed", "3")
    assert r.returncode == 0, r.stderr
    assert "epoch 2/2" in r.stderr  # training progress is shown
    second = tmp_path / "second"
    # The written config works from anywhere; its data lie outside its folder, so the
    # user says they trust it.
    r = fairrec_audit("--config", first / "audit.toml", "--out", second, "--no-progress",
                      "--allow-outside-paths", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    a = json.loads((first / "report.json").read_text())
    b = json.loads((second / "report.json").read_text())
    assert a.pop("generated_at") and b.pop("generated_at")
    ea, eb = a.pop("explanations"), b.pop("explanations")
    assert a == b
    assert ea == eb, "the explanations differ between two runs with the same seed"
    assert a["model"]["source"] == "trained" and a["model"]["training"]["epochs_run"] == 2
    assert a["reproducibility"]["seed"] == 3
    # The top item of each sampled user is explained; the others are not.
    assert ea["available"] is True and ea["method"]
    assert ea["samples"]
    for s in ea["samples"]:
        first, *rest = s["items"]
        assert first["explanation"]["method"] and "summary" in first["explanation"]
        assert all(it["explanation"] is None for it in rest)


def test_print_config_shows_the_effective_toml(tmp_path):
    r = fairrec_audit(*sample_args("--k", "5", "--print-config"))
    assert r.returncode == 0, r.stderr
    cfg = tomllib.loads(r.stdout)
    assert cfg["metrics"]["k"] == 5 and cfg["model"]["name"] == "imported"
    assert cfg["data"]["interactions"] == str(SAMPLE / "interactions.csv")
    assert not any(tmp_path.iterdir())  # nothing was run or written
