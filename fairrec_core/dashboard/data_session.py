"""The Data page's state machine, free of streamlit.

The dashboard keeps its inputs (the uploaded files' bytes, the reading
options, the user's column mapping) and its results (the load outcome, the
Dataset) in a session mapping — ``st.session_state`` in the app, a plain
``dict`` in tests. :func:`refresh` brings the results in line with the
inputs: when the inputs change, the old Dataset is dropped *before* anything
else happens, so a stale Dataset can never outlive the files it came from.

Nothing here writes to disk: uploaded bytes live only in the session.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

from fairrec_core.bundled import sample_dir

# The mapping form and the page's wording live in data_wording; re-exported here,
# where the pages (and app.py, explain_page) have always found them.
from fairrec_core.dashboard.data_wording import (  # noqa: F401
    NONE_CHOICE,
    MappingField,
    file_label,
    issue_text,
    mapping_fields,
    mapping_from_choices,
    role_label,
    summary_metrics,
)
from fairrec_core.data import (
    FILE_KINDS,
    LoadOutcome,
    RawTable,
    build_dataset,
    read_files,
)
from fairrec_core.errors import FairrecError
from fairrec_core.i18n import t

_log = logging.getLogger("fairrec.dashboard")

SAMPLE_DIR = sample_dir()
AUTOLOAD_ENV = "FAIRREC_AUTOLOAD_SAMPLE"

FILE_LABELS = {"interactions": "Interactions", "users": "Users", "items": "Items",
               "recommendations": "Recommendations"}
FILE_HELP = {
    "interactions": "Required. One row per user-item event: user and item ids, and "
                    "optionally rating, event type, weight, timestamp.",
    "users": "Optional. One row per user with attributes (gender, age, region, tier, ...).",
    "items": "Optional. One row per item: title, description, category, seller or brand, "
             "price, ...",
    "recommendations": "Optional. Your production recommender's top-K lists: user, item, "
                       "rank or score.",
}
ENCODING_CHOICES = ("auto", "utf-8", "gb18030", "gbk")
DELIMITER_CHOICES = {"auto": None, "comma ,": ",", "tab": "\t", "semicolon ;": ";",
                     "pipe |": "|"}

# Session keys shared by app.py and the pages.
FILES = "data_files"          # {kind: FileInput}
ORIGIN = "data_origin"        # "sample" | "upload" | None
MAPPING = "data_mapping"      # {"key": read key, "mapping": {kind: {role: column}}}
OUTCOME = "load_outcome"      # LoadOutcome of the current inputs
DATASET = "dataset"           # Dataset, present only when the inputs validate
BUILT_KEY = "data_built_key"  # fingerprint of the inputs OUTCOME/DATASET were built from
VERSION = "data_version"      # bumped on every rebuild; later pages compare it
NOTICE = "data_notice"        # one-off (kind, message) about a dropped dataset
LOAD_ERROR = "data_load_error"  # message when loading failed unexpectedly

Reader = Callable[[str, str, bytes, "str | None", "str | None"], RawTable]


@dataclass(frozen=True)
class FileInput:
    """One file the user provided: its kind, display name and bytes (memory only)."""

    kind: str
    name: str
    data: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size_text(self) -> str:
        return self.size_label("en")

    def size_label(self, lang: str = "en") -> str:
        """The file's size for people: bytes below 1 KB (never "0 KB"), else KB or MB."""
        n = len(self.data)
        if n < 1024:
            return t("data.size_bytes", lang, n=n)
        return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 1024:.1f} KB"


@dataclass(frozen=True)
class LoadOptions:
    """Reading and validation options the Data page offers.

    Attributes
    ----------
    encoding, delimiter : dict
        Per file kind; a missing kind or ``None`` means detect.
    rating_threshold : float or None
        ``rating >= threshold`` marks a positive; None for the default.
    drop_unknown_ids : bool
        Drop rows naming ids unknown to the users/items files instead of stopping.
    """

    encoding: dict = field(default_factory=dict)
    delimiter: dict = field(default_factory=dict)
    rating_threshold: float | None = None
    drop_unknown_ids: bool = False

    def read_key(self) -> dict:
        return {"encoding": {k: v for k, v in sorted(self.encoding.items()) if v},
                "delimiter": {k: v for k, v in sorted(self.delimiter.items()) if v}}


