"""Reading CSV exports from a path or uploaded bytes.

Encodings: UTF-8, UTF-8 with BOM and GB18030 (a superset of GBK and GB2312)
are detected (see :mod:`fairrec_core.data.encoding`: a UTF-8 file with a few
damaged lines stays UTF-8 and the lines are named); any Python codec name can
be forced. Delimiters: comma, tab, semicolon and pipe are sniffed; one can be
forced. Lines may end in LF, CRLF or CR alone. Quoted fields may hold
delimiters and newlines. Every failure becomes a validation issue naming the
file, never a stray exception.

Limits, each refused with a message naming it: ``max_bytes`` per file
(200 MB by default), ``MAX_COLUMNS`` (10,000) columns per file, checked on the
header before anything is parsed, and ``MAX_CELL_CHARS`` (131,072) characters
per cell.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from fairrec_core.data.encoding import Decoded, decode
from fairrec_core.data.validation import Issue

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # mirrors server.maxUploadSize in .streamlit/config.toml
MAX_COLUMNS = 10_000  # per file; wider exports are refused before parsing
MAX_CELL_CHARS = 131_072  # longest cell (128 K characters); Python's csv default limit
DELIMITERS = (",", "\t", ";", "|")
_DELIM_NAMES: dict[str | None, str] = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
_NA_VALUES = ["", "NaN", "nan", "NULL", "null", "None", "N/A", "n/a"]
_MAGIC = {
    b"PK\x03\x04": "a ZIP archive or an Excel .xlsx workbook",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook or other Office file",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip-compressed file",
    b"PAR1": "a Parquet file",
    b"SQLite format 3": "an SQLite database",
}


@dataclass
class RawTable:
    """One file as read: its text cells, how it was decoded, and its fingerprint.

    Every column is kept as text (``frame``), so that ids such as ``007`` keep
    their leading zeros; roles convert what they need and report what fails.
    """

    name: str
    frame: pd.DataFrame | None
    encoding: str | None = None
    delimiter: str | None = None
    sha256: str = ""
    n_bytes: int = 0
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.frame is not None and not any(i.severity == "error" for i in self.issues)

    def describe(self) -> dict:
        return {"name": self.name, "sha256": self.sha256, "bytes": self.n_bytes,
                "encoding": self.encoding,
                "delimiter": _DELIM_NAMES.get(self.delimiter, self.delimiter),
                "rows": 0 if self.frame is None else len(self.frame),
                "columns": [] if self.frame is None else list(self.frame.columns)}


def source_bytes(source) -> tuple[bytes, str]:
    """Bytes and a display name from a path, bytes, or an uploaded file object."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        return path.read_bytes(), path.name
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), "upload.csv"
    name = getattr(source, "name", "upload.csv")
    if hasattr(source, "getvalue"):
        return bytes(source.getvalue()), Path(str(name)).name
    return bytes(source.read()), Path(str(name)).name


def read_csv(source, *, name: str | None = None, encoding: str | None = None,
             delimiter: str | None = None, max_bytes: int = MAX_UPLOAD_BYTES) -> RawTable:
    """Read a CSV export into a :class:`RawTable`; problems become issues.

    Parameters
    ----------
    source : path, bytes or file-like
        A file path, raw bytes, or an object with ``getvalue()``/``read()``
        (a Streamlit ``UploadedFile`` works).
    name : str, optional
        Display name used in messages; defaults to the file name.
    encoding : str, optional
        Force a codec (``"utf-8"``, ``"gbk"``, ``"gb18030"``, ...); detected when omitted.
    delimiter : str, optional
        Force a delimiter; sniffed among comma, tab, semicolon and pipe when omitted.
    max_bytes : int
        Files larger than this are refused.
    """
    if isinstance(source, (str, Path)) and not Path(source).is_file():
        shown = name or str(source)
        return RawTable(shown, None, issues=[Issue.error(
            shown, None, "file_not_found", f"{shown}: no such file.")])
    data, default_name = source_bytes(source)
    name = name or default_name
    table = RawTable(name, None, sha256=hashlib.sha256(data).hexdigest(), n_bytes=len(data))
    problem = _refuse_bytes(data, name, max_bytes)
    if problem is not None:
        table.issues.append(Issue.error(name, None, problem[0], problem[1]))
        return table
    try:
        decoded = decode(data, encoding)
    except LookupError:
        return _fail(table, "bad_encoding", f"'{encoding}' is not a known text encoding.")
    except UnicodeDecodeError as exc:
        forced = f" as {encoding}" if encoding else " as UTF-8 or GB18030/GBK"
        return _fail(table, "bad_encoding",
                     f"{name} could not be decoded{forced} (byte {exc.start}). Choose its "
                     "encoding explicitly, or re-save it as UTF-8.")
    text, table.encoding = decoded.text, decoded.encoding
    if decoded.n_doubtful:
        table.issues.append(_encoding_warning(name, decoded))
    if _control_fraction(text) > 0.01:
        return _fail(table, "not_csv", f"{name} does not look like CSV text: it holds many "
                     "control characters. Export or save it as CSV and upload that.")
    if delimiter is None:
        delimiter = sniff_delimiter(text)
    table.delimiter = delimiter
    width, header_end = _header_width(text, delimiter)
    if width > MAX_COLUMNS:
        return _fail(table, "too_many_columns",
                     f"{name} has {width:,} columns; fairrec reads at most {MAX_COLUMNS:,} "
                     "columns per file. Keep the id column and the attributes to audit, "
                     "and upload that.", count=width)
    utf8 = data if table.encoding in ("utf-8", "utf-8-sig") and not decoded.n_doubtful else None
    frame = _read_frame(table, text, utf8, delimiter, header_end)
    if frame is None:
        return table
    return _check_frame(table, frame, delimiter)


