"""Generate the hostile-input corpus: crafted CSV exports that once broke the loader.

Nothing here is committed as data: every case is built from code, so the
corpus stays reviewable and a 10 MB cell costs nothing in the repository.
Each case names the files it writes (by kind: interactions, users, items) and
what the loader must answer: an error with a given code, a warning with a given
code, or a clean load. ``python -m tests.hostile.make_corpus OUTDIR`` writes the
files for manual use (``fairrec validate --interactions OUTDIR/CASE/interactions.csv ...``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

N_USERS, PER_USER = 8, 5
BASE_TS = 1_700_000_000  # 2023-11-14


@dataclass
class Case:
    """One crafted input and the loader's expected answer.

    Attributes
    ----------
    name : str
        Folder name of the case.
    files : dict
        kind -> file bytes (interactions is always present).
    outcome : {"error", "warning", "ok"}
        ``error``: the load stops with ``code`` among the errors; ``warning``:
        it loads with ``code`` among the warnings; ``ok``: it loads.
    code : str or None
        The issue code expected.
    column : str or None
        The column the issue must name, when it names one.
    rows : tuple of int
        Spreadsheet rows (header = 1) the issue must name, when given.
    why : str
        What the case reproduces.
    """

    name: str
    files: dict[str, bytes]
    outcome: str
    code: str | None = None
    column: str | None = None
    rows: tuple[int, ...] = ()
    why: str = ""
    kwargs: dict = field(default_factory=dict)


def rows_of(n_users: int = N_USERS, per_user: int = PER_USER) -> list[list[str]]:
    """A valid interactions table: user u{k} rates items i{k}..i{k+per_user-1}."""
    out = []
    for u in range(n_users):
        for j in range(per_user):
            out.append([f"u{u}", f"i{(u + j) % 10}", str(5 - (j % 3)),
                        str(BASE_TS + 3600 * (u * per_user + j))])
    return out


def to_csv(header, rows, *, eol: str = "\n", encoding: str = "utf-8") -> bytes:
    lines = [",".join(header)] + [",".join(map(str, r)) for r in rows]
    return (eol.join(lines) + eol).encode(encoding)


INTER_HEADER = ["user_id", "item_id", "rating", "timestamp"]


def inter(mutate=None, **kw) -> bytes:
    """The base interactions file, after ``mutate(rows)`` edits it in place."""
    rows = rows_of()
    if mutate is not None:
        mutate(rows)
    return to_csv(INTER_HEADER, rows, **kw)


def _set(row: int, col: int, value: str):
    def mutate(rows):
        rows[row][col] = value
    return mutate


def wide_users(n_columns: int, n_users: int = N_USERS) -> bytes:
    """A users file with ``n_columns`` attribute columns of small numbers and letters."""
    header = ["user_id"] + [f"attr_{c}" for c in range(n_columns)]
    lines = [",".join(header)]
    for u in range(n_users):
        cells = [str((u * 7 + c) % 10) if c % 2 else "ABCDEFGH"[(u + c) % 8]
                 for c in range(n_columns)]
        lines.append(",".join([f"u{u}"] + cells))
    return ("\n".join(lines) + "\n").encode()


def _rating_cases() -> list[Case]:
    return [
        Case("rating_inf", {"interactions": inter(_set(2, 2, "inf"))}, "error",
             "non_finite_rating", "rating", (4,), "one inf rating made the threshold inf"),
        Case("rating_minus_inf", {"interactions": inter(_set(5, 2, "-inf"))}, "error",
             "non_finite_rating", "rating", (7,), "-inf accepted silently"),
        Case("rating_infinity_word", {"interactions": inter(_set(5, 2, "Infinity"))}, "error",
             "non_finite_rating", "rating", (7,)),
        Case("rating_1e308", {"interactions": inter(_set(3, 2, "1e308"))}, "error",
             "implausible_rating", "rating", (5,), "0.8 x 1e308 threshold: 1 positive"),
        Case("rating_outlier", {"interactions": inter(_set(3, 2, "999999"))}, "error",
             "few_positives", "rating", (5,), "one outlier drives the automatic threshold"),
        Case("rating_negative", {"interactions": inter(_set(7, 2, "-3"))}, "warning",
             "negative_rating", "rating", (9,), "negative ratings were accepted silently"),
        Case("weight_inf", {"interactions": to_csv(
            ["user_id", "item_id", "weight"],
            [[r[0], r[1], "inf" if k == 6 else "2"] for k, r in enumerate(rows_of())])},
             "error", "non_numeric", "weight", (8,), "an inf weight reached training"),
    ]


def _timestamp_cases() -> list[Case]:
    def mixed(rows):
        for k in range(0, len(rows), 10):  # 10% in milliseconds
            rows[k][3] = str(int(rows[k][3]) * 1000)

    return [
        Case("ts_mixed_seconds_ms", {"interactions": inter(mixed)}, "error",
             "mixed_timestamp_units", "timestamp", (2, 12, 22, 32),
             "validate crashed on year 56971"),
        Case("ts_year_9999", {"interactions": inter(_set(4, 3, "253402300000"))}, "warning",
             "timestamp_out_of_range", "timestamp", (6,), "year 9999 passed without a word"),
        Case("ts_year_1970", {"interactions": inter(_set(4, 3, "0"))}, "warning",
             "timestamp_out_of_range", "timestamp", (6,)),
        Case("ts_iso_year_9999", {"interactions": inter(_set(4, 3, "9999-12-31T00:00:00Z"))},
             "error", "bad_timestamp", "timestamp", (6,)),
        Case("ts_1e300", {"interactions": inter(_set(4, 3, "1e300"))}, "error",
             "bad_timestamp", "timestamp", (6,)),
        Case("ts_all_ms", {"interactions": inter(lambda r: [x.__setitem__(3, x[3] + "000")
                                                            for x in r])}, "ok"),
        Case("items_created_year_9999",
             {"interactions": inter(),
              "items": to_csv(["item_id", "title", "created_at"],
                              [[f"i{k}", f"Item {k}",
                                "253402300000" if k == 3 else str(BASE_TS - 86400 * k)]
                               for k in range(10)])},
             "warning", "timestamp_out_of_range", "created_at", (5,)),
    ]


def _encoding_cases() -> list[Case]:
    items_utf8 = [f"i{k},Item {k}" for k in range(10)]
    items_utf8[1] = "i1,Café Müller"
    items_utf8[2] = "i2,Crème brûlée set"
    body = ("item_id,title\n" + "\n".join(items_utf8[:6]) + "\n").encode()
    body += "i6,无线蓝牙耳机\n".encode("gbk") + ("\n".join(items_utf8[7:]) + "\n").encode()
    header = b"item_id,title,description\n"
    huge = header + b'i1,Mug,"' + b"x" * (10 * 2**20) + b'"\n' + b"".join(
        f"i{k},Item {k},Plain\n".encode() for k in range(2, 10)) + b"i0,Item 0,Plain\n"
    return [
        Case("utf8_with_one_gbk_line", {"interactions": inter(), "items": body}, "warning",
             "undecodable_text", None, (8,), "decoded whole as GB18030: 'Caf茅 M眉ller'"),
        Case("cr_only_line_ends", {"interactions": inter(eol="\r")}, "ok",
             why="gave 'do not have the 0 fields'"),
        Case("crlf_line_ends", {"interactions": inter(eol="\r\n")}, "ok"),
        Case("cell_10mb", {"interactions": inter(), "items": huge}, "error",
             "cell_too_large", None, (2,), "a false 'rows do not have the 3 fields'"),
        Case("utf16", {"interactions": inter(encoding="utf-16")}, "error", "not_csv"),
        Case("zip_magic", {"interactions": b"PK\x03\x04" + inter()}, "error", "not_csv"),
        Case("unbalanced_quote", {"interactions": inter(_set(3, 1, '"i3'))}, "error",
             "malformed_rows"),
        Case("only_delimiters", {"interactions": b",,,\n,,,\n,,,\n"}, "error"),
    ]


def _id_cases() -> list[Case]:
    return [
        Case("ids_zero_width", {"interactions": inter(lambda r: [x.__setitem__(0, "u1\u200b")
                                                                 for x in r[5:8]])},
             "warning", "confusable_ids", "user_id", why="u1 and u1+ZWSP became two users"),
        Case("ids_bidi", {"interactions": inter(lambda r: [x.__setitem__(1, "\u202ei2")
                                                           for x in r[:2]])},
             "warning", "confusable_ids", "item_id"),
        Case("ids_case", {"interactions": inter(lambda r: [x.__setitem__(0, "U1")
                                                           for x in r[5:7]])},
             "warning", "confusable_ids", "user_id"),
    ]


def _users_cases() -> list[Case]:
    zips = ["02134", "10001", "T2N 1N4", "94110", "", "V6B 3K9", "00501", "60614"]
    users = to_csv(["user_id", "gender", "zip_code"],
                   [[f"u{u}", "FM"[u % 2], zips[u]] for u in range(N_USERS)])
    return [
        Case("users_zip_codes", {"interactions": inter(), "users": users}, "warning",
             "missing_attribute", "zip_code", (), "zip codes banded; postcodes 'unknown'"),
        Case("users_2000_columns", {"interactions": inter(), "users": wide_users(2000)}, "ok",
             why="36 s in band_user_attributes"),
        Case("items_3000_columns",
             {"interactions": inter(),
              "items": to_csv(["item_id", "title"] + [f"a{c}" for c in range(3000)],
                              [[f"i{k}", f"Item {k}"] + [str((k + c) % 7) for c in range(3000)]
                               for k in range(10)])}, "ok", why="columns added one by one"),
        Case("users_100000_columns", {"interactions": inter(), "users": wide_users(100_000)},
             "error", "too_many_columns", why="did not finish"),
        Case("header_one_million_commas", {"interactions": b"user_id,item_id" + b"," * 10**6
                                           + b"\nu1,i1\n"}, "error", "too_many_columns"),
        Case("formula_cells", {"interactions": inter(),
                               "items": to_csv(["item_id", "title"],
                                               [[f"i{k}", "=HYPERLINK(\"http://x\")"]
                                                for k in range(10)])}, "ok"),
    ]


def cases() -> list[Case]:
    """Every case of the corpus, built in memory."""
    return (_rating_cases() + _timestamp_cases() + _encoding_cases() + _id_cases()
            + _users_cases())


def write_corpus(dest: Path) -> dict[str, Case]:
    """Write every case under ``dest/<case>/<kind>.csv``; returns the cases by name."""
    out = {}
    for case in cases():
        folder = Path(dest) / case.name
        folder.mkdir(parents=True, exist_ok=True)
        for kind, data in case.files.items():
            (folder / f"{kind}.csv").write_bytes(data)
        out[case.name] = case
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.hostile.make_corpus OUTDIR")
    for name in write_corpus(Path(sys.argv[1])):
        print(name)
