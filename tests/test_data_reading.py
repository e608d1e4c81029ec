"""Reading CSV bytes: encodings, delimiters, quoting, and unreadable input."""

import pytest

from fairrec_core.data import read_csv
from fairrec_core.data.reading import sniff_delimiter
from tests.helpers import csv_bytes


def codes(table):
    return [i.code for i in table.issues]


def test_utf8_comma():
    t = read_csv(csv_bytes(["user_id", "item_id"], [["a", "b"], ["c", "d"]]), name="x.csv")
    assert t.ok and t.encoding == "utf-8" and t.delimiter == ","
    assert list(t.frame["user_id"]) == ["a", "c"]


def test_utf8_bom_is_stripped_from_header():
    data = b"\xef\xbb\xbf" + csv_bytes(["user_id", "item_id"], [["a", "b"]])
    t = read_csv(data)
    assert t.encoding == "utf-8-sig"
    assert list(t.frame.columns) == ["user_id", "item_id"]


@pytest.mark.parametrize("codec", ["gbk", "gb18030"])
def test_gbk_chinese_titles_detected(codec):
    data = csv_bytes(["商品id", "标题"], [["1", "无线蓝牙耳机"], ["2", "不锈钢保温杯"]],
                     encoding=codec)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the case is real: not accidentally valid UTF-8
    t = read_csv(data)
    assert t.ok and t.encoding == "gb18030"
    assert list(t.frame["标题"]) == ["无线蓝牙耳机", "不锈钢保温杯"]


def test_forced_encoding_overrides_detection():
    data = "item_id,title\n1,café\n".encode("latin-1")
    t = read_csv(data, encoding="latin-1")
    assert t.frame["title"][0] == "café"


def test_unknown_forced_encoding_is_an_error():
    t = read_csv(b"a,b\n1,2\n", encoding="no-such-codec")
    assert codes(t) == ["bad_encoding"]


@pytest.mark.parametrize("sep", [",", "\t", ";", "|"])
def test_delimiters_are_sniffed(sep):
    data = csv_bytes(["user_id", "item_id", "rating"], [["a", "b", 5], ["c", "d", 4]], sep=sep)
    t = read_csv(data)
    assert t.delimiter == sep
    assert list(t.frame.columns) == ["user_id", "item_id", "rating"]


def test_quoted_fields_with_commas_and_newlines():
    data = (b'item_id,title,description\n'
            b'1,"Mug, large","Holds 500 ml.\nDishwasher safe, too."\n'
            b'2,Plate,"Plain"\n')
    t = read_csv(data)
    assert t.ok and len(t.frame) == 2
    assert t.frame["title"][0] == "Mug, large"
    assert t.frame["description"][0] == "Holds 500 ml.\nDishwasher safe, too."


def test_leading_zero_ids_are_kept_as_text():
    t = read_csv(b"user_id,item_id\n007,0042\n")
    assert t.frame["user_id"][0] == "007" and t.frame["item_id"][0] == "0042"


def test_empty_file():
    assert codes(read_csv(b"", name="i.csv")) == ["empty_file"]
    assert codes(read_csv(b"  \n\n", name="i.csv")) == ["empty_file"]


def test_header_only():
    t = read_csv(b"user_id,item_id\n", name="i.csv")
    assert codes(t) == ["header_only"]
    assert "i.csv" in t.issues[0].message


@pytest.mark.parametrize("data,what", [
    (b"PK\x03\x04rest-of-zip", "Excel"),
    (b"%PDF-1.7 ...", "PDF"),
    (b"\x89PNG\r\n\x1a\n....", "PNG"),
    (b"abc\x00\x01\x02def", "binary"),
])
def test_binary_input_is_refused_with_a_hint(data, what):
    t = read_csv(data, name="upload.bin")
    assert codes(t) == ["not_csv"]
    assert what in t.issues[0].message and "upload.bin" in t.issues[0].message


def test_wrong_forced_delimiter_is_reported():
    data = csv_bytes(["user_id", "item_id"], [["a", "b"]], sep=";")
    t = read_csv(data, delimiter=",", name="i.csv")
    assert codes(t) == ["wrong_delimiter"]
    assert "semicolon" in t.issues[0].message


def test_malformed_rows_name_their_rows():
    data = b"user_id,item_id\na,b\nc,d,e,f\ng,h\ni,j,k\n"
    t = read_csv(data, name="i.csv")
    assert codes(t) == ["malformed_rows"]
    issue = t.issues[0]
    assert issue.rows == (3, 5) and issue.count == 2  # spreadsheet rows, header = 1


def test_file_over_limit():
    t = read_csv(b"user_id,item_id\n" + b"a,b\n" * 100, name="big.csv", max_bytes=100)
    assert codes(t) == ["too_large"]
    assert "big.csv" in t.issues[0].message


def test_missing_path():
    t = read_csv("/nonexistent/file.csv")
    assert codes(t) == ["file_not_found"]


def test_sniffer_prefers_consistent_splits():
    text = "a;b;c\n1;2,5;3\n4;5,5;6\n"
    assert sniff_delimiter(text) == ";"


def test_fingerprint_is_sha256_of_bytes():
    import hashlib

    data = b"user_id,item_id\na,b\n"
    assert read_csv(data).sha256 == hashlib.sha256(data).hexdigest()
