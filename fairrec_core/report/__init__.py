"""Audit reports: one AuditResult rendered as HTML, PDF, JSON and CSV.

The CLI (``fairrec audit``) and the dashboard's Report page both use
:func:`render` / :func:`write_report`, so a downloaded report is the same
document the command line writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from fairrec_core.report.result import (SCHEMA_VERSION, AuditResult, load_schema,
                                        validate_json)

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
    """Write the report files into ``out``.

    Writes ``report.html``, ``report.pdf``, ``report.json``, ``tables/*.csv``
    (those of ``formats``; default the config's ``[report].formats``) and
    ``audit.toml``, the config that reproduces the report (with absolute paths,
    so it can be run from anywhere).

    Parameters
    ----------
    progress : callable, optional
        Called as ``progress(format, seconds)`` after each format is written.

    Returns
    -------
    list of Path
    """
    import time

    from fairrec_core.report.tables import write_tables

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    formats = list(result.config.report.formats if formats is None else formats)
    paths = []
    for fmt in ("json", "csv", "html", "pdf"):
        if fmt not in formats:
            continue
        t0 = time.perf_counter()
        if fmt == "csv":
            paths += write_tables(result, out / FILES["csv"])
        else:
            p = out / FILES[fmt]
            p.write_bytes(render(result, fmt, sections=sections))
            paths.append(p)
        if progress is not None:
            progress(fmt, time.perf_counter() - t0)
    paths.append(result.config.resolved().save(out / "audit.toml"))
    return paths


__all__ = ["FILES", "MIME", "SCHEMA_VERSION", "AuditResult", "load_schema", "render",
           "validate_json", "write_report"]
