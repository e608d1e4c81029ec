"""Early stopping on the validation metric."""

from __future__ import annotations

import numpy as np

from fairrec_core.errors import ConfigError


class EarlyStopping:
    """Stop when the validation metric has not improved for ``patience`` epochs.

    Parameters
    ----------
    patience : int
        Epochs without improvement tolerated; 0 disables early stopping.
    min_delta : float
        Smallest increase that counts as an improvement.
    """

    def __init__(self, patience: int = 3, min_delta: float = 0.0):
        if patience < 0:
            raise ConfigError("patience must be 0 (off) or a positive number of epochs.")
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.best_metric: float | None = None
        self.best_epoch: int | None = None
        self.bad_epochs = 0

    def update(self, metric: float | None, epoch: int) -> tuple[bool, bool]:
        """Record an epoch's metric; return ``(improved, should_stop)``."""
        if metric is None or not np.isfinite(metric):
            return False, False
        if self.best_metric is None or metric > self.best_metric + self.min_delta:
            self.best_metric, self.best_epoch, self.bad_epochs = float(metric), epoch, 0
            return True, False
        self.bad_epochs += 1
        return False, bool(self.patience) and self.bad_epochs >= self.patience