def options_from_widgets(values: MutableMapping) -> LoadOptions:
    """LoadOptions from the Data page's option widgets (keys ``opt_*``).

    Parameters
    ----------
    values : mapping
        The session state; absent keys mean the default.
    """
    enc, delim = {}, {}
    for kind in FILE_KINDS:
        e = values.get(f"opt_encoding_{kind}", "auto")
        enc[kind] = None if e in (None, "auto") else e
        delim[kind] = DELIMITER_CHOICES.get(values.get(f"opt_delimiter_{kind}", "auto"))
    threshold = values.get("opt_rating_threshold")
    return LoadOptions(encoding=enc, delimiter=delim,
                       rating_threshold=None if threshold is None else float(threshold),
                       drop_unknown_ids=bool(values.get("opt_drop_unknown_ids", False)))


def sample_files(folder: str | Path = SAMPLE_DIR) -> dict[str, FileInput]:
    """The bundled sample CSVs, read into memory.

    Parameters
    ----------
    folder : path, default ``sample_data/`` at the repository root

    Raises
    ------
    FairrecError
        When the folder has no ``interactions.csv``.
    """
    folder = Path(folder)
    files = {kind: FileInput(kind, f"{kind}.csv", (folder / f"{kind}.csv").read_bytes())
             for kind in FILE_KINDS if (folder / f"{kind}.csv").is_file()}
    if "interactions" not in files:
        raise FairrecError(
            f"The bundled sample data is missing ({folder / 'interactions.csv'} not found). "
            "Create it with: fairrec sample-data --out sample_data")
    return files


def read_table(kind: str, name: str, data: bytes, encoding: str | None,
               delimiter: str | None) -> RawTable:
    """Read one uploaded file with :func:`fairrec_core.data.read_files`.

    Parameters
    ----------
    kind : str
        File kind (``"interactions"``, ...).
    name : str
        The file name as the user knows it; every message names it.
    data : bytes
        The file's content. Plain arguments, so that a caller can cache on them.
    encoding, delimiter : str or None
        Forced values; None detects.

    Returns
    -------
    RawTable
        Problems are recorded as issues on the table, never raised.
    """
    source = io.BytesIO(data)
    source.name = name  # read_files names the file after it in every message
    return read_files({kind: source}, encoding=encoding, delimiter=delimiter)[kind]


def load(files: dict[str, FileInput], options: LoadOptions, mapping: dict | None = None, *,
         reader: Reader = read_table) -> LoadOutcome:
    """Read, validate and index ``files``; never raises on bad data.

    Parameters
    ----------
    files : dict
        ``{kind: FileInput}``.
    options : LoadOptions
    mapping : dict, optional
        ``{kind: {role: column}}`` overriding auto-detection (``""`` = no column).
    reader : callable, optional
        ``reader(kind, name, data, encoding, delimiter) -> RawTable``; the app
        passes a cached :func:`read_table`.
    """
    tables = {kind: reader(kind, f.name, f.data, options.encoding.get(kind),
                           options.delimiter.get(kind))
              for kind, f in files.items()}
    return build_dataset(tables, mapping=mapping, rating_threshold=options.rating_threshold,
                         on_unknown_ids="drop" if options.drop_unknown_ids else "error")


