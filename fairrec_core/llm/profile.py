"""User profile texts: a template over user attributes and recent history titles.

A profile reads like ``"Age 25-34, female, East region. Recently bought: A; B; C."``.
It has two segments, kept apart so that models and probes can share work:

* the *attribute sentence*, one phrase per template part (``"Age {age}"``),
  joined by ", ";
* the *history sentence*, the titles of the user's most recent training items.

Counterfactual probes change only the attribute sentence: a part is left out
(neutral, as FaiRLLM turns "a {attr} fan" into "a fan") or given another value.
The "unaware" variant of a template never renders its sensitive parts.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from fairrec_core.errors import ConfigError

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
#: Words for common codes, so a profile says "female", not "F".
DEFAULT_VALUE_WORDS = {"gender": {"F": "female", "M": "male", "X": "non-binary",
                                  "f": "female", "m": "male", "x": "non-binary"}}
DEFAULT_PARTS = ("Age {age}", "{gender}", "{region} region")
DEFAULT_SENSITIVE = ("age", "gender")
#: Values that mean "not known"; such a part is left out of the profile.
MISSING = frozenset({"", "unknown", "nan", "none"})
#: Marks a part as left out in an override.
LEAVE_OUT = None


@dataclass(frozen=True)
class ProfileTemplate:
    """How a user's profile text is written.

    Parameters
    ----------
    parts : tuple of str
        Attribute phrases in order, each with exactly one ``{column}``
        placeholder naming a users-file column.
    history_phrase : str
        Format of the history sentence; ``{history}`` receives the titles.
    n_history : int
        Most recent training items whose titles are listed (0: none).
    sensitive : tuple of str
        Columns the unaware variant leaves out.
    unaware : bool
        Leave the sensitive parts out of every profile.
    value_words : dict
        ``{column: {value: word}}`` used when rendering (e.g. F -> female).
    """

    parts: tuple = DEFAULT_PARTS
    history_phrase: str = "Recently bought: {history}."
    n_history: int = 5
    sensitive: tuple = DEFAULT_SENSITIVE
    unaware: bool = False
    value_words: dict = field(default_factory=lambda: {k: dict(v) for k, v in
                                                       DEFAULT_VALUE_WORDS.items()})

    def __post_init__(self):
        object.__setattr__(self, "parts", tuple(self.parts))
        object.__setattr__(self, "sensitive", tuple(self.sensitive))
        for p in self.parts:
            if len(_PLACEHOLDER.findall(p)) != 1:
                raise ConfigError(f"Each profile template part needs exactly one {{column}} "
                                  f"placeholder; '{p}' has "
                                  f"{len(_PLACEHOLDER.findall(p))}.")
        if "{history}" not in self.history_phrase and self.n_history:
            raise ConfigError("The history phrase of a profile template must contain "
                              "{history} (or set n_history = 0).")
        if int(self.n_history) != self.n_history or self.n_history < 0:
            raise ConfigError(f"n_history must be a whole number >= 0, got {self.n_history!r}.")

    @property
    def columns(self) -> tuple[str, ...]:
        """Users-file columns the template names, in order."""
        return tuple(_PLACEHOLDER.findall(p)[0] for p in self.parts)

    def rendered_columns(self) -> tuple[str, ...]:
        """Columns that actually appear in profiles (the unaware variant drops some)."""
        return tuple(c for c in self.columns if not (self.unaware and c in self.sensitive))

    def as_unaware(self) -> ProfileTemplate:
        """The same template with the sensitive attributes left out."""
        return ProfileTemplate(**{**self.to_dict(), "unaware": True})

    def to_dict(self) -> dict:
        """JSON-safe form (checkpoints, audit.toml)."""
        d = asdict(self)
        d["parts"] = list(self.parts)
        d["sensitive"] = list(self.sensitive)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ProfileTemplate:
        known = {k: v for k, v in dict(d).items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @classmethod
    def default_for(cls, users: pd.DataFrame, **kw) -> ProfileTemplate:
        """The default template restricted to columns the users table has."""
        parts = tuple(p for p in DEFAULT_PARTS if _PLACEHOLDER.findall(p)[0] in users.columns)
        return cls(parts=parts, **kw)

    def check(self, users: pd.DataFrame) -> None:
        """Raise a clear error when the template names a column the users table lacks."""
        missing = [c for c in self.columns if c not in users.columns]
        if missing:
            have = ", ".join(map(str, users.columns)) or "(no users file)"
            raise ConfigError(f"The profile template names the column(s) {', '.join(missing)} "
                              f"which the users file does not have. Its columns are: {have}.")


@dataclass
class Profiles:
    """Rendered profiles of a batch of users (segments kept apart).

    Attributes
    ----------
    attributes : list of str
        Attribute sentence per user ("" when every part is left out).
    history : list of str
        History sentence per user ("" when it has no titles).
    """

    attributes: list
    history: list

    @property
    def full(self) -> list[str]:
        """Whole profile texts: attribute sentence, then history sentence."""
        out = []
        for a, h in zip(self.attributes, self.history):
            a = f"{a}." if a else ""
            out.append(" ".join(s for s in (a, h) if s))
        return out


def _word(template: ProfileTemplate, col: str, value) -> str | None:
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    if text.strip().lower() in MISSING:
        return None
    return str(template.value_words.get(col, {}).get(text, text))


def attribute_sentences(users: pd.DataFrame, rows, template: ProfileTemplate,
                        overrides: dict | None = None) -> list[str]:
    """The attribute sentence of each user in ``rows``.

    Parameters
    ----------
    users : pandas.DataFrame
        ``Dataset.users`` (indexed by dense user id).
    rows : array-like of int
        Dense user ids.
    template : ProfileTemplate
    overrides : dict, optional
        ``{column: value}`` replacing the user's own value; ``None`` leaves
        the part out (the neutral profile).
    """
    template.check(users)
    overrides = overrides or {}
    rows = np.asarray(rows, dtype=np.int64)
    phrases = []
    for part, col in zip(template.parts, template.columns):
        if template.unaware and col in template.sensitive:
            continue
        if col in overrides:
            w = _word(template, col, overrides[col])
            phrases.append([None if w is None else _fill(part, col, w)] * len(rows))
            continue
        vals = users[col].to_numpy()[rows]
        # Render each distinct value once: a column has few values, users many.
        uniq, inv = np.unique(vals.astype(str), return_inverse=True)
        filled = [None if (w := _word(template, col, v)) is None else _fill(part, col, w)
                  for v in uniq]
        phrases.append([filled[j] for j in inv])
    return [", ".join(p for p in ps if p) for ps in zip(*phrases)] if phrases else \
        [""] * len(rows)


def _fill(part: str, col: str, word: str) -> str:
    return part.replace("{" + col + "}", word)


def recent_titles(dataset, train: pd.DataFrame, rows, n: int) -> list[list[str]]:
    """Titles of each user's ``n`` most recent training items, newest first.

    Without timestamps the order of the training rows stands in for time.
    """
    titles = _titles(dataset)
    return [[titles[i] for i in items] for items in recent_items(train, rows, n)]


def recent_items(train: pd.DataFrame, rows, n: int | None) -> list[list[int]]:
    """Each user's training items (one per row, repeats kept), newest first; ``n`` at most.

    ``n`` None keeps them all (history explanations re-render the sentence
    from any subset of them).
    """
    rows = np.asarray(rows, dtype=np.int64)
    if n == 0 or len(rows) == 0:
        return [[] for _ in rows]
    t = train[train["user"].isin(rows)][["user", "item"] + (
        ["timestamp"] if "timestamp" in train.columns else [])]
    t = t.assign(_order=np.arange(len(t)))
    keys = ["user", "timestamp", "_order"] if "timestamp" in t.columns else ["user", "_order"]
    t = t.sort_values(keys, ascending=[True] + [False] * (len(keys) - 1), kind="stable")
    if n is not None:
        t = t.groupby("user", sort=False).head(n)
    by_user = t.groupby("user", sort=False)["item"].agg(list).to_dict()
    return [[int(i) for i in by_user.get(int(u), [])] for u in rows]


def history_sentence(template: ProfileTemplate, titles) -> str:
    """The history sentence listing ``titles`` ("" when none is left after dropping empties)."""
    titles = [t for t in titles if t]
    return template.history_phrase.replace("{history}", "; ".join(titles)) if titles else ""


def history_sentences(dataset, train: pd.DataFrame, rows, template: ProfileTemplate) -> list[str]:
    """The history sentence of each user in ``rows`` ("" without titles)."""
    return [history_sentence(template, titles)
            for titles in recent_titles(dataset, train, rows, int(template.n_history))]


def render_profiles(dataset, train: pd.DataFrame, rows, template: ProfileTemplate, *,
                    overrides: dict | None = None) -> Profiles:
    """Profiles of ``rows`` (dense user ids), optionally with attribute overrides.

    Parameters
    ----------
    dataset : Dataset
    train : pandas.DataFrame
        Interactions the history is read from (the training rows, so that no
        held-out item leaks into a profile).
    rows : array-like of int
    template : ProfileTemplate
    overrides : dict, optional
        See :func:`attribute_sentences`.

    Returns
    -------
    Profiles
    """
    return Profiles(attribute_sentences(dataset.users, rows, template, overrides),
                    history_sentences(dataset, train, rows, template))


def item_titles(dataset) -> np.ndarray:
    """The title each item shows in a profile (its description without a title)."""
    return _titles(dataset)


def _titles(dataset) -> np.ndarray:
    items = dataset.items
    for col in ("title", "description"):
        if col in items.columns:
            return items[col].fillna("").astype(str).to_numpy()
    return np.array([str(i) for i in dataset.item_ids], dtype=object)


__all__ = ["LEAVE_OUT", "ProfileTemplate", "Profiles", "attribute_sentences",
           "history_sentence", "history_sentences", "item_titles", "recent_items",
           "recent_titles", "render_profiles"]
