"""Text from data made literal for HTML (report, Plotly labels) and for markdown (dashboard).

The one place that escapes: the HTML report, every chart and every dashboard
page call these two functions, so a hostile label (``<a href=...>``,
``**bold**``, ``$x$``) is shown as typed everywhere.
"""

from __future__ import annotations

import html
import re

__all__ = ["html_text", "markdown_text"]

#: Every ASCII character that CommonMark, GitHub-flavoured markdown or Streamlit's
#: extensions (``$`` LaTeX, ``:emoji:`` and ``:color[...]`` directives) give a meaning.
#: CommonMark shows a backslash-escaped punctuation character as itself, so escaping
#: more than needed costs nothing. ``:``, ``.`` and ``@`` are escaped because GitHub's
#: autolink literals (``scheme://``, ``www.``, e-mail addresses) make links without markup.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:@])")


def html_text(text, *, quote: bool = True) -> str:
    """``text`` escaped for HTML; ``None`` gives ``""``.

    Parameters
    ----------
    text : object
        Converted with ``str``.
    quote : bool, default True
        Escape ``"`` and ``'`` too. Needed inside attribute values (the HTML
        report); Plotly labels pass False: Plotly writes text into SVG text
        nodes, where a quote is harmless, and would show ``&quot;`` literally.

    Returns
    -------
    str
    """
    return html.escape("" if text is None else str(text), quote=quote)


def markdown_text(text) -> str:
    """``text`` made literal for Streamlit markdown: no links, images, HTML or LaTeX.

    Parameters
    ----------
    text : object
        Converted with ``str``.

    Returns
    -------
    str
        Every markdown-special character backslash-escaped; rendered, it reads
        exactly as ``text``.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
