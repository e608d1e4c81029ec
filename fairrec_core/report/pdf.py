"""The PDF report (fpdf2): the same sections as the HTML report, static charts.

The verdict and the scorecard open page 1. Text is set in DejaVu Sans, which
ships with matplotlib (so it is present wherever fairrec is installed) and
covers Latin, Greek, Cyrillic and the symbols the report uses (λ, ≥, ×).
Chinese is drawn from a system CJK font (:mod:`fairrec_core.report.fonts`). A
Chinese report (``[report] lang = "zh"``) without one stops with a message naming
the Debian package rather than print empty boxes; in an English report, Chinese
group names from the data without a CJK font are left blank, and the HTML, JSON
and CSV outputs keep the exact text.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path

from fairrec_core.i18n import t
from fairrec_core.report import blocks as B
from fairrec_core.report import content as C
from fairrec_core.report import text as T
from fairrec_core.report.fonts import CJK_FONT_PATHS

FONT = "DejaVu"
MONO = "DejaVuMono"
#: Fonts tried for characters DejaVu lacks (CJK), if installed.
FALLBACK_FONTS = CJK_FONT_PATHS


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return r, g, b


def _make_pdf(title: str, lang: str = "en"):
    from fpdf import FPDF

    class _PDF(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font(FONT, size=7)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, t("report.pdf.footer", lang, title=title, page=self.page_no(),
                              pages="{nb}"), align="C")

    pdf = _PDF(orientation="P", unit="mm", format="A4")
    d = _font_dir()
    if lang == "en":
        pdf.add_font(FONT, "", str(d / "DejaVuSans.ttf"))
        pdf.add_font(FONT, "B", str(d / "DejaVuSans-Bold.ttf"))
    else:
        from fairrec_core.report.fonts import require_cjk_font

        # Chinese text is set in the CJK font itself (it has the Latin letters and the
        # symbols the report uses): switching fonts inside a line for every Chinese run
        # makes fpdf2 write some wrapped table lines without a font (poppler: "No font
        # in show"). The font has no bold face; bold text is set in the regular one.
        cjk = require_cjk_font()
        pdf.add_font(FONT, "", cjk)
        pdf.add_font(FONT, "B", cjk)
    pdf.add_font(MONO, "", str(d / "DejaVuSansMono.ttf"))
    fallbacks = []
    for i, path in enumerate(FALLBACK_FONTS):
        if Path(path).is_file():
            try:
                pdf.add_font(f"fallback{i}", "", path)
                fallbacks.append(f"fallback{i}")
            except Exception:  # an unreadable system font is simply not used
                pass
    if fallbacks:
        # Not exact_match: bold text (headings, the verdict) must find its Chinese
        # characters in the regular CJK font too.
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(title)
    pdf.set_creator("fairrec")
    return pdf


class _Writer:
    def __init__(self, pdf, lang: str = "en"):
        self.pdf = pdf
        # Justified lines stretch the spaces; Chinese has few, so they would gape.
        self.align = "J" if lang == "en" else "L"

    def text(self, s: str, *, size: float = 9.5, bold: bool = False, color=(31, 41, 51),
             h: float = 4.8, space: float = 1.5) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.set_text_color(*color)
        pdf.multi_cell(0, h, s, new_x="LMARGIN", new_y="NEXT", align=self.align)
        pdf.ln(space)

    def heading(self, s: str, size: float = 11.5) -> None:
        if self.pdf.get_y() > self.pdf.h - 45:  # keep a heading with what follows it
            self.pdf.add_page()
        self.pdf.ln(1.5)
        self.text(s, size=size, bold=True, space=1)

    def block(self, b) -> None:
        pdf = self.pdf
        if isinstance(b, B.Para):
            color = {"note": (91, 103, 112), "warning": (178, 106, 0)}.get(b.style or "",
                                                                          (31, 41, 51))
            self.text(b.text, color=color)
        elif isinstance(b, B.Heading):
            self.heading(b.text)
        elif isinstance(b, B.Verdict):
            pdf.set_fill_color(*_rgb(T.STATUS_COLORS[b.status]))
            pdf.set_text_color(255, 255, 255)
            pdf.set_font(FONT, "B", 12)
            pdf.multi_cell(0, 8, b.sentence, fill=True, new_x="LMARGIN", new_y="NEXT",
                           align=self.align,
                           padding=2)
            pdf.set_fill_color(255, 255, 255)
            pdf.ln(3)
        elif isinstance(b, B.Table):
            self.table(b)
        elif isinstance(b, B.Chart):
            png = b.png()
            if png:
                pdf.image(io.BytesIO(png), w=pdf.epw * 0.92)
                pdf.ln(2)
        elif isinstance(b, B.Definitions):
            for term, definition in b.items:
                self.text(term, bold=True, space=0.3)
                self.text(definition, size=9)
        elif isinstance(b, B.Pre):
            pdf.set_font(MONO, "", 7)
            pdf.set_text_color(31, 41, 51)
            pdf.set_fill_color(245, 247, 250)
            pdf.multi_cell(0, 3.4, b.text, fill=True, new_x="LMARGIN", new_y="NEXT")
            pdf.set_fill_color(255, 255, 255)
            pdf.ln(2)
        else:
            raise TypeError(f"unknown block {type(b).__name__}")

    def table(self, t: B.Table) -> None:
        from fpdf.fonts import FontFace

        pdf = self.pdf
        if not t.rows:
            return
        pdf.set_font(FONT, "", 7.5)
        pdf.set_text_color(31, 41, 51)
        pdf.set_fill_color(255, 255, 255)  # a previous block's fill must not leak into cells
        widths = t.widths or [1] * len(t.headers)
        head = FontFace(emphasis="BOLD", fill_color=(245, 247, 250))
        with pdf.table(col_widths=widths, line_height=3.6, text_align="LEFT",
                       headings_style=head, borders_layout="HORIZONTAL_LINES",
                       padding=0.8) as table:
            table.row([str(h) for h in t.headers])
            for row in t.rows:
                r = table.row()
                for j, v in enumerate(row):
                    if j == t.status_col:
                        key = T.status_key(v)
                        r.cell(str(v), style=FontFace(
                            emphasis="BOLD", color=(255, 255, 255),
                            fill_color=_rgb(T.STATUS_COLORS[key])))
                    else:
                        r.cell(str(v))
        if t.caption:
            self.text(t.caption, size=7.5, color=(91, 103, 112), space=1)
        pdf.ln(2)


def render_pdf(result, sections: Sequence[str] | None = None) -> bytes:
    """The report as PDF bytes; the scorecard (when included) is on page 1.

    Parameters
    ----------
    result : AuditResult
    sections : sequence of str, optional
        Section keys to include (default: the config's ``[report].sections``).
    """
    from fairrec_core import __version__

    # fpdf2 logs every glyph a font lacks; the docstring explains the behaviour.
    logging.getLogger("fpdf").setLevel(logging.ERROR)
    lang = T.lang_of(result)
    if lang != "en":
        from fairrec_core.report.fonts import require_cjk_font

        require_cjk_font()
    title = T.report_title(result)
    pdf = _make_pdf(title, lang)
    pdf.add_page()
    w = _Writer(pdf, lang)
    w.text(title, size=18, bold=True, space=0.5)
    w.text(t("report.pdf.meta", lang, at=result.generated_at, version=__version__, k=result.k,
             seed=result.config.seed), size=8.5, color=(91, 103, 112), space=3)
    for i, s in enumerate(C.build_sections(result, sections)):
        if s.key in ("user_fairness", "methodology", "reproducibility") and i > 0:
            pdf.add_page()
        w.heading(s.title, size=14)
        for b in s.blocks:
            w.block(b)
    return bytes(pdf.output())
