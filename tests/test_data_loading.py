"""Validation rules, one by one, and the indexed Dataset they produce."""

import numpy as np
import pytest

from fairrec_core.data import load_dataset
from fairrec_core.errors import DataValidationError
from tests.helpers import csv_bytes, interactions

USERS = csv_bytes(["user_id", "gender", "age", "region"],
                  [["u0", "F", 23, "North"], ["u1", "M", 61, "South"],
                   ["u2", "F", 35, ""], ["u3", "X", 44, "North"]])
ITEMS = csv_bytes(["item_id", "title", "category", "seller_id", "price"],
                  [[f"i{k}", f"Item {k}", "Books" if k % 2 else "Toys", f"s{k % 3}", 9.5 + k]
                   for k in range(10)])


def inter_bytes(**kw):
    return csv_bytes(*interactions(**kw))


def errors_of(exc_info):
    return {i.code: i for i in exc_info.value.report.errors}


def test_valid_load_builds_dense_ids_both_ways():
    ds = load_dataset(inter_bytes(), users=USERS, items=ITEMS)
    assert ds.n_users == 4 and ds.n_items == 10
    assert list(ds.user_ids) == ["u0", "u1", "u2", "u3"]  # users file order
    assert ds.user_index(["u2", "u0"]).tolist() == [2, 0]
    assert ds.item_ids[ds.item_index(["i7"])[0]] == "i7"
    m = ds.matrix()
    assert m.shape == (4, 10) and m.nnz == 20
    # u1 interacted with i1..i5
    assert sorted(m[1].indices.tolist()) == sorted(ds.item_index(["i1", "i2", "i3", "i4", "i5"]))
    assert ds.report.ok


def test_positives_follow_rating_threshold():
    ds = load_dataset(inter_bytes())
    ratings = ds.interactions["rating"].to_numpy()
    assert ds.rating_threshold == 4
    assert (ds.interactions["positive"].to_numpy() == (ratings >= 4)).all()
    ds3 = load_dataset(inter_bytes(), rating_threshold=3)
    assert ds3.interactions["positive"].all()


def test_user_attributes_banded_and_unknown_group():
    ds = load_dataset(inter_bytes(), users=USERS)
    assert ds.users["age"].tolist() == ["18-24", "55+", "35-44", "35-44"]
    assert ds.user_numeric["age"].tolist() == [23, 61, 35, 44]
    assert ds.users["region"].tolist() == ["North", "South", "unknown", "North"]
    warn = {i.code: i for i in ds.report.warnings}
    assert warn["missing_attribute"].column == "region" and warn["missing_attribute"].count == 1


def test_item_attributes():
    ds = load_dataset(inter_bytes(), items=ITEMS)
    i3 = ds.item_index(["i3"])[0]
    assert ds.items.loc[i3, "title"] == "Item 3"
    assert ds.items.loc[i3, "provider"] == "s0"
    assert ds.items.loc[i3, "price"] == pytest.approx(12.5)
    assert ds.item_text[i3] == "Item 3"


def test_missing_user_or_item_column():
    data = csv_bytes(["customer_no", "product"], [["a", "b"], ["c", "d"]])
    with pytest.raises(DataValidationError) as e:
        load_dataset(data)
    err = errors_of(e)["missing_column"]
    assert "customer_no" in err.message and "--map interactions.user=COLUMN" in err.message
    # the explicit mapping fixes it
    data = csv_bytes(["customer_no", "product"], [["a", "x"], ["a", "y"], ["a", "z"],
                                                  ["c", "x"], ["c", "y"], ["c", "z"]])
    ds = load_dataset(data, mapping={"interactions": {"user": "customer_no"}})
    assert ds.n_users == 2 and ds.n_items == 3


def test_non_numeric_ratings_name_rows():
    header, rows = interactions()
    rows[2][2] = "five"
    rows[6][2] = ""
    with pytest.raises(DataValidationError) as e:
        load_dataset(csv_bytes(header, rows))
    err = errors_of(e)["non_numeric"]
    assert err.column == "rating" and err.count == 2 and err.rows == (4, 8)


