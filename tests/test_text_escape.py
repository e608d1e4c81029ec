"""The one escaping module: HTML (report, Plotly labels) and markdown (dashboard pages)."""

from __future__ import annotations

import html

from markdown_it import MarkdownIt

from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import report_session as rs
from fairrec_core.text_escape import html_text, markdown_text

HOSTILE = ["![x](http://evil/p.png) <b>*bold*</b> $x$", "visit www.evil.example",
           "mail boss@evil.example", "https://evil.example/a_b", ":red[alert] :material/x:",
           "# head\n- item\n1. one", "a | b | c", "~~gone~~ `code` \\ back", "x < y & z"]


def test_html_text_escapes_markup_and_quotes_on_request():
    assert html_text('<a href="x">R&D</a>') == "&lt;a href=&quot;x&quot;&gt;R&amp;D&lt;/a&gt;"
    assert html_text('<a href="x">', quote=False) == '&lt;a href="x"&gt;'
    assert html_text(None) == ""
    for text in HOSTILE:
        assert html.unescape(html_text(text)) == text


def test_markdown_text_renders_as_typed_and_links_nothing():
    renderer = MarkdownIt("commonmark")
    for text in HOSTILE:
        shown = renderer.render(markdown_text(text))
        assert "<a" not in shown and "<img" not in shown and "<strong>" not in shown
        assert "<h1>" not in shown and "<li>" not in shown and "<code>" not in shown
        # CommonMark turns each backslash-escaped character back into itself.
        body = shown.removeprefix("<p>").removesuffix("</p>\n")
        assert html.unescape(body) == text, text
        # Nothing of Streamlit's own syntax is left bare: "$" (LaTeX) and ":" (directives).
        assert "$" not in markdown_text(text).replace("\\$", "")
        assert ":" not in markdown_text(text).replace("\\:", "")


def test_the_dashboard_escapers_are_the_one_helper():
    for text in HOSTILE:
        assert ps.md(text) == markdown_text(text) == rs.md_escape(text)
