"""Reading, validating, splitting and folding co-partitioned part files on Ray.

The reference is independent of the code under test: the same files through
fairrec's loader (``load_dataset``: validation, id mapping, age bands), its
temporal split and the in-memory partitioned engine.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fairrec_core.data.scale import write_scale_dataset
from fairrec_core.engine.parts import PartInputError, evaluate_parts

AGE = ((18, 25, 35, 45, 55), ("under 18", "18-24", "25-34", "35-44", "45-54", "55+"))
GROUPINGS = ["gender", "age", "region", "membership_tier"]
METRICS = {"n_boot": 40, "seed": 3, "min_group_size": 30}


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    out = tmp_path_factory.mktemp("parts")
    write_scale_dataset(out, n_users=1_800, n_items=1_500, seed=11, chunk_users=700)
    return out


@pytest.fixture(scope="module")
def reference(parts):
    from fairrec_core.config import AuditConfig
    from fairrec_core.config_sections import EngineConfig
    from fairrec_core.data import load_dataset
    from fairrec_core.engine import evaluate_dataset
    from fairrec_core.pipeline import stages as steps

    cfg = AuditConfig.from_dict({
        "data": {"interactions": str(parts / "interactions"), "users": str(parts / "users"),
                 "items": str(parts / "items.parquet"),
                 "recommendations": str(parts / "recommendations")},
        "model": {"name": "imported"}, "rerank": {"method": "none"},
        "metrics": {"n_boot": 40, "user_groupings": GROUPINGS,
                    "item_groupings": ["seller_size"]}})
    ds = load_dataset(*(cfg.path(k) for k in ("interactions", "users", "items",
                                               "recommendations")))
    split = steps.make_split(cfg, ds)
    model, _ = steps.prepare_model(cfg, ds, split, None, lambda m: None)
    return evaluate_dataset(ds, split, steps.recommend(cfg, model).ids, cfg.metrics,
                            seed=3, engine=EngineConfig(name="local", block_users=500))


def _points(res):
    out = {}
    for _, r in res.overall.iterrows():
        out[("overall", r["metric"])] = r["value"]
    for _, r in res.user_groups.iterrows():
        out[("user", r["grouping"], r["group"], r["metric"])] = r["value"]
    for _, r in res.user_gaps.iterrows():
        out[("gap", r["grouping"], r["metric"])] = (r["difference"], r["ratio"])
    for _, r in res.item_groups.iterrows():
        out[("item", r["grouping"], r["group"])] = (r["exposure_share"], r["merit_share"],
                                                    r["es_cs_ratio"])
    return out


def _assert_same(a, b):
    pa_, pb = _points(a), _points(b)
    assert pa_.keys() == pb.keys() and len(pa_) > 100
    for key, value in pa_.items():
        np.testing.assert_allclose(pb[key], value, atol=1e-9, equal_nan=True, err_msg=str(key))
    assert a.counts == b.counts


@pytest.mark.parametrize("runner", ["local", "ray"])
def test_parts_give_the_loaders_numbers(parts, reference, runner):
    got = evaluate_parts(parts, user_groupings=GROUPINGS, item_groupings=["seller_size"],
                         bins={"age": AGE}, runner=runner, **METRICS)
    _assert_same(reference, got)
    assert got.params["engine"] == runner
    # The users' ids seed the same Poisson weights: intervals equal too.
    lo = reference.user_gaps.set_index(["grouping", "metric"])
    hi = got.user_gaps.set_index(["grouping", "metric"]).loc[lo.index]
    np.testing.assert_allclose(hi["ratio_ci_low"], lo["ratio_ci_low"], atol=1e-9)
    if runner == "ray":
        import ray

        assert not ray.is_initialized()  # its own local Ray, stopped afterwards


def test_a_worker_killed_mid_part_is_retried_and_changes_nothing(parts, reference, tmp_path):
    import os

    from fairrec_core.engine import RayOptions

    marker = tmp_path / "killed"
    got = evaluate_parts(parts, user_groupings=GROUPINGS, item_groupings=["seller_size"],
                         bins={"age": AGE}, runner="ray", ray=RayOptions(max_retries=2),
                         fault_marker=str(marker), **METRICS)
    # The marker holds the pid of the Ray worker that SIGKILLed itself while folding a part.
    assert marker.exists() and int(marker.read_text()) != os.getpid()
    _assert_same(reference, got)


def test_a_lost_worker_without_retries_stops_the_parts_run_clearly(parts, tmp_path):
    from fairrec_core.engine import EngineError, RayOptions

    with pytest.raises(EngineError, match=r"worker was lost.*after 0 retries.*No report was written"):
        evaluate_parts(parts, user_groupings=["gender"], runner="ray",
                       ray=RayOptions(max_retries=0), fault_marker=str(tmp_path / "killed"),
                       **METRICS)


def _copy_with(parts, tmp_path, kind, part, edit):
    import shutil

    shutil.copytree(parts, tmp_path / "bad")
    path = tmp_path / "bad" / kind / part
    pq.write_table(edit(pq.read_table(path)), path)
    return tmp_path / "bad"


def _set(table, column, row, value):
    values = table.column(column).to_pylist()
    values[row] = value
    i = table.column_names.index(column)
    return table.set_column(i, column, pa.array(values, type=table.schema.field(column).type))


@pytest.mark.parametrize(("kind", "column", "value", "message"), [
    ("interactions", "item_id", 99_999, "item_id 99999 is not in the items file"),
    ("recommendations", "user_id", 0, "user_id 0 is not in the users file"),
    ("interactions", "timestamp", None, "timestamp is empty"),
])
def test_a_bad_row_names_its_file_and_row(parts, tmp_path, kind, column, value, message):
    bad = _copy_with(parts, tmp_path, kind, "part-00001.parquet",
                     lambda t: _set(t, column, 41, value))
    with pytest.raises(PartInputError) as exc:
        evaluate_parts(bad, user_groupings=["gender"], runner="local", **METRICS)
    assert str(exc.value).startswith(f"{kind}/part-00001.parquet, row 42: {message}")
    assert "no report was written" in str(exc.value)


def test_a_bad_row_stops_the_ray_run_with_the_same_message(parts, tmp_path):
    bad = _copy_with(parts, tmp_path, "recommendations", "part-00002.parquet",
                     lambda t: _set(t, "rank", 5, 0))
    with pytest.raises(PartInputError, match=r"recommendations/part-00002.parquet, row 6: "
                                             r"rank must be 1 or more"):
        evaluate_parts(bad, user_groupings=["gender"], runner="ray", **METRICS)


def _scrambled(parts, tmp_path):
    """The same rows, not partitioned by user: one users file, recommendations cut
    into two files across users (in reverse part order), interactions as written."""
    src = tmp_path / "src"
    (src / "recommendations").mkdir(parents=True)
    users = pa.concat_tables(pq.read_table(p) for p in sorted((parts / "users").iterdir()))
    pq.write_table(users, src / "users.parquet")
    recs = pa.concat_tables(pq.read_table(p) for p in
                            sorted((parts / "recommendations").iterdir(), reverse=True))
    half = recs.num_rows // 2 + 7
    pq.write_table(recs.slice(0, half), src / "recommendations" / "a.parquet")
    pq.write_table(recs.slice(half), src / "recommendations" / "b.parquet")
    return {"users": src / "users.parquet", "interactions": parts / "interactions",
            "recommendations": src / "recommendations", "items": parts / "items.parquet"}


def test_arbitrary_inputs_partitioned_by_user_on_ray_give_the_same_audit(parts, reference,
                                                                         tmp_path):
    from fairrec_core.engine.repartition import partition_by_user

    out = partition_by_user(_scrambled(parts, tmp_path), tmp_path / "buckets", n_parts=2,
                            runner="ray")
    assert sorted(p.name for p in (out / "interactions").iterdir()) == [
        "part-00000", "part-00001"]
    got = evaluate_parts(out, user_groupings=GROUPINGS, item_groupings=["seller_size"],
                         bins={"age": AGE}, runner="local", **METRICS)
    _assert_same(reference, got)


def test_after_partitioning_a_bad_row_still_names_the_input_file_and_row(parts, tmp_path):
    from fairrec_core.engine.repartition import partition_by_user

    inputs = _scrambled(parts, tmp_path)
    path = inputs["recommendations"] / "b.parquet"
    pq.write_table(_set(pq.read_table(path), "item_id", 99, 123_456), path)
    out = partition_by_user(inputs, tmp_path / "buckets", n_parts=3, runner="local")
    with pytest.raises(PartInputError, match=r"^recommendations/b.parquet, row 100: "
                                             r"item_id 123456 is not in the items file"):
        evaluate_parts(out, user_groupings=["gender"], runner="local", **METRICS)
