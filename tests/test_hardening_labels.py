"""Data values never become live links or markup on the Data page (issue 12, item 8).

A category, a provider or an attribute named like a link must show as text: in
the Plotly charts (which render a subset of HTML in labels) and in the markdown
captions (where GitHub-flavoured markdown links bare URLs by itself).
"""

from __future__ import annotations

import io
import re

import pandas as pd
from markdown_it import MarkdownIt

from fairrec_core.dashboard.pipeline_session import md
from fairrec_core.data import load_dataset, summarize
from fairrec_core.viz import data_charts

LINK = '<a href="https://evil.example/phish">official-link</a>'
URL = "https://evil.example/phish"


def _hostile_summary():
    users = [f"u{k}" for k in range(40)]
    items = [f"i{k}" for k in range(12)]
    inter = pd.DataFrame({"user_id": [u for u in users for _ in range(4)],
                          "item_id": [items[(k + j) % 12] for k in range(40) for j in range(4)]})
    item_table = pd.DataFrame({"item_id": items,
                               "category": [LINK if k % 2 else "Books" for k in range(12)],
                               "seller_id": [URL if k % 3 else "shop-1" for k in range(12)]})
    user_table = pd.DataFrame({"user_id": users,
                               LINK: ["<b>bold</b>" if k % 2 else "x" for k in range(40)]})

    def csv(df):
        return io.BytesIO(df.to_csv(index=False).encode())

    ds = load_dataset(csv(inter), users=csv(user_table), items=csv(item_table))
    return summarize(ds)


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)
    elif hasattr(obj, "tolist"):
        yield from _strings(obj.tolist())


def test_chart_labels_from_data_are_escaped():
    summary = _hostile_summary()
    figures = [data_charts.item_groups_figure(summary), data_charts.user_groups_figure(summary)]
    for fig in figures:
        assert fig is not None
        texts = list(_strings(fig.to_dict()))
        assert not any("<a " in t or "<b>" in t for t in texts), [t for t in texts if "<a " in t]
    item_labels = list(_strings(figures[0].to_dict()["data"]))
    assert "&lt;a href=\"https://evil.example/phish\"&gt;official-link&lt;/a&gt;" in item_labels
    user_titles = [a["text"] for a in figures[1].to_dict()["layout"]["annotations"]]
    assert any(t.startswith("&lt;a href=") for t in user_titles)


# GitHub-flavoured markdown's autolink literals (spec section 6.9): these raw sequences are
# what make the renderer create a link without any markup.
GFM_AUTOLINK = re.compile(r"(?i)\b(?:https?|ftp)://|\bwww\.|[\w.+-]+@[\w-]+\.")


def test_markdown_escaping_keeps_text_and_links_nothing():
    renderer = MarkdownIt("commonmark")
    for value in (URL, "visit www.evil.example", "mail boss@evil.example", LINK,
                  "**bold** _x_ [a](https://evil.example)", "zip_code 10:30 v1.2"):
        escaped = md(value)
        assert not GFM_AUTOLINK.search(escaped), escaped
        html = renderer.render(escaped)
        assert "<a" not in html and "<b>" not in html and "<strong>" not in html
        # CommonMark shows every escaped character as itself: the reader sees the value.
        shown = html.removeprefix("<p>").removesuffix("</p>\n")
        assert shown == (value.replace("&", "&amp;").replace("<", "&lt;")
                         .replace(">", "&gt;").replace('"', "&quot;")), shown
