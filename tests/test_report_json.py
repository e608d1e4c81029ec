"""report.json: follows the versioned schema, and every number is the metrics engine's."""

from __future__ import annotations

import copy
import hashlib
import json
import math

import jsonschema
import numpy as np
import pandas as pd
import pytest

from fairrec_core.data import load_dataset, split_dataset
from fairrec_core.metrics import Thresholds
from fairrec_core.pipeline.evaluation import evaluate_top_k
from fairrec_core.report import render
from tests.report_helpers import ROOT, SAMPLE, sample_audit

SCHEMA_FILE = ROOT / "fairrec_core" / "report" / "schema" / "report.schema.json"


@pytest.fixture(scope="module")
def result():
    return sample_audit()


@pytest.fixture(scope="module")
def doc(result):
    return json.loads(render(result, "json"))


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_report_json_validates_against_the_schema_file(doc, validator):
    errors = list(validator.iter_errors(doc))
    assert not errors, [e.message for e in errors[:5]]
    assert doc["schema_version"] == "2.1.0"  # 2.0: interval verdicts; 2.1: counterfactual
    assert validator.schema["$id"].endswith(doc["schema_version"])


@pytest.mark.parametrize("breakage", [
    lambda d: d.pop("checks"),
    lambda d: d["checks"][0].update(status="maybe"),
    lambda d: d["metrics"]["overall"][0].update(value="0.4"),
    lambda d: d["metrics"]["user_groups"][0].update(extra_column=1),
    lambda d: d["reproducibility"]["inputs"][0].update(sha256="abc"),
    lambda d: d.update(generated_at="yesterday"),
    lambda d: d["model"].update(source="magic"),
])
def test_the_schema_rejects_broken_reports(doc, validator, breakage):
    broken = copy.deepcopy(doc)
    breakage(broken)
    assert not validator.is_valid(broken)


def _same(a, b) -> bool:
    if isinstance(b, (float, np.floating)) and math.isnan(b):
        return a is None
    if isinstance(b, (bool, np.bool_)):
        return a is bool(b)
    if isinstance(b, (int, np.integer, float, np.floating)):
        return a == b  # exact: JSON keeps every digit of a float
    return a == b


def _compare(json_rows, frame: pd.DataFrame, name: str):
    assert len(json_rows) == len(frame), name
    assert list(json_rows[0]) == list(frame.columns), name
    for i, (row, (_, ref)) in enumerate(zip(json_rows, frame.iterrows())):
        for col in frame.columns:
            assert _same(row[col], ref[col]), f"{name}[{i}].{col}: {row[col]!r} != {ref[col]!r}"


@pytest.fixture(scope="module")
def reference():
    """The same audit done by hand: the metrics engine on the imported lists, no pipeline."""
    ds = load_dataset(SAMPLE / "interactions.csv", users=SAMPLE / "users.csv",
                      items=SAMPLE / "items.csv",
                      recommendations=SAMPLE / "recommendations.csv")
    split = split_dataset(ds, method="temporal", test_n=2, valid_n=1)
    return ds, evaluate_top_k(ds, split, ds.recommendations.items[:, :10], k=10, n_boot=200,
                              seed=0, thresholds=Thresholds())


@pytest.mark.parametrize("table", ["overall", "user_groups", "user_gaps", "item_groups",
                                   "lorenz"])
def test_every_metric_number_matches_the_engine(doc, reference, table):
    _, ref = reference
    _compare(doc["metrics"][table], getattr(ref, table), table)


def test_checks_verdict_and_counts_match_the_engine(doc, reference):
    _, ref = reference
    _compare(doc["checks"], ref.checks, "checks")
    statuses = ref.checks["status"].value_counts().to_dict()
    assert doc["verdict"]["counts"] == {s: statuses.get(s, 0) for s in
                                        ("fail", "warn", "inconclusive", "pass",
                                         "insufficient_data")}
    assert doc["verdict"]["status"] == "fail"  # the injected biases fail
    assert doc["metrics"]["counts"] == ref.counts
    assert doc["metrics"]["notes"] == ref.notes


def test_inputs_carry_the_sha256_of_each_file(doc):
    inputs = {i["kind"]: i for i in doc["reproducibility"]["inputs"]}
    assert set(inputs) == {"interactions", "users", "items", "recommendations"}
    for kind, entry in inputs.items():
        data = (SAMPLE / f"{kind}.csv").read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["name"] == f"{kind}.csv"
    cfg = doc["reproducibility"]["config"]
    assert cfg["seed"] == 0 and cfg["model"]["name"] == "imported"
    assert cfg["metrics"]["n_boot"] == 200
    pk = doc["reproducibility"]["environment"]["packages"]
    assert pk["numpy"] == np.__version__ and pk["pandas"] == pd.__version__


def test_tradeoff_operating_point_is_a_row_of_the_sweep(doc):
    t = doc["tradeoff"]
    assert t["available"] and len(t["table"]) == 21
    ops = [r for r in t["table"] if r["operating_point"]]
    assert ops == [t["operating_point"]] and ops[0]["lam"] == 0.0
    assert not doc["rerank"]["applied"]
    # λ = 0 is the base ranking: the sweep's NDCG there is the audit's own NDCG@10.
    ndcg = next(r["value"] for r in doc["metrics"]["overall"] if r["metric"] == "ndcg")
    assert ops[0]["ndcg"] == pytest.approx(ndcg, rel=1e-12)


def test_explanations_are_marked_not_available_not_faked(doc):
    e = doc["explanations"]
    assert e["available"] is False and e["method"] is None
    assert "Not available" in e["note"]
    assert e["samples"] and all(it["explanation"] is None
                                for s in e["samples"] for it in s["items"])


def _keys(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from _keys(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _keys(v)


def test_no_durations_in_the_report(doc):
    assert not {"seconds", "elapsed_s", "timings"} & set(_keys(doc))


def test_rerun_gives_the_same_json_apart_from_the_timestamp(result):
    from fairrec_core.audit import run_audit

    again = run_audit(result.config)
    a, b = result.to_json_dict(), again.to_json_dict()
    assert a.pop("generated_at") and b.pop("generated_at")
    assert a == b


def test_thresholds_rejudge_without_recomputing(result):
    # Since issue 13 the interval decides: gender's ratio 0.988 has an interval of
    # about 0.75-1.0, inconclusive at 0.8/0.9; with lines at 0.6/0.7 it clears both.
    lax = result.with_thresholds(Thresholds(ratio_fail=0.6, ratio_warn=0.7))
    assert lax.fairness.user_gaps is result.fairness.user_gaps
    c = lax.fairness.checks.set_index("name")
    assert c.loc["user_gap:gender:ndcg", "status"] == "pass"
    assert result.fairness.checks.set_index("name").loc["user_gap:gender:ndcg", "status"] == \
        "inconclusive"
    assert lax.to_json_dict()["reproducibility"]["config"]["thresholds"]["ratio_fail"] == 0.6
