"""Model names as the dashboard and the CLI show them, mapped to classes."""

from __future__ import annotations

from importlib import import_module

from fairrec_core.errors import ConfigError

#: name -> (module, class, one-line description)
MODELS: dict[str, tuple[str, str, str]] = {
    "popularity": ("fairrec_core.models.popularity", "Popularity",
                   "Most-popular baseline: everyone gets the most-interacted items."),
    "bpr": ("fairrec_core.models.bpr", "BPR",
            "BPR matrix factorisation (PyTorch)."),
    "two-tower": ("fairrec_core.models.two_tower", "TextTwoTower",
                  "Text two-tower: a transformer reads item titles and descriptions."),
    "imported": ("fairrec_core.models.imported", "ImportedRecommendations",
                 "The production system's own lists from recommendations.csv."),
}


def available_models() -> dict[str, str]:
    """``{name: description}`` of every model, in display order."""
    return {name: desc for name, (_, _, desc) in MODELS.items()}


def model_class(name: str):
    """The Recommender class registered as ``name`` (imports it lazily)."""
    key = str(name).strip().lower().replace("_", "-")
    key = {"two-tower-text": "two-tower", "twotower": "two-tower", "bpr-mf": "bpr",
           "pop": "popularity"}.get(key, key)
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
