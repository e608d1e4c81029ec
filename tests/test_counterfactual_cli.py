"""``fairrec audit --counterfactual``: report.json section, CSV lists, HTML/PDF section, gate."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pandas as pd
import pytest

from fairrec_core.cli.audit import main
from fairrec_core.cli.common import EXIT_BAD_INPUT, EXIT_GATE
from fairrec_core.report.result import validate_json
from tests.helpers import shop_frames


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cfshop")
    inter, users, items = shop_frames()
    for name, frame in (("interactions", inter), ("users", users), ("items", items)):
        frame.to_csv(folder / f"{name}.csv", index=False)
    # The probe model's size lives in the config; the flags name what to probe.
    (folder / "audit.toml").write_text(
        '[data]\ninteractions = "interactions.csv"\nusers = "users.csv"\nitems = "items.csv"\n'
        '[split]\ntest_n = 1\nvalid_n = 1\n'
        '[model]\nname = "popularity"\n'
        '[metrics]\nk = 5\nn_boot = 200\nuser_groupings = ["gender"]\n'
        '[explain]\nusers_per_group = 0\n'
        '[counterfactual.template]\nparts = ["{gender}", "{region} region"]\nn_history = 2\n'
        'sensitive = ["gender"]\n'
        '[counterfactual.params]\ndim = 16\nepochs = 12\npatience = 0\nmax_length = 32\n'
        'device = "cpu"\n', encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def audited(files, tmp_path_factory):
    out = tmp_path_factory.mktemp("cfreport")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
            code = main(["--config", str(files / "audit.toml"), "--out", str(out), "--no-progress",
                     "--formats", "html,pdf,json,csv", "--counterfactual", "gender",
                     "--cf-users", "60", "--fail-on", "cf:gender:snsr_jaccard@5>=0",
                     "--fail-on", "leak:gender:auc>1.5"])
    return code, out, printed.getvalue()


def test_the_audit_writes_the_section_and_the_gate_reads_it(audited):
    code, out, printed = audited
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    validate_json(doc)
    assert doc["schema_version"] == "2.1.0"
    cf = doc["counterfactual"]
    assert cf["model"] == {**cf["model"], "name": "profile-two-tower", "source": "trained"}
    gender = cf["probe"]["attributes"]["gender"]
    assert cf["probe"]["n_users"] == 60 and cf["probe"]["k"] == 5
    # The popularity model audited has no user vectors: only the probed model leaks.
    assert list(cf["leakage"]) == ["probed"]
    assert gender["snsr"]["jaccard"] >= 0 and 0 <= cf["leakage"]["probed"]["gender"]["auc"] <= 1
    # SNSR >= 0 holds whenever the rule is judged, so it trips; AUC > 1.5 never does.
    assert code == EXIT_GATE
    assert "gate TRIPPED: cf:gender:snsr_jaccard@5>=0: snsr_jaccard@5 of gender =" in printed
    assert "gate ok: leak:gender:auc>1.5: attacker auc for gender =" in printed
    assert doc["reproducibility"]["config"]["counterfactual"]["attributes"] == ["gender"]


def test_csv_lists_recompute_report_json(audited):
    _, out, _ = audited
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    lists = pd.read_csv(out / "tables" / "counterfactual_lists.csv", keep_default_na=False,
                        dtype={"value": str, "user": str, "item": str})
    neutral = {u: set(g["item"]) for u, g in lists[lists["attribute"] == ""].groupby("user")}
    gender = doc["counterfactual"]["probe"]["attributes"]["gender"]
    for value in gender["values"]:
        part = lists[(lists["attribute"] == "gender") & (lists["value"] == value)]
        jac = [len(set(g["item"]) & neutral[u]) / len(set(g["item"]) | neutral[u])
               for u, g in part.groupby("user")]
        assert len(jac) == 60
        assert gender["sim"]["jaccard"][value] == pytest.approx(float(np.mean(jac)), abs=1e-12)
    assert (out / "tables" / "counterfactual_summary.csv").exists()
    assert (out / "tables" / "counterfactual_leakage.csv").exists()


def test_html_and_pdf_carry_the_section(audited):
    _, out, _ = audited
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Counterfactual probe and representation leakage" in html
    assert "tables/counterfactual_lists.csv" in html
    assert (out / "report.pdf").read_bytes()[:5] == b"%PDF-"


def test_probe_rules_without_the_probe_exit_unjudged(files, tmp_path, capsys):
    code = main(["--config", str(files / "audit.toml"), "--out", str(tmp_path), "--no-progress",
                 "--formats", "json", "--fail-on", "leak:gender:auc>0.6"])
    assert code == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert "gate UNJUDGED: leak:gender:auc>0.6" in captured.out
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert doc["counterfactual"] is None


def test_probing_an_unknown_attribute_is_bad_input(files, tmp_path, capsys):
    code = main(["--config", str(files / "audit.toml"), "--out", str(tmp_path), "--no-progress",
                 "--formats", "json", "--counterfactual", "income"])
    assert code == EXIT_BAD_INPUT
    assert "'income' is not a column of the users file" in capsys.readouterr().err
