"""Model names as the dashboard and the CLI show them, mapped to classes.

The one list of models: the config (``[model].name``), the CLI and the
dashboard's Train page all read it from here.
"""

from __future__ import annotations

from importlib import import_module

from fairrec_core.errors import ConfigError
from fairrec_core.i18n import has, phrase, t

#: name -> (module, class, one-line description), in the order the dashboard offers them.
#: The descriptions are Phrases (English text; ``i18n.say`` gives the reader's language).
MODELS: dict[str, tuple[str, str, str]] = {
    "bpr": ("fairrec_core.models.bpr", "BPR", phrase("model.desc.bpr")),
    "popularity": ("fairrec_core.models.popularity", "Popularity", phrase("model.desc.popularity")),
    "two-tower": ("fairrec_core.models.two_tower", "TextTwoTower", phrase("model.desc.two-tower")),
    "profile-two-tower": ("fairrec_core.llm.profile_tower", "ProfileTwoTower",
                          phrase("model.desc.profile-two-tower")),
    "imported": ("fairrec_core.models.imported", "ImportedRecommendations",
                 phrase("model.desc.imported")),
}


MODEL_NAMES: tuple[str, ...] = tuple(MODELS)
#: English display names (the catalogue's ``train.model.<name>`` entries, which hold
#: both languages: use :func:`model_label` wherever a reader sees one).
MODEL_LABELS: dict[str, str] = {name: t(f"train.model.{name}", "en") for name in MODELS}
#: Other spellings accepted for a name.
ALIASES = {"two-tower-text": "two-tower", "twotower": "two-tower", "bpr-mf": "bpr",
           "pop": "popularity"}
#: Models trained by a gradient loop (epochs, learning rate, device apply).
TORCH_MODELS: tuple[str, ...] = ("bpr", "two-tower", "profile-two-tower")
#: Models that read item text with an encoder (encoder, mode apply).
TEXT_MODELS: tuple[str, ...] = ("two-tower", "profile-two-tower")


def canonical_name(name: str) -> str:
    """``name`` as the registry spells it (case, ``_`` and aliases forgiven); not checked."""
    key = str(name).strip().lower().replace("_", "-")
    return ALIASES.get(key, key)


def model_label(name: str, lang: str = "en") -> str:
    """The display name of model ``name`` in ``lang``; an unknown name is shown as is.

    The one lookup for every surface (Train page, sidebar, audited-lists
    labels, report model card).
    """
    key = f"train.model.{canonical_name(name)}"
    return t(key, lang) if has(key) else str(name)


def available_models() -> dict[str, str]:
    """``{name: description}`` of every model, in display order."""
    return {name: desc for name, (_, _, desc) in MODELS.items()}


def model_class(name: str):
    """The Recommender class registered as ``name`` (imports it lazily)."""
    key = canonical_name(name)
    if key not in MODELS:
        raise ConfigError(f"Unknown model '{name}'; choose one of {', '.join(MODELS)}.")
    module, cls, _ = MODELS[key]
    return getattr(import_module(module), cls)


def make_model(name: str, **params):
    """An unfitted model ``name`` built with ``params``; unknown options are an error."""
    cls = model_class(name)
    try:
        return cls(**params)
    except TypeError as exc:
        raise ConfigError(f"Invalid option for the {name} model: {exc}") from None
