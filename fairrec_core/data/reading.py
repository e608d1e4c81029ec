"""Reading CSV exports from a path or uploaded bytes.

Encodings: UTF-8, UTF-8 with BOM and GB18030 (a superset of GBK and GB2312)
are detected; any Python codec name can be forced. Delimiters: comma, tab,
semicolon and pipe are sniffed; one can be forced. Quoted fields may hold
delimiters and newlines. Every failure becomes a validation issue naming the
file, never a stray exception.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from fairrec_core.data.validation import Issue

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # mirrors server.maxUploadSize in .streamlit/config.toml
DELIMITERS = (",", "\t", ";", "|")
_DELIM_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
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

    def fail(code: str, message: str, column=None, rows=(), count=0) -> RawTable:
        table.issues.append(Issue.error(name, column, code, message, rows=rows, count=count))
        return table

    if len(data) > max_bytes:
        return fail("too_large", f"{name} is {len(data) / 2**20:.1f} MB, over the "
                    f"{max_bytes / 2**20:.0f} MB limit. Split it, or raise the limit "
                    "(server.maxUploadSize / --max-mb).")
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        return fail("empty_file", f"{name} is empty: it has no header and no rows.")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return fail("not_csv", f"{name} is not a CSV text file; it looks like {what}. "
                        "Export or save it as CSV (comma-separated values) and upload that.")
    if b"\x00" in data[:65536]:
        hint = (" It may be UTF-16 text: save it as UTF-8 CSV."
                if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "")
        return fail("not_csv", f"{name} is binary, not CSV text (it contains NUL bytes).{hint}")

    try:
        text, table.encoding = _decode(data, encoding)
    except LookupError:
        return fail("bad_encoding", f"'{encoding}' is not a known text encoding.")
    except UnicodeDecodeError as exc:
        forced = f" as {encoding}" if encoding else " as UTF-8 or GB18030/GBK"
        return fail("bad_encoding", f"{name} could not be decoded{forced} (byte {exc.start}). "
                    "Choose its encoding explicitly, or re-save it as UTF-8.")
    if _control_fraction(text) > 0.01:
        return fail("not_csv", f"{name} does not look like CSV text: it holds many control "
                    "characters. Export or save it as CSV and upload that.")

    if delimiter is None:
        delimiter = sniff_delimiter(text)
    table.delimiter = delimiter
    try:
        frame = _parse(text, data if table.encoding in ("utf-8", "utf-8-sig") else None,
                       delimiter)
    except _NoHeader:
        return fail("empty_file", f"{name} has no header line.")
    except (pa.ArrowInvalid, csv.Error, ValueError):
        rows, count, expected = _bad_rows(text, delimiter)
        return fail("malformed_rows",
                    f"{name}: {count} row(s) do not have the {expected} fields the header "
                    f"has ({_DELIM_NAMES.get(delimiter, delimiter)}-separated). Check quoting "
                    "and the delimiter.", rows=rows, count=count)
    if any(c.startswith("Unnamed: ") for c in frame.columns):
        blanks = [i + 1 for i, c in enumerate(frame.columns) if c.startswith("Unnamed: ")]
        table.issues.append(Issue.warning(
            name, None, "blank_header",
            f"{name}: column(s) {', '.join(map(str, blanks))} have no name in the header.",
            count=len(blanks)))
    if len(frame) == 0:
        return fail("header_only", f"{name} has a header but no data rows.")
    if len(frame.columns) == 1:
        other = next((d for d in DELIMITERS if d != delimiter and d in frame.columns[0]), None)
        if other is not None:
            return fail("wrong_delimiter",
                        f"{name} was read as {_DELIM_NAMES.get(delimiter, repr(delimiter))}-"
                        f"separated but its header looks {_DELIM_NAMES[other]}-separated "
                        f"('{frame.columns[0][:60]}'). Choose the delimiter explicitly.")
    table.frame = frame
    return table


class _NoHeader(Exception):
    pass


def _parse(text: str, utf8: bytes | None, delimiter: str) -> pd.DataFrame:
    """Parse with Arrow's multi-threaded reader, every column as text.

    Quoted fields may span lines. Column names come from the standard csv
    module so that each column can be declared text before Arrow infers types.
    """
    first = next(csv.reader(io.StringIO(text[:1 << 20]), delimiter=delimiter), None)
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
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in names}, null_values=_NA_VALUES,
            strings_can_be_null=True, quoted_strings_can_be_null=True))
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
    sample = "\n".join(text.splitlines()[:sample_lines])
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


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        return data.decode(encoding), encoding
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as first:
        try:
            # GB18030 decodes GBK and GB2312 too; exports from Chinese platforms use them.
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise first from None


def _control_fraction(text: str) -> float:
    sample = text[:65536]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return bad / max(len(sample), 1)


def _bad_rows(text: str, delimiter: str, limit: int = 5) -> tuple[list[int], int, int]:
    """Spreadsheet row numbers (header = 1) of records with the wrong field count."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows, count, expected, row_no = [], 0, 0, 1
    try:
        header = next(reader)
        expected = len(header)
        for record in reader:
            row_no += 1
            if record and len(record) != expected:
                count += 1
                if len(rows) < limit:
                    rows.append(row_no)
    except csv.Error:
        count += 1
        rows.append(row_no + 1)
    return rows, max(count, 1), expected
