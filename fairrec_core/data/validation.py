"""Validation issues and the report that collects all of them at once."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from fairrec_core.errors import DataValidationError

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Issue:
    """One problem found in the uploaded data.

    Attributes
    ----------
    severity : {"error", "warning"}
        Errors stop the flow; warnings travel with the data into the report.
    file : str
        File name as the user knows it.
    column : str or None
        The column concerned, if one is.
    code : str
        Stable machine-readable code (``duplicate_rows``, ``unknown_ids``, ...).
    message : str
        Plain-language description with what to do about it.
    count : int
        How many rows (or users, items) are affected.
    rows : tuple of int
        A few example rows, numbered as a spreadsheet shows them (header = row 1).
    """

    severity: str
    file: str
    column: str | None
    code: str
    message: str
    count: int = 0
    rows: tuple[int, ...] = ()

    @classmethod
    def error(cls, file, column, code, message, *, count=0, rows=()) -> Issue:
        return cls("error", file, column, code, message, int(count), tuple(int(r) for r in rows))

    @classmethod
    def warning(cls, file, column, code, message, *, count=0, rows=()) -> Issue:
        return cls("warning", file, column, code, message, int(count), tuple(int(r) for r in rows))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["rows"] = list(self.rows)
        return d

    def __str__(self) -> str:
        where = self.file + (f", column '{self.column}'" if self.column else "")
        rows = f" [rows {', '.join(map(str, self.rows))}]" if self.rows else ""
        return f"{self.severity.upper()} [{where}] {self.message}{rows}"


@dataclass
class ValidationReport:
    """Every problem found across the uploaded files, errors and warnings."""

    issues: list[Issue] = field(default_factory=list)

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)

    def extend(self, issues) -> None:
        self.issues.extend(issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        cols = ["severity", "file", "column", "code", "message", "count", "rows"]
        rows = [{**i.to_dict(), "rows": ", ".join(map(str, i.rows))} for i in self.issues]
        return pd.DataFrame(rows, columns=cols)

    def to_dicts(self) -> list[dict]:
        return [i.to_dict() for i in self.issues]

    def format_text(self) -> str:
        if not self.issues:
            return "No problems found."
        head = f"{len(self.errors)} error(s), {len(self.warnings)} warning(s):"
        return "\n".join([head] + [f"  - {i}" for i in self.issues])

    def raise_if_errors(self) -> None:
        if self.errors:
            raise DataValidationError(
                "The data cannot be used until these errors are fixed:\n"
                + "\n".join(f"  - {i}" for i in self.errors), report=self)


def example_rows(mask, limit: int = 5) -> tuple[list[int], int]:
    """Spreadsheet row numbers (header = row 1) of the first rows where ``mask`` holds."""
    import numpy as np

    idx = np.flatnonzero(np.asarray(mask))
    return [int(i) + 2 for i in idx[:limit]], int(idx.size)
