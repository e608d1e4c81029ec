"""The Data page's wording and mapping form: labels, choices and messages in either language.

Split out of :mod:`fairrec_core.dashboard.data_session` (which re-exports all
of it, where the pages and tests have always found it): nothing here reads or
writes the session. No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

from fairrec_core.data import FILE_KINDS, LoadOutcome
from fairrec_core.data.schema import REQUIRED, ColumnMapping, detect_roles, roles_for
from fairrec_core.data.summary import DataSummary
from fairrec_core.errors import ConfigError
from fairrec_core.i18n import has, normalise_lang, t

NONE_CHOICE = "(none)"

__all__ = ["NONE_CHOICE", "MappingField", "file_label", "issue_text", "mapping_fields",
           "mapping_from_choices", "role_label", "summary_metrics"]


@dataclass
class MappingField:
    """One role of one file in the mapping form."""

    kind: str
    role: str
    label: str
    options: list[str]
    index: int


def mapping_fields(outcome: LoadOutcome, lang: str = "en") -> dict[str, list[MappingField]]:
    """Selectbox specifications per file: every role, its choices and current column.

    Parameters
    ----------
    outcome : LoadOutcome
        From :func:`load`; its tables give the columns, its mappings the
        current choice (auto-detected or the user's).

    Returns
    -------
    dict
        ``{kind: [MappingField, ...]}`` in :data:`FILE_KINDS` order. Files
        that could not be read (no columns) are left out. The choices are
        ``"(none)"`` followed by the file's columns; required roles are
        marked in the label.
    """
    out: dict[str, list[MappingField]] = {}
    for kind in FILE_KINDS:
        table = outcome.tables.get(kind)
        if table is None or table.frame is None:
            continue
        columns = [str(c) for c in table.frame.columns]
        current: ColumnMapping = outcome.mappings.get(kind) or detect_roles(columns, kind)
        required = {r if isinstance(r, str) else f"{r[0]}|{r[1]}" for r in REQUIRED[kind]}
        fields = []
        for role in roles_for(kind):
            either = next((r for r in required if "|" in r and role in r.split("|")), None)
            label = role_label(role, lang)
            if role in required:
                label = t("data.role_required", lang, role=label)
            elif either:
                label = t("data.role_either", lang, role=label, either=t(
                    "data.role_or", lang).join(role_label(r, lang) for r in either.split("|")))
            options = [NONE_CHOICE] + columns
            col = current.roles.get(role)
            fields.append(MappingField(kind, role, label, options,
                                       options.index(col) if col in columns else 0))
        out[kind] = fields
    return out


def mapping_from_choices(choices: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Turn form choices into a ``build_dataset`` mapping; reject double use.

    Parameters
    ----------
    choices : dict
        ``{kind: {role: column or "(none)"}}``.

    Returns
    -------
    dict
        ``{kind: {role: column}}`` with ``""`` for roles left empty, so that
        auto-detection does not refill them.

    Raises
    ------
    ConfigError
        When one column is chosen for two roles of the same file.
    """
    mapping: dict = {}
    problems: list = []
    for kind, roles in choices.items():
        used: dict[str, str] = {}
        mapping[kind] = {}
        for role, col in roles.items():
            col = "" if col in (None, NONE_CHOICE) else str(col)
            if col and col in used:
                problems.append(f"{kind}: column '{col}' is chosen for both "
                                f"{used[col]} and {role}")
            used.setdefault(col, role)
            mapping[kind][role] = col
    if problems:
        raise ConfigError("Each column can fill one role only: " + "; ".join(problems)
                          + ". Choose a different column or (none).")
    return mapping


def summary_metrics(summary: DataSummary, lang: str = "en") -> list[tuple[str, str, str]]:
    """Headline numbers for the Data page.

    Parameters
    ----------
    summary : DataSummary

    Returns
    -------
    list of tuple
        ``(label, formatted value, help text)`` for users, items,
        interactions and density.
    """
    c = summary.counts
    positives = (t("data.m.positives", lang, n=f"{c['positives']:,}",
                   threshold=f"{c['rating_threshold']:g}")
                 if c.get("rating_threshold") is not None
                 else t("data.m.positives_implicit", lang, n=f"{c['positives']:,}"))
    return [
        (t("data.m.users", lang), f"{c['users']:,}",
         t("data.m.users_help", lang, n=f"{c['users_with_interactions']:,}")),
        (t("data.m.items", lang), f"{c['items']:,}",
         t("data.m.items_help", lang, n=f"{c['items_with_interactions']:,}")),
        (t("data.m.interactions", lang), f"{c['interactions']:,}", positives),
        (t("data.m.density", lang), f"{c['density']:.2%}",
         t("data.m.density_help", lang, s=f"{1 - c['density']:.2%}")),
    ]


def role_label(role: str, lang: str = "en") -> str:
    """A column role's name for people (``created_at`` -> "created at" / "上架时间")."""
    key = f"role.{role}"
    return t(key, lang) if has(key) else role.replace("_", " ")


def file_label(kind: str, lang: str = "en") -> str:
    """A file kind's name for people ("Interactions" / "交互")."""
    return t(f"file.{kind}", lang)


def issue_text(issue, lang: str = "en") -> str:
    """A validation issue's message in ``lang``.

    English is the issue's own message (it names examples). Chinese comes from
    the catalogue entry for the issue's code (``issue.<code>``, or
    ``issue.<code>.<severity>`` where one code covers an error and a warning),
    filled from the issue's file, column and count; a code without an entry,
    or an entry needing a column the issue lacks, falls back to English.
    """
    if normalise_lang(lang) == "en":
        return issue.message
    key = next((k for k in (f"issue.{issue.code}.{issue.severity}", f"issue.{issue.code}")
                if has(k)), None)
    if key is None or (issue.column is None and "{column}" in t(key, "en")):
        return issue.message
    return t(key, lang, file=issue.file, column=issue.column or "", count=f"{issue.count:,}")
