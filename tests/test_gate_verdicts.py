"""The gate with honest verdicts: only significant fails trip 'fail', and a rule
the audit cannot judge is an explicit outcome, never a silent pass (issues 12.6, 13.1)."""

from __future__ import annotations

import dataclasses

import numpy as np

from fairrec_core.report.gate import evaluate_gate, gate_decision, parse_rule
from tests.report_helpers import fairrec_audit, sample_args, sample_audit


def with_checks(result, statuses):
    """``result`` whose checks carry ``statuses`` (one per check, in order)."""
    f = result.fairness
    checks = f.checks.iloc[:len(statuses)].assign(status=list(statuses))
    return dataclasses.replace(result, fairness=dataclasses.replace(f, checks=checks))


def one(result, rule):
    (outcome,) = evaluate_gate(result, [rule])
    return outcome


def test_status_rules_are_levels_of_severity():
    result = sample_audit()
    assert parse_rule("Inconclusive").side == "inconclusive"
    r = with_checks(result, ["pass", "inconclusive", "pass", "pass"])
    # A gap the data cannot show does not trip 'fail' or 'warn' ...
    assert not one(r, "fail").tripped and not one(r, "warn").tripped
    # ... but trips 'inconclusive', which accepts only checks shown to pass.
    o = one(r, "inconclusive")
    assert o.tripped and "(inconclusive)" in o.detail and o.label == "TRIPPED"
    r = with_checks(result, ["pass", "warn", "pass"])
    assert not one(r, "fail").tripped and one(r, "warn").tripped
    assert one(r, "inconclusive").tripped
    assert gate_decision(evaluate_gate(r, ["fail"])) == ("ok", "")


def test_fail_is_unjudged_when_most_checks_are_not_judged():
    result = sample_audit()
    r = with_checks(result, ["pass", "insufficient_data", "insufficient_data"])
    o = one(r, "fail")
    assert not o.tripped and not o.judged and o.label == "UNJUDGED"
    assert "2 of 3 checks could not be judged" in o.detail
    decision, why = gate_decision([o])
    assert decision == "unjudged" and "--allow-unjudged" in why
    assert gate_decision([o], allow_unjudged=True) == ("ok", "")
    # Half not judged is not "most": the rule is judged and clean.
    o = one(with_checks(result, ["pass", "insufficient_data"]), "fail")
    assert o.judged and not o.tripped and "1 of 2 checks not judged" in o.detail
    # A real fail still trips, whatever else could not be judged.
    o = one(with_checks(result, ["fail", "insufficient_data", "insufficient_data"]), "fail")
    assert o.tripped and gate_decision([o])[0] == "tripped"


def test_undefined_statistic_is_unjudged_not_ok():
    result = sample_audit()
    f = result.fairness
    gaps = f.user_gaps.copy()
    gaps.loc[gaps["grouping"] == "gender", "ratio"] = np.nan
    r = dataclasses.replace(result, fairness=dataclasses.replace(f, user_gaps=gaps))
    outcomes = evaluate_gate(r, ["user:gender:ndcg@10:ratio<0.8", "overall:gini>0.99"])
    assert [o.label for o in outcomes] == ["UNJUDGED", "ok"]
    decision, why = gate_decision(outcomes)
    assert decision == "unjudged"
    assert why.startswith("1 gate rule(s) could not be evaluated: user:gender:ndcg@10:ratio<0.8")
    # A tripped rule is a definite finding and wins over an unjudged one.
    outcomes = evaluate_gate(r, ["user:gender:ndcg@10:ratio<0.8", "overall:gini>0.1"])
    assert gate_decision(outcomes)[0] == "tripped"


def test_cli_exits_2_when_the_audit_cannot_judge(tmp_path):
    # Groups of at least 5,000 users: nothing in the sample (1,927 users) can be judged.
    args = sample_args("--min-group-size", "5000", "--fail-on", "fail")
    r = fairrec_audit(*args, "--out", tmp_path / "a")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "gate UNJUDGED: fail:" in r.stdout
    assert "could not be evaluated: fail" in r.stderr and "Traceback" not in r.stderr
    r = fairrec_audit(*args, "--out", tmp_path / "b", "--allow-unjudged")
    assert r.returncode == 0, r.stdout + r.stderr
