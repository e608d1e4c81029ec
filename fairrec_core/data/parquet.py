"""Reading Parquet inputs: one file, or a folder of part files.

A Parquet input goes through exactly the same column roles, aliases and
validation as a CSV export: every column is turned into text (as the CSV
reader keeps it), so :func:`fairrec_core.data.loading.build_dataset` checks
ids, numbers, dates and duplicates the same way. Only what differs for a
binary, typed, possibly split input is handled here:

* a folder is read as the concatenation of its part files (``*.parquet`` /
  ``*.pq``, recursively, in name order); parts must have the same columns;
* typed columns become text: numbers as written (``4``, ``3.5``), Arrow
  timestamps as ISO-8601 UTC to the second (naive ones taken as UTC, like ISO
  text without an offset), dates as ``YYYY-MM-DD``;
* the SHA-256 is over the part files' bytes in order, so a re-partitioned
  copy of the same rows has another fingerprint (it is another input);
* a problem found in a row is reported with the part file and the row within
  it (:func:`locate_part_rows`), so a bad row among hundreds of parts can be
  found.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fairrec_core.data.reading import MAX_UPLOAD_BYTES, RawTable
from fairrec_core.data.validation import Issue

PARQUET_SUFFIXES = (".parquet", ".pq")
_MAGIC = b"PAR1"
#: Example locations listed per issue.
MAX_LOCATIONS = 5


@dataclass
class ParquetTable(RawTable):
    """A :class:`RawTable` read from Parquet, remembering its part files.

    Attributes
    ----------
    parts : list of (str, int)
        Each part file's name (relative to the folder) and its number of rows,
        in the order the rows were concatenated.
    """

    parts: list = field(default_factory=list)

    def describe(self) -> dict:
        info = super().describe()
        info["format"] = "parquet"
        info["delimiter"] = None
        if len(self.parts) > 1:
            info["parts"] = len(self.parts)
        return info


def is_parquet(source) -> bool:
    """True for a ``.parquet``/``.pq`` path, a folder, or bytes that start like Parquet."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        return path.is_dir() or path.suffix.lower() in PARQUET_SUFFIXES
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source[:4]) == _MAGIC
    if hasattr(source, "getvalue"):
        return bytes(source.getvalue()[:4]) == _MAGIC
    return False


def part_files(folder: Path) -> list[Path]:
    """The Parquet part files under ``folder``, in name order (hidden files skipped)."""
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in PARQUET_SUFFIXES
             and not any(s.startswith((".", "_")) for s in p.relative_to(folder).parts)]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def read_parquet(source, *, name: str | None = None,
                 max_bytes: int = MAX_UPLOAD_BYTES) -> ParquetTable:
    """Read a Parquet file, a folder of part files, or Parquet bytes.

    Parameters
    ----------
    source : path, bytes or file-like
        A ``.parquet`` file, a folder of part files, raw bytes, or an uploaded
        file object.
    name : str, optional
        Display name used in messages; defaults to the file or folder name.
    max_bytes : int
        Inputs whose files together are larger than this are refused, as for CSV.

    Returns
    -------
    ParquetTable
        Every column as text; problems are issues, never exceptions.
    """
    import pyarrow.parquet as pq

    path = Path(source) if isinstance(source, (str, Path)) else None
    if path is not None and not path.exists():
        shown = name or str(source)
        return ParquetTable(shown, None, issues=[Issue.error(
            shown, None, "file_not_found", f"{shown}: no such file or folder.")])
    files: list  # part files, or one in-memory file for bytes and uploads
    if path is not None and path.is_dir():
        files = part_files(path)
        name = name or path.name
        labels = [f.relative_to(path).as_posix() for f in files]
    else:
        if path is not None:
            files, name = [path], name or path.name
        else:
            import io

            from fairrec_core.data.reading import source_bytes
            data, default = source_bytes(source)
            files, name = [io.BytesIO(data)], name or default
        labels = [name]
    table = ParquetTable(name, None)

    def fail(code: str, message: str) -> ParquetTable:
        table.issues.append(Issue.error(name, None, code, message))
        return table

    if not files:
        return fail("empty_file", f"{name} is a folder without .parquet part files.")
    sha = hashlib.sha256()
    for f in files:
        n = f.stat().st_size if isinstance(f, Path) else len(f.getbuffer())
        table.n_bytes += n
    if table.n_bytes > max_bytes:
        return fail("too_large", f"{name} is {table.n_bytes / 2**20:.1f} MB, over the "
                    f"{max_bytes / 2**20:.0f} MB limit. Raise the limit (--max-mb) or use "
                    "the Ray engine on a cluster.")
    pieces, columns = [], None
    for f, label in zip(files, labels):
        shown = name if label == name else f"{name}/{label}"
        try:
            raw = f.read_bytes() if isinstance(f, Path) else f.getvalue()
            sha.update(raw)
            part = pq.read_table(pa.BufferReader(raw))
        except (pa.ArrowException, OSError) as exc:
            return fail("not_parquet", f"{shown} is not a readable Parquet file ({exc}).")
        if columns is None:
            columns = part.column_names
        elif part.column_names != columns:
            return fail("part_columns", f"{shown} has the columns {', '.join(part.column_names)}"
                        f", but the first part file has {', '.join(columns)}; every part "
                        "file of one input must have the same columns.")
        table.parts.append((label, part.num_rows))
        pieces.append(as_text(part))
    table.sha256 = sha.hexdigest()
    frame = pa.concat_tables(pieces).to_pandas()
    if len(frame) == 0:
        return fail("header_only", f"{name} has columns but no rows.")
    table.frame = frame
    return table