def _fingerprint(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def read_key(files: dict[str, FileInput], options: LoadOptions) -> str:
    """Fingerprint of what decides the tables' columns: the files and how they are read.

    Parameters
    ----------
    files : dict
        ``{kind: FileInput}``.
    options : LoadOptions

    Returns
    -------
    str
        A hex digest; a column mapping is only valid for the key it was made for.
    """
    return _fingerprint({"files": {k: [f.name, f.sha256] for k, f in sorted(files.items())},
                         "read": options.read_key()})


def refresh(state: MutableMapping, *, reader: Reader = read_table) -> None:
    """Bring ``state[DATASET]`` and ``state[OUTCOME]`` in line with the inputs.

    Inputs are ``state[FILES]``, the ``opt_*`` option values and
    ``state[MAPPING]``. When their fingerprint differs from the one the
    current results were built from, the results are dropped first, then
    rebuilt; a mapping made for other files (or another encoding) is
    discarded. A Dataset that existed and was dropped leaves a one-off
    ``state[NOTICE]``: ``(kind, message)`` with kind ``"replaced"``,
    ``"discarded"`` or ``"cleared"``. Unexpected failures end as
    ``state[LOAD_ERROR]``.

    Parameters
    ----------
    state : mutable mapping
        ``st.session_state`` or a dict.
    reader : callable, optional
        See :func:`load`.
    """
    files = state.get(FILES) or {}
    options = options_from_widgets(state)
    rkey = read_key(files, options)
    entry = state.get(MAPPING)
    if entry is not None and entry.get("key") != rkey:
        state.pop(MAPPING, None)
        entry = None
    mapping = entry["mapping"] if entry else None
    key = _fingerprint({"read": rkey, "threshold": options.rating_threshold,
                        "drop": options.drop_unknown_ids, "mapping": mapping})
    if state.get(BUILT_KEY) == key:
        return

    had_dataset = state.get(DATASET) is not None
    for k in (DATASET, OUTCOME, LOAD_ERROR):
        state.pop(k, None)
    state[BUILT_KEY] = key
    state[VERSION] = int(state.get(VERSION, 0)) + 1
    if files and "interactions" in files:
        try:
            outcome = load(files, options, mapping, reader=reader)
        except FairrecError as exc:
            state[LOAD_ERROR] = str(exc)
        except Exception as exc:  # the dashboard shows a message, never a traceback
            _log.exception("reading the uploaded files failed")
            state[LOAD_ERROR] = (
                f"Reading the files failed unexpectedly ({type(exc).__name__}: {exc}). "
                "Re-save the files as UTF-8 CSV and try again; if it persists, report it "
                "with the files' first lines.")
        else:
            state[OUTCOME] = outcome
            if outcome.ok:
                state[DATASET] = outcome.dataset
    if had_dataset:
        # The page words the notice in the user's language (catalogue "data.notice.<kind>").
        if state.get(DATASET) is not None:
            state[NOTICE] = ("replaced", t("data.notice.replaced", "en"))
        elif not files:
            state[NOTICE] = ("cleared", t("data.notice.cleared", "en"))
        else:
            state[NOTICE] = ("discarded", t("data.notice.discarded", "en"))


def status_lines(state: MutableMapping, lang: str = "en") -> dict:
    """What the sidebar shows about the session's data.

    Parameters
    ----------
    state : mutable mapping
        ``st.session_state`` or a dict.

    Returns
    -------
    dict
        ``state`` ("loaded", "errors", "incomplete" or "empty"), ``origin``,
        ``files`` (list of ``"kind: name"``), and when loaded ``counts`` and
        ``warnings``; with errors ``errors``.
    """
    files = state.get(FILES) or {}
    dataset = state.get(DATASET)
    outcome = state.get(OUTCOME)
    info = {"origin": state.get(ORIGIN),
            "files": [f"{file_label(k, lang)}: {files[k].name}" for k in FILE_KINDS
                      if k in files]}
    if dataset is not None:
        info.update(state="loaded", counts={
            "users": dataset.n_users, "items": dataset.n_items,
            "interactions": int(len(dataset.interactions))},
            warnings=len(dataset.report.warnings))
    elif outcome is not None or state.get(LOAD_ERROR):
        info.update(state="errors",
                    errors=len(outcome.report.errors) if outcome is not None else 1)
    elif files:
        info.update(state="incomplete")
    else:
        info.update(state="empty")
    return info
