"""Find English left in Chinese output: runs of three or more English words that are not data.

Used by ``test_i18n_zh_leaks.py`` on what every dashboard page shows in
``?lang=zh`` (every element's text, collected from its protobuf: labels,
help, options, bodies, table headers and cells, Plotly titles, axes, legends,
annotations and hover templates) and on the zh report (HTML text and the text
fields of report.json).

A run is English prose when three words follow each other separated only by
spaces (``NDCG@10`` or ``shap.TreeExplainer`` break a run, so metric ids and
code names are not prose). Text that comes from the user's data -- titles,
column names, group labels, ids -- is removed before scanning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

#: Three or more English words separated by blanks only.
_WORD = r"[A-Za-z][A-Za-z'’-]*"
ENGLISH_RUN = re.compile(rf"(?<![\w@./%-]){_WORD}(?:[ \t\u00a0]+{_WORD}){{2,}}(?![\w@/])")
# Markup is not prose: Streamlit icons and colour directives, HTML tags and entities,
# Plotly hover placeholders, markdown emphasis and escapes, links.
_MARKUP = re.compile(r":material/[a-z_]+:|:[a-z]+-badge\[|:[a-z]+\[|<[^>]*>|&[a-z#0-9]+;"
                     r"|%\{[^}]*\}|https?://\S+|[*`]")
_CODE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
#: Plotly keys whose strings are styling or plumbing, never read as text.
_PLOTLY_SKIP = {"template", "family", "type", "mode", "hoverinfo",
                "colorscale", "color", "bgcolor", "bordercolor", "fill", "textposition",
                "orientation", "anchor", "xanchor", "yanchor", "xref", "yref", "axref", "ayref",
                "side", "matches", "overlaying", "barmode", "hovermode", "dash", "symbol",
                "legendgroup", "alignmentgroup", "offsetgroup", "uid", "ticksuffix",
                "tickformat", "hoverformat", "texttemplate", "domain", "layer", "autorange",
                "tickmode", "categoryorder", "insidetextanchor", "constraintext", "shape",
                "valign", "align", "ticks", "ticklabelposition", "sizemode", "automargin"}
#: Protobuf fields that hold ids, keys, arrow bytes or markup settings, not text.
_PROTO_SKIP = {"id", "formId", "key", "pageScriptHash", "data", "arrowData", "styles",
               "icon", "type", "url", "theme", "useContainerWidth", "labelVisibility",
               "width", "height", "format", "mimeType", "fileName", "page", "spec", "columns",
               "body_json", "name"}


def english_runs(text: str, data: Iterable[str] = ()) -> list[str]:
    """The runs of three or more English words in ``text`` once ``data`` strings are removed.

    Parameters
    ----------
    text : str
    data : iterable of str
        Strings from the user's data (titles, column names, labels); longest
        removed first so a title is not cut by a shorter label inside it.
    """
    # Scripts and styles inside an HTML component are code, not what the reader sees.
    text = _CODE.sub(" ", text)
    for value in sorted({d for d in data if len(d) >= 3}, key=len, reverse=True):
        text = text.replace(value, " · ")
    # A markdown escape ("held\\-out") is not a word break; markup is.
    return ENGLISH_RUN.findall(_MARKUP.sub(" ", text.replace("\\", "")))


#: Group labels fairrec derives itself (activity, popularity, item age, missing, protected side)
#: and the names of the groupings it makes: machine keys in report.json, CSV and config, never
#: words a Chinese reader should see.
DERIVED_LABELS = ("active", "inactive", "head", "tail", "new", "established", "unknown",
                  "protected", "other")
DERIVED_GROUPINGS = ("activity", "popularity", "item_age")
_DERIVED = re.compile(r"(?<![A-Za-z0-9_@$-])(" + "|".join(DERIVED_LABELS + DERIVED_GROUPINGS)
                      + r")(?![A-Za-z0-9_-])", re.I)


def derived_keys(text: str, data: Iterable[str] = ()) -> list[str]:
    """fairrec's own English group labels and grouping names left in ``text`` (whole tokens).

    ``data`` strings (the user's own labels and column names) are removed first, as in
    :func:`english_runs`, and so is markup: an uploaded "other" stays the user's word.
    """
    text = _CODE.sub(" ", text)
    for value in sorted({d for d in data if len(d) >= 3}, key=len, reverse=True):
        text = text.replace(value, " · ")
    return _DERIVED.findall(_MARKUP.sub(" ", text.replace("\\", "")))


def _strings(value, skip: set[str]) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in skip:
                yield from _strings(v, skip)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, skip)


def plotly_texts(spec: str | dict) -> list[str]:
    """Every string a reader can see in a Plotly figure's JSON (styling left out)."""
    fig = json.loads(spec) if isinstance(spec, str) else spec
    return list(_strings({"data": fig.get("data", []), "layout": fig.get("layout", {})},
                         _PLOTLY_SKIP))


def element_texts(at) -> list[str]:
    """Every text the AppTest run shows: element protobufs, table frames and figures."""
    from google.protobuf.json_format import MessageToDict

    out: list[str] = []
    stack = [at._tree]
    while stack:
        node = stack.pop()
        stack.extend(getattr(node, "children", {}).values())
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        doc = MessageToDict(proto)
        out += list(_strings(doc, _PROTO_SKIP))
        if node.type == "plotly_chart":
            out += plotly_texts(proto.spec)
        elif node.type in ("arrow_data_frame", "dataframe", "table"):
            frame = node.value
            out += [str(c) for c in frame.columns]
            # Every cell that holds text, whatever the column's dtype (object or str).
            out += [v for v in frame.to_numpy(dtype=object).ravel() if isinstance(v, str)]
            config = json.loads(proto.columns or "{}")
            out += list(_strings(config, {"type_config", "format", "width"}))
    return out


def dataset_strings(dataset) -> set[str]:
    """The user's data as text: ids, column names, every string cell of users and items."""
    found = {str(x) for x in dataset.user_ids} | {str(x) for x in dataset.item_ids}
    for frame in (dataset.users, dataset.items):
        found |= {str(c) for c in frame.columns}
        for col in frame.columns:
            found |= {str(v) for v in frame[col].dropna().astype(str).unique()}
    found |= {str(c) for c in getattr(dataset, "column_map", {}) or {}}
    return found


def json_text_fields(doc, skip_keys: Iterable[str] = ()) -> list[str]:
    """Every string value of a JSON document (keys are machine-readable; ``skip_keys`` left out)."""
    return list(_strings(doc, set(skip_keys)))