def test_unparseable_timestamps():
    header, rows = interactions()
    rows[0][3] = "yesterday"
    with pytest.raises(DataValidationError) as e:
        load_dataset(csv_bytes(header, rows))
    err = errors_of(e)["bad_timestamp"]
    assert err.rows == (2,) and "yesterday" in err.message


@pytest.mark.parametrize("stamp,expected", [
    ("1700000000", 1_700_000_000), ("1700000000000", 1_700_000_000),
    ("2023-11-14T22:13:20Z", 1_700_000_000), ("2023-11-14 22:13:20", 1_700_000_000),
])
def test_timestamp_formats(stamp, expected):
    header, rows = interactions(with_ts=False)
    header = header + ["ts"]
    rows = [r + [stamp] for r in rows]
    ds = load_dataset(csv_bytes(header, rows))
    assert (ds.interactions["timestamp"] == expected).all()


def test_all_errors_reported_at_once():
    header, rows = interactions()
    rows[1][2] = "bad"
    rows[3][3] = "not-a-date"
    with pytest.raises(DataValidationError) as e:
        load_dataset(csv_bytes(header, rows))
    assert {"non_numeric", "bad_timestamp"} <= set(errors_of(e))


def test_duplicate_rows_warn_and_keep_first():
    header, rows = interactions()
    rows.append(list(rows[0]))
    ds = load_dataset(csv_bytes(header, rows))
    dup = {i.code: i for i in ds.report.warnings}["duplicate_rows"]
    assert dup.count == 1 and dup.rows == (len(rows) + 1,)
    assert len(ds.interactions) == len(rows) - 1


def test_repeat_interactions_are_merged_with_weights_added():
    header, rows = interactions()
    again = list(rows[0])
    again[3] = again[3] + 10_000  # same user and item, later
    rows.append(again)
    ds = load_dataset(csv_bytes(header, rows))
    assert {i.code for i in ds.report.warnings} >= {"repeat_interactions"}
    pair = ds.interactions[(ds.interactions["user"] == 0) & (ds.interactions["item"] == 0)]
    assert len(pair) == 1 and pair["weight"].iloc[0] == 2
    assert pair["timestamp"].iloc[0] == rows[0][3]


def test_unknown_ids_error_then_drop():
    header, rows = interactions()
    rows.append(["ghost", "i1", 5, 1_800_000_000])
    data = csv_bytes(header, rows)
    with pytest.raises(DataValidationError) as e:
        load_dataset(data, users=USERS)
    err = errors_of(e)["unknown_ids"]
    assert "ghost" in err.message and err.rows == (len(rows) + 1,)
    ds = load_dataset(data, users=USERS, on_unknown_ids="drop")
    assert "ghost" not in set(ds.user_ids) and len(ds.interactions) == 20
    assert {i.code for i in ds.report.warnings} >= {"unknown_ids"}


def test_unknown_items_in_interactions():
    header, rows = interactions()
    rows.append(["u0", "i999", 5, 1_800_000_000])
    with pytest.raises(DataValidationError) as e:
        load_dataset(csv_bytes(header, rows), items=ITEMS)
    assert "i999" in errors_of(e)["unknown_ids"].message


def test_one_user_data_is_refused():
    with pytest.raises(DataValidationError) as e:
        load_dataset(inter_bytes(n_users=1))
    assert "too_few_users" in errors_of(e)


def test_users_with_too_few_interactions_warned():
    header, rows = interactions()
    rows += [["u9", "i1", 5, 1_800_000_000], ["u9", "i2", 4, 1_800_000_001]]
    ds = load_dataset(csv_bytes(header, rows))
    w = {i.code: i for i in ds.report.warnings}["too_few_interactions"]
    assert w.count == 1 and "u9" in w.message


def test_no_evaluable_users_is_an_error():
    with pytest.raises(DataValidationError) as e:
        load_dataset(inter_bytes(per_user=2))
    assert "no_evaluable_users" in errors_of(e)


