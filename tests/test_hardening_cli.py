"""``fairrec`` under careless or hostile use (issue 12, items 6, 9, 10 and 11).

Each test runs the command as a user does, in a separate process, except the
report-failure test, which drives :func:`write_report` with a PDF renderer that
fails (the thing under test is the all-or-nothing writing, not the PDF).
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.report_helpers import ROOT, SAMPLE, fairrec_audit, sample_args

DATA = ["--interactions", SAMPLE / "interactions.csv", "--users", SAMPLE / "users.csv",
        "--items", SAMPLE / "items.csv"]
QUICK = ["--n-boot", "50", "--no-sweep", "--explain-users", "0"]


# ------------------------------------------------------------------ item 6
def test_recommendations_without_model_audits_the_imported_lists(tmp_path):
    r = fairrec_audit(*DATA, "--recommendations", SAMPLE / "recommendations.csv", *QUICK,
                      "--formats", "json", "--out", tmp_path, timeout=240)
    assert r.returncode in (0, 1), r.stderr
    first = r.stdout.splitlines()[0]
    assert first == ("Model audited: the imported production lists from recommendations.csv "
                     "(no training).")
    assert "epoch" not in r.stderr  # nothing was trained
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["model"]["name"] == "imported" and doc["model"]["source"] == "imported"


def test_first_line_names_a_trained_model(tmp_path):
    r = fairrec_audit(*DATA, "--model", "popularity", *QUICK, "--formats", "json",
                      "--out", tmp_path, "--no-progress", timeout=240)
    assert r.returncode in (0, 1), r.stderr
    assert r.stdout.splitlines()[0] == ("Model audited: popularity, trained here on the given "
                                        "interactions.")


# ------------------------------------------------------------------ item 9
def _config(folder, text):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "audit.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("where", ["/etc/passwd", "../../../../../../etc/passwd",
                                   "../outside.csv"])
def test_config_paths_outside_its_folder_are_refused(tmp_path, where):
    (tmp_path / "outside.csv").write_text("secret-header\nsecret-value\n")
    cfg = _config(tmp_path / "cfg", f'[data]\ninteractions = "{where}"\n')
    r = fairrec_audit("--config", cfg, "--out", tmp_path / "out", cwd=tmp_path)
    assert r.returncode == 2
    assert "[data].interactions" in r.stderr and "outside the config's folder" in r.stderr
    assert "--allow-outside-paths" in r.stderr
    for content in ("root:", "secret-header", "secret-value"):
        assert content not in r.stdout + r.stderr  # no byte of the file is echoed
    assert not (tmp_path / "out").exists()


def test_outside_paths_need_the_explicit_flag(tmp_path):
    cfg = _config(tmp_path / "cfg", '[data]\ninteractions = "../data.csv"\n')
    r = fairrec_audit("--config", cfg, "--allow-outside-paths", "--print-config")
    assert r.returncode == 0, r.stderr


def test_relative_config_paths_resolve_against_the_config_folder(tmp_path):
    cfg = _config(tmp_path / "cfg", '[data]\ninteractions = "data/clicks.csv"\n')
    (tmp_path / "cfg" / "data").mkdir()
    (tmp_path / "cfg" / "data" / "clicks.csv").write_text("cust_no,prod_code\na,x\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = fairrec_audit("--config", cfg, "--out", tmp_path / "out", "--no-progress",
                      cwd=elsewhere)
    # Found (next to the config, not in the working directory) and then judged on content.
    assert r.returncode == 2 and "clicks.csv has no user or item column" in r.stderr


# ------------------------------------------------------------------ item 10
def test_killed_audit_leaves_no_report_that_looks_complete(tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "fairrec_core.cli", "audit", *map(str, DATA),
           "--recommendations", str(SAMPLE / "recommendations.csv"), "--model", "imported",
           *QUICK, "--formats", "json,csv,html,pdf", "--out", str(out)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 240
        for line in proc.stderr:  # progress lines; report.json is written first
            if "json written" in line:
                proc.send_signal(signal.SIGKILL)
                break
            assert time.monotonic() < deadline
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    visible = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert visible == []  # the json already written lies in the hidden partial folder only
    assert all(p.name.startswith(".fairrec-partial-") for p in out.iterdir())


def test_failed_pdf_leaves_the_previous_report_untouched_and_no_new_one(tmp_path,
                                                                        monkeypatch):
    from fairrec_core.report import pdf, write_report
    from tests.report_helpers import sample_audit

    result = sample_audit()
    out = tmp_path / "out"
    first = write_report(result, out, formats=["json", "html"])
    assert {p.name for p in first} == {"report.json", "report.html", "audit.toml"}
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def broken(*a, **k):
        raise RuntimeError("font missing")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        write_report(result, out, formats=["json", "csv", "html", "pdf"])
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not (out / "tables").exists() and list(out.glob(".fairrec-partial-*")) == []


def test_report_rewrite_replaces_every_file(tmp_path):
    from fairrec_core.report import write_report
    from tests.report_helpers import sample_audit

    out = tmp_path / "out"
    write_report(sample_audit(), out, formats=["json", "csv"])
    (out / "tables" / "stale.csv").write_text("old")
    paths = write_report(sample_audit(), out, formats=["json"])
    assert not (out / "tables").exists()  # an earlier run's tables do not linger beside it
    assert sorted(p.name for p in paths) == ["audit.toml", "report.json"]
    assert sorted(p.name for p in out.iterdir()) == ["audit.toml", "report.json"]


# ------------------------------------------------------------------ item 11
@pytest.mark.parametrize("flags, message", [
    (("--n-boot", "10000000"), "[metrics].n_boot must be positive and at most 20,000"),
    (("--epochs", "100000", "--model", "bpr"), "[model].params.epochs must be positive and "
                                               "at most 1,000"),
    (("--model-param", "patience=-1", "--model", "bpr"), "[model].params.patience must be 0 "
                                                         "or more"),
    (("--explain-users", "100000"), "[explain].users_per_group must be 0 or more and at "
                                    "most 50"),
    (("--max-mb", "inf"), "[data].max_mb must be a finite number"),
    (("--max-mb", "nan"), "[data].max_mb must be a finite number"),
    (("--max-mb", "0"), "[data].max_mb must be positive"),
    (("--k", "100000"), "[metrics].k must be positive and at most 1,000"),
    (("--seed", "99999999999999999999"), "seed must be a whole number from 0 to 2**32 - 1"),
])
def test_out_of_range_options_are_refused_with_their_name(tmp_path, flags, message):
    r = fairrec_audit(*sample_args("--out", tmp_path / "out", *flags), timeout=60)
    assert r.returncode == 2, r.stdout + r.stderr
    assert message in r.stderr and "unexpectedly" not in r.stderr, r.stderr
    assert not (tmp_path / "out").exists()


def test_out_of_range_setting_in_the_config_file_is_refused(tmp_path):
    shutil.copy(SAMPLE / "interactions.csv", tmp_path / "i.csv")
    cfg = _config(tmp_path, '[data]\ninteractions = "i.csv"\n[rerank]\nn_lambdas = 100000000\n')
    r = fairrec_audit("--config", cfg, "--out", tmp_path / "out", timeout=60)
    assert r.returncode == 2
    assert "[rerank].n_lambdas must be from 2 to 201, got 100000000" in r.stderr


def test_validate_refuses_an_infinite_size_limit():
    r = subprocess.run([sys.executable, "-m", "fairrec_core.cli", "validate", "--interactions",
                        str(SAMPLE / "interactions.csv"), "--max-mb", "inf"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and "--max-mb must be positive and at most 20,000" in r.stderr
    assert "Traceback" not in r.stderr


def test_train_refuses_unbounded_epochs(tmp_path):
    r = subprocess.run([sys.executable, "-m", "fairrec_core.cli", "train", "--interactions",
                        str(SAMPLE / "interactions.csv"), "--model", "bpr", "--epochs", "100000",
                        "--patience", "0", "--out", str(tmp_path / "ck")],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and "--epochs must be positive and at most 1,000" in r.stderr
    assert not (tmp_path / "ck").exists()


def test_a_flag_replaces_an_outside_path_of_the_config(tmp_path):
    cfg = _config(tmp_path / "cfg", '[data]\ninteractions = "/etc/passwd"\n'
                                    '[model]\nparams = { encoder = "../elsewhere" }\n')
    r = fairrec_audit("--config", cfg, "--interactions", SAMPLE / "interactions.csv",
                      "--print-config")
    assert r.returncode == 2 and "[model].params.encoder" in r.stderr  # still checked
    cfg.write_text('[data]\ninteractions = "/etc/passwd"\n')
    r = fairrec_audit("--config", cfg, "--interactions", SAMPLE / "interactions.csv",
                      "--print-config")
    assert r.returncode == 0, r.stderr  # the flag's file is used, the config's is not read
