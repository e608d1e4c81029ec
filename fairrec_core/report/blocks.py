"""The building blocks of the report: format-neutral sections, paragraphs, tables, charts.

Blocks hold *plain text* (never markup); each renderer (HTML, PDF, the dashboard's
preview) escapes it for its own medium.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from fairrec_core.report import text as T


@dataclass
class Para:
    """A paragraph; ``style`` is ``None``, ``"lead"``, ``"note"`` or ``"warning"``."""

    text: str
    style: str | None = None


@dataclass
class Heading:
    text: str


@dataclass
class Table:
    """A table of plain strings; ``status_col`` holds check statuses to colour."""

    headers: list[str]
    rows: list[list[str]]
    caption: str = ""
    status_col: int | None = None
    widths: list[float] | None = None  # relative column widths (PDF)


@dataclass
class Chart:
    """A chart made on demand: interactive (Plotly) and static (PNG) forms."""

    key: str
    figure: Callable[[], object]
    png: Callable[[], bytes | None]


@dataclass
class Verdict:
    status: str
    sentence: str


@dataclass
class Definitions:
    items: list[tuple[str, str]]


@dataclass
class Pre:
    text: str


@dataclass
class Section:
    key: str
    title: str
    blocks: list = field(default_factory=list)


def frame_rows(frame: pd.DataFrame, columns: Sequence[str],
               formats: dict[str, Callable] | None = None) -> list[list[str]]:
    """Rows of ``frame`` as strings, numbers formatted by :func:`text.num`."""
    formats = formats or {}
    out = []
    for _, r in frame.iterrows():
        row = []
        for c in columns:
            v = r[c]
            if c in formats:
                row.append(formats[c](r))
            elif isinstance(v, (float, int)) and not isinstance(v, bool):
                row.append(T.num(v) if isinstance(v, float) else f"{v:,}")
            else:
                row.append("" if v is None else str(v))
        out.append(row)
    return out