def _fail(table: RawTable, code: str, message: str, column=None, rows=(), count=0) -> RawTable:
    table.issues.append(Issue.error(table.name, column, code, message, rows=rows, count=count))
    return table


def _refuse_bytes(data: bytes, name: str, max_bytes: int) -> tuple[str, str] | None:
    """(code, message) when the bytes cannot be CSV text at all, else None."""
    if len(data) > max_bytes:
        return "too_large", (f"{name} is {len(data) / 2**20:.1f} MB, over the "
                             f"{max_bytes / 2**20:.0f} MB limit. Split it, or raise the limit "
                             "(server.maxUploadSize / --max-mb).")
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        return "empty_file", f"{name} is empty: it has no header and no rows."
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return "not_csv", (f"{name} is not a CSV text file; it looks like {what}. Export "
                               "or save it as CSV (comma-separated values) and upload that.")
    if b"\x00" in data[:65536]:
        hint = (" It may be UTF-16 text: save it as UTF-8 CSV."
                if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "")
        return "not_csv", f"{name} is binary, not CSV text (it contains NUL bytes).{hint}"
    return None


def _encoding_warning(name: str, decoded: Decoded) -> Issue:
    lines = ", ".join(map(str, decoded.doubtful))
    if decoded.encoding == "gb18030":
        return Issue.warning(name, None, "mixed_encoding",
                             f"{name} was read as GB18030 (Chinese GBK), but "
                             f"{decoded.n_doubtful} line(s) look like UTF-8 (lines {lines}); "
                             "their text may be garbled. Re-save the file in one encoding, "
                             "or choose its encoding.",
                             count=decoded.n_doubtful, rows=decoded.doubtful)
    return Issue.warning(name, None, "undecodable_text",
                         f"{name} is UTF-8 but {decoded.n_doubtful} line(s) are not (lines "
                         f"{lines}); their unreadable bytes were replaced by '\ufffd'. "
                         "Re-save the file as UTF-8, or choose its encoding.",
                         count=decoded.n_doubtful, rows=decoded.doubtful)


def _read_frame(table, text, utf8, delimiter, header_end) -> pd.DataFrame | None:
    """The parsed frame, or None after recording why it could not be parsed."""
    name = table.name
    try:
        return _parse(text, utf8, delimiter, header_end)
    except _NoHeader:
        _fail(table, "empty_file", f"{name} has no header line.")
    except _CellTooLarge as big:
        _fail(table, "cell_too_large", _too_large_message(name, big.rows[0]),
              column=big.column, rows=big.rows[:5], count=len(big.rows))
    except (pa.ArrowInvalid, csv.Error, ValueError):
        code, rows, count, expected = _diagnose(text, delimiter)
        sep = _DELIM_NAMES.get(delimiter, delimiter)
        if code == "cell_too_large":
            _fail(table, code, _too_large_message(name, rows[0]), rows=rows, count=1)
        elif count and expected:
            _fail(table, "malformed_rows",
                  f"{name}: {count} row(s) do not have the {expected} fields the header has "
                  f"({sep}-separated). Check quoting and the delimiter.",
                  rows=rows, count=count)
        else:
            _fail(table, "malformed_rows",
                  f"{name} could not be read as {sep}-separated text. Check quoting (an "
                  "unclosed quote swallows the rest of the file) and the delimiter.")
    return None


def _too_large_message(name: str, row: int) -> str:
    return (f"{name}: row {row} has a cell longer than {MAX_CELL_CHARS:,} characters, the "
            "most fairrec reads in one cell (a title or description is far shorter). "
            "Shorten or remove that text.")


