"""Progress events the training loop sends to its callbacks (dashboard, CLI bars)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ProgressEvent:
    """One report from the training loop to its callbacks.

    Attributes
    ----------
    kind : {"encode", "start", "step", "epoch", "end"}
        ``encode`` comes before ``start`` from models that prepare inputs
        first (the text two-tower encoding item texts); ``step`` and ``steps``
        then count texts encoded and to encode.
    epoch, epochs : int
        Current epoch (1-based; 0 before the first) and the planned number.
    step, steps : int
        Step within the epoch (1-based) and steps per epoch.
    loss : float or None
        Mean training loss since the last event of this kind.
    metric : float or None
        Validation metric after the epoch (``metric_name``), None if no
        validation data.
    best_metric, best_epoch
        Best validation value so far and when it was reached.
    elapsed_s : float
        Seconds since training started.
    stopped_early : bool
        Set on the ``end`` event when early stopping ended training.
    device : str
    """

    kind: str
    epoch: int
    epochs: int
    step: int = 0
    steps: int = 0
    loss: float | None = None
    metric: float | None = None
    metric_name: str = "ndcg@10"
    best_metric: float | None = None
    best_epoch: int | None = None
    elapsed_s: float = 0.0
    stopped_early: bool = False
    device: str = "cpu"

    def to_dict(self) -> dict:
        return asdict(self)


Callback = Callable[[ProgressEvent], Any]


def encode_reporter(callbacks: Iterable[Callback], *, epochs: int, device: str):
    """A ``progress(done, total)`` function that sends ``encode`` events to ``callbacks``.

    For a model's preparation stage (encoding item texts), which would
    otherwise look like a stalled start; None when there are no callbacks.
    """
    callbacks = list(callbacks)
    if not callbacks:
        return None
    t0 = time.perf_counter()

    def progress(done: int, total: int) -> None:
        ev = ProgressEvent(kind="encode", epoch=0, epochs=int(epochs), step=int(done),
                           steps=int(total), elapsed_s=time.perf_counter() - t0,
                           device=str(device))
        for cb in callbacks:
            cb(ev)
    return progress
