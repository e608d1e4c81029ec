"""Parquet inputs: one file or a folder of part files, validated like CSV."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fairrec_core.data import load_dataset
from fairrec_core.data.parquet import ParquetTable, is_parquet, read_parquet
from fairrec_core.errors import DataValidationError

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
KINDS = ("interactions", "users", "items", "recommendations")


def _typed(kind: str) -> pd.DataFrame:
    """The sample CSV with the types a platform's Parquet export would carry."""
    frame = pd.read_csv(SAMPLE / f"{kind}.csv")
    if kind == "items":
        frame["created_at"] = pd.to_datetime(frame["created_at"]).dt.date
    if kind == "users":
        frame["signup_date"] = pd.to_datetime(frame["signup_date"])  # an Arrow timestamp
    if kind == "interactions":
        # An Arrow timestamp column instead of unix seconds.
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="s")
    return frame


def _write_parts(frame: pd.DataFrame, folder: Path, n_parts: int) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for i, part in enumerate(np.array_split(np.arange(len(frame)), n_parts)):
        p = folder / f"part-{i:05d}.parquet"
        pq.write_table(pa.Table.from_pandas(frame.iloc[part], preserve_index=False), p)
        paths.append(p)
    return paths


@pytest.fixture(scope="module")
def csv_dataset():
    return load_dataset(*(SAMPLE / f"{k}.csv" for k in KINDS))


@pytest.fixture(scope="module")
def parquet_inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("pq")
    paths = {}
    for kind in ("users", "items"):
        paths[kind] = root / f"{kind}.parquet"
        pq.write_table(pa.Table.from_pandas(_typed(kind), preserve_index=False), paths[kind])
    for kind in ("interactions", "recommendations"):
        _write_parts(_typed(kind), root / kind, 4)
        paths[kind] = root / kind
    return paths


def assert_same_dataset(a, b):
    assert list(a.user_ids) == list(b.user_ids) and list(a.item_ids) == list(b.item_ids)
    pd.testing.assert_frame_equal(a.interactions, b.interactions)
    pd.testing.assert_frame_equal(a.users, b.users)
    pd.testing.assert_frame_equal(a.items, b.items)
    np.testing.assert_array_equal(a.recommendations.items, b.recommendations.items)
    np.testing.assert_array_equal(a.recommendations.scores, b.recommendations.scores)
    assert a.rating_threshold == b.rating_threshold


def test_typed_parquet_files_and_part_folders_load_as_the_csv_does(csv_dataset, parquet_inputs):
    ds = load_dataset(*(parquet_inputs[k] for k in KINDS))
    assert_same_dataset(ds, csv_dataset)
    src = ds.sources["recommendations"]
    assert src["format"] == "parquet" and src["parts"] == 4 and src["rows"] == 40_000
    assert len(src["sha256"]) == 64
    assert src["mapping"]["roles"]["rank"] == "rank"


def test_same_warnings_as_csv(csv_dataset, parquet_inputs):
    ds = load_dataset(*(parquet_inputs[k] for k in KINDS))
    codes = sorted(i.code for i in ds.report.warnings)
    assert codes == sorted(i.code for i in csv_dataset.report.warnings)


def test_aliases_detected_in_parquet(tmp_path):
    frame = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "b"],
                          "sku": ["x", "y", "z", "x", "y", "w"],
                          "stars": [5, 4, 1, 2, 5, 4],
                          "event_time": pd.date_range("2024-01-01", periods=6, freq="D")})
    p = tmp_path / "inter.pq"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), p)
    ds = load_dataset(p)
    assert ds.n_users == 2 and ds.n_items == 4
    assert ds.interactions["rating"].tolist() == [5, 4, 1, 2, 5, 4]
    # 2024-01-01T00:00Z as unix seconds, read from an Arrow timestamp.
    assert int(ds.interactions["timestamp"].min()) == 1_704_067_200
    assert ds.sources["interactions"]["mapping"]["roles"]["user"] == "customer_id"


def test_bad_row_in_one_part_names_the_part_and_its_row(tmp_path, parquet_inputs):
    frame = _typed("interactions")
    frame["rating"] = frame["rating"].astype("float64")
    # Part 2 holds rows 25,000..37,499; its 18th row gets no rating.
    frame.loc[25_000 + 17, "rating"] = np.nan
    _write_parts(frame, tmp_path / "inter", 4)
    with pytest.raises(DataValidationError) as exc:
        load_dataset(tmp_path / "inter", users=parquet_inputs["users"])
    (issue,) = [i for i in exc.value.report.errors if i.code == "non_numeric"]
    assert issue.file == "inter/part-00002.parquet"
    assert issue.rows == (18,)
    assert "part-00002.parquet row 18" in str(issue)