def as_text(table: pa.Table) -> pa.Table:
    """Every column as text, the way a CSV export would write it."""
    out = {}
    for col_name, col in zip(table.column_names, table.columns):
        out[col_name] = _text_column(col)
    return pa.table(out)


def _text_column(col: pa.ChunkedArray) -> pa.ChunkedArray:
    t = col.type
    if pa.types.is_dictionary(t):
        col = col.cast(t.value_type)
        t = t.value_type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return col.cast(pa.string())
    if pa.types.is_timestamp(t):
        # ISO-8601 in UTC, as a CSV export writes dates: read as dates everywhere
        # (a number would be banded as a numeric user attribute).
        utc = pc.cast(col, pa.timestamp("s", tz="UTC" if t.tz else None), safe=False)
        return pc.strftime(utc, format="%Y-%m-%dT%H:%M:%SZ")
    if pa.types.is_null(t):
        return pa.chunked_array([pa.nulls(len(col), pa.string())])
    try:
        return pc.cast(col, pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        # Nested values (lists, structs) have no CSV form; their text is kept readable.
        return pa.chunked_array([pa.array([None if v is None else str(v)
                                           for v in col.to_pylist()], pa.string())])


# ---------------------------------------------------------------------- row locations
def locate(table: ParquetTable, rows) -> list[tuple[str, int]]:
    """(part file, row within it counted from 1) for spreadsheet row numbers (header = 1)."""
    sizes = np.array([n for _, n in table.parts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    out = []
    for r in rows:
        i = int(r) - 2  # spreadsheet numbering -> 0-based position in the concatenation
        p = int(np.searchsorted(starts, i, side="right")) - 1
        if 0 <= p < len(table.parts):
            out.append((table.parts[p][0], i - int(starts[p]) + 1))
    return out


def _relocated(issue: Issue, table: ParquetTable) -> Issue:
    places = locate(table, issue.rows[:MAX_LOCATIONS])
    if not places:
        return issue
    files = sorted({p for p, _ in places})
    where = ", ".join(f"{p} row {r}" for p, r in places)
    file = table.name if len(files) > 1 or files[0] == table.name else f"{table.name}/{files[0]}"
    message = (f"{issue.message} Where: {where} (rows counted from 1 within each Parquet "
               "file).")
    return Issue(issue.severity, file, issue.column, issue.code, message, issue.count,
                 tuple(r for _, r in places))


def locate_part_rows(build):
    """Decorate ``build_dataset`` so issues in Parquet inputs name the part file and row.

    Validation counts rows in the concatenation of all part files, as a
    spreadsheet would (header = row 1); for Parquet that number means
    nothing to the user, so each such issue is rewritten to name the part
    file and the row within it.
    """
    @functools.wraps(build)
    def wrapper(tables, *args, **kwargs):
        outcome = build(tables, *args, **kwargs)
        parquet = {t.name: t for t in tables.values() if isinstance(t, ParquetTable)}
        if parquet:
            issues = outcome.report.issues
            issues[:] = [_relocated(i, parquet[i.file]) if i.file in parquet and i.rows
                         else i for i in issues]
        return outcome
    return wrapper


__all__ = ["PARQUET_SUFFIXES", "ParquetTable", "as_text", "is_parquet", "locate",
           "locate_part_rows", "part_files", "read_parquet"]
