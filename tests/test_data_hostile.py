"""Hostile input to the loaders (issue 12 items 1, 4, 5; issue 13 item 8).

The corpus in ``tests/hostile/make_corpus.py`` is generated into a temporary
folder and every case goes through :func:`load_dataset` from its file paths, as
the CLI and the dashboard read them. Each case must end in the project's own
answer: a :class:`DataValidationError` whose report names file, column and
rows, or a load with the expected warning; never a stray exception or a hang.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from fairrec_core.data import load_dataset, read_csv
from fairrec_core.data.reading import MAX_CELL_CHARS, MAX_COLUMNS
from fairrec_core.errors import ConfigError, DataValidationError
from tests.hostile.make_corpus import (
    INTER_HEADER,
    cases,
    inter,
    rows_of,
    to_csv,
    wide_users,
    write_corpus,
)

ROOT = Path(__file__).resolve().parents[1]
CASES = {c.name: c for c in cases()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    write_corpus(folder)
    return folder


def load_case(corpus, name):
    folder = corpus / name
    files = {p.stem: p for p in folder.glob("*.csv")}
    return load_dataset(files.pop("interactions"), **files, **CASES[name].kwargs)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_case_gets_the_expected_answer(corpus, name):
    case = CASES[name]
    start = time.perf_counter()
    try:
        ds = load_case(corpus, name)
    except DataValidationError as exc:
        issues, loaded = exc.report.errors, False
    else:
        issues, loaded = ds.report.warnings, True
    elapsed = time.perf_counter() - start
    assert elapsed < 30, f"{name} took {elapsed:.1f} s"
    assert loaded == (case.outcome != "error"), [str(i) for i in issues]
    if case.code is None:
        return
    hits = [i for i in issues if i.code == case.code]
    assert hits, f"{name}: expected {case.code}, got {[str(i) for i in issues]}"
    issue = hits[0]
    assert issue.file.endswith(".csv") and issue.message
    if case.column is not None:
        assert issue.column == case.column
    if case.rows:
        assert issue.rows == case.rows, str(issue)


# --- item 1: ratings -------------------------------------------------------------------

@pytest.mark.parametrize("value", ["inf", "-inf", "1e308", "-1e308", "Infinity"])
def test_absurd_rating_is_an_error_naming_file_column_and_row(tmp_path, value):
    path = tmp_path / "ratings.csv"
    path.write_bytes(inter(lambda r: r[6].__setitem__(2, value)))
    with pytest.raises(DataValidationError) as e:
        load_dataset(path)
    err = next(i for i in e.value.report.errors if i.column == "rating")
    assert err.file == "ratings.csv" and err.rows == (8,) and err.count == 1
    assert "rating" in err.message


@pytest.mark.parametrize("threshold", [float("inf"), float("-inf"), float("nan")])
def test_non_finite_rating_threshold_is_refused(threshold):
    with pytest.raises(ConfigError, match="rating_threshold"):
        load_dataset(inter(), rating_threshold=threshold)


def test_outlier_cannot_switch_positives_off_but_a_chosen_threshold_can_be_used():
    data = inter(lambda r: r[3].__setitem__(2, "999999"))
    with pytest.raises(DataValidationError) as e:
        load_dataset(data)
    err = next(i for i in e.value.report.errors if i.code == "few_positives")
    assert "rating_threshold" in err.message and "999999" in err.message
    ds = load_dataset(data, rating_threshold=4)  # the analyst decides
    rating = ds.interactions["rating"].to_numpy()
    assert ds.rating_threshold == 4 and (ds.interactions["positive"] == (rating >= 4)).all()


def test_negative_ratings_warn_and_are_never_positive():
    ds = load_dataset(inter(lambda r: r[7].__setitem__(2, "-3")))
    warn = next(i for i in ds.report.warnings if i.code == "negative_rating")
    assert warn.rows == (9,) and warn.count == 1
    assert np.isfinite(ds.rating_threshold)
    neg = ds.interactions["rating"] < 0
    assert neg.sum() == 1 and not ds.interactions.loc[neg, "positive"].any()


def test_clean_ratings_keep_the_documented_threshold():
    ds = load_dataset(inter())
    assert ds.rating_threshold == 4
    assert not [i for i in ds.report.issues if "rating" in i.code]


# --- item 5: timestamps ----------------------------------------------------------------

def test_mixed_units_name_the_minority_rows():
    def mixed(rows):
        for k in (3, 17):
            rows[k][3] = rows[k][3] + "000"
    with pytest.raises(DataValidationError) as e:
        load_dataset(inter(mixed))
    err = next(i for i in e.value.report.errors if i.code == "mixed_timestamp_units")
    assert err.rows == (5, 19) and err.count == 2 and "millisecond" in err.message


def test_far_future_timestamp_warns_and_summary_shows_it():
    from fairrec_core.data import summarize

    ds = load_dataset(inter(lambda r: r[4].__setitem__(3, "253402300000")))
    warn = next(i for i in ds.report.warnings if i.code == "timestamp_out_of_range")
    assert "9999" in warn.message and "1990" in warn.message and "2100" in warn.message
    counts = summarize(ds).counts
    assert counts["last_timestamp"].startswith("9999-12-31")
    assert counts["first_timestamp"] == "2023-11-14"


@pytest.mark.timeout(300)
def test_fairrec_validate_never_crashes_on_timestamps(tmp_path):
    def run(path):
        return subprocess.run([sys.executable, "-m", "fairrec_core.cli", "validate",
                               "--interactions", str(path), "--json"],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    (tmp_path / "mixed.csv").write_bytes(inter(lambda r: [r[k].__setitem__(3, r[k][3] + "000")
                                                          for k in range(0, 40, 10)]))
    (tmp_path / "far.csv").write_bytes(inter(lambda r: r[0].__setitem__(3, "99999999999")))
    r = run(tmp_path / "mixed.csv")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "mixed_timestamp_units" in {i["code"] for i in json.loads(r.stdout)["issues"]}
    r = run(tmp_path / "far.csv")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    out = json.loads(r.stdout)
    assert "timestamp_out_of_range" in {i["code"] for i in out["issues"]}
    assert out["summary"]["counts"]["last_timestamp"].startswith("5138-")


def test_created_at_beyond_pandas_range_is_left_empty_with_a_warning():
    items = to_csv(["item_id", "created_at"],
                   [[f"i{k}", "253402300000" if k == 2 else "1700000000"] for k in range(10)])
    ds = load_dataset(inter(), items=items)
    i2 = ds.item_index(["i2"])[0]
    assert ds.items["created_at"].isna().tolist() == [k == i2 for k in range(10)]
    assert any(i.code == "timestamp_out_of_range" for i in ds.report.warnings)


# --- item 5: encodings and line ends ---------------------------------------------------

def test_utf8_file_with_one_gbk_line_stays_utf8_and_names_the_line():
    body = "item_id,title\n1,Café Müller\n2,Plain\n".encode() + "3,无线耳机\n".encode("gbk")
    t = read_csv(body + b"4,Tea\n", name="items.csv")
    assert t.encoding == "utf-8"
    assert t.frame["title"].tolist()[:2] == ["Café Müller", "Plain"]
    warn = next(i for i in t.issues if i.code == "undecodable_text")
    assert warn.severity == "warning" and warn.rows == (4,) and "items.csv" in warn.message


def test_gbk_file_with_one_latin_line_stays_gb18030_and_warns_nothing():
    body = "商品id,标题\n1,无线蓝牙耳机\n2,不锈钢保温杯\n3,陶瓷茶具套装\n".encode("gbk")
    t = read_csv(body + b"4,Tea\n")
    assert t.encoding == "gb18030" and not t.issues
    assert t.frame["标题"].tolist()[:3] == ["无线蓝牙耳机", "不锈钢保温杯", "陶瓷茶具套装"]


def test_cr_only_line_ends_are_read():
    t = read_csv(b"user_id,item_id,rating\ra,x,5\rb,y,4\r")
    assert t.ok, [str(i) for i in t.issues]
    assert t.frame.values.tolist() == [["a", "x", "5"], ["b", "y", "4"]]


def test_huge_cell_says_cell_too_large():
    big = b"item_id,title,description\n1,Mug,\"" + b"y" * (10 * 2**20) + b"\"\n2,Cup,ok\n"
    t = read_csv(big, name="items.csv")
    assert [i.code for i in t.issues] == ["cell_too_large"]
    assert t.issues[0].rows == (2,) and "field" not in t.issues[0].message


def test_cell_over_the_limit_names_column_and_row_and_under_it_loads():
    under = "item_id,description\n1,{}\n2,ok\n".format("z" * (MAX_CELL_CHARS - 10))
    assert read_csv(under.encode()).ok
    over = "item_id,description\n1,ok\n2,{}\n".format("z" * (MAX_CELL_CHARS + 10))
    t = read_csv(over.encode(), name="items.csv")
    err = t.issues[0]
    assert err.code == "cell_too_large" and err.column == "description" and err.rows == (3,)


# --- item 5: confusable ids ------------------------------------------------------------

@pytest.mark.parametrize("twin", ["u1\u200b", "\u200du1", "u1\u202e", "U1"])
def test_ids_differing_only_by_invisible_characters_or_case_warn(twin):
    ds = load_dataset(inter(lambda r: [r[k].__setitem__(0, twin) for k in (5, 6)]))
    warn = next(i for i in ds.report.warnings if i.code == "confusable_ids")
    assert warn.column == "user_id" and warn.count == 1
    assert "'u1'" in warn.message and ascii(twin) in warn.message


def test_distinct_ids_do_not_warn():
    ds = load_dataset(inter())
    assert not [i for i in ds.report.warnings if i.code == "confusable_ids"]


# --- item 4: wide users files ----------------------------------------------------------

@pytest.mark.timeout(120)
def test_wide_users_file_is_banded_in_seconds_and_matches_the_narrow_result():
    wide = wide_users(2000)
    start = time.perf_counter()
    ds = load_dataset(inter(), users=wide)
    elapsed = time.perf_counter() - start
    assert elapsed < 15, f"2,000 columns took {elapsed:.1f} s"
    assert ds.users.shape == (8, 2000)
    for col in ("attr_0", "attr_1", "attr_1999"):
        header = wide.split(b"\n")[0].split(b",")
        k = header.index(col.encode())
        narrow = b"\n".join(b",".join([line.split(b",")[0], line.split(b",")[k]])
                            for line in wide.strip().split(b"\n")) + b"\n"
        one = load_dataset(inter(), users=narrow)
        assert ds.users[col].tolist() == one.users[col].tolist()


def test_quartile_bands_by_hand():
    users = to_csv(["user_id", "income"], [[f"u{u}", u + 1] for u in range(8)])
    ds = load_dataset(inter(), users=users)
    # quantiles of 1..8: 1, 2.75, 4.5, 6.25, 8 (numpy's linear rule); right-closed bins
    assert ds.users["income"].tolist() == ["1-2.75", "1-2.75", "2.75-4.5", "2.75-4.5",
                                           "4.5-6.25", "4.5-6.25", "6.25-8", "6.25-8"]
    assert ds.user_numeric["income"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]


@pytest.mark.timeout(60)
def test_too_many_columns_are_refused_fast_with_the_limit_named(tmp_path):
    path = tmp_path / "users.csv"
    path.write_bytes(wide_users(100_000))
    start = time.perf_counter()
    with pytest.raises(DataValidationError) as e:
        load_dataset(inter(), users=path)
    assert time.perf_counter() - start < 5
    err = next(i for i in e.value.report.errors if i.code == "too_many_columns")
    assert err.file == "users.csv" and "100,001" in err.message
    assert f"{MAX_COLUMNS:,}" in err.message


# --- issue 13 item 8: identifier-like attributes ---------------------------------------

def test_zip_codes_phone_prefixes_and_ids_stay_categorical():
    zips = ["02134", "10001", "T2N 1N4", "94110", "", "V6B 3K9", "00501", "60614"]
    prefixes = ["+44", "+1", "+33", "+49", "+1", "+86", "+81", "+39"]
    users = to_csv(["user_id", "zip_code", "phone_prefix", "store_id", "income"],
                   [[f"u{u}", zips[u], prefixes[u], 100 + 7 * u, 1000 * (u + 1)]
                    for u in range(8)])
    ds = load_dataset(inter(), users=users)
    assert ds.users["zip_code"].tolist() == [z or "unknown" for z in zips]
    assert ds.users["phone_prefix"].tolist() == prefixes
    assert ds.users["store_id"].tolist() == [str(100 + 7 * u) for u in range(8)]
    assert ds.users["income"].iloc[0] == "1000-2750"  # a true number is still banded
    assert "zip_code" not in ds.user_numeric and "income" in ds.user_numeric
    missing = [i for i in ds.report.warnings if i.code == "missing_attribute"]
    assert [(i.column, i.count) for i in missing] == [("zip_code", 1)]


def test_leading_zero_codes_without_a_telling_name_stay_categorical():
    codes = ["007", "012", "345", "678", "901", "234", "567", "890"]
    users = to_csv(["user_id", "branch"], [[f"u{u}", codes[u]] for u in range(8)])
    ds = load_dataset(inter(), users=users)
    assert ds.users["branch"].tolist() == codes


def test_a_few_text_values_in_a_numeric_column_are_not_called_missing():
    incomes = [str(1000 * (u + 1)) for u in range(40)]
    incomes[5] = "declined"
    rows = [r for r in rows_of(n_users=40)]
    users = to_csv(["user_id", "income"], [[f"u{u}", incomes[u]] for u in range(40)])
    ds = load_dataset(to_csv(INTER_HEADER, rows), users=users)
    assert ds.users["income"].iloc[5] == "declined"
    assert not [i for i in ds.report.warnings if i.code == "missing_attribute"]
    warn = next(i for i in ds.report.warnings if i.code == "non_numeric_attribute")
    assert warn.column == "income" and warn.rows == (7,) and warn.count == 1


def test_row_longer_than_the_parser_block_is_diagnosed_as_a_large_cell():
    big = b"item_id,description\ni1,ok\ni2,\"" + b"w" * (17 * 2**20) + b"\"\n"
    t = read_csv(big, name="items.csv")
    assert [i.code for i in t.issues] == ["cell_too_large"] and t.issues[0].rows == (3,)


def test_gbk_file_with_a_utf8_line_warns_that_line_may_be_garbled():
    body = "商品id,标题\n1,无线蓝牙耳机\n2,不锈钢保温杯\n3,陶瓷茶具套装\n".encode("gbk")
    t = read_csv(body + "4,Café\n".encode(), name="items.csv")
    assert t.encoding == "gb18030"
    warn = next(i for i in t.issues if i.code == "mixed_encoding")
    assert warn.rows == (5,) and warn.severity == "warning"


def test_every_unicode_format_character_counts_as_invisible():
    import unicodedata

    from fairrec_core.data.checks import INVISIBLE

    fmt = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert len(fmt) > 150
    assert [c for c in fmt if not INVISIBLE.fullmatch(c)] == []
    assert not INVISIBLE.search("user_42-ÄÖ無線")


def test_quartile_bands_match_numpy_and_pandas_on_random_data_with_gaps():
    import pandas as pd

    rng = np.random.default_rng(7)
    values = np.round(rng.lognormal(3, 1, 40), 2)
    cells = [("" if k % 9 == 4 else f"{v}") for k, v in enumerate(values)]
    users = to_csv(["user_id", "spend"], [[f"u{u}", cells[u]] for u in range(40)])
    ds = load_dataset(to_csv(INTER_HEADER, rows_of(n_users=40)), users=users)
    present = np.array([c != "" for c in cells])
    qs = np.unique(np.quantile(values[present], [0, 0.25, 0.5, 0.75, 1]))
    edges = np.r_[-np.inf, qs[1:-1], np.inf]
    names = [f"{qs[i]:g}-{qs[i + 1]:g}" for i in range(len(qs) - 1)]
    expected = pd.cut(values, edges, labels=names).astype(object)
    expected[~present] = "unknown"
    assert ds.users["spend"].tolist() == list(expected)


@pytest.mark.timeout(300)
def test_fairrec_validate_answers_every_corpus_case(corpus, capsys):
    from fairrec_core.cli.main import main

    for name in sorted(CASES):
        files = {p.stem: p for p in (corpus / name).glob("*.csv")}
        args = ["validate", "--json"] + [a for kind, p in sorted(files.items())
                                         for a in (f"--{kind}", str(p))]
        code = main(args)
        out = json.loads(capsys.readouterr().out)
        assert code == (2 if CASES[name].outcome == "error" else 0), name
        assert out["ok"] == (code == 0)
        if CASES[name].code:
            assert CASES[name].code in {i["code"] for i in out["issues"]}, name


def test_cli_refuses_an_infinite_rating_threshold(tmp_path, capsys):
    from fairrec_core.cli.main import main

    path = tmp_path / "i.csv"
    path.write_bytes(inter())
    assert main(["validate", "--interactions", str(path), "--rating-threshold", "inf"]) == 2
    assert "rating_threshold must be a finite number" in capsys.readouterr().err


def test_a_file_that_is_not_csv_is_not_echoed(tmp_path):
    # A password-database-like file has one "column" (its whole first line): the
    # message must say it is not a delimited export without repeating the line.
    from fairrec_core.data import load_dataset
    from fairrec_core.errors import DataValidationError

    path = tmp_path / "passwd"
    path.write_text("root:x:0:0:root:/root:/bin/bash\n"
                    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_dataset(path)
    text = info.value.report.format_text()
    assert "root:x" not in text and "/bin/bash" not in text
    assert "single column" in text
