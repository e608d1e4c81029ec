"""The Ray engine on a local Ray (started once for this module, 2 CPUs)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import ray

from fairrec_core.config_sections import EngineConfig
from fairrec_core.engine import EngineError, RayOptions, evaluate_partitioned
from tests.helpers import assert_same_report_points, report_points
from tests.test_engine_local import SAMPLE, assert_same_points, random_inputs


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    yield
    ray.shutdown()


def _all_numbers_equal(a, b, tol=1e-9):
    for name in ("overall", "user_groups", "user_gaps", "item_groups"):
        ta, tb = getattr(a, name), getattr(b, name)
        num = ta.select_dtypes("number").columns
        np.testing.assert_allclose(ta[num].to_numpy(float), tb[num].to_numpy(float),
                                   atol=tol, equal_nan=True, err_msg=name)


def test_ray_equals_the_in_process_fold_intervals_included():
    lists, truth, train, groups, items = random_inputs(seed=2, n_users=900)
    kw = dict(user_groups=groups, item_groups=items, item_categories=items["category"],
              k=10, n_boot=200, seed=9, min_group_size=20, block_users=250)
    local = evaluate_partitioned(lists, truth, train, runner="local", **kw)
    got = evaluate_partitioned(lists, truth, train, runner="ray", **kw)
    assert_same_points(local, got)
    _all_numbers_equal(local, got)
    assert got.params["engine"] == "ray"


def test_a_killed_worker_is_retried_and_changes_nothing(tmp_path):
    lists, truth, train, groups, items = random_inputs(seed=3, n_users=400)
    kw = dict(user_groups=groups, item_groups=items, k=10, n_boot=100, seed=1,
              min_group_size=20, block_users=100)
    clean = evaluate_partitioned(lists, truth, train, runner="ray", **kw)
    marker = tmp_path / "killed"
    got = evaluate_partitioned(lists, truth, train, runner="ray",
                               ray=RayOptions(max_retries=2), fault_marker=str(marker), **kw)
    # The marker holds the pid of the worker that SIGKILLed itself mid-batch.
    assert marker.exists() and int(marker.read_text()) != os.getpid()
    _all_numbers_equal(clean, got)


def test_a_lost_worker_without_retries_fails_clearly(tmp_path):
    lists, truth, train, groups, _items = random_inputs(seed=3, n_users=200)
    with pytest.raises(EngineError) as exc:
        evaluate_partitioned(lists, truth, train, user_groups=groups, k=10, n_boot=20,
                             runner="ray", ray=RayOptions(max_retries=0), block_users=100,
                             fault_marker=str(tmp_path / "killed"))
    msg = str(exc.value)
    assert "after 0 retries" in msg and "No report was written" in msg


def _audit(tmp_path, engine: str, data: dict) -> dict:
    from fairrec_core.cli.audit import main

    out = tmp_path / engine
    argv = [f"--{kind}={path}" for kind, path in data.items()] + [
        "--model", "imported", "--rerank", "none", "--no-sweep", "--n-boot", "200",
        "--formats", "json", "--no-progress", "--engine", engine, "--out", str(out)]
    assert main(argv) in (0, 1)
    return json.loads((out / "report.json").read_text())


def test_cli_engine_ray_gives_the_local_engines_point_estimates(tmp_path):
    """CSV on the local engine against Parquet part folders on Ray: same point estimates."""
    import pyarrow.parquet as pq
    from pyarrow import csv as pacsv

    csv = {k: SAMPLE / f"{k}.csv" for k in ("interactions", "users", "items",
                                             "recommendations")}
    parquet = {}
    for kind, path in csv.items():
        table = pacsv.read_csv(path)
        folder = tmp_path / "pq" / kind
        folder.mkdir(parents=True)
        for i, lo in enumerate(range(0, table.num_rows, 15_000)):
            pq.write_table(table.slice(lo, 15_000), folder / f"part-{i:03d}.parquet")
        parquet[kind] = folder
    local, dist = _audit(tmp_path, "local", csv), _audit(tmp_path, "ray", parquet)
    a, b = report_points(local), report_points(dist)
    # Read, validated and split on Ray (bucketed by user first): the sample users of the
    # explanations section need per-user rows on one node, so that section is left out,
    # and the report says so.
    assert not dist["explanations"]["samples"] and "Ray engine" in dist["explanations"]["note"]
    a = {key: v for key, v in a.items() if key[0] != "sample"}
    assert_same_report_points(a, b)
    assert local["metrics"]["counts"] == dist["metrics"]["counts"]
    # Both find the injected biases (verdicts read intervals, so only these are asserted).
    for doc in (local, dist):
        failed = {(c["grouping"], c["status"]) for c in doc["checks"]}
        assert ("seller_size", "fail") in failed and ("age", "fail") in failed
    # The report names the engine and its interval method.
    assert dist["metrics"]["params"]["engine"] == "ray"
    assert "Poisson" in dist["metrics"]["params"]["ci_method"]
    assert dist["reproducibility"]["config"]["engine"]["name"] == "ray"
    assert local["reproducibility"]["config"]["engine"]["name"] == "local"
    intervals = next(m["definition"] for m in dist["methodology"]
                     if m["term"] == "Confidence intervals")
    assert "Engine: Ray. Poisson bootstrap" in intervals
    inputs = {i["kind"]: i for i in dist["reproducibility"]["inputs"]}
    assert inputs["interactions"]["name"] == "interactions"
    assert inputs["interactions"]["rows"] == 50_000


def test_engine_section_in_toml(tmp_path):
    from fairrec_core.config import AuditConfig
    from fairrec_core.errors import ConfigError

    cfg = AuditConfig.from_toml(
        '[data]\ninteractions = "x.csv"\n[engine]\nname = "ray"\n'
        'ray_address = "ray://head:10001"\nmax_retries = 5\n')
    assert cfg.engine == EngineConfig(name="ray", ray_address="ray://head:10001",
                                      max_retries=5)
    assert AuditConfig.from_toml(cfg.to_toml()).engine == cfg.engine
    with pytest.raises(ConfigError, match=r"\[engine\].name"):
        AuditConfig.from_toml('[data]\ninteractions = "x.csv"\n[engine]\nname = "spark"\n')


def test_scoring_bpr_on_ray_gives_the_local_top_k():
    """Actors holding a trained BPR answer user batches: the local model's lists exactly."""
    from fairrec_core.data.split import split_dataset
    from fairrec_core.engine.scoring import actor_resources, recommend_ray
    from fairrec_core.models import BPR
    from tests.test_models_base import tiny_data

    ds, _ = tiny_data()
    model = BPR(dim=8, epochs=2, batch_size=256, device="cpu", patience=0).fit(
        ds, split_dataset(ds, method="temporal"))
    want_ids, want_scores = model.recommend(None, 10, batch_size=7)
    # Model batches of 7 users, Ray batches of 21: 80 users in 4 Ray batches on 2 actors.
    got_ids, got_scores = recommend_ray(model, 10, batch_size=7, users_per_batch=21,
                                        max_actors=2)
    assert np.array_equal(got_ids, want_ids)
    # Scores agree to float32 rounding: an actor's torch runs on 1 thread, the
    # driver's on several, so a dot product may be summed in another order.
    np.testing.assert_allclose(got_scores, want_scores, rtol=1e-5, atol=1e-7)
    # Lists do not depend on how users are batched (default slicing, locally).
    assert np.array_equal(got_ids, model.recommend(None, 10)[0])
    # This CI machine has no GPU: CPU actors, one per CPU. With GPUs: one whole GPU each.
    assert actor_resources(ray.cluster_resources()) == {"num_cpus": 1, "concurrency": 2}
    assert actor_resources({"CPU": 32.0, "GPU": 4.0}) == {"num_gpus": 1, "concurrency": 4}
    assert actor_resources({"CPU": 32.0, "GPU": 4.0}, max_actors=2)["concurrency"] == 2


def test_without_a_running_ray_the_engine_starts_and_stops_its_own():
    """Default: a local Ray with 2 CPUs starts for the run and is shut down after it."""
    lists, truth, train, groups, _ = random_inputs(seed=5, n_users=120)
    kw = dict(user_groups=groups, k=10, n_boot=30, min_group_size=10, block_users=60)
    # The module's Ray is stopped for good: later tests (none, this one is last) would
    # start their own through the engine.
    ray.shutdown()
    got = evaluate_partitioned(lists, truth, train, runner="ray", **kw)
    assert not ray.is_initialized()
    _all_numbers_equal(evaluate_partitioned(lists, truth, train, runner="local", **kw), got)
