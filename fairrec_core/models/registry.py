"""Model names as the dashboard and the CLI show them, mapped to classes.

The one list of models: the config (``[model].name``), the CLI and the
dashboard's Train page all read it from here.
"""

from __future__ import annotations

from importlib import import_module

from fairrec_core.errors import ConfigError

#: name -> (module, class, one-line description), in the order the dashboard offers them.
MODELS: dict[str, tuple[str, str, str]] = {
    "bpr": ("fairrec_core.models.bpr", "BPR",
            "BPR matrix factorisation (PyTorch)."),
    "popularity": ("fairrec_core.models.popularity", "Popularity",
                   "Most-popular baseline: everyone gets the most-interacted items."),
    "two-tower": ("fairrec_core.models.two_tower", "TextTwoTower",
                  "Text two-tower: a transformer reads item titles and descriptions."),
    "profile-two-tower": ("fairrec_core.llm.profile_tower", "ProfileTwoTower",
                          "Profile two-tower: the user tower also reads a profile text "
                          "(attributes and recent titles)."),
    "imported": ("fairrec_core.models.imported", "ImportedRecommendations",
                 "The production system's own lists from recommendations.csv."),
}


MODEL_NAMES: tuple[str, ...] = tuple(MODELS)
#: Display names (the dashboard's model picker, the report's model card).
MODEL_LABELS: dict[str, str] = {
    "bpr": "BPR matrix factorisation", "popularity": "Popularity baseline",
    "two-tower": "Text two-tower (transformer)",
    "profile-two-tower": "Profile-reading two-tower (transformer)",
    "imported": "Production recommendations (uploaded lists)"}
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
