"""``fairrec audit --engine ray`` reads, validates and splits part files on Ray (issue 17.2).

The reference is the local engine on the same files (``--engine local``: fairrec's
validating loader, its split and the in-memory metrics), run as its own process;
the Ray runs go through the same CLI as a user's, as subprocesses with a local Ray.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pyarrow.parquet as pq
import pytest
from pyarrow import csv as pacsv

from fairrec_core.data.scale import write_scale_dataset
from tests.helpers import assert_same_report_points, report_points

KINDS = ("interactions", "users", "recommendations")
FAST = ["--n-boot", "100", "--formats", "json,csv", "--no-progress"]


def _fairrec(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "fairrec_core.cli", "audit", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def _inputs(root, items="items.parquet"):
    return [*(f"--{k}={root / k}" for k in KINDS), f"--items={root / items}"]


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    out = tmp_path_factory.mktemp("parts")
    write_scale_dataset(out, n_users=2_000, n_items=3_000, seed=5, chunk_users=700)
    return out


@pytest.fixture(scope="module")
def local(parts, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "report"
    run = _fairrec(*_inputs(parts), "--model", "imported", "--engine", "local", *FAST,
                   "--out", out)
    assert run.returncode in (0, 1), run.stderr
    return json.loads((out / "report.json").read_text())


def _assert_same_audit(local: dict, dist: dict) -> None:
    # The Ray path leaves the sampled users out (the report says so).
    a, b = report_points(local, samples=False), report_points(dist, samples=False)
    assert_same_report_points(a, b)
    assert local["metrics"]["counts"] == dist["metrics"]["counts"]
    assert ([(c["name"], c["status"]) for c in local["checks"]]
            == [(c["name"], c["status"]) for c in dist["checks"]])
    assert local["verdict"] == dist["verdict"]
    # The data section, from the parts' counts, says what the loader's summary says.
    want, got = local["data"]["summary"], dist["data"]["summary"]
    for key in ("users", "items", "interactions", "positives", "users_with_interactions",
                "items_with_interactions", "per_user_median", "per_user_mean",
                "per_user_min", "per_user_max", "per_item_median", "per_item_max",
                "top20_item_share", "rating_threshold", "first_timestamp", "last_timestamp",
                "recommendation_k", "users_with_recommendations"):
        assert got[key] == pytest.approx(want[key], abs=1e-12), key
    for key in ("train_rows", "valid_rows", "test_rows", "evaluable_users"):
        assert dist["data"]["split"][key] == local["data"]["split"][key], key
    assert dist["data"]["user_groups"] == local["data"]["user_groups"]


def test_partitioned_parts_on_ray_give_the_local_engines_report(parts, local, tmp_path):
    out = tmp_path / "ray"
    run = _fairrec(*_inputs(parts), "--model", "imported", "--engine", "ray", "--partitioned",
                   *FAST, "--out", out)
    assert run.returncode in (0, 1), run.stderr
    dist = json.loads((out / "report.json").read_text())
    _assert_same_audit(local, dist)
    # The injected biases are found (the age gap, small sellers' exposure).
    failed = {(c["grouping"], c["status"]) for c in dist["checks"]}
    assert ("age", "fail") in failed and ("seller_size", "fail") in failed
    # The report names the engine, where reading and splitting ran, and what it left out.
    assert dist["metrics"]["params"]["engine"] == "ray"
    notes = {w["code"]: w["message"] for w in dist["data"]["warnings"]}
    assert "read, validated and split in Ray tasks, one per user part (3 parts)" in notes[
        "ray_engine"]
    assert "λ sweep" in notes["left_out_by_engine"]
    assert "sample explanations" in notes["left_out_by_engine"]
    assert not dist["explanations"]["samples"]
    assert (out / "tables").is_dir()
    # Inputs are hashed as the local reader hashes them.
    assert ({i["kind"]: i["sha256"] for i in dist["reproducibility"]["inputs"]}
            == {i["kind"]: i["sha256"] for i in local["reproducibility"]["inputs"]})


def test_csv_inputs_are_bucketed_by_user_on_ray(parts, local, tmp_path):
    """Not partitioned (CSV files, users in another order): bucketed by user first."""
    root = tmp_path / "csv"
    for kind in KINDS:
        (root / kind).mkdir(parents=True)
        table = pq.read_table(parts / kind)
        # Two files that do not follow the parts (a user's rows may straddle them).
        third = table.num_rows // 3
        pacsv.write_csv(table.slice(0, third), root / kind / "a.csv")
        pacsv.write_csv(table.slice(third), root / kind / "b.csv")
    pacsv.write_csv(pq.read_table(parts / "items.parquet"), root / "items.csv")
    out = tmp_path / "ray"
    run = _fairrec(*_inputs(root, "items.csv"), "--model", "imported", "--engine", "ray",
                   "--rerank", "none", *FAST, "--out", out)
    assert run.returncode in (0, 1), run.stderr
    dist = json.loads((out / "report.json").read_text())
    _assert_same_audit(local, dist)
    assert "bucketed by a hash of the user id" in dist["data"]["warnings"][0]["message"]


def test_a_bad_row_in_one_part_stops_the_audit_with_file_and_row(parts, tmp_path):
    root = tmp_path / "bad"
    for kind in KINDS:
        (root / kind).mkdir(parents=True)
        for f in sorted((parts / kind).iterdir()):
            (root / kind / f.name).write_bytes(f.read_bytes())
    (root / "items.parquet").write_bytes((parts / "items.parquet").read_bytes())
    target = root / "interactions" / "part-00001.parquet"
    table = pq.read_table(target)
    items = table.column("item_id").to_numpy().copy()
    items[41] = 10_000_000  # not in the catalogue
    pq.write_table(table.set_column(table.column_names.index("item_id"), "item_id",
                                    [items]), target)
    out = tmp_path / "report"
    run = _fairrec(*_inputs(root), "--model", "imported", "--engine", "ray", "--partitioned",
                   *FAST, "--out", out)
    assert run.returncode == 2, run.stdout + run.stderr
    assert ("interactions/part-00001.parquet, row 42: item_id 10000000 is not in the items "
            "file") in run.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("option, words", [
    (["--rerank", "two_sided", "--lam", "0.5"], "--lam ([rerank].lam) needs --engine local"),
    (["--split", "random"], "--split random needs --engine local"),
    (["--counterfactual", "gender"], "--counterfactual ([counterfactual].enabled) needs"),
])
def test_an_option_the_ray_path_refuses_stops_before_any_work(parts, tmp_path, option, words):
    out = tmp_path / "report"
    t0 = time.perf_counter()
    run = _fairrec(*_inputs(parts), "--model", "imported", "--engine", "ray", "--partitioned",
                   *option, *FAST, "--out", out)
    assert run.returncode == 2
    assert words in run.stderr
    assert "Ray" not in run.stderr.split(words)[0]  # refused before Ray started
    assert not out.exists()
    assert time.perf_counter() - t0 < 60


def test_the_merged_histogram_median_is_numpys():
    from fairrec_core.pipeline.ray_summary import _hist_median

    rng = np.random.default_rng(3)
    for n in (1, 2, 7, 1000):
        x = rng.integers(1, 40, size=n)
        hist = np.bincount(x)
        assert _hist_median(hist[1:], np.arange(1, hist.size)) == np.median(x)


def test_trained_model_scored_on_ray_gives_the_local_lists():
    """``[engine] name = "ray"`` with a trained BPR: the recommend stage scores on Ray
    actors and returns the local stage's lists exactly."""
    from fairrec_core.config import AuditConfig
    from fairrec_core.data import load_dataset
    from fairrec_core.pipeline import stages as steps
    from tests.test_engine_local import SAMPLE

    def config(engine):
        return AuditConfig.from_dict({
            "data": {"interactions": str(SAMPLE / "interactions.csv")},
            "model": {"name": "bpr", "params": {"epochs": 2, "dim": 8, "device": "cpu"}},
            "rerank": {"method": "none"}, "engine": {"name": engine}})

    ds = load_dataset(SAMPLE / "interactions.csv", SAMPLE / "users.csv",
                      SAMPLE / "items.csv")
    split = steps.make_split(config("local"), ds)
    model, card = steps.prepare_model(config("local"), ds, split, None, lambda m: None)
    assert card["name"] == "bpr"
    want = steps.recommend(config("local"), model).ids
    got = steps.recommend(config("ray"), model).ids
    assert got.shape == (ds.n_users, 10)
    assert np.array_equal(got, want)


def test_partitioned_is_an_engine_setting_of_audit_toml():
    from fairrec_core.config import AuditConfig

    cfg = AuditConfig.from_toml('[data]\ninteractions = "parts/interactions"\n'
                                '[engine]\nname = "ray"\npartitioned = true\n')
    assert cfg.engine.partitioned is True
    assert AuditConfig.from_toml(cfg.to_toml()).engine == cfg.engine
    assert AuditConfig.from_toml('[data]\ninteractions = "x.csv"\n').engine.partitioned is False
