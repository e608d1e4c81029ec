"""Audit reports: one AuditResult rendered as HTML, PDF, JSON and CSV.

The CLI (``fairrec audit``) and the dashboard's Report page both use
:func:`render` / :func:`write_report`, so a downloaded report is the same
document the command line writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from fairrec_core.report.result import (
    SCHEMA_VERSION,
    AuditResult,
    load_schema,
    validate_json,
)

#: File names written by :func:`write_report`.
FILES = {"html": "report.html", "pdf": "report.pdf", "json": "report.json", "csv": "tables"}
MIME = {"html": "text/html", "pdf": "application/pdf", "json": "application/json",
        "csv": "application/zip"}


def render(result: AuditResult, fmt: str, *, sections: Sequence[str] | None = None) -> bytes:
    """One format as bytes: ``html``, ``pdf``, ``json`` or ``csv`` (a zip of the tables).

    ``sections`` selects the sections of the HTML and PDF reports; report.json
    and the CSV tables always hold everything.
    """
    if fmt == "html":
        from fairrec_core.report.html import render_html

        return render_html(result, sections).encode("utf-8")
    if fmt == "pdf":
        from fairrec_core.report.pdf import render_pdf

        return render_pdf(result, sections)
    if fmt == "json":
        doc = result.to_json_dict()
        validate_json(doc)  # a report that breaks its own schema is a bug: stop here
        import json

        return (json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
                ).encode("utf-8")
    if fmt == "csv":
        from fairrec_core.report.tables import tables_zip

        return tables_zip(result)
    raise ValueError(f"Unknown report format {fmt!r}; choose html, pdf, json or csv.")


def write_report(result: AuditResult, out: str | Path, *, formats: Sequence[str] | None = None,
                 sections: Sequence[str] | None = None,
                 progress: Callable[[str, float], object] | None = None) -> list[Path]:
    """Write the report files into ``out``, all or nothing.

    Writes ``report.html``, ``report.pdf``, ``report.json``, ``tables/*.csv``
    (those of ``formats``; default the config's ``[report].formats``) and
    ``audit.toml``, the config that reproduces the report (with absolute paths,
    so it can be run from anywhere).

    Everything is first written into a hidden temporary folder inside ``out``
    and moved into place only when every format succeeded; ``report.json``
    (or, without it, ``audit.toml``) is moved last. A run that fails or is
    killed therefore never leaves a report that looks complete: at most a
    ``.fairrec-partial-*`` folder, and an earlier report's files are removed
    before the new ones arrive, never mixed with them.

    Parameters
    ----------
    progress : callable, optional
        Called as ``progress(format, seconds)`` after each format is written.

    Returns
    -------
    list of Path
        The final paths.
    """
    import shutil
    import tempfile

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    formats = list(result.config.report.formats if formats is None else formats)
    tmp = Path(tempfile.mkdtemp(prefix=".fairrec-partial-", dir=out))
    try:
        names = _write_all(result, tmp, formats, sections, progress)
        _move_into_place(tmp, out, names)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    paths = []
    for name in names:
        target = out / name
        paths += sorted(target.glob("*.csv")) if target.is_dir() else [target]
    return paths


def _write_all(result, folder: Path, formats, sections, progress) -> list[str]:
    """Every requested format into ``folder``; the names written, in moving order."""
    import time

    from fairrec_core.report.tables import write_tables

    names = []
    for fmt in ("json", "csv", "html", "pdf"):
        if fmt not in formats:
            continue
        t0 = time.perf_counter()
        if fmt == "csv":
            write_tables(result, folder / FILES["csv"])
        else:
            (folder / FILES[fmt]).write_bytes(render(result, fmt, sections=sections))
        names.append(FILES[fmt])
        if progress is not None:
            progress(fmt, time.perf_counter() - t0)
    result.config.resolved().save(folder / "audit.toml")
    names.append("audit.toml")
    # report.json is what tools read to see a finished audit: it arrives last.
    return sorted(names, key=lambda n: n == FILES["json"])


def _move_into_place(tmp: Path, out: Path, names: list[str]) -> None:
    """Replace the previous report in ``out`` by the one in ``tmp``."""
    import os
    import shutil

    previous = [FILES["json"]] + [n for n in (*FILES.values(), "audit.toml")
                                  if n != FILES["json"]]
    for name in previous:  # the old completion marker goes first
        target = out / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
    for name in names:
        os.replace(tmp / name, out / name)


__all__ = ["FILES", "MIME", "SCHEMA_VERSION", "AuditResult", "load_schema", "render",
           "validate_json", "write_report"]
