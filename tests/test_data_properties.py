"""Property tests: whatever bytes arrive, the loader ends in a validation error."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairrec_core.data import load_dataset
from fairrec_core.errors import DataValidationError

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_end_in_validation_error(data):
    try:
        load_dataset(data)
    except DataValidationError as exc:
        assert exc.report.errors, "a DataValidationError must carry its errors"
        assert all(i.message for i in exc.report.errors)
    else:
        raise AssertionError("random bytes were accepted as interactions")


cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)


@SETTINGS
@given(st.lists(st.lists(cell, min_size=1, max_size=4), min_size=0, max_size=30),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "gb18030"]))
def test_csv_like_text_never_raises_anything_else(rows, sep, codec):
    header = "user_id,item_id,rating,timestamp".replace(",", sep)
    body = "\n".join(sep.join(r) for r in rows)
    data = (header + "\n" + body).encode(codec, errors="replace")
    try:
        ds = load_dataset(data, users=None)
    except DataValidationError as exc:
        assert exc.report.errors
    else:
        assert ds.n_users >= 2 and ds.report.ok


# --- random mutations of valid exports (issue 12: hostile input) -------------------------

from fairrec_core.data import summarize  # noqa: E402
from tests.hostile.make_corpus import inter, to_csv  # noqa: E402

TOKENS = ["inf", "-inf", "nan", "Infinity", "1e308", "-1e308", "-3", "0", "", " ", "999999",
          "1e-320", "+5", "0x10", "1_000", "9999-12-31", "253402300000", "1700000000000",
          "1700000000000000", "-5", '"', '""', '"a,b"', ",", ";", "\t", "|", "\r", "\n",
          "\r\n", "\x00", "\x1b", "\ufeff", "\u200b", "\u202e", "U0", "u0\u200b", "é",
          "无线", "=1+1", "x" * 300]
USERS = to_csv(["user_id", "gender", "zip_code", "age", "signup_date"],
               [[f"u{u}", "FM"[u % 2], f"0{u}13{u}", 20 + 7 * u, f"2023-0{u % 9 + 1}-01"]
                for u in range(8)])
ITEMS = to_csv(["item_id", "title", "category", "created_at"],
               [[f"i{k}", f"Item {k}", "AB"[k % 2], 1_690_000_000 + k] for k in range(10)])

mutation = st.one_of(
    st.tuples(st.just("cell"), st.integers(0, 60), st.integers(0, 5),
              st.one_of(st.sampled_from(TOKENS), cell)),
    st.tuples(st.just("insert"), st.integers(0, 2000), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), st.integers(0, 2000), st.integers(1, 40)),
    st.tuples(st.just("eol"), st.sampled_from([b"\r", b"\r\n", b"\n\n"])),
    st.tuples(st.just("gbk_line"), st.integers(0, 40)),
    st.tuples(st.just("repeat_line"), st.integers(0, 40), st.integers(1, 3)),
)


def mutate(data: bytes, ops) -> bytes:
    """Apply mutations to CSV bytes: cell edits, byte inserts and cuts, line ends, encodings."""
    for op in ops:
        lines = data.split(b"\n")
        if op[0] == "cell":
            _, row, col, token = op
            cells = lines[row % len(lines)].split(b",")
            cells[col % len(cells)] = token.encode("utf-8", errors="replace")
            lines[row % len(lines)] = b",".join(cells)
            data = b"\n".join(lines)
        elif op[0] == "insert":
            pos = op[1] % (len(data) + 1)
            data = data[:pos] + op[2] + data[pos:]
        elif op[0] == "delete":
            pos = op[1] % (len(data) + 1)
            data = data[:pos] + data[pos + op[2]:]
        elif op[0] == "eol":
            data = data.replace(b"\n", op[1])
        elif op[0] == "gbk_line":
            k = op[1] % len(lines)
            lines[k] += ",无线蓝牙耳机".encode("gbk")
            data = b"\n".join(lines)
        else:
            k = op[1] % len(lines)
            lines[k:k] = [lines[k]] * op[2]
            data = b"\n".join(lines)
    return data


@SETTINGS
@given(st.lists(mutation, min_size=1, max_size=4), st.lists(mutation, max_size=2),
       st.lists(mutation, max_size=2), st.booleans())
def test_mutated_exports_end_in_a_project_answer(inter_ops, user_ops, item_ops, with_side):
    files = {"users": mutate(USERS, user_ops), "items": mutate(ITEMS, item_ops)} \
        if with_side else {}
    try:
        ds = load_dataset(mutate(inter(), inter_ops), **files)
    except DataValidationError as exc:
        assert exc.report.errors
        assert all(i.message and i.file for i in exc.report.errors)
        return
    # What loads is usable: a finite threshold, some positives, a summary that renders.
    assert ds.report.ok
    assert ds.rating_threshold is None or np.isfinite(ds.rating_threshold)
    assert ds.interactions["positive"].any()
    assert summarize(ds).to_text()
