"""The report's tables as CSV, safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return can be run as a formula by Excel, LibreOffice or Google Sheets (CSV
injection). Every *text* cell and header starting with one of them gets a
leading apostrophe, which spreadsheets show as plain text. Numeric columns
are left alone, so a negative difference stays a number.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

#: Leading characters a spreadsheet may read as the start of a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """``value`` with a leading apostrophe when it is text starting a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and headers cannot start a formula."""
    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as neutralised UTF-8 CSV (no index, ``\\n`` line ends)."""
    return neutralise(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


def report_tables(result) -> dict[str, pd.DataFrame]:
    """Every table of the report, by file stem.

    ``checks, overall, user_groups, user_gaps, item_groups, lorenz`` are the
    metrics engine's tables unchanged; ``tradeoff`` is the λ sweep;
    ``warnings``, ``user_group_sizes``, ``item_group_sizes``, ``inputs`` and
    ``explanation_samples`` describe the data and the sample; with the
    counterfactual probe, ``counterfactual_lists`` holds every sampled user's
    neutral and counterfactual lists and ``counterfactual_summary`` /
    ``counterfactual_leakage`` its figures.
    """
    f = result.fairness
    out = {"checks": f.checks, "overall": f.overall, "user_groups": f.user_groups,
           "user_gaps": f.user_gaps, "item_groups": f.item_groups, "lorenz": f.lorenz}
    table = result.tradeoff.get("table")
    if isinstance(table, pd.DataFrame):
        out["tradeoff"] = table
    out["warnings"] = pd.DataFrame(
        [{**w, "rows": ", ".join(map(str, w.get("rows") or []))} for w in result.warnings],
        columns=["severity", "file", "column", "code", "message", "count", "rows"])
    out["user_group_sizes"] = pd.DataFrame(result.data["user_groups"],
                                           columns=["attribute", "group", "users"])
    out["item_group_sizes"] = pd.DataFrame(result.data["item_groups"],
                                           columns=["attribute", "group", "items"])
    out["inputs"] = pd.DataFrame(
        [{"kind": k, "name": s.get("name"), "sha256": s.get("sha256"),
          "encoding": s.get("encoding"), "delimiter": s.get("delimiter"), "rows": s.get("rows")}
         for k, s in result.sources.items()],
        columns=["kind", "name", "sha256", "encoding", "delimiter", "rows"])
    rows = []
    for s in result.explanations.get("samples", []):
        for it in s["items"]:
            expl = it.get("explanation")
            rows.append({"grouping": s["grouping"], "group": s["group"], "user": s["user"],
                         "ndcg": s["ndcg"], "rank": it["rank"], "item": it["item"],
                         "title": it["title"], "provider": it["provider"], "hit": it["hit"],
                         "explanation": expl.get("summary") if expl else None,
                         "method": expl.get("method") if expl else None,
                         "limits": expl.get("limits") if expl else None})
    out["explanation_samples"] = pd.DataFrame(
        rows, columns=["grouping", "group", "user", "ndcg", "rank", "item", "title",
                       "provider", "hit", "explanation", "method", "limits"])
    if getattr(result, "counterfactual", None) is not None:
        from fairrec_core.report.counterfactual_section import counterfactual_tables

        out.update(counterfactual_tables(result.counterfactual))
    return out


def write_tables(result, folder: str | Path) -> list[Path]:
    """Write every table as ``folder/<name>.csv``; return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in report_tables(result).items():
        p = folder / f"{name}.csv"
        p.write_bytes(csv_bytes(frame))
        paths.append(p)
    return paths


def tables_zip(result) -> bytes:
    """All CSV tables in one zip (fixed timestamps, so equal tables give equal bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, frame in report_tables(result).items():
            info = zipfile.ZipInfo(f"tables/{name}.csv", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, csv_bytes(frame))
    return buf.getvalue()
