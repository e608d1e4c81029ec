"""Counterfactual data augmentation for the profile two-tower (issue 14, Deliver 5).

While training, each user's attribute sentence is, with probability ``p``,
replaced by a counterfactual one: the augmented attributes stated with values
drawn at random (``"swap"``: jointly and uniformly over every combination of
their known values, the user's own included, so that with ``p = 1`` the stated
values say nothing about the user), or left out (``"remove"``). The model then
cannot rely on the stated attributes to predict what the user buys, so what it
recommends depends less on them (a lower SNSR in the counterfactual probe).

Drawing among the *other* values only would not do that: for a two-valued
attribute, always stating the other value is as informative as stating the
true one.

The counterfactual sentences are rendered exactly as the probe renders them
(:func:`~fairrec_core.llm.profile.attribute_sentences` with overrides), and
because a users table has few attribute combinations, the distinct sentences
are few: they are encoded once, and each batch only picks an index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fairrec_core.errors import ConfigError

#: Ways to write the counterfactual attribute sentence.
AUGMENT_MODES = ("swap", "remove")
#: Most value combinations ``swap`` draws from (one sentence each, encoded once).
MAX_VARIANTS = 1000


def check_augment(augment, augment_p, attributes=None) -> None:
    """Raise a clear :class:`ConfigError` for bad augmentation options.

    Parameters
    ----------
    augment : {"swap", "remove"} or None
    augment_p : float
        Probability, per user and batch, of reading a counterfactual sentence.
    attributes : sequence of str or None
        Attributes changed; None = the template's sensitive ones.
    """
    if augment is not None and augment not in AUGMENT_MODES:
        raise ConfigError(f"augment must be one of {', '.join(AUGMENT_MODES)} (or left out), "
                          f"got {augment!r}.")
    try:
        p = float(augment_p)
    except (TypeError, ValueError):
        raise ConfigError(f"augment_p must be a number between 0 and 1, got {augment_p!r}.") \
            from None
    if not 0.0 <= p <= 1.0 or isinstance(augment_p, bool):
        raise ConfigError(f"augment_p must be a number between 0 and 1, got {augment_p!r}.")
    if attributes is not None and (isinstance(attributes, str) or not all(
            isinstance(a, str) and a for a in attributes)):
        raise ConfigError("augment_attributes must be a list of users-file column names, "
                          f"e.g. [\"gender\"]; got {attributes!r}.")


@dataclass
class AugmentBank:
    """The counterfactual attribute sentences of every user, deduplicated.

    Attributes
    ----------
    sentences : list of str
        Distinct counterfactual sentences (encode each once).
    index : numpy.ndarray of int64, shape (n_users, n_variants)
        Row of ``sentences`` per user and variant; a user's valid variants
        come first, the rest are -1.
    n_valid : numpy.ndarray of int64, shape (n_users,)
        Variants a user draws from (``remove``: those that differ from the
        user's own sentence; ``swap``: every combination of values).
    attributes : list of str
    """

    sentences: list
    index: np.ndarray
    n_valid: np.ndarray
    attributes: list


def augment_attributes(template, attributes=None) -> list[str]:
    """The attributes augmentation changes: given ones, else the template's sensitive ones."""
    if attributes:
        absent = [a for a in attributes if a not in template.columns]
        if absent:
            raise ConfigError(f"augment_attributes names {', '.join(absent)}, which the profile "
                              f"template does not state (its parts name "
                              f"{', '.join(template.columns) or 'nothing'}).")
        return list(dict.fromkeys(attributes))
    found = [c for c in template.sensitive if c in template.columns]
    if not found:
        raise ConfigError("Counterfactual augmentation needs a sensitive attribute in the "
                          "profile template; name them with augment_attributes.")
    return found


def build_bank(users, rows, template, mode: str, attributes) -> AugmentBank:
    """Render every user's counterfactual attribute sentences (the probe's rendering).

    Parameters
    ----------
    users : pandas.DataFrame
        ``Dataset.users``.
    rows : array-like of int
        Dense user ids (all users, in order).
    template : ProfileTemplate
    mode : {"swap", "remove"}
    attributes : list of str

    Raises
    ------
    ConfigError
        When no user's sentence changes (e.g. the unaware template, which never
        states the attributes).
    """
    import itertools

    from fairrec_core.llm.probe import probe_values
    from fairrec_core.llm.profile import attribute_sentences

    rows = np.asarray(rows, dtype=np.int64)
    own = np.array(attribute_sentences(users, rows, template), dtype=object)
    if mode == "remove":
        overrides: list[dict] = [{a: None for a in attributes}]
    else:
        values = [probe_values(users, a)[0] for a in attributes]
        n = int(np.prod([len(v) for v in values]))
        if n > MAX_VARIANTS:
            raise ConfigError(f"Swapping {', '.join(attributes)} together gives {n:,} value "
                              f"combinations (at most {MAX_VARIANTS} are supported); augment "
                              "fewer attributes.")
        overrides = [dict(zip(attributes, combo)) for combo in itertools.product(*values)]
    variants = np.array([attribute_sentences(users, rows, template, o) for o in overrides],
                        dtype=object).reshape(len(overrides), len(rows)).T
    changes = variants != own[:, None]
    # swap keeps the combination equal to the user's own values: the draw stays uniform.
    valid = changes if mode == "remove" else np.ones_like(changes)
    if not changes.any():
        raise ConfigError(f"Counterfactual augmentation ({mode}) would change no profile: the "
                          f"profile template does not state {', '.join(attributes)} (the "
                          "unaware template leaves them out). Drop augment, or use the aware "
                          "template.")
    uniq, inv = np.unique(variants.astype(str), return_inverse=True)
    inv = inv.reshape(variants.shape)
    # Valid variants first, so a batch picks uniformly among the first n_valid columns.
    order = np.argsort(~valid, axis=1, kind="stable")
    index = np.where(np.take_along_axis(valid, order, axis=1),
                     np.take_along_axis(inv, order, axis=1), -1).astype(np.int64)
    return AugmentBank(list(uniq), index, valid.sum(axis=1).astype(np.int64), list(attributes))


def check_augment_params(model: str, params: dict, where: str) -> None:
    """Check augmentation options given as model params (``[model].params``, the CLI)."""
    if model != "profile-two-tower":
        raise ConfigError(f"{where}: counterfactual augmentation rewrites user profile texts, "
                          f"which only the profile-two-tower model reads (not {model}).")
    try:
        check_augment(params.get("augment"), params.get("augment_p", 0.5),
                      params.get("augment_attributes"))
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


__all__ = ["AUGMENT_MODES", "AugmentBank", "augment_attributes", "build_bank", "check_augment",
           "check_augment_params"]
