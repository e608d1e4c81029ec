"""The self-contained HTML report: one file, opens offline, interactive Plotly charts.

plotly.js is embedded once in the page (no CDN), each chart's data is
embedded as JSON. Safety: every piece of text is passed through
:func:`fairrec_core.text_escape.html_text`, chart JSON is written with ``<``, ``>``, ``&`` and the
line separators as ``\\uXXXX`` escapes so no data can close the script
element, and a Content-Security-Policy allows only the page's own scripts
(by nonce), so an injected ``<script>`` or ``onerror=`` attribute would not
run even if something slipped past the escaping.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from fairrec_core.i18n import t
from fairrec_core.report import blocks as B
from fairrec_core.report import content as C
from fairrec_core.report import text as T
from fairrec_core.text_escape import html_text

#: The ``lang`` attribute of the page, per report language.
HTML_LANG = {"en": "en", "zh": "zh-CN"}

_CSS = """
:root{--fg:#1F2933;--muted:#5B6770;--line:#E4E7EB;--bg:#FFFFFF;--soft:#F5F7FA}
*{box-sizing:border-box}
body{font-family:-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,"PingFang SC",
 "Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;color:var(--fg);
 background:var(--bg);margin:0;line-height:1.45;font-size:15px}
header{padding:28px 40px 12px;border-bottom:1px solid var(--line)}
header h1{margin:0 0 4px;font-size:26px}
header .meta{color:var(--muted);font-size:13px}
nav{padding:8px 40px;border-bottom:1px solid var(--line);font-size:13px;background:var(--soft);
 position:sticky;top:0;z-index:5}
nav a{margin-right:14px;color:#3A6EA5;text-decoration:none}
main{padding:8px 40px 40px;max-width:1280px}
section{padding-top:8px;border-bottom:1px solid var(--line);padding-bottom:16px}
h2{font-size:21px;margin:22px 0 10px}
h3{font-size:16px;margin:18px 0 6px}
p.lead{font-size:16px}
p.note{color:var(--muted)}
p.warning{color:#B26A00}
table{border-collapse:collapse;margin:8px 0 14px;font-size:13px;width:100%}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
td.num{white-space:nowrap}
th{background:var(--soft);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
caption{caption-side:bottom;text-align:left;color:var(--muted);font-size:12px;padding-top:4px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;
 font-size:12px;white-space:nowrap}
.verdict{border-radius:8px;padding:14px 18px;color:#fff;font-size:17px;margin:8px 0 10px}
.chart{min-height:360px;margin:6px 0 10px}
pre{background:var(--soft);padding:12px;overflow-x:auto;font-size:12px;border-radius:6px}
dl dt{font-weight:600;margin-top:10px}
dl dd{margin:2px 0 0 0;color:#323F4B}
"""


def e(text) -> str:
    """Escape text for HTML element content and attribute values."""
    return html_text(text, quote=True)


def _json_for_script(fig) -> str:
    import plotly.io as pio

    text = pio.to_json(fig, validate=False, pretty=False, engine="json")
    # Nothing inside may end the <script> element or be read as markup.
    for ch, rep in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, rep)
    return text


class _Renderer:
    def __init__(self):
        self.charts: list[tuple[str, str]] = []

    def block(self, b) -> str:
        if isinstance(b, B.Para):
            cls = f' class="{e(b.style)}"' if b.style else ""
            return f"<p{cls}>{e(b.text)}</p>"
        if isinstance(b, B.Heading):
            return f"<h3>{e(b.text)}</h3>"
        if isinstance(b, B.Verdict):
            color = T.STATUS_COLORS[b.status]
            return (f'<div class="verdict" style="background:{color}">'
                    f"{e(b.sentence)}</div>")
        if isinstance(b, B.Table):
            return self.table(b)
        if isinstance(b, B.Chart):
            fig = b.figure()
            if fig is None:
                return ""
            div = f"chart-{len(self.charts) + 1}"
            self.charts.append((div, _json_for_script(fig)))
            return f'<div class="chart" id="{div}" data-chart="{e(b.key)}"></div>'
        if isinstance(b, B.Definitions):
            items = "".join(f"<dt>{e(t)}</dt><dd>{e(d)}</dd>" for t, d in b.items)
            return f"<dl>{items}</dl>"
        if isinstance(b, B.Pre):
            return f"<pre>{e(b.text)}</pre>"
        raise TypeError(f"unknown block {type(b).__name__}")

    def table(self, t: B.Table) -> str:
        head = "".join(f"<th>{e(h)}</th>" for h in t.headers)
        # A column is right-aligned when every cell in it is a number.
        numeric = [all(_numeric(r[j]) or r[j] in ("", "\u2014") for r in t.rows)
                   and any(_numeric(r[j]) for r in t.rows) for j in range(len(t.headers))]
        body = []
        for row in t.rows:
            cells = []
            for j, v in enumerate(row):
                if j == t.status_col:
                    status = _status_key(v)
                    cells.append(f'<td><span class="badge" style="background:'
                                 f'{T.STATUS_COLORS[status]}">{e(v)}</span></td>')
                elif numeric[j]:
                    cells.append(f'<td class="num">{e(v)}</td>')
                else:
                    cells.append(f"<td>{e(v)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        cap = f"<caption>{e(t.caption)}</caption>" if t.caption else ""
        return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _status_key(label: str) -> str:
    return T.status_key(label)


def _numeric(v: str) -> bool:
    s = str(v).replace(",", "").replace("\u2212", "-").strip()
    try:
        float(s)
        return True
    except ValueError:
        return False


def render_html(result, sections: Sequence[str] | None = None) -> str:
    """The whole report as one HTML document (text).

    Parameters
    ----------
    result : AuditResult
    sections : sequence of str, optional
        Section keys to include (default: the config's ``[report].sections``).
    """
    import plotly.offline

    parts = C.build_sections(result, sections)
    r = _Renderer()
    body = []
    for s in parts:
        inner = "\n".join(r.block(b) for b in s.blocks)
        body.append(f'<section id="{e(s.key)}"><h2>{e(s.title)}</h2>\n{inner}\n</section>')
    nav = "".join(f'<a href="#{e(s.key)}">{e(s.title)}</a>' for s in parts)
    nonce = secrets.token_urlsafe(18)
    calls = "\n".join(
        f'Plotly.newPlot("{div}", (f={data}).data, f.layout, cfg);' for div, data in r.charts)
    title = T.report_title(result)
    lang = T.lang_of(result)
    csp = (f"default-src 'none'; script-src 'nonce-{nonce}' 'unsafe-eval'; "
           "style-src 'unsafe-inline'; img-src data: blob:; font-src data:")
    meta = e(t("report.html.meta", lang, at=result.generated_at, version=_version(),
                schema=_schema(), k=result.k))
    return f"""<!DOCTYPE html>
<html lang="{HTML_LANG[lang]}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<style>{_CSS}</style>
<script nonce="{nonce}">{plotly.offline.get_plotlyjs()}</script>
</head><body>
<header><h1>{e(title)}</h1><div class="meta">{meta}</div></header>
<nav>{nav}</nav>
<main>
{''.join(body)}
</main>
<script nonce="{nonce}">
(function(){{var f, cfg={{responsive:true,displaylogo:false}};
{calls}
}})();
</script>
</body></html>
"""


def _version() -> str:
    from fairrec_core import __version__

    return __version__


def _schema() -> str:
    from fairrec_core.report.result import SCHEMA_VERSION

    return SCHEMA_VERSION
