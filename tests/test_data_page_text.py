"""Words of the Data page's controller: file sizes, column roles, validation messages by code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from fairrec_core.dashboard import data_session as ds
from fairrec_core.data.validation import Issue
from fairrec_core.i18n import has

REPO_ROOT = Path(__file__).resolve().parents[1]
HAN = re.compile(r"[\u4e00-\u9fff]")

#: Issue codes whose Chinese message would need values only the English message holds
#: (a column list, a mapping error, byte sizes): the Data page shows their English text.
ENGLISH_ONLY = {"bad_mapping", "missing_column", "bad_encoding", "cell_too_large",
                "malformed_rows", "wrong_delimiter", "too_large", "not_parquet", "part_columns"}


@pytest.mark.parametrize("n, en, zh", [(0, "0 bytes", "0 字节"), (91, "91 bytes", "91 字节"),
                                       (1023, "1023 bytes", "1023 字节"),
                                       (1536, "1.5 KB", "1.5 KB"),
                                       (3 * 2**20, "3.0 MB", "3.0 MB")])
def test_file_sizes_never_read_zero_kb(n, en, zh):
    f = ds.FileInput("users", "users.csv", b"x" * n)
    assert f.size_label("en") == en and f.size_label("zh") == zh
    assert f.size_text == en


def _codes_in_source() -> set[str]:
    """Every literal issue code the data layer can emit (Issue.error/warning, _fail, fail)."""
    codes = set()
    for path in (REPO_ROOT / "fairrec_core" / "data").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            index = {"error": 2, "warning": 2, "_fail": 1, "fail": 0}.get(name)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                codes.add(arg.value)
    # Codes passed through a variable (the rating checks, the byte checks).
    codes |= {"non_finite_rating", "implausible_rating", "not_csv", "too_large", "empty_file"}
    return codes


def test_every_issue_code_has_a_chinese_message_or_is_listed_as_english_only():
    codes = _codes_in_source()
    assert len(codes) > 30
    missing = {c for c in codes - ENGLISH_ONLY
               if not (has(f"issue.{c}") or has(f"issue.{c}.error") or has(f"issue.{c}.warning"))}
    assert not missing, f"issue codes without a Chinese message: {sorted(missing)}"
    assert codes >= ENGLISH_ONLY, ENGLISH_ONLY - codes  # the list names real codes


def _load(**files: bytes):
    inputs = {k: ds.FileInput(k, f"{k}.csv", v) for k, v in files.items()}
    return ds.load(inputs, ds.LoadOptions())


def test_a_real_validation_error_reads_in_chinese_from_its_code_and_fields():
    rows = ["user_id,item_id,rating", "u1,i1,five"] + [f"u{u},i{i},4" for u in range(2, 40)
                                                        for i in range(1, 6)]
    outcome = _load(interactions="\n".join(rows).encode())
    issue = next(i for i in outcome.report.errors if i.code == "non_numeric")
    assert ds.issue_text(issue, "en") == issue.message          # English: the engine's own
    zh = ds.issue_text(issue, "zh")
    assert HAN.search(zh) and "rating" in zh and f"{issue.count:,}" in zh
    assert "None" not in zh and "{" not in zh


def test_codes_without_a_chinese_message_fall_back_to_english():
    issue = Issue.error("items.csv", None, "missing_column", "items.csv has no item column.")
    assert ds.issue_text(issue, "zh") == "items.csv has no item column."
    # An entry that needs a column the issue lacks falls back too (no "None" in the text).
    issue = Issue.warning("users.csv", None, "missing_attribute", "3 more column(s) ...",
                          count=3)
    assert ds.issue_text(issue, "zh") == "3 more column(s) ..."
    issue = Issue.warning("users.csv", "age", "missing_attribute", "5 user(s) have no age",
                          count=5)
    assert ds.issue_text(issue, "zh").startswith("5 个用户没有 age")


def test_mapping_labels_name_roles_in_the_chosen_language():
    rows = "user_id,item_id,rating\n" + "\n".join(f"u{u},i{i},4" for u in range(40)
                                                   for i in range(5))
    outcome = _load(interactions=rows.encode())
    en = {f.role: f.label for f in ds.mapping_fields(outcome, "en")["interactions"]}
    zh = {f.role: f.label for f in ds.mapping_fields(outcome, "zh")["interactions"]}
    assert en["user"] == "user (required)" and zh["user"] == "用户（必填）"
    assert zh["timestamp"] == "时间戳"
    assert all(HAN.search(label) for label in zh.values())
