"""Typed errors with messages a non-programmer can act on."""

from __future__ import annotations


class FairrecError(Exception):
    """Base class of every error fairrec raises on purpose."""


class DataValidationError(FairrecError):
    """The uploaded data cannot be used; ``report`` lists every problem found."""

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class ConfigError(FairrecError, ValueError):
    """An option or a column mapping is invalid."""


class NotFittedError(FairrecError):
    """A model was used before ``fit``."""


class CheckpointError(ConfigError):
    """A checkpoint folder or archive is damaged, oversized or unsafe to load."""


class CapabilityError(FairrecError, ValueError):
    """A model was asked something it cannot answer (it has no vectors, no text tower...).

    Models announce what they can answer with capability flags
    (``Recommender.has_vectors``, ``history_dependence``, ``reads_text``);
    this error names the model and the question when a caller asks anyway.
    """