def test_rows_in_several_parts_are_each_located(tmp_path):
    frame = _typed("recommendations").iloc[:400].copy()
    frame["rank"] = frame["rank"].astype("float64")
    frame.loc[[5, 250], "rank"] = np.nan  # parts of 100 rows: part 0 row 6, part 2 row 51
    _write_parts(frame, tmp_path / "recs", 4)
    with pytest.raises(DataValidationError) as exc:
        load_dataset(SAMPLE / "interactions.csv", recommendations=tmp_path / "recs")
    (issue,) = [i for i in exc.value.report.errors if i.code == "non_numeric"]
    assert issue.file == "recs" and issue.count == 2
    assert "part-00000.parquet row 6, part-00002.parquet row 51" in issue.message


def test_unreadable_and_mismatched_parts_are_errors(tmp_path):
    folder = tmp_path / "inter"
    paths = _write_parts(_typed("interactions").iloc[:300], folder, 3)
    paths[1].write_bytes(b"PAR1 this is not a parquet file")
    t = read_parquet(folder)
    assert [i.code for i in t.issues] == ["not_parquet"]
    assert "inter/part-00001.parquet" in t.issues[0].message

    _write_parts(_typed("interactions").iloc[:300], tmp_path / "other", 3)
    pq.write_table(pa.table({"user_id": ["a"], "sku": ["b"]}),
                   tmp_path / "other" / "part-00002.parquet")
    t = read_parquet(tmp_path / "other")
    assert [i.code for i in t.issues] == ["part_columns"]
    assert "part-00002.parquet" in t.issues[0].message


def test_empty_folder_missing_path_and_size_limit(tmp_path):
    (tmp_path / "empty").mkdir()
    assert read_parquet(tmp_path / "empty").issues[0].code == "empty_file"
    assert read_parquet(tmp_path / "nope.parquet").issues[0].code == "file_not_found"
    p = tmp_path / "u.parquet"
    pq.write_table(pa.Table.from_pandas(_typed("users"), preserve_index=False), p)
    assert read_parquet(p, max_bytes=100).issues[0].code == "too_large"
    empty = tmp_path / "e.parquet"
    pq.write_table(pa.table({"user_id": pa.array([], pa.string())}), empty)
    assert read_parquet(empty).issues[0].code == "header_only"


def test_bytes_and_suffix_detection(tmp_path):
    p = tmp_path / "u.parquet"
    pq.write_table(pa.Table.from_pandas(_typed("users"), preserve_index=False), p)
    data = p.read_bytes()
    assert is_parquet(p) and is_parquet(tmp_path) and is_parquet(data)
    assert not is_parquet(SAMPLE / "users.csv") and not is_parquet(b"user_id,age\n")
    t = read_parquet(data, name="upload.parquet")
    assert isinstance(t, ParquetTable) and t.ok
    # Text as the CSV export writes it; the timestamp column as ISO-8601 UTC.
    csv = pd.read_csv(SAMPLE / "users.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(t.frame.drop(columns="signup_date"),
                                  csv.drop(columns="signup_date"))
    assert (t.frame["signup_date"] == csv["signup_date"] + "T00:00:00Z").all()


def test_cli_audit_stops_before_writing_a_report_on_a_bad_part(tmp_path, parquet_inputs):
    frame = _typed("recommendations")
    frame["rank"] = frame["rank"].astype("float64")
    frame.loc[10_000 + 3, "rank"] = np.nan  # part 1, its 4th row
    _write_parts(frame, tmp_path / "recs", 4)
    out = tmp_path / "report"
    proc = subprocess.run(
        [sys.executable, "-m", "fairrec_core.cli", "audit",
         "--interactions", str(parquet_inputs["interactions"]),
         "--users", str(parquet_inputs["users"]), "--items", str(parquet_inputs["items"]),
         "--recommendations", str(tmp_path / "recs"), "--model", "imported",
         "--no-sweep", "--out", str(out), "--formats", "json", "--no-progress"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "recs/part-00001.parquet" in proc.stderr and "part-00001.parquet row 4" in proc.stderr
    assert not (out / "report.json").exists()
    assert "Traceback" not in proc.stderr