def test_duplicate_ids_in_users_file():
    users = csv_bytes(["user_id", "gender"], [["u0", "F"], ["u1", "M"], ["u0", "F"],
                                              ["u2", "F"], ["u3", "M"]])
    with pytest.raises(DataValidationError) as e:
        load_dataset(inter_bytes(), users=users)
    assert errors_of(e)["duplicate_ids"].rows == (4,)


def test_missing_ids_are_errors():
    header, rows = interactions()
    rows[4][0] = ""
    with pytest.raises(DataValidationError) as e:
        load_dataset(csv_bytes(header, rows))
    assert errors_of(e)["missing_id"].rows == (6,)


def test_header_only_and_empty_files_stop_the_flow():
    for data, code in [(b"user_id,item_id\n", "header_only"), (b"", "empty_file")]:
        with pytest.raises(DataValidationError) as e:
            load_dataset(data)
        assert code in errors_of(e)


def test_gbk_file_end_to_end():
    inter = csv_bytes(["用户id", "商品id", "评分"],
                      [[f"用户{u}", f"商品{(u + j) % 6}", 5] for u in range(3) for j in range(4)],
                      encoding="gbk")
    items = csv_bytes(["商品id", "商品名称", "类目"],
                      [[f"商品{k}", f"无线蓝牙耳机{k}号", "数码"] for k in range(6)],
                      encoding="gbk")
    ds = load_dataset(inter, items=items)
    assert ds.n_users == 3 and ds.sources["items"]["encoding"] == "gb18030"
    assert ds.items["title"].str.startswith("无线蓝牙耳机").all()


def test_recommendations_to_array():
    recs = csv_bytes(["user_id", "item_id", "rank", "score"],
                     [["u0", "i9", 2, 0.5], ["u0", "i8", 1, 0.9], ["u1", "i7", 1, 0.3]])
    ds = load_dataset(inter_bytes(), items=ITEMS, recommendations=recs)
    r = ds.recommendations
    assert r.items.shape == (4, 2)
    assert r.items[0].tolist() == ds.item_index(["i8", "i9"]).tolist()
    assert r.items[1].tolist() == [ds.item_index(["i7"])[0], -1]
    assert (r.items[2:] == -1).all()
    assert r.scores[0].tolist() == [0.9, 0.5] and np.isnan(r.scores[1, 1])


def test_recommendations_by_score_only():
    recs = csv_bytes(["user_id", "item_id", "score"], [["u0", "i1", 0.2], ["u0", "i2", 0.9]])
    ds = load_dataset(inter_bytes(), recommendations=recs)
    assert ds.recommendations.items[0].tolist() == ds.item_index(["i2", "i1"]).tolist()


def test_recommendation_problems():
    recs = csv_bytes(["user_id", "item_id", "rank"],
                     [["u0", "i1", 1], ["u0", "i2", 1], ["u1", "i3", 1], ["u1", "i3", 2]])
    with pytest.raises(DataValidationError) as e:
        load_dataset(inter_bytes(), recommendations=recs)
    errs = errors_of(e)
    assert errs["duplicate_ranks"].rows == (2, 3)
    assert errs["duplicate_items"].rows == (4, 5)
    recs = csv_bytes(["user_id", "item_id"], [["u0", "i1"]])
    with pytest.raises(DataValidationError) as e:
        load_dataset(inter_bytes(), recommendations=recs)
    assert "rank or score" in errors_of(e)["missing_column"].message.replace("/", " or ")


def test_event_weights():
    rows = [[f"u{u}", f"i{j}", ev] for u in range(2)
            for j, ev in enumerate(["view", "click", "purchase", "teleport"])]
    ds = load_dataset(csv_bytes(["user_id", "item_id", "event"], rows))
    w = ds.interactions.sort_values(["user", "item"])["weight"].to_numpy()[:4]
    assert w.tolist() == [1.0, 2.0, 4.0, 1.0]
    assert {i.code for i in ds.report.warnings} >= {"unknown_event"}


def test_sources_record_fingerprints_and_mapping():
    import hashlib

    data = inter_bytes()
    ds = load_dataset(data)
    src = ds.sources["interactions"]
    assert src["sha256"] == hashlib.sha256(data).hexdigest()
    assert src["mapping"]["roles"]["user"] == "user_id"