def _check_frame(table: RawTable, frame: pd.DataFrame, delimiter: str) -> RawTable:
    name = table.name
    if any(c.startswith("Unnamed: ") for c in frame.columns):
        blanks = [i + 1 for i, c in enumerate(frame.columns) if c.startswith("Unnamed: ")]
        table.issues.append(Issue.warning(
            name, None, "blank_header",
            f"{name}: column(s) {', '.join(map(str, blanks))} have no name in the header.",
            count=len(blanks)))
    if len(frame) == 0:
        return _fail(table, "header_only", f"{name} has a header but no data rows.")
    if len(frame.columns) == 1:
        other = next((d for d in DELIMITERS if d != delimiter and d in frame.columns[0]), None)
        if other is not None:
            return _fail(table, "wrong_delimiter",
                         f"{name} was read as {_DELIM_NAMES.get(delimiter, repr(delimiter))}-"
                         f"separated but its header looks {_DELIM_NAMES[other]}-separated "
                         f"('{frame.columns[0][:60]}'). Choose the delimiter explicitly.")
    table.frame = frame
    return table


class _NoHeader(Exception):
    pass


class _CellTooLarge(Exception):
    def __init__(self, column: str, rows: list[int]):
        super().__init__(column)
        self.column, self.rows = column, rows


_QUOTED = re.compile(r'"[^"]*"')
_BLOCK_BYTES = 16 << 20  # Arrow block: a record longer than this cannot be parsed


def _header_width(text: str, delimiter: str) -> tuple[int, int]:
    """Fields in the header line (quoted delimiters not counted) and where it ends."""
    end = len(text)
    for newline in ("\n", "\r"):
        found = text.find(newline, 0, end)
        if found >= 0:
            end = found
    return _QUOTED.sub("", text[:end]).count(delimiter) + 1, end


def _parse(text: str, utf8: bytes | None, delimiter: str, header_end: int) -> pd.DataFrame:
    """Parse with Arrow's multi-threaded reader, every column as text.

    Quoted fields may span lines; CR, LF and CRLF all end a line. Column names
    come from the standard csv module so that each column can be declared text
    before Arrow infers types. Cells longer than ``MAX_CELL_CHARS`` are refused.
    """
    head = text[:max(1 << 20, header_end + 2)]
    first = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), None)
    if not first:
        raise _NoHeader
    names = [c.strip() or f"Unnamed: {i}" for i, c in enumerate(first)]
    seen: dict[str, int] = {}
    for i, c in enumerate(names):  # make repeated names unique, as pandas does
        if c in seen:
            seen[c] += 1
            names[i] = f"{c}.{seen[c]}"
        else:
            seen[c] = 0
    raw = utf8 if utf8 is not None else text.encode("utf-8")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    table = pacsv.read_csv(
        io.BytesIO(raw),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                       block_size=_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in names}, null_values=_NA_VALUES,
            strings_can_be_null=True, quoted_strings_can_be_null=True))
    for col_name, column in zip(names, table.columns):
        # A cell's characters are at most its bytes, and its bytes at most the column's.
        if column.nbytes <= MAX_CELL_CHARS:
            continue
        if (pc.max(pc.binary_length(column)).as_py() or 0) > MAX_CELL_CHARS:
            lengths = pc.utf8_length(column).to_numpy(zero_copy_only=False)
            rows = np.flatnonzero(np.nan_to_num(lengths.astype(np.float64)) > MAX_CELL_CHARS)
            if rows.size:
                raise _CellTooLarge(col_name, [int(r) + 2 for r in rows])
    return table.to_pandas()


def as_float(values: pd.Series) -> np.ndarray:
    """Numbers from a text column; NaN where a cell is empty or not a number."""
    try:
        return pc.cast(pa.array(values), pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        # Arrow refuses the whole column on one bad cell; pandas marks just that cell.
        return pd.to_numeric(values.str.strip(), errors="coerce").to_numpy(np.float64)


def sniff_delimiter(text: str, sample_lines: int = 50) -> str:
    """Pick the delimiter that splits the first lines into the most, consistent fields."""
    # Only the start is split: splitting a 200 MB text into lines costs its size again.
    sample = "\n".join(text[:1 << 20].splitlines()[:sample_lines])
    best, best_key = ",", (0, 0)
    for delim in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delim) if r]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        # The last sampled record may be cut mid-field; judge the others.
        body = counts[1:-1] or counts[1:] or counts
        consistent = sum(c == counts[0] for c in body) / len(body)
        key = (consistent >= 0.9, counts[0])
        if key > best_key:
            best, best_key = delim, key
    return best


def _control_fraction(text: str) -> float:
    sample = text[:65536]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return bad / max(len(sample), 1)


def _diagnose(text: str, delimiter: str, limit: int = 5):
    """Why Arrow could not parse: (code, example rows, count, header fields).

    Rows are spreadsheet rows (header = 1). The csv module stops at a cell
    longer than its field limit, which equals ``MAX_CELL_CHARS``.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[int] = []
    count, expected, row_no = 0, 0, 1
    try:
        expected = len(next(reader))
        for record in reader:
            row_no += 1
            if record and len(record) != expected:
                count += 1
                if len(rows) < limit:
                    rows.append(row_no)
    except StopIteration:
        pass
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            return "cell_too_large", [row_no + 1], 1, expected
        count += 1
        rows.append(row_no + 1)
    return "malformed_rows", rows, count, expected
